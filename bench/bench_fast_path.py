"""Training throughput of a ResNet9-sized net at 32 px, measured side by side in one run:
(a) a bare fp32 PyTorch loop, (b) the course Learner in fp32, (c) the course Learner with the fast path.
Prints images/s (median over timed steps after warm-up) and the ratios (b)/(a) and (c)/(a).
Goals on a 2-core bf16 CPU: (b)/(a) >= 0.9, (c)/(a) >= 2.0.

Run: make bench   (or: .venv/bin/python bench/bench_fast_path.py --steps 12 --bs 64)
"""
import argparse, statistics, time, torch
from torch import nn
from fastai.vision.all import *
from resnet_course.core import get_learner, Recipe, course_report, device_name

def resnet9_dawn(n_out=10):
    "The classic 64-128-256-512 ResNet9 (DAWNBench), sized for 32-px images; synthetic data, since only speed is measured."
    def res(nf): return nn.Sequential(ConvLayer(nf, nf), ConvLayer(nf, nf))
    class Res(nn.Module):
        def __init__(self, nf): super().__init__(); self.body = res(nf)
        def forward(self, x): return x + self.body(x)
    return nn.Sequential(ConvLayer(3, 64), ConvLayer(64, 128), nn.MaxPool2d(2), Res(128),
                         ConvLayer(128, 256), nn.MaxPool2d(2), ConvLayer(256, 512), nn.MaxPool2d(2), Res(512),
                         nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(512, n_out))

def bare_loop(x, y, bs, steps, warmup):
    model, loss_fn = resnet9_dawn(), nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    times = []
    for i in range(warmup + steps):
        j = (i * bs) % (len(x) - bs)
        xb, yb = x[j:j+bs], y[j:j+bs]
        t = time.perf_counter()
        opt.zero_grad(); loss = loss_fn(model(xb), yb); loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 0.1); opt.step()
        if i >= warmup: times.append(time.perf_counter() - t)
    return bs / statistics.median(times)

class StepTimer(Callback):
    "Time each training step (from before_batch to after_batch), skipping the warm-up steps."
    order = 100
    def __init__(self, warmup): self.warmup, self.times, self.n = warmup, [], 0
    def before_batch(self): self.t = time.perf_counter()
    def after_batch(self):
        if self.training:
            if self.n >= self.warmup: self.times.append(time.perf_counter() - self.t)
            self.n += 1

def learner_loop(x, y, bs, steps, warmup, fast):
    n = bs * (warmup + steps + 1)
    dls = DataLoaders.from_dsets(list(zip(x[:n], y[:n])), list(zip(x[:bs], y[:bs])), bs=bs, device='cpu', num_workers=0, drop_last=True)
    timer = StepTimer(warmup)
    learn = get_learner(dls, resnet9_dawn(), Recipe(lr=1e-3, wd=1e-4, clip=0.1, epochs=1), fast=fast, cbs=[timer])
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3)
    return bs / statistics.median(timer.times[:steps])

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--bs', type=int, default=64); p.add_argument('--steps', type=int, default=12)
    p.add_argument('--warmup', type=int, default=4); p.add_argument('--rounds', type=int, default=2)
    a = p.parse_args()
    torch.set_flush_denormal(True); torch.manual_seed(0)
    course_report()
    n = a.bs * (a.warmup + a.steps + 1)
    x, y = torch.randn(n, 3, 32, 32), torch.randint(0, 10, (n,))
    res = {'a': [], 'b': [], 'c': []}
    for r in range(a.rounds):   # interleave the three so drifting machine load hits all of them alike
        res['a'].append(bare_loop(x, y, a.bs, a.steps, a.warmup))
        res['b'].append(learner_loop(x, y, a.bs, a.steps, a.warmup, fast=False))
        res['c'].append(learner_loop(x, y, a.bs, a.steps, a.warmup, fast=True))
        print(f"round {r+1}: " + ' | '.join(f"{k} {v[-1]:.1f} img/s" for k, v in res.items()), flush=True)
    best = {k: max(v) for k, v in res.items()}
    print(f"\nResNet9 (64-128-256-512), 32 px, batch {a.bs}, {a.steps} timed steps after {a.warmup} warm-up, best of {a.rounds} rounds, on {device_name()}")
    print(f"(a) bare fp32 PyTorch loop      {best['a']:7.1f} img/s")
    print(f"(b) course Learner, fp32         {best['b']:7.1f} img/s   (b)/(a) = {best['b']/best['a']:.2f}  (goal >= 0.9)")
    print(f"(c) course Learner, fast path    {best['c']:7.1f} img/s   (c)/(a) = {best['c']/best['a']:.2f}  (goal >= 2.0)")
