"""Does a lesson train at the speed of its model? Side by side in one run, for two settings, the same Learner (`get_learner` with
the recipe, its clipping, the fast path and metrics) trained with `fit_recipe`:

  end-to-end   fed by the lesson's own `lesson_dls`: cached uint8 images (`ImageCache`), collation, `IntToFloatTensor` and the
               `flip_rotate_brightness()` batch augmentation, all done while training, as in a lesson
  model-only   fed the same batches, already augmented and in memory as float tensors: no data work at all

Settings: (1) lesson 03: ResNet9 (`resnet9`) at 150 px, batch 32, 6 Tiny ImageNet classes x 100 training images, RESNET9_RECIPE;
(2) Tiny ImageNet at 64 px: ResNet9, batch 32, 20 classes x 100 training images, RESNET9_RECIPE.
A step is timed from the start of one batch to the start of the next (so loading the next batch counts); rounds are
interleaved and the best kept. Goal: end-to-end / model-only >= 0.9 in both settings.

Run: make bench   (or: python bench/bench_pipeline.py --rounds 3); the images are decoded into the data folder's cache once.
"""
import argparse, torch
from resnet_course.core import get_learner, course_report, device_name
from resnet_course.data import lesson_dls
from resnet_course.archives import DataError
from resnet_course.augment import flip_rotate_brightness
from resnet_course.resnet9 import resnet9, RESNET9_RECIPE
from timing import StepClock, rate, memory_dls, show_ratio, interleave, load_average

SETTINGS = [dict(name='lesson 03: ResNet9, 150 px, batch 32, 6 classes x 100 images', size=150, bs=32, n_classes=6, steps=12),
            dict(name='Tiny ImageNet 64 px: ResNet9, batch 32, 20 classes x 100 images', size=64, bs=32, n_classes=20, steps=30)]


def train(dls, n_classes, bs, warmup, steps) -> float:
    "Images per second of the course Learner on `dls` (whole steps, loading included)."
    torch.manual_seed(0)
    clock = StepClock(warmup + steps)
    learn = get_learner(dls, resnet9(n_classes), RESNET9_RECIPE, cbs=[clock])
    with learn.no_bar(), learn.no_logging(): learn.fit_recipe(1)
    return rate(clock.times, bs, warmup)


def ready_batches(dls, n):
    "The first `n` training batches of `dls`, augmented, as plain tensors in memory."
    out = []
    for xb, yb in dls.train:
        out.append((xb.as_subclass(torch.Tensor).clone(), yb.as_subclass(torch.Tensor).clone()))
        if len(out) == n: return out
    raise ValueError(f"Only {len(out)} training batches: ask for fewer steps.")


def bench(s, warmup, rounds, steps=None) -> tuple:
    steps = steps or s['steps']
    dls, info = lesson_dls('sample', n_classes=s['n_classes'], n_train=100, n_valid=50, size=s['size'], bs=s['bs'],
                           batch_tfms=flip_rotate_brightness())
    if len(dls.train) < warmup + steps: steps = len(dls.train) - warmup - 1
    mem = memory_dls(ready_batches(dls, warmup + steps + 1))
    print(f"\n{s['name']}: {info['dataset']}, {info['n_train']} training images", flush=True)
    best = interleave(dict(e2e=lambda: train(dls, s['n_classes'], s['bs'], warmup, steps), model=lambda: train(mem, s['n_classes'], s['bs'], warmup, steps)), rounds)
    return best, steps


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--warmup', type=int, default=2); p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--steps', type=int, default=None, help='timed steps per run (default: 12 at 150 px, 30 at 64 px)')
    a = p.parse_args()
    torch.set_flush_denormal(True)
    course_report()
    try: results = [(s, *bench(s, a.warmup, a.rounds, a.steps)) for s in SETTINGS]
    except DataError as e: raise SystemExit(f"bench_pipeline needs the Tiny ImageNet sample (set RESNET_COURSE_TINY_IMAGENET): {e}")
    print(f"\nPipeline: best of {a.rounds} interleaved rounds after {a.warmup} warm-up steps; {device_name()}, "
          f"{torch.get_num_threads()} threads, load {load_average()}")
    for s, best, steps in results:
        print(f"  {s['name']} ({steps} timed steps): end-to-end {best['e2e']:.1f} img/s, model-only {best['model']:.1f} img/s")
        show_ratio(f"    end-to-end / model-only, {s['size']} px", best['e2e'], best['model'], 0.9)
