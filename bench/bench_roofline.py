"""How close the fast path trains to this machine's limit, side by side in one run:

  peaks     a bf16 and an fp32 matmul (2048³), and a bf16 channels-last 3×3 conv (256→256, 16 px, batch 64, forward +
            backward), each best of `--reps` timed calls: what this CPU can do at all
  achieved  the DAWNBench ResNet9 training step of bench_fast_path.py (32 px, batch 64) through the course Learner on
            the fast path: its FLOPs counted by `torch.utils.flop_counter.FlopCounterMode` (forward + backward of one
            batch) times its measured images per second

Goal: achieved / bf16 matmul peak >= 0.65 on a CPU with native bf16 (on one without, the ratio is skipped: the fast path
is fp32 there). Cost on the 2-core EPYC: ~35 s (peaks ~10 s, the Learner's 3 rounds ~25 s).

Run: make bench   (or: python bench/bench_roofline.py [--quick])
"""
import argparse, time, torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode
from resnet_course.core import course_report, device_name, cpu_supports_bf16
from bench_fast_path import resnet9_dawn, learner
from timing import show_ratio, load_average

GOAL = 0.65


def best_seconds(f, reps:int) -> float:
    "The fastest of `reps` timed calls of `f` (after one untimed call)."
    f(); ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    return min(ts)


def matmul_gflops(n:int, dtype, reps:int) -> float:
    "GFLOP/s of an `n`³ matmul in `dtype`."
    a, b = torch.randn(n, n).to(dtype), torch.randn(n, n).to(dtype)
    return 2 * n**3 / best_seconds(lambda: a @ b, reps) / 1e9


def conv_gflops(c:int, px:int, bs:int, reps:int) -> float:
    "GFLOP/s of a bf16 channels-last 3×3 conv `c`→`c` at `px` px, batch `bs`, forward + backward (FLOPs counted)."
    conv = nn.Conv2d(c, c, 3, padding=1, bias=False).to(torch.bfloat16, memory_format=torch.channels_last)
    x = torch.randn(bs, c, px, px).to(torch.bfloat16, memory_format=torch.channels_last).requires_grad_()
    def step(): conv(x).sum().backward()
    with FlopCounterMode(display=False) as fc: step()
    return fc.get_total_flops() / best_seconds(step, reps) / 1e9


def step_flops_per_image(bs:int, fast:bool) -> float:
    "FLOPs of one DAWNBench ResNet9 training step (forward + backward) per image, counted by `FlopCounterMode`."
    model, x, y = resnet9_dawn(), torch.randn(bs, 3, 32, 32), torch.randint(0, 10, (bs,))
    with FlopCounterMode(display=False) as fc:
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=fast): pred = model(x)
        nn.functional.cross_entropy(pred.float(), y).backward()
    return fc.get_total_flops() / bs


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--reps', type=int, default=5); p.add_argument('--bs', type=int, default=64)
    p.add_argument('--steps', type=int, default=12); p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--quick', action='store_true', help='a few seconds: small matmul, 1 rep, 1 round of 2 steps')
    a = p.parse_args()
    n, conv_bs = 2048, 64
    if a.quick: n, conv_bs, a.reps, a.steps, a.warmup, a.rounds = 512, 8, 1, 2, 1, 1
    torch.set_flush_denormal(True); torch.manual_seed(0)
    course_report()
    bf16 = cpu_supports_bf16()
    mm16, mm32 = matmul_gflops(n, torch.bfloat16, a.reps), matmul_gflops(n, torch.float32, a.reps)
    cv16 = conv_gflops(256, 16, conv_bs, a.reps)
    flops = step_flops_per_image(a.bs, fast=bf16)
    batches = [(torch.randn(a.bs, 3, 32, 32), torch.randint(0, 10, (a.bs,))) for _ in range(a.warmup + a.steps)]
    ips = max(learner(batches, a.warmup, a.steps, fast=True) for _ in range(a.rounds))
    achieved = ips * flops / 1e9
    quick = ' (QUICK: small sizes, not the figures)' if a.quick else ''
    print(f"\nRoofline: {device_name()}, {torch.get_num_threads()} threads, load {load_average()}; "
          f"best of {a.reps} reps{quick}")
    print(f"  bf16 matmul {n}³                          {mm16:7.1f} GFLOP/s")
    print(f"  fp32 matmul {n}³                          {mm32:7.1f} GFLOP/s")
    print(f"  bf16 channels-last conv 3×3 256→256, 16 px, batch {conv_bs}, fwd+bwd  {cv16:7.1f} GFLOP/s")
    print(f"  fast path: DAWNBench ResNet9 step, 32 px, batch {a.bs}: {flops/1e9:.2f} GFLOP/image (counted) × "
          f"{ips:.1f} img/s (best of {a.rounds}) = {achieved:.1f} GFLOP/s")
    if bf16: show_ratio('fast path step / bf16 matmul peak', achieved, mm16, GOAL)
    else: print(f"  fast path step / bf16 matmul peak: skipped, this CPU has no native bf16 (the fast path is fp32 "
                f"here); step / fp32 matmul peak = {achieved / mm32:.2f}")
