"""Shared by the benchmarks: a clock for whole training steps inside a fastai `Learner`, the same clock for bare PyTorch loops,
in-memory `DataLoaders` of ready batches, and the printing of each ratio beside its goal."""
import time, torch
from fastai.callback.core import Callback
from fastai.learner import CancelFitException
from fastai.data.load import DataLoader
from fastai.data.core import DataLoaders


class StepClock(Callback):
    "The time at the start of each training batch, before every other callback: whole steps, data loading and callbacks included."
    order = -1000
    def __init__(self, n_steps:int): self.n_steps, self.times = n_steps, []
    def before_batch(self):
        if not self.training: return
        self.times.append(time.perf_counter())
        if len(self.times) > self.n_steps: raise CancelFitException   # stop once n_steps whole steps are timed


def rate(times, bs:int, warmup:int) -> float:
    "Images per second over the steps after `warmup` (total time, so periodic costs count)."
    t = times[warmup:]
    return bs * (len(t) - 1) / (t[-1] - t[0])


def timed_loop(step, batches, warmup:int, steps:int) -> float:
    "Images per second of `step(xb, yb)` over `batches` (cycled), timed like `StepClock`."
    times = []
    for i in range(warmup + steps + 1):
        times.append(time.perf_counter())
        if i == warmup + steps: break
        xb, yb = batches[i % len(batches)]
        step(xb, yb)
    return rate(times, len(batches[0][0]), warmup)


def memory_dls(batches, device='cpu') -> DataLoaders:
    "fastai `DataLoaders` that hand out ready `(xb, yb)` batches from memory: no per-item work, no batch transforms."
    return DataLoaders(DataLoader(batches, bs=None, device=device), DataLoader(batches[:1], bs=None, device=device), device=device)


def show_ratio(label:str, num:float, den:float, goal:float, width:int=44) -> bool:
    "Print `label = num/den` beside its goal; True if it meets the goal."
    r = num / den
    ok = r >= goal
    print(f"  {label:{width}} = {r:5.2f}   goal >= {goal:g}   {'ok' if ok else 'BELOW GOAL'}")
    return ok


def interleave(runs:dict, rounds:int, label:str='') -> dict:
    "Call each of `runs` (name -> function returning img/s) once per round, in turn, so drifting machine load hits all alike; best of the rounds."
    res = {k: [] for k in runs}
    for r in range(rounds):
        for k, f in runs.items(): res[k].append(f())
        print(f"  {label}round {r+1}/{rounds}: " + ' | '.join(f"{k} {v[-1]:.1f}" for k, v in res.items()) + " img/s", flush=True)
    return {k: max(v) for k, v in res.items()}


def load_average() -> str:
    "The 1-minute load average, to print beside the figures (other processes on the machine skew them)."
    try: return open('/proc/loadavg').read().split()[0]
    except OSError: return 'unknown'
