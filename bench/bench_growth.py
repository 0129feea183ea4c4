"""How the course's image pipeline (`ImageCache` + `df_dls`) grows with the number of images, and what that predicts for
the full datasets. At 1k, 10k and 100k 64-px images, each size in fresh processes:

  first decode    `df_dls` on a cold cache: every image read, decoded, centre-cropped and the cache file written
  cached reload   `df_dls` again in a new process: the images come from the cache file (what a lesson's rerun pays)
  epoch           one pass over the training and validation loaders, the post's flip / rotate / brightness included
  RSS             resident memory after the reload and epoch (VmRSS), and the peak of the first decode (VmHWM)

The images: the Tiny ImageNet sample's training images (64 px JPEGs), repeated as hard links under distinct file names
in a temporary folder beside the data (a copy where links fail), so each name is a separate cache entry and no disk
space is spent on pixels twice; every 10th is a validation image. The files sit in the page cache after the first
pass, so decoding is CPU time, not disk reads. The temporary folder and its cache files (1.2 GB at 100k) are removed
at the end, failure included. Predictions are linear in images (fitted on the two largest sizes) and, for Intel's
150-px images, in pixels per image too ((150/64)² = 5.5× the per-image decode, epoch and memory cost).
Cost on the 2-core EPYC: ~3 min (1k + 10k ~20 s; 100k: decode ~65 s, reload ~10 s, epoch ~45 s; 6 fresh processes'
imports ~30 s), measured at 1k and extrapolated.

Run: make bench   (or: python bench/bench_growth.py [--quick])
"""
import argparse, json, os, re, shutil, signal, subprocess, sys, tempfile, time
from pathlib import Path

FULL = dict(tiny=(100_000, 64), intel=(14_034, 150))


def memory_gb() -> tuple:
    "(VmRSS, VmHWM) of this process in GB."
    s = open('/proc/self/status').read()
    return tuple(int(re.search(rf'{k}:\s+(\d+)', s).group(1)) / 2**20 for k in ('VmRSS', 'VmHWM'))


def child(folder:Path, n:int, epoch:bool):
    "In a fresh process: build `df_dls` over the first `n` images of `folder` (and run one epoch); print a JSON line."
    import pandas as pd, torch
    from resnet_course.data import df_dls
    from resnet_course.augment import flip_rotate_brightness
    paths = sorted(folder.glob('*/*.JPEG'))[:n]
    labels, valid = [p.name.split('_')[1] for p in paths], [i % 10 == 0 for i in range(n)]   # <i>_<wnid>_<name>
    df = pd.DataFrame(dict(path=paths, label=labels, is_valid=valid))
    t0 = time.perf_counter()
    dls = df_dls(df, size=64, bs=32, batch_tfms=flip_rotate_brightness(), device='cpu')
    out = dict(build=time.perf_counter() - t0)
    if epoch:
        t0 = time.perf_counter()
        with torch.no_grad():
            for dl in (dls.train, dls.valid):
                for xb, yb in dl: pass
        out['epoch'] = time.perf_counter() - t0
    out['rss'], out['hwm'] = memory_gb()
    print(json.dumps(out))


