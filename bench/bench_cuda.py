"""GPU throughput of the course Learner, side by side in one run, where CUDA is available:
(a) fp32, (b) fastai's MixedPrecision in fp16, (c) MixedPrecision in bf16 (where the GPU has it),
on a ResNet9-sized net at 32 px (the same net as bench_fast_path.py) and on ResNet50 at 64 px.
Prints images/s (median over timed steps after warm-up, best of the rounds) and the speed-ups (b)/(a), (c)/(a).
Without CUDA it says so and exits 0, so it can sit in any benchmark run.

Run: .venv/bin/python bench/bench_cuda.py [--steps 30 --warmup 10 --rounds 3 --bs 256]
"""
import argparse, statistics, sys, time, torch
from resnet_course.core import get_learner, Recipe, course_report, device_name   # first: it quiets fastai's import
from torch import nn
from fastai.vision.all import *

def resnet9_dawn(n_out=10):
    "The classic 64-128-256-512 ResNet9 (DAWNBench), sized for 32-px images; synthetic data, since only speed is measured."
    def res(nf): return nn.Sequential(ConvLayer(nf, nf), ConvLayer(nf, nf))
    class Res(nn.Module):
        def __init__(self, nf): super().__init__(); self.body = res(nf)
        def forward(self, x): return x + self.body(x)
    return nn.Sequential(ConvLayer(3, 64), ConvLayer(64, 128), nn.MaxPool2d(2), Res(128),
                         ConvLayer(128, 256), nn.MaxPool2d(2), ConvLayer(256, 512), nn.MaxPool2d(2), Res(512),
                         nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(512, n_out))

class StepTimer(Callback):
    "Time each training step on the GPU (CUDA events, from before_batch to after_batch), skipping the warm-up steps."
    order = 100
    def __init__(self, warmup): self.warmup, self.events, self.n = warmup, [], 0
    def before_batch(self):
        if self.training: self.start = torch.cuda.Event(enable_timing=True); self.start.record()
    def after_batch(self):
        if not self.training: return
        end = torch.cuda.Event(enable_timing=True); end.record()
        if self.n >= self.warmup: self.events.append((self.start, end))
        self.n += 1
    def seconds(self):
        torch.cuda.synchronize()
        return [s.elapsed_time(e) / 1000 for s, e in self.events]

def throughput(make_model, size, bs, steps, warmup, amp):
    "Images/s of one epoch of `steps + warmup` training steps of the course Learner; `amp`: None (fp32), 'fp16' or 'bf16'."
    n = bs * (warmup + steps + 1)
    x, y = torch.randn(n, 3, size, size), torch.randint(0, 10, (n,))
    dls = DataLoaders.from_dsets(list(zip(x, y)), list(zip(x[:bs], y[:bs])), bs=bs, device='cuda', num_workers=0, drop_last=True)
    timer = StepTimer(warmup)
    amp_cbs = [] if amp is None else [MixedPrecision(amp_mode=AMPMode.FP16 if amp == 'fp16' else AMPMode.BF16)]
    learn = get_learner(dls, make_model(), Recipe(lr=1e-3, wd=1e-4, clip=0.1, epochs=1), fast=False, cbs=[timer, *amp_cbs])
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3)
    return bs / statistics.median(timer.seconds()[:steps])

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--bs', type=int, default=256); p.add_argument('--steps', type=int, default=30)
    p.add_argument('--warmup', type=int, default=10); p.add_argument('--rounds', type=int, default=3)
    a = p.parse_args()
    if not torch.cuda.is_available():
        print('bench_cuda: no CUDA GPU here, skipped (the CPU fast path is measured by bench_fast_path.py).'); sys.exit(0)
    torch.manual_seed(0); torch.backends.cudnn.benchmark = True
    course_report()
    modes = [('fp32', None), ('fp16', 'fp16')] + ([('bf16', 'bf16')] if torch.cuda.is_bf16_supported() else [])
    nets = [('ResNet9 (64-128-256-512), 32 px', resnet9_dawn, 32, a.bs),
            ('ResNet50 (torchvision), 64 px', lambda: resnet50(num_classes=10), 64, a.bs // 2)]
    rows = []
    for name, make, size, bs in nets:
        res = {m: [] for m, _ in modes}
        for r in range(a.rounds):   # interleave the modes so drifting clocks and load hit all of them alike
            for m, amp in modes: res[m].append(throughput(make, size, bs, a.steps, a.warmup, amp))
            print(f"{name}, round {r+1}: " + ' | '.join(f"{m} {v[-1]:.0f} img/s" for m, v in res.items()), flush=True)
        rows.append((name, bs, {m: max(v) for m, v in res.items()}))
    print(f"\nTraining throughput on {device_name()}: course Learner, {a.steps} timed steps after {a.warmup} warm-up, best of {a.rounds} rounds")
    print(f"{'model':34} {'batch':>5} " + ' '.join(f"{m + ' img/s':>12}" for m, _ in modes) + ' ' + ' '.join(f"{m + '/fp32':>10}" for m, _ in modes[1:]))
    for name, bs, best in rows:
        print(f"{name:34} {bs:5d} " + ' '.join(f"{best[m]:12.0f}" for m, _ in modes) + ' ' + ' '.join(f"{best[m]/best['fp32']:10.2f}" for m, _ in modes[1:]))
