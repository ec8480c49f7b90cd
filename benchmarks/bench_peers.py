"""Peers: the same gradient (J, dw, db) in scikit-learn, PyTorch and JAX, on the study's grid.

A peer that is not installed is skipped (n/a) with the reason. Compare with
TimeGradientStep's numpy and compiled kernels in the report's peers table.
"""
import timeit

from .common import SUITE_VERSION, grid, make_step_data, skip_reason

_G = grid()
#: The peer libraries (vlr.peers holds how each computes the gradient; imported in setup).
PEERS = ["sklearn", "torch", "jax"]


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
        try:
            from vlr.peers import peer_available, peer_gradients
        except ImportError as exc:
            raise NotImplementedError(f"this commit of vlr has no peers module ({exc})")
        if not peer_available(peer):
            raise NotImplementedError(f"{peer} is not installed")
        self.run = peer_gradients(peer, *make_step_data(m, n_x, dtype))
        self.run()  # JIT (jax), imports, caches

    def time_gradient(self, peer, m, n_x, dtype):
        self.run()
