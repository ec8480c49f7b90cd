"""One gradient step, every kernel x m x n_x x dtype: time, speed-ups, peak memory.

The grid comes from ``vlr.study_grid`` (``VLR_BENCH_GRID=quick|full|tiny``). Points over a
kernel's budget raise NotImplementedError in ``setup`` (asv shows n/a) -- never extrapolated.
Numba compiles in ``setup`` (its own cost is in bench_compile.py), never inside a timing.
"""
import timeit

import vlr
from vlr.study_grid import KERNELS, SUITE_VERSION, grid, make_step_data, skip_reason
from vlr import timing

_G = grid()
ALPHA = 0.01


class TimeGradientStep:
    """Wall-clock time of one ``gradient_step`` through the public interface."""

    params = [KERNELS, _G["m"], _G["n_x"], _G["dtype"]]
    param_names = ["kernel", "m", "n_x", "dtype"]
    timer = timeit.default_timer  # threads: process time would sum over them (asv #725)
    version = SUITE_VERSION
    repeat = (1, 10, 10.0)
    warmup_time = 0.1

    def setup(self, kernel, m, n_x, dtype):
        if skip_reason(kernel, m, n_x):
            raise NotImplementedError(skip_reason(kernel, m, n_x))
        self.kernel = vlr.get_kernel(kernel)
        self.w, self.b, self.X, self.Y = make_step_data(m, n_x, dtype)
        self.kernel.gradient_step(self.w, self.b, self.X, self.Y, ALPHA)  # compile, warm caches

    def time_gradient_step(self, kernel, m, n_x, dtype):
        self.kernel.gradient_step(self.w, self.b, self.X, self.Y, ALPHA)


class _Speedup:
    """How many times faster than ``baseline`` a kernel is, both sides timed in the same call."""

    params = [KERNELS, _G["m"], _G["n_x"], _G["dtype"]]
    param_names = ["kernel", "m", "n_x", "dtype"]
    unit = "x"
    version = SUITE_VERSION
    number = 1
    repeat = 1
    timeout = 300
    baseline = None

    def setup(self, kernel, m, n_x, dtype):
        reason = skip_reason(kernel, m, n_x) or skip_reason(self.baseline, m, n_x)
        if reason:
            raise NotImplementedError(reason)
        self.data = make_step_data(m, n_x, dtype)

    def track_speedup(self, kernel, m, n_x, dtype):
        w, b, X, Y = self.data
        step = lambda name: (lambda: vlr.get_kernel(name).gradient_step(w, b, X, Y, ALPHA))
        t_base, t_kernel = timing.time_pair(step(self.baseline), step(kernel), repeat=5, min_time=0.1)
        return t_base / t_kernel


class TrackSpeedupVsTwoLoops(_Speedup):
    """Speed-up over the two-loop reference: the course's ~10x (one_loop) and ~300x (numpy)."""

    baseline = "two_loops"


class TrackSpeedupVsNumpy(_Speedup):
    """Speed-up over full NumPy vectorization."""

    baseline = "numpy"


class PeakMemStep:
    """Peak memory of a step on a large X (1.6 GB float64). X alone is the baseline: a kernel
    that copied X would show twice as much."""

    params = [["X alone", "numpy", "numba", "cython"]]
    param_names = ["kernel"]
    version = SUITE_VERSION
    shape = (200, 1_000_000)

    def setup(self, kernel):
        self.w, self.b, self.X, self.Y = make_step_data(self.shape[1], self.shape[0])
        if kernel != "X alone":  # compile on a small problem so the compiler's memory is not counted
            small = make_step_data(1000, 200)
            vlr.get_kernel(kernel).gradient_step(*small, ALPHA)

    def peakmem_gradient_step(self, kernel):
        if kernel != "X alone":
            vlr.get_kernel(kernel).gradient_step(self.w, self.b, self.X, self.Y, ALPHA)
