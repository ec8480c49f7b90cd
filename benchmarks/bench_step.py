"""One gradient step, every kernel x m x n_x x dtype: time, speed-ups, peak memory.

The grid comes from ``common.py`` (``VLR_BENCH_GRID=quick|full|tiny``, default quick; the
parameters are always the full grid's, and points outside the grid in effect are n/a). Points over a
kernel's budget raise NotImplementedError in ``setup`` (asv shows n/a) -- never extrapolated.
Numba compiles in ``setup`` (its own cost is in bench_compile.py), never inside a timing.
"""
import timeit

from .common import (KERNELS, SUITE_VERSION, as_samples, grid_name, interleaved_rounds,
                     make_step_data, only_with_everything, outside_grid, params, require_kernel,
                     skip_reason)

_G = params()
ALPHA = 0.01
#: Interleaved rounds per speed-up: each round's ratio is one sample of the speed-up, and the
#: study's 95 % interval is a t interval over them (three rounds read 0.57x-1.32x for NumPy
#: against itself on a busy Zen 3; eight give the t interval 2.36 standard errors).
PAIRED_ROUNDS = 8
#: The quick grid pairs only what the verdict reads: the course's kernels against two loops,
#: the compiled ones against NumPy, and each baseline against itself (the noise check).
QUICK_PAIRS = {"two_loops": ("two_loops", "one_loop", "numpy"), "numpy": ("numpy", "numba", "cython")}


class TimeGradientStep:
    """Wall-clock time of one ``gradient_step`` through the public interface."""

    params = [KERNELS, _G["m"], _G["n_x"], _G["dtype"]]
    param_names = ["kernel", "m", "n_x", "dtype"]
    timer = timeit.default_timer  # threads: process time would sum over them (asv #725)
    version = SUITE_VERSION
    repeat = (1, 10, 5.0)  # at most 5 s of samples per point: the quick study within ~15 min
    warmup_time = 0.1
    #: A first Numba point compiles in ``setup`` (~20-30 s alone, over 60 s -- asv's default --
    #: on a busy 2-core machine): a timeout would lose the point, not the compile's time.
    timeout = 300

    def setup(self, kernel, m, n_x, dtype):
        reason = outside_grid(m, n_x, dtype) or skip_reason(kernel, m, n_x)
        if reason:
            raise NotImplementedError(reason)
        self.kernel = require_kernel(kernel)
        self.w, self.b, self.X, self.Y = make_step_data(m, n_x, dtype)
        self.kernel.gradient_step(self.w, self.b, self.X, self.Y, ALPHA)  # compile, warm caches

    def time_gradient_step(self, kernel, m, n_x, dtype):
        self.kernel.gradient_step(self.w, self.b, self.X, self.Y, ALPHA)


class _Speedup:
    """How many times faster than ``baseline`` a kernel is, both sides timed in the same call.

    Each interleaved round gives one ratio; the benchmark returns them as asv samples, so asv
    records their median as the value (and, with ``--record-samples``, the rounds themselves:
    the study's confidence interval is computed from them).
    """

    params = [KERNELS, _G["m"], _G["n_x"], _G["dtype"]]
    param_names = ["kernel", "m", "n_x", "dtype"]
    unit = "x"
    version = SUITE_VERSION
    number = 1
    repeat = 1
    timeout = 300
    baseline = None

    def setup(self, kernel, m, n_x, dtype):
        reason = (outside_grid(m, n_x, dtype) or skip_reason(kernel, m, n_x)
                  or skip_reason(self.baseline, m, n_x))
        if not reason and grid_name() == "quick" and kernel not in QUICK_PAIRS[self.baseline]:
            reason = f"quick grid: {kernel} vs {self.baseline} is not paired (the time per step is kept)"
        if reason:
            raise NotImplementedError(reason)
        self.kernels = require_kernel(self.baseline), require_kernel(kernel)
        self.data = make_step_data(m, n_x, dtype)

    def track_speedup(self, kernel, m, n_x, dtype):
        w, b, X, Y = self.data
        rounds = interleaved_rounds(
            [lambda k=k: k.gradient_step(w, b, X, Y, ALPHA) for k in self.kernels], repeat=PAIRED_ROUNDS)
        return as_samples([t_base / t_kernel for t_base, t_kernel in rounds])


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
    timeout = 300  # a compile in setup, as in TimeGradientStep

    def setup(self, kernel):
        if only_with_everything():
            raise NotImplementedError(only_with_everything())
        self.w, self.b, self.X, self.Y = make_step_data(self.shape[1], self.shape[0])
        if kernel != "X alone":  # compile on a small problem so the compiler's memory is not counted
            self.kernel = require_kernel(kernel)
            self.kernel.gradient_step(*make_step_data(1000, 200), ALPHA)

    def peakmem_gradient_step(self, kernel):
        if kernel != "X alone":
            self.kernel.gradient_step(self.w, self.b, self.X, self.Y, ALPHA)
