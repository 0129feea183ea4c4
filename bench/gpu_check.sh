#!/usr/bin/env bash
# The course's GPU check, for a CUDA box, in <= 10 minutes; one line per check: PASS/FAIL, name, seconds, its log.
#   smoke-cuda   every lesson that has `#| cuda` cells, run by the runner as a smoke run with --flags "slow cuda"
#                (every cell, the cuda ones included, fits cut to a couple of batches), at full scale (fixtures
#                stand in for datasets that are absent)                                          timeout 240 s
#   bench-cuda   bench/bench_cuda.py: fp32 / fp16 / bf16 throughput of the course Learner       timeout 150 s
#   full-epoch   lesson 03's full-scale fit for one epoch. The lessons have no epoch cap (only smoke mode's two-batch
#                cut), so this runs the fit of lesson 03's full cell (`lesson_dls('full', ...)` + ResNet9 +
#                RESNET9_RECIPE + `fit_recipe`) for 1 epoch instead of 10 and one seed instead of the lesson's: on Intel
#                at 150 px where $RESNET_COURSE_INTEL names it, else on all of $RESNET_COURSE_TINY_IMAGENET at 64 px;
#                its line says which dataset and how many images                                 timeout 180 s
# Without a CUDA device it prints one FAIL line and exits 2 at once.
# Run: bash bench/gpu_check.sh   (PY=path/to/python: the interpreter; logs go to $GPU_CHECK_OUT, default a temp dir)
set -u
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || PY=$(command -v python3)
BIN=$(dirname "$PY")
export MPLBACKEND=Agg PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
fails=0

check() {   # check NAME TIMEOUT CMD...: run CMD under TIMEOUT, log to $OUT/NAME.log, print PASS/FAIL and the seconds
  local name=$1 limit=$2; shift 2
  local t0=$SECONDS
  timeout "$limit" "$@" >"$OUT/$name.log" 2>&1; local rc=$?
  local why=""
  [ $rc -eq 124 ] && why=" (timed out after ${limit} s)"
  [ $rc -ne 0 ] && [ $rc -ne 124 ] && why=" (exit $rc)"
  local note; note=$(grep -h '^gpu_check:' "$OUT/$name.log" | tail -1 | sed 's/^gpu_check: //')
  if [ $rc -eq 0 ]; then echo "PASS $name $((SECONDS - t0)) s${note:+  $note}  (log: $OUT/$name.log)"
  else echo "FAIL $name $((SECONDS - t0)) s$why  (log: $OUT/$name.log; its last line: $(tail -1 "$OUT/$name.log"))"
       fails=$((fails + 1)); fi
}

probe="import torch; assert torch.cuda.is_available(); print(torch.cuda.get_device_name(0))"
if ! gpu=$("$PY" -c "$probe" 2>/dev/null); then
  echo "FAIL cuda-device 0 s  no CUDA device here (torch.cuda.is_available() is False for $PY): run this on a GPU box"
  exit 2
fi
echo "PASS cuda-device 0 s  $gpu"
OUT=${GPU_CHECK_OUT:-$(mktemp -d -t resnet_course_gpu_check.XXXXXX)}
mkdir -p "$OUT"

cuda_lessons=$(grep -lF '"#| cuda\n"' nbs/[0-8][0-9]_*.ipynb | xargs -n1 basename | cut -c1-2 | tr '\n' ' ')
check smoke-cuda 240 "$BIN/resnet_course_run" --smoke --scale full --flags "slow cuda" --lessons "$cuda_lessons" \
  --out "$OUT/smoke"
check bench-cuda 150 "$PY" bench/bench_cuda.py --rounds 2
check full-epoch 180 env -u RESNET_COURSE_SMOKE "$PY" - <<'EOF'
import os, time
from resnet_course.core import get_learner, set_seeds, course_report
from resnet_course.data import lesson_dls
from resnet_course.augment import flip_rotate_brightness
from resnet_course.resnet9 import resnet9, RESNET9_RECIPE
course_report()
intel = bool(os.environ.get('RESNET_COURSE_INTEL'))
dls, info = lesson_dls('full', dataset='intel' if intel else 'tiny-imagenet', n_classes=None, size=150 if intel else 64,
                       bs=32, batch_tfms=flip_rotate_brightness())
assert dls.device.type == 'cuda', f"the loaders are on {dls.device}, not the GPU"
set_seeds(42, dls)
learn = get_learner(dls, resnet9(dls.c), RESNET9_RECIPE)
t0 = time.perf_counter()
learn.fit_recipe(1)
acc = float(learn.recorder.values[-1][2])
print(f"gpu_check: lesson 03's fit, 1 epoch, {info['dataset']}, {info['scale']} scale, {info['n_train']} train / "
      f"{info['n_valid']} valid at {info['size']} px: {time.perf_counter() - t0:.0f} s, accuracy {acc:.3f}")
EOF
echo "gpu_check: $fails check(s) failed; logs in $OUT"
exit $((fails > 0))
