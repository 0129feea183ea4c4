"""Peak resident memory of the course, lesson by lesson, as `make course` runs it (each lesson in its own process).

  python bench/memory.py                    # every lesson at sample scale: peak RSS (from /usr/bin/time -v) and wall time
  python bench/memory.py --lessons "03 05"  # some lessons
  python bench/memory.py --course           # also the whole course in one `resnet_course_run`, like `make course`
  python bench/memory.py --cells            # where it goes: each lesson run cell by cell in-process, printing the cells
                                            # that raised the peak most (and the resident size after each of them)

Nothing is written to the tracked results log: the rows go to a scratch file. Goal: the course's peak <= 4 GB.
"""
import argparse, os, re, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_GB = 4.0


def _bin(name): return str(Path(sys.executable).parent/name)


def timed(cmd, env) -> tuple:
    "Run `cmd` under GNU time; (peak RSS in GB of its largest process, seconds, return code, the tail of its output)."
    t0 = time.time()
    r = subprocess.run(['/usr/bin/time', '-v', *cmd], env=env, capture_output=True, text=True, cwd=ROOT)
    m = re.search(r'Maximum resident set size \(kbytes\): (\d+)', r.stderr)
    return (int(m.group(1)) / 2**20 if m else float('nan')), time.time() - t0, r.returncode, (r.stdout + r.stderr)[-1500:]


def lesson_numbers(): return sorted(p.name[:2] for p in (ROOT/'nbs').glob('[0-8][0-9]_*.ipynb'))


def cell_peaks(nb_path, top:int=6):
    "Run notebook `nb_path` cell by cell in this process (as the course runner does); print the cells that raised the peak RSS most."
    from execnb.nbio import read_nb
    from execnb.shell import CaptureShell
    from fastcore.xtras import working_directory
    from resnet_course.runner import cell_flags, _NB_BARS
    def status():
        s = open('/proc/self/status').read()
        return [int(re.search(rf'{k}:\s+(\d+)', s).group(1)) / 2**20 for k in ('VmRSS', 'VmHWM')]
    nb, shell = read_nb(nb_path), CaptureShell(nb_path)
    shell.run(_NB_BARS)
    rows, (_, hwm0) = [], status()
    with working_directory(Path(nb_path).parent):
        for i, c in enumerate(nb.cells):
            if c.cell_type != 'code' or 'nbdev_export'+'(' in c.source or cell_flags(c.source) & {'slow', 'cuda'}: continue
            shell.run(c.source)
            if shell.exc: print(f"  cell {i} failed: {shell.exc!r}"); break
            rss, hwm = status()
            first = next((l for l in c.source.splitlines() if l.strip() and not l.startswith('#|')), '')[:90]
            rows.append((hwm - hwm0, i, rss, hwm, first)); hwm0 = hwm
    print(f"{Path(nb_path).name}: peak {max(r[3] for r in rows):.2f} GB, resident at the end {rows[-1][2]:.2f} GB; the cells that raised the peak most:")
    for d, i, rss, hwm, first in sorted(rows, reverse=True)[:top]:
        if d > 0.01: print(f"  +{d:5.2f} GB  cell {i:3}  (resident after it {rss:5.2f} GB)  {first}")


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--lessons', default=None, help='space-separated lesson numbers (default: all)')
    p.add_argument('--scale', default='sample'); p.add_argument('--course', action='store_true')
    p.add_argument('--cells', action='store_true'); p.add_argument('--cell-notebook', default=None, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.cell_notebook: cell_peaks(a.cell_notebook); sys.exit()
    lessons = (a.lessons or ' '.join(lesson_numbers())).split()
    scratch = Path(tempfile.mkdtemp(prefix='resnet_course_memory_'))
    env = dict(os.environ, RESNET_COURSE_RESULTS=str(scratch/'results.csv'), RESNET_COURSE_SCALE=a.scale, MPLBACKEND='Agg',
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')]).rstrip(os.pathsep))
    from resnet_course.core import course_report
    course_report()
    if a.cells:
        for n in lessons:
            nb = next((ROOT/'nbs').glob(f'{n}_*.ipynb'))
            subprocess.run([sys.executable, __file__, '--cell-notebook', str(nb)], env=env, cwd=ROOT/'nbs')
        sys.exit()
    rows = []
    print(f"Peak resident memory at {a.scale} scale (GNU time's maximum RSS of the largest process; each lesson in its own process):")
    for n in lessons:
        gb, secs, rc, tail = timed([_bin('resnet_course_run'), '--scale', a.scale, '--lessons', n, '--out', str(scratch/'out')], env)
        rows.append((n, gb, secs, rc))
        print(f"  lesson {n}: {gb:5.2f} GB  {secs:6.0f} s{'' if rc == 0 else '  FAILED: ' + tail.strip().splitlines()[-1]}", flush=True)
    if a.course:
        gb, secs, rc, tail = timed([_bin('resnet_course_run'), '--scale', a.scale, '--out', str(scratch/'course')], env)
        print(f"  whole course (resnet_course_run, as make course): {gb:5.2f} GB  {secs:6.0f} s{'' if rc == 0 else '  FAILED'}")
        rows.append(('course', gb, secs, rc))
    peak = max(r[1] for r in rows)
    print(f"Peak {peak:.2f} GB   goal <= {GOAL_GB:.1f} GB   {'ok' if peak <= GOAL_GB else 'ABOVE GOAL'}   (scratch output in {scratch})")