def run_child(folder:Path, n:int, data:Path, epoch:bool) -> dict:
    "`child` in a new process with its data folder (so its cache) in `data`."
    env = dict(os.environ, RESNET_COURSE_DATA=str(data))
    cmd = [sys.executable, __file__, '--child', str(n), '--folder', str(folder)] + (['--epoch'] if epoch else [])
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode: raise RuntimeError(f"bench_growth child ({n} images) failed:\n{r.stderr[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def repeated_images(sources:list, n:int, dest:Path) -> Path:
    "`n` images in `dest`: `sources` repeated as hard links (copies where links fail), named `<i>_<wnid>_<name>`."
    for i in range(n):
        src = sources[i % len(sources)]
        d = dest/f'{i // 1000:03d}'
        if i % 1000 == 0: d.mkdir(parents=True)
        f = d/f'{i:06d}_{src.parent.parent.name}_{src.name}'
        try: os.link(src, f)
        except OSError: shutil.copyfile(src, f)
    return dest


def remove_leftovers(folder:Path):
    "Remove the temporary folders of earlier runs that were killed (their process is gone)."
    for d in folder.glob('resnet_course_growth_*_*'):
        try: os.kill(int(d.name.split('_')[3]), 0)
        except ProcessLookupError: shutil.rmtree(d, ignore_errors=True)
        except (ValueError, IndexError, PermissionError): pass


def fit(xs, ys) -> tuple:
    "(intercept, slope) of the line through the last two points."
    (x0, y0), (x1, y1) = (xs[-2], ys[-2]), (xs[-1], ys[-1])
    b = (y1 - y0) / (x1 - x0)
    return y1 - b * x1, b


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--sizes', default='1000 10000 100000', help='numbers of images (space-separated)')
    p.add_argument('--quick', action='store_true', help='a few seconds: 200 and 1,000 images')
    p.add_argument('--child', type=int, help=argparse.SUPPRESS); p.add_argument('--folder', help=argparse.SUPPRESS)
    p.add_argument('--epoch', action='store_true', help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child: child(Path(a.folder), a.child, a.epoch); sys.exit()
    from resnet_course.core import course_report, device_name
    from resnet_course.data import get_tiny_imagenet
    from resnet_course.archives import data_root, DataError
    from timing import load_average
    sizes = [200, 1000] if a.quick else [int(s) for s in a.sizes.split()]
    course_report()
    try: root = get_tiny_imagenet()
    except DataError as e: raise SystemExit(f"bench_growth needs the Tiny ImageNet sample: {e}")
    sources = sorted((root/'train').glob('*/images/*.JPEG'))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # a `timeout` or `kill`: clean up as on an exception
    remove_leftovers(data_root())
    tmp = Path(tempfile.mkdtemp(prefix=f'resnet_course_growth_{os.getpid()}_', dir=data_root()))   # links: same disk
    rows = []
    try:
        t0 = time.perf_counter()
        folder = repeated_images(sources, max(sizes), tmp/'images')
        print(f"  {max(sizes):,} images from {len(sources):,} sources in {time.perf_counter() - t0:.1f} s", flush=True)
        for n in sizes:
            data = tmp/f'data-{n}'
            cold = run_child(folder, n, data, epoch=False)
            warm = run_child(folder, n, data, epoch=True)
            shutil.rmtree(data)
            r = dict(n=n, decode=cold['build'], reload=warm['build'], epoch=warm['epoch'], rss=warm['rss'],
                     peak=cold['hwm'])
            rows.append(r)
            print(f"  {n:>7,} images: first decode {r['decode']:6.1f} s, cached reload {r['reload']:5.1f} s, "
                  f"epoch {r['epoch']:6.1f} s, RSS {r['rss']:.2f} GB (first decode's peak {r['peak']:.2f} GB)",
                  flush=True)
    finally: shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nGrowth: ImageCache + df_dls, 64 px, batch 32, {device_name()}, load {load_average()}"
          f"{' (QUICK: small sizes, not the figures)' if a.quick else ''}")
    print('  ' + ' '.join(f"{h:>{w}}" for h, w in (('images', 8), ('decode s', 9), ('reload s', 9), ('epoch s', 8),
                                                   ('RSS GB', 7), ('peak GB', 8), ('µs/image decode', 16))))
    for r in rows:
        print(f"  {r['n']:>8,} {r['decode']:9.1f} {r['reload']:9.1f} {r['epoch']:8.1f} {r['rss']:7.2f} "
              f"{r['peak']:8.2f} {1e6 * r['decode'] / r['n']:16.0f}")
    if len(rows) >= 2:
        ns = [r['n'] for r in rows]
        lines = {k: fit(ns, [r[k] for r in rows]) for k in ('decode', 'reload', 'epoch', 'rss', 'peak')}
        for name, (n, px) in FULL.items():
            f = (px / 64) ** 2
            pred = {k: c + b * n * f for k, (c, b) in lines.items()}
            label = 'full Tiny ImageNet (100,000 at 64 px)' if name == 'tiny' else 'full Intel (14,034 at 150 px)'
            print(f"  predicted, {label}: first decode {pred['decode']:.0f} s, cached reload {pred['reload']:.0f} s, "
                  f"epoch {pred['epoch']:.0f} s, RSS {pred['rss']:.2f} GB (first decode's peak {pred['peak']:.2f} GB)")
