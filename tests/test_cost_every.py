"""vlr.train(..., cost_every=k): J before steps 0, k, 2k, ...; the steps themselves unchanged.

The compiled loops skip the loss on the other steps (dz alone), summing db in the same order,
so the whole trajectory is bit-identical to k = 1's, whatever k.
"""
import numpy as np
import pytest

import vlr
from helpers import KERNELS, make_problem


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
def test_costs_every_kth_step_and_the_same_steps(kernel, dtype, order):
    # the compiled loops over several tiles and threads' chunks; the Python loops, whose cost_every
    # logic does not depend on m, on a size that takes them well under a second
    n_x, m, iterations = {"two_loops": (4, 60, 9), "one_loop": (13, 400, 20)}.get(kernel, (13, 5000, 40))
    w, b, X, y = make_problem(n_x, m, seed=3, dtype=dtype, order=order)
    every = vlr.train(X, y, iterations, 0.3, kernel=kernel, w0=w, b0=b)
    assert len(every.costs) == iterations  # the default: a cost before each step, as before
    for k in (1, 3, 7, iterations, iterations + 5):
        sparse = vlr.train(X, y, iterations, 0.3, kernel=kernel, w0=w, b0=b, cost_every=k)
        assert len(sparse.costs) == -(-iterations // k)
        np.testing.assert_array_equal(sparse.costs, every.costs[::k])
        np.testing.assert_array_equal(sparse.w, every.w)
        assert sparse.b == every.b


@pytest.mark.parametrize("kernel", ["numba", "cython"])
def test_raw_compiled_loops_take_cost_every(kernel):
    w, b, X, y = make_problem(5, 3000, seed=4)
    raw = vlr.get_kernel(kernel).module
    w1, b1, costs1 = raw.train(w, b, X, y, 0.2, 10)
    w5, b5, costs5 = raw.train(w, b, X, y, 0.2, 10, cost_every=5)
    np.testing.assert_array_equal(costs5, costs1[::5])
    np.testing.assert_array_equal(w5, w1)
    assert len(raw.train(w, b, X, y, 0.2, 0, cost_every=5)[2]) == 0
    with pytest.raises(ValueError, match="cost_every"):
        raw.train(w, b, X, y, 0.2, 10, cost_every=0)
    with pytest.raises(TypeError, match="cost_every"):
        raw.train(w, b, X, y, 0.2, 10, cost_every=2.5)


def test_auto_and_no_iterations():
    w, b, X, y = make_problem(3, 400, seed=5)
    result = vlr.train(X, y, 0, 0.1, w0=w, b0=b, cost_every=10)
    assert result.costs.shape == (0,)
    np.testing.assert_array_equal(result.w, w)
    every = vlr.train(X, y, 25, 0.1, w0=w, b0=b)
    sparse = vlr.train(X, y, 25, 0.1, w0=w, b0=b, cost_every=10)
    np.testing.assert_array_equal(sparse.costs, every.costs[::10])


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-3, ValueError), (2.0, TypeError),
                                        ("10", TypeError), (True, TypeError), (None, TypeError)])
def test_bad_cost_every_is_named(bad, error):
    w, b, X, y = make_problem(3, 50, seed=6)
    with pytest.raises(error, match="cost_every"):
        vlr.train(X, y, 5, 0.1, w0=w, b0=b, cost_every=bad)
    with pytest.raises(error, match="cost_every"):
        vlr.get_kernel("numpy").train(X, y, 5, 0.1, w0=w, b0=b, cost_every=bad)
