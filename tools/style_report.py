"""Style figures of the library, as issue 25 measures them against nbdev's own library.

Usage: python tools/style_report.py [lib_dir ...]   (default: resnet_course)
Prints: share of lines over 120 characters (and over 150), the longest line, the median docstring length of public
functions and classes, how many public functions carry docments (a comment after a parameter), and module summaries.
"""
import ast, io, sys, statistics, tokenize
from pathlib import Path

def _docments(src:str, fn:ast.FunctionDef) -> bool:
    "Whether the signature of `fn` has a comment after one of its parameters (nbdev's docments)."
    lines = src.splitlines()[fn.lineno - 1:fn.body[0].lineno - 1]
    toks = tokenize.generate_tokens(io.StringIO('\n'.join(lines) + '\n').readline)
    try: return any(t.type == tokenize.COMMENT for t in toks)
    except tokenize.TokenError: return False

def report(dirs):
    files = [f for d in dirs for f in sorted(Path(d).glob('*.py')) if not f.name.startswith('_')]
    lines = [(f.name, l) for f in files for l in f.read_text().splitlines()]
    over120 = [x for x in lines if len(x[1]) > 120]; over150 = [x for x in lines if len(x[1]) > 150]
    longest = max(lines, key=lambda x: len(x[1]))
    docs, funcs, with_docments, summaries = [], 0, 0, {}
    for f in files:
        src = f.read_text(); tree = ast.parse(src)
        summaries[f.stem] = len((ast.get_docstring(tree) or '').split())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not node.name.startswith('_'):
                d = ast.get_docstring(node)
                if d: docs.append(len(d))
                if not isinstance(node, ast.ClassDef) and node.col_offset == 0:
                    funcs += 1; with_docments += _docments(src, node)
    print(f"library: {len(files)} modules, {len(lines)} lines")
    print(f"lines over 120 characters: {len(over120)} ({100 * len(over120) / len(lines):.1f} %); over 150: {len(over150)}")
    print(f"longest line: {len(longest[1])} characters ({longest[0]})")
    print(f"median docstring of public functions and classes: {statistics.median(docs):.0f} characters ({len(docs)} docstrings)")
    print(f"top-level public functions with docments: {with_docments} of {funcs}")
    print(f"module summaries (words): median {statistics.median(summaries.values()):.0f}, longest {max(summaries.values())} ("
          f"{max(summaries, key=summaries.get)})")

if __name__ == '__main__': report(sys.argv[1:] or ['resnet_course'])
