"""`make bench`: every benchmark in one run, each ratio beside its goal, and the summary written to bench/RESULTS.md.

Budget on the 2-core EPYC, quiet machine, 2 threads (each script's docstring says what it measures), extrapolated from
quick runs and the rates measured in issue 27: fast path ~1.6 min (4 loops × 3 rounds × 1,024 images at 100-220 img/s),
pipeline ~2 min, CUDA ~5 s (skipped without a GPU), roofline ~0.5 min, peers ~1.7 min (2 rounds of ~6 + ~20 + ~20 s),
growth ~3 min: ~9-10 min in all, under the 12-minute budget.

Run: make bench            (writes bench/RESULTS.md)
     make bench QUICK=1    (every script shrunk to seconds, to check that they run; the report goes to a temp file)
"""
import argparse, datetime, os, platform, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK_OLD = ['--rounds', '1', '--steps', '2', '--warmup', '1']   # the scripts that have no --quick
SCRIPTS = [('bench_fast_path.py', QUICK_OLD), ('bench_pipeline.py', QUICK_OLD), ('bench_cuda.py', ['--rounds', '1']),
           ('bench_roofline.py', ['--quick']), ('bench_peers.py', ['--quick']), ('bench_growth.py', ['--quick'])]


def cpu_model() -> str:
    "The CPU's model name, from /proc/cpuinfo (else `platform`)."
    try: return next(l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name'))
    except (OSError, StopIteration): return platform.processor() or platform.machine()


def run(script:str, args:list) -> tuple:
    "Run one benchmark, echoing its output; (return code, its summary: the lines after its last blank line, seconds)."
    t0, lines = time.perf_counter(), []
    cmd = [sys.executable, str(HERE/script), *args]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in p.stdout: print(line, end='', flush=True); lines.append(line.rstrip('\n'))
    rc, secs = p.wait(), time.perf_counter() - t0
    blank = max((i for i, l in enumerate(lines) if not l.strip()), default=-1)
    return rc, lines[blank + 1:] if rc == 0 else lines[-15:], secs


def machine() -> str:
    "One line: CPU, cores, torch version and bf16, the date."
    import torch
    from resnet_course.core import cpu_supports_bf16
    return (f"{cpu_model()}, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads, native bf16 "
            f"{'yes' if cpu_supports_bf16() else 'no'}; Python {platform.python_version()}, torch {torch.__version__}; "
            f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--quick', action='store_true', help='every benchmark shrunk to seconds; not the figures')
    p.add_argument('--out', default=None, help='the markdown report (default: bench/RESULTS.md; --quick: a temp file)')
    a = p.parse_args()
    out = Path(a.out) if a.out else Path(tempfile.gettempdir())/'RESULTS-quick.md' if a.quick else HERE/'RESULTS.md'
    head, t0, sections, failed = machine(), time.perf_counter(), [], []
    print(f"make bench{' (QUICK)' if a.quick else ''}: {head}", flush=True)
    for script, quick in SCRIPTS:
        print(f"\n=== {script}", flush=True)
        rc, summary, secs = run(script, quick if a.quick else [])
        if rc: failed.append(script)
        sections.append((script, rc, summary, secs))
    total = time.perf_counter() - t0
    below = sum('BELOW GOAL' in l for _, _, s, _ in sections for l in s)
    met = sum('goal' in l and l.rstrip().endswith(' ok') for _, _, s, _ in sections for l in s)
    verdict = f"{met} goal(s) met, {below} below" + (f"; FAILED: {', '.join(failed)}" if failed else '')
    md = [f"## Benchmarks{' (QUICK: shrunk sizes, not the figures)' if a.quick else ''}", '',
          f"Machine: {head}. `make bench` took {total / 60:.1f} min; {verdict}.", '']
    for script, rc, summary, secs in sections:
        md += [f"### `bench/{script}` ({secs:.0f} s){'' if rc == 0 else ' FAILED'}", '', '```', *summary, '```', '']
    out.write_text('\n'.join(md))
    print(f"\nmake bench: {total / 60:.1f} min; {verdict}; report written to {out}")
    sys.exit(1 if failed else 0)
