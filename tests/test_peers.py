"""Peers compute the same J, dw, db as vlr (so timing them compares like with like)."""
import numpy as np
import pytest

import vlr
from vlr.study.peers import PEERS, peer_available, peer_gradients
from vlr.data import make_step_data


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("peer", PEERS)
def test_peer_computes_vlrs_gradient(peer, dtype):
    if not peer_available(peer):
        pytest.skip(f"{peer} is not installed")
    w, b, X, Y = make_step_data(3000, 17, dtype)
    J, dw, db = peer_gradients(peer, w, b, X, Y)()
    J1, dw1, db1 = vlr.gradients(w, b, X, Y, kernel="numpy")
    rtol = 1e-10 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose([J, db], [J1, db1], rtol=rtol, atol=1e-6 if dtype == np.float32 else 0)
    np.testing.assert_allclose(np.ravel(dw), np.ravel(dw1), rtol=rtol,
                               atol=1e-6 if dtype == np.float32 else 1e-14)


def test_sklearn_is_a_peer_here():
    assert peer_available("sklearn")  # installed with the test extra: its column is not empty


def test_unknown_peer():
    with pytest.raises(ValueError, match="peers are sklearn, torch, jax"):
        peer_gradients("caffe", *make_step_data(10, 2))
