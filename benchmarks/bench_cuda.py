"""The sixth kernel on the GPU: one step with X already on the device, the device's read roof,
and the same step written with CuPy's own operations (two passes over X). Skipped (n/a) on a
machine without an NVIDIA GPU, or a commit of vlr without the ``cuda`` kernel.

Every call is synchronous (the step copies J and db back, the roof synchronises), so asv's
wall-clock timer times the device's work.
"""
import timeit

from .common import SUITE_VERSION, make_step_data, require_kernel

#: n_x x m of X on the device: 0.8, 8 and 8 GB in float64 (half in float32).
SHAPES = ["100x1000000", "100x10000000", "1000x1000000"]


def _device_problem(shape, dtype):
    from numba import cuda
    n_x, m = (int(v) for v in shape.split("x"))
    w, b, X, Y = make_step_data(m, n_x, dtype)
    return cuda.to_device(w.ravel()), b, cuda.to_device(X), cuda.to_device(Y.ravel())


class TimeCudaStep:
    """Wall-clock time of one ``gradients`` of the cuda kernel, X on the device."""

    params = [SHAPES, ["float64", "float32"]]
    param_names = ["shape", "dtype"]
    timer = timeit.default_timer
    version = SUITE_VERSION
    repeat = (2, 10, 10.0)
    warmup_time = 0.1
    timeout = 600

    def setup(self, shape, dtype):
        self.module = require_kernel("cuda").module
        self.w, self.b, self.X, self.y = _device_problem(shape, dtype)
        self.module.gradients_device(self.w, self.b, self.X, self.y)  # compile

    def time_gradients(self, shape, dtype):
        self.module.gradients_device(self.w, self.b, self.X, self.y)


class TrackCudaBandwidth:
    """GB/s of X the cuda step reads, and the device's read roof (a read-only pass) on the same X."""

    params = [SHAPES, ["float64", "float32"], ["step", "roof"]]
    param_names = ["shape", "dtype", "what"]
    unit = "GB/s"
    version = SUITE_VERSION
    number = 1
    repeat = 1
    timeout = 600

    def setup(self, shape, dtype, what):
        self.module = require_kernel("cuda").module
        self.w, self.b, self.X, self.y = _device_problem(shape, dtype)

    def track_bandwidth(self, shape, dtype, what):
        import math
        import time
        nbytes = self.X.size * self.X.dtype.itemsize
        if what == "roof":
            return nbytes / self.module.stream_read_seconds(self.X) / 1e9
        self.module.gradients_device(self.w, self.b, self.X, self.y)
        best = math.inf
        for _ in range(5):
            start = time.perf_counter()
            self.module.gradients_device(self.w, self.b, self.X, self.y)
            best = min(best, time.perf_counter() - start)
        return nbytes / best / 1e9


class TrackCudaVsCupy:
    """How many times faster the fused cuda step is than the same step in CuPy's operations
    (``w @ X``, the elementwise loss, ``X @ dz``: X read twice), alternately timed."""

    params = [SHAPES, ["float64", "float32"]]
    param_names = ["shape", "dtype"]
    unit = "x"
    version = SUITE_VERSION
    number = 1
    repeat = 1
    timeout = 600

    def setup(self, shape, dtype):
        self.module = require_kernel("cuda").module
        try:
            import cupy
        except ImportError:
            raise NotImplementedError("CuPy is not installed")
        self.cupy = cupy
        self.w, self.b, self.X, self.y = _device_problem(shape, dtype)
        self.cX, self.cw, self.cy = cupy.asarray(self.X), cupy.asarray(self.w), cupy.asarray(self.y)

    def _cupy_step(self):
        cp, X, w, y = self.cupy, self.cX, self.cw, self.cy
        z = w @ X + self.b
        e = cp.exp(-cp.abs(z))
        loss = cp.log1p(e) + cp.where(z > 0, (1 - y) * z, -y * z)
        dz = cp.where(z > 0, ((1 - y) - y * e) / (1 + e), ((1 - y) * e - y) / (1 + e))
        m = X.shape[1]
        return float(loss.sum()) / m, X @ dz / m, float(dz.sum()) / m

    def track_speedup(self, shape, dtype):
        import time
        ratios = []
        for _ in range(5):
            t0 = time.perf_counter()
            self._cupy_step()
            t1 = time.perf_counter()
            self.module.gradients_device(self.w, self.b, self.X, self.y)
            t2 = time.perf_counter()
            ratios.append((t1 - t0) / (t2 - t1))
        ratios.sort()
        return ratios[len(ratios) // 2]
