"""Training speed of the course's Learner against bare PyTorch loops, side by side in one run, on ready batches in memory
(so only the model, the optimiser, the clipping and the Learner's own per-batch work are timed; bench_pipeline.py adds the data):

  (a) a bare fp32 PyTorch loop
  (b) the course Learner (`get_learner` + `fit_recipe`), fp32
  (c) the course Learner with the fast path (`fast_path()`: bf16 autocast + channels_last on a bf16 CPU)
  (d) a bare bf16 autocast + channels_last PyTorch loop: the ceiling for (c)

Every one uses the same model (the DAWNBench ResNet9, 64-128-256-512, built from `conv_block` and `ResidualBlock`), the recipe's
optimiser (PyTorch's fused Adam, lr 1e-3, weight decay 1e-4) and its clipping (gradient norm 0.1), on 32-px images. A step is
timed from the start of one batch to the start of the next, so everything the Learner and its callbacks do counts.
Rounds are interleaved and the best of them is kept. Goals: (b)/(a) >= 0.9, (c)/(a) >= 2.0, (c)/(d) >= 0.9.

Run: make bench   (or: python bench/bench_fast_path.py --rounds 3 --steps 12 --bs 64)
"""
import argparse, torch
from torch import nn
from resnet_course.core import get_learner, Recipe, course_report, device_name, cpu_supports_bf16
from resnet_course.resnet9 import conv_block, ResidualBlock
from timing import StepClock, rate, timed_loop, memory_dls, show_ratio, interleave, load_average

RECIPE = Recipe(lr=1e-3, wd=1e-4, clip=0.1, clip_by='norm', epochs=1, opt='adam')


def resnet9_dawn(n_out:int=10) -> nn.Sequential:
    "The DAWNBench ResNet9 (64-128-256-512) for 32-px images, in the course's vocabulary."
    return nn.Sequential(conv_block(3, 64), conv_block(64, 128, pool=2), ResidualBlock(128), conv_block(128, 256, pool=2),
                         conv_block(256, 512, pool=2), ResidualBlock(512), nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(512, n_out))


def bare(batches, warmup, steps, bf16:bool) -> float:
    "A bare PyTorch training loop with the recipe's fused Adam and norm clipping; bf16 autocast + channels_last if `bf16`."
    torch.manual_seed(0)
    model, loss_fn = resnet9_dawn(), nn.CrossEntropyLoss()
    if bf16: model = model.to(memory_format=torch.channels_last)
    opt = RECIPE.opt_func('cpu').keywords['opt'](model.parameters(), lr=RECIPE.lr, weight_decay=RECIPE.wd)
    def step(xb, yb):
        if bf16:
            with torch.autocast('cpu', dtype=torch.bfloat16): pred = model(xb.contiguous(memory_format=torch.channels_last))
        else: pred = model(xb)
        loss = loss_fn(pred.float(), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), RECIPE.clip)
        opt.step(); opt.zero_grad()
    return timed_loop(step, batches, warmup, steps)


def learner(batches, warmup, steps, fast:bool) -> float:
    "The course Learner (`get_learner`, `fit_recipe`) on the same ready batches."
    torch.manual_seed(0)
    clock = StepClock(warmup + steps)
    learn = get_learner(memory_dls(batches), resnet9_dawn(), RECIPE, fast=fast, cbs=[clock])
    with learn.no_bar(), learn.no_logging(): learn.fit_recipe(1)
    return rate(clock.times, len(batches[0][0]), warmup)


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--bs', type=int, default=64); p.add_argument('--steps', type=int, default=12)
    p.add_argument('--warmup', type=int, default=3); p.add_argument('--rounds', type=int, default=3)
    a = p.parse_args()
    torch.set_flush_denormal(True); torch.manual_seed(0)
    course_report()
    n = a.warmup + a.steps
    batches = [(torch.randn(a.bs, 3, 32, 32), torch.randint(0, 10, (a.bs,))) for _ in range(n)]
    runs = dict(a=lambda: bare(batches, a.warmup, a.steps, bf16=False), b=lambda: learner(batches, a.warmup, a.steps, fast=False),
                c=lambda: learner(batches, a.warmup, a.steps, fast=True), d=lambda: bare(batches, a.warmup, a.steps, bf16=True))
    if not cpu_supports_bf16(): print("This CPU has no native bf16: (c) and (d) run, but the fast path is off (fp32), so (c)/(a) ~ 1.")
    best = interleave(runs, a.rounds)
    print(f"\nFast path: DAWNBench ResNet9, 32 px, batch {a.bs}, fused Adam + norm clip 0.1; {a.steps} timed steps after {a.warmup} "
          f"warm-up, best of {a.rounds} interleaved rounds; {device_name()}, {torch.get_num_threads()} threads, load {load_average()}")
    for k, name in (('a', 'bare fp32 loop'), ('b', 'course Learner, fp32'), ('c', 'course Learner, fast path'),
                    ('d', 'bare bf16 + channels_last loop')): print(f"  ({k}) {name:32} {best[k]:7.1f} img/s")
    show_ratio('(b)/(a)  Learner fp32 / bare fp32', best['b'], best['a'], 0.9)
    show_ratio('(c)/(a)  fast path / bare fp32', best['c'], best['a'], 2.0)
    show_ratio('(c)/(d)  fast path / bare bf16 + channels_last', best['c'], best['d'], 0.9)
