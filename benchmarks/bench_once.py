"""One call of a pure-Python kernel where the repeated benchmarks skip it for time.

The verdict on the course's claims counts only points where both sides were measured. Two
loops are skipped by the repeated benchmarks above 10⁶ elements of X (~0.3 s a call) and one
loop above 10⁵ examples, which leaves out exactly the points with the most work. Here each is
timed once (one call, ~2-30 s), so the verdict there rests on a measurement, not a guess; the
report states these are single calls.
"""
import time

from .common import KERNELS, SUITE_VERSION, grid, make_step_data, once_reason, require_kernel

_G = grid()
ALPHA = 0.01


class TrackOneCall:
    """Seconds of one ``gradient_step`` call of two_loops or one_loop at points over their budget."""

    params = [[k for k in KERNELS if k in ("two_loops", "one_loop")], _G["m"], _G["n_x"], _G["dtype"]]
    param_names = ["kernel", "m", "n_x", "dtype"]
    unit = "seconds"
    version = SUITE_VERSION
    number = 1
    repeat = 1
    timeout = 900

    def setup(self, kernel, m, n_x, dtype):
        reason = once_reason(kernel, m, n_x)
        if reason:
            raise NotImplementedError(reason)
        self.kernel = require_kernel(kernel)
        self.w, self.b, self.X, self.Y = make_step_data(m, n_x, dtype)

    def track_seconds(self, kernel, m, n_x, dtype):
        start = time.perf_counter()
        self.kernel.gradient_step(self.w, self.b, self.X, self.Y, ALPHA)
        return time.perf_counter() - start
