"""Where NumPy's step spends its time: its two GEMVs and its elementwise work, each timed alone.

The report divides the bytes of X each GEMV reads by its time and compares that with the
streaming-read roof (bench_bandwidth.py), so the verdict's "why" is a measurement: how much of
NumPy's step is reading X twice, how fast each read runs, and how much is the O(m) work.
These use NumPy only (the same seven lines as vlr's numpy kernel), so every commit has them.
"""
import timeit

import numpy as np

from .common import SUITE_VERSION, grid, grid_name, make_step_data, outside_grid, params, skip_reason

_G = params()
PARTS = ["z = w·X (GEMV)", "dw = X·dz (GEMV)", "elementwise (loss, dz)", "whole step"]


class TimeNumpyParts:
    """Wall-clock time of each part of NumPy's gradient step, float64."""

    params = [PARTS, _G["m"], _G["n_x"]]
    param_names = ["part", "m", "n_x"]
    timer = timeit.default_timer
    version = SUITE_VERSION
    repeat = (1, 10, 5.0)  # at most 5 s of samples per point: the quick study within ~15 min
    warmup_time = 0.1

    def setup(self, part, m, n_x):
        reason = outside_grid(m, n_x) or skip_reason("numpy", m, n_x)
        if reason:
            raise NotImplementedError(reason)
        if grid_name() == "quick" and m != max(grid()["m"]):  # the verdict reads the largest X only
            raise NotImplementedError("quick grid: NumPy's parts at the largest m only")
        w, b, X, Y = make_step_data(m, n_x)
        self.w, self.b, self.X, self.y = w.ravel(), b, X, Y.ravel()
        self.z = self.w @ X + b
        self.dz = np.tanh(self.z)  # any vector of m values: the GEMV's time does not depend on them

    def _elementwise(self):
        Z, y = self.z, self.y
        e = np.exp(-np.abs(Z))
        positive = Z > 0
        one_minus_y = 1 - y
        loss = np.log1p(e) + np.where(positive, one_minus_y * Z, -y * Z)
        dZ = np.where(positive, one_minus_y - y * e, one_minus_y * e - y) / (1 + e)
        return float(np.mean(loss)), dZ, float(np.sum(dZ))

    def time_part(self, part, m, n_x):
        if part == PARTS[0]:
            self.w @ self.X + self.b
        elif part == PARTS[1]:
            self.X @ self.dz
        elif part == PARTS[2]:
            self._elementwise()
        else:
            self.z = self.w @ self.X + self.b
            _, dZ, _ = self._elementwise()
            self.X @ dZ
