#!/usr/bin/env bash
# One prepared run on a GPU machine (the device tool's `run`): install, the GPU tests, the
# targets, and the asv benchmarks of the cuda kernel beside the CPU roof, results under $OUT.
#   run(command="bash scripts/gpu_measure.sh", timeout_s=540)
set -uo pipefail
OUT=${OUT:-/tmp/gpu-out}; mkdir -p "$OUT"
python -m pip install -q -e ".[test,bench]" 2>&1 | tail -n 2
vlr info | tee "$OUT/vlr_info.txt"
python -m pytest -q -p no:randomly -n 0 -m gpu tests/test_cuda.py 2>&1 | tail -n 15 | tee "$OUT/gpu_tests.txt"
timeout 240 python scripts/gpu_targets.py 2>&1 | tail -n 60 | tee "$OUT/gpu_targets.txt"
vlr machine > "$OUT/machine.txt" 2>&1
timeout 200 asv run --python=same --set-commit-hash "$(git rev-parse HEAD)" --record-samples \
    --bench "bench_cuda|TrackStreamBandwidth|TimeGradientStep.time_gradient_step\('numpy', 1000000, 100" \
    > "$OUT/asv.log" 2>&1
tar czf "$OUT/results.tgz" benchmarks/results benchmarks/machines 2>/dev/null
tail -n 30 "$OUT/asv.log"
