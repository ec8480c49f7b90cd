"""Peers: the same gradient (J, dw, db) in scikit-learn, PyTorch and JAX, on the study's grid;
and fitting to scikit-learn's objective, vlr against scikit-learn's L-BFGS.

A peer that is not installed is skipped (n/a) with the reason. Compare with
TimeGradientStep's numpy and compiled kernels in the report's peers table.
"""
import timeit

from .common import (SUITE_VERSION, grid_name, make_step_data, only_with_everything, outside_grid, params,
                     skip_reason)

_G = params()
#: The peer libraries (vlr.study.peers holds how each computes the gradient; imported in setup).
PEERS = ["sklearn", "torch", "jax"]


class TimePeerGradient:
    """Wall-clock time of one gradient evaluation by a peer library."""

    params = [list(PEERS), _G["m"], _G["n_x"], _G["dtype"]]
    param_names = ["peer", "m", "n_x", "dtype"]
    timer = timeit.default_timer
    version = SUITE_VERSION
    repeat = (1, 10, 10.0)
    warmup_time = 0.1
    timeout = 300  # vlr's own first call may compile (Numba), JAX's does

    def setup(self, peer, m, n_x, dtype):
        reason = only_with_everything() or outside_grid(m, n_x, dtype) or skip_reason("numpy", m, n_x)
        if reason:
            raise NotImplementedError(reason)
        try:
            from vlr.study.peers import peer_available, peer_gradients
        except ImportError as exc:
            raise NotImplementedError(f"this commit of vlr has no peers module ({exc})")
        if not peer_available(peer):
            raise NotImplementedError(f"{peer} is not installed")
        self.run = peer_gradients(peer, *make_step_data(m, n_x, dtype))
        self.run()  # JIT (jax), imports, caches

    def time_gradient(self, peer, m, n_x, dtype):
        self.run()


class TrackFitVsSklearn:
    """Fitting to scikit-learn's objective: ``vlr.LogisticRegression`` (L-BFGS on the fused
    pass) against ``sklearn.linear_model.LogisticRegression(solver="lbfgs")``, same C = 1.

    vlr's fit must come within 1e-6 (relative) of the objective scikit-learn's own fit reaches;
    the sides are timed alternately (``vlr.study.peers.time_fits``). The tiny grid (a smoke run) fits
    the bundled breast-cancer data only.
    """

    params = [["breast_cancer", "1000000x100", "100000x1000"]]
    param_names = ["problem"]
    version = SUITE_VERSION
    number = 1
    repeat = 1
    timeout = 900
    _measured = {}  # problem -> time_fits' dict, shared by the track methods of one process

    def setup(self, problem):
        if only_with_everything():
            raise NotImplementedError(only_with_everything())
        if grid_name() == "tiny" and problem != "breast_cancer":
            raise NotImplementedError("the tiny grid fits breast_cancer only")
        try:
            from vlr.study.peers import fit_problem, peer_available, time_fits
        except ImportError as exc:
            raise NotImplementedError(f"this commit of vlr has no fit race ({exc})")
        if not peer_available("sklearn"):
            raise NotImplementedError("sklearn is not installed")
        if problem not in self._measured:
            self._measured[problem] = time_fits(*fit_problem(problem))

    def track_speedup(self, problem):
        """scikit-learn's seconds ÷ vlr's, median of the per-round ratios."""
        return self._measured[problem]["speedup"]

    def track_sklearn_seconds(self, problem):
        return self._measured[problem]["sklearn_s"]

    def track_vlr_seconds(self, problem):
        return self._measured[problem]["vlr_s"]

    def track_objective_gap(self, problem):
        """(vlr's objective − scikit-learn's) ÷ scikit-learn's: ≤ 1e-6 means reached."""
        m = self._measured[problem]
        return (m["vlr_objective"] - m["sklearn_objective"]) / m["sklearn_objective"]


TrackFitVsSklearn.track_speedup.unit = "x"
TrackFitVsSklearn.track_sklearn_seconds.unit = "seconds"
TrackFitVsSklearn.track_vlr_seconds.unit = "seconds"
TrackFitVsSklearn.track_objective_gap.unit = "relative"
