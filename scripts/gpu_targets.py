"""The cuda kernel's targets on a real GPU, in one run (issue: "A sixth kernel on the GPU"):

- bytes of X per second of the step ÷ the device's read roof, X >= 1 GB, float32 and float64;
- the step ÷ the same step in CuPy's own operations (two passes over X), X >= 1 GB;
- vlr.train with cost_every=100 at 100 x 10^6: seconds per iteration ÷ one fused pass.

Prints one JSON object (also written to $OUT/gpu_targets.json when OUT is set). Usage, on the
GPU machine: ``python scripts/gpu_targets.py``.
"""
import json
import os
import time

import numpy as np
from numba import cuda

import vlr
from vlr.kernels import cuda_numba

out = {"device": cuda_numba.device_info()}


def best(fn, repeat=5):
    fn()
    cuda.synchronize()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        cuda.synchronize()
        times.append(time.perf_counter() - start)
    return min(times)


for dtype in ("float64", "float32"):
    for n_x, m in ((100, 10_000_000), (1000, 2_000_000)):  # 8 and 16 GB float64
        rng = np.random.default_rng(0)
        X = cuda.to_device(rng.standard_normal((n_x, m)).astype(dtype))
        y = cuda.to_device((rng.random(m) < 0.5).astype(dtype))
        w = cuda.to_device((rng.standard_normal(n_x) * 0.01).astype(dtype))
        nbytes = n_x * m * np.dtype(dtype).itemsize
        row = {"GB": nbytes / 1e9}
        roof = nbytes / cuda_numba.stream_read_seconds(X) / 1e9
        for reduce in ("atomic", "blocks"):
            step = nbytes / best(lambda: cuda_numba.gradients_device(w, 0.1, X, y, reduce=reduce)) / 1e9
            row[f"step_GB_s_{reduce}"] = step
            row[f"fraction_of_roof_{reduce}"] = step / roof
        row["roof_GB_s"] = roof
        try:
            import cupy as cp
            cX, cw, cy = cp.asarray(X), cp.asarray(w), cp.asarray(y)

            def cupy_step():
                z = cw @ cX + 0.1
                e = cp.exp(-cp.abs(z))
                loss = cp.log1p(e) + cp.where(z > 0, (1 - cy) * z, -cy * z)
                dz = cp.where(z > 0, ((1 - cy) - cy * e) / (1 + e), ((1 - cy) * e - cy) / (1 + e))
                return float(loss.sum()), cX @ dz, float(dz.sum())
            row["cuda_vs_cupy"] = best(cupy_step) / best(lambda: cuda_numba.gradients_device(w, 0.1, X, y))
        except ImportError:
            row["cuda_vs_cupy"] = None
        out[f"{dtype} {n_x}x{m}"] = row
        del X

rng = np.random.default_rng(1)
X = cuda.to_device(rng.standard_normal((100, 1_000_000)))
Y = cuda.to_device((rng.random(1_000_000) < 0.5).astype(np.float64))
one_pass = best(lambda: cuda_numba.gradients_device(cuda.to_device(np.zeros(100)), 0.0, X, Y))
iterations = 10_000
start = time.perf_counter()
vlr.train(X, Y, iterations=iterations, alpha=0.1, kernel="cuda", cost_every=100)
per_iteration = (time.perf_counter() - start) / iterations
out["train_100x1e6"] = {"per_iteration_s": per_iteration, "one_pass_s": one_pass,
                        "ratio": per_iteration / one_pass}
text = json.dumps(out, indent=1)
print(text)
if os.environ.get("OUT"):
    with open(os.path.join(os.environ["OUT"], "gpu_targets.json"), "w") as f:
        f.write(text)
