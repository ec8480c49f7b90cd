"""One call of a pure-Python kernel where the repeated benchmarks skip it for time.

The verdict on the course's claims counts only points where both sides were measured. Two
loops are skipped by the repeated benchmarks above 10⁶ elements of X (~0.3 s a call) and one
loop above 10⁵ examples, which leaves out exactly the points with the most work. Here each is
timed once (one call, ~2-30 s), so the verdict there rests on a measurement, not a guess; the
report states these are single calls.

A point is called up to :data:`CALLS` times while the calls so far stay within
:data:`BUDGET_SECONDS`, and the calls are returned as asv samples: the study's interval needs
at least two, and a single call is never counted as deciding a claim.
"""
import time

from .common import (KERNELS, SUITE_VERSION, as_samples, make_step_data, once_reason, outside_grid, params,
                     require_kernel)

_G = params()
ALPHA = 0.01
#: Calls per point, when they fit in the budget.
CALLS = 3
#: No further call starts once the calls of a point have taken this long (seconds).
BUDGET_SECONDS = 100.0


class TrackOneCall:
    """Seconds of single ``gradient_step`` calls of two_loops or one_loop at points over their
    repeated benchmarks' budget (up to :data:`CALLS` calls within :data:`BUDGET_SECONDS`)."""

    params = [[k for k in KERNELS if k in ("two_loops", "one_loop")], _G["m"], _G["n_x"], _G["dtype"]]
    param_names = ["kernel", "m", "n_x", "dtype"]
    unit = "seconds"
    version = SUITE_VERSION
    number = 1
    repeat = 1
    timeout = 900

    def setup(self, kernel, m, n_x, dtype):
        reason = outside_grid(m, n_x, dtype) or once_reason(kernel, m, n_x)
        if reason:
            raise NotImplementedError(reason)
        self.kernel = require_kernel(kernel)
        self.w, self.b, self.X, self.Y = make_step_data(m, n_x, dtype)

    def track_seconds(self, kernel, m, n_x, dtype):
        calls = []
        # another call only while it is expected (the mean so far) to end within the budget
        while len(calls) < CALLS and (not calls or sum(calls) * (1 + 1 / len(calls)) <= BUDGET_SECONDS):
            start = time.perf_counter()
            self.kernel.gradient_step(self.w, self.b, self.X, self.Y, ALPHA)
            calls.append(time.perf_counter() - start)
        return as_samples(calls)
