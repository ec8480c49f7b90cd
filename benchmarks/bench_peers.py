"""Peers: the same gradient (J, dw, db) in scikit-learn, PyTorch and JAX, on the study's grid.

A peer that is not installed is skipped (n/a) with the reason. Compare with
TimeGradientStep's numpy and compiled kernels in the report's peers table.
"""
import timeit

from vlr.peers import PEERS, peer_available, peer_gradients
from vlr.study_grid import SUITE_VERSION, grid, make_step_data, skip_reason

_G = grid()


class TimePeerGradient:
    """Wall-clock time of one gradient evaluation by a peer library."""

    params = [list(PEERS), _G["m"], _G["n_x"], _G["dtype"]]
    param_names = ["peer", "m", "n_x", "dtype"]
    timer = timeit.default_timer
    version = SUITE_VERSION
    repeat = (1, 10, 10.0)
    warmup_time = 0.1

    def setup(self, peer, m, n_x, dtype):
        reason = skip_reason("numpy", m, n_x)
        if reason:
            raise NotImplementedError(reason)
        if not peer_available(peer):
            raise NotImplementedError(f"{peer} is not installed")
        self.run = peer_gradients(peer, *make_step_data(m, n_x, dtype))
        self.run()  # JIT (jax), imports, caches

    def time_gradient(self, peer, m, n_x, dtype):
        self.run()
