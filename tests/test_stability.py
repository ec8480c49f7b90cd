"""Large |z|, degenerate shapes and all-zero X: finite results in every kernel."""
import math

import numpy as np
import pytest

import vlr
from helpers import KERNELS, assert_matches, make_problem, reference

LARGE_Z = {np.float64: [1e3, 1e300], np.float32: [1e3, 1e30]}


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_large_z_stays_finite(kernel, dtype):
    for size in LARGE_Z[dtype]:
        X = np.array([[1.0, -1.0, 1.0, -1.0]], dtype=dtype)
        y = np.array([1.0, 1.0, 0.0, 0.5], dtype=dtype)  # right, wrong, wrong, half
        w = np.array([size], dtype=dtype)
        J, dw, db = vlr.gradients(w, 0.0, X, y, kernel=kernel)
        assert math.isfinite(J) and math.isfinite(db) and np.isfinite(dw).all()
        # loss per example: 0, size, size, size/2 -> J = 2.5·size/4
        assert J == pytest.approx(2.5 * size / 4, rel=1e-6)
        # dz: 0, -1, 1, -0.5 -> db = -0.5/4, dw = (0 + 1 + 1 + 0.5)/4
        assert db == pytest.approx(-0.125, rel=1e-6)
        assert dw[0] == pytest.approx(0.625, rel=1e-6)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_all_zero_X(kernel, dtype):
    X = np.zeros((5, 40), dtype=dtype)
    y = (np.arange(40) % 4 == 0).astype(dtype)
    J, dw, db = vlr.gradients(np.ones(5), 0.0, X, y, kernel=kernel)
    assert J == pytest.approx(math.log(2), rel=1e-6)
    np.testing.assert_array_equal(dw, 0)
    assert db == pytest.approx(0.5 - 0.25, rel=1e-6)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("n_x,m", [(1, 1), (1, 5), (5, 1)])
def test_degenerate_shapes(kernel, n_x, m):
    w, b, X, y = make_problem(n_x, m, seed=3)
    assert_matches(vlr.get_kernel(kernel).module.gradients(w, b, X, y), reference(w, b, X, y), X)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("z", [5.0, 30.0, 300.0])
def test_confident_correct_predictions_keep_relative_accuracy(kernel, z):
    # y = 1 at z > 0 and y = 0 at z < 0: dz = -e or e with e = exp(-|z|), tiny but exact to a
    # few ulps -- not rounded against 1 (as 1 - y·(1 + e) would be: fast-math reassociation)
    X = np.array([[1.0, -1.0, 2.0, -2.0]])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    J, dw, db = vlr.get_kernel(kernel).module.gradients(np.array([z]), 0.0, X, y)
    e1, e2 = np.exp(-z), np.exp(-2 * z)
    np.testing.assert_allclose(J, (np.log1p(e1) + np.log1p(e2)) / 2, rtol=1e-12)
    np.testing.assert_allclose(db, 0.0 + (-e1 / (1 + e1) + e1 / (1 + e1)) / 4, atol=1e-300)
    expected_dw = (-e1 / (1 + e1) * 1 + e1 / (1 + e1) * -1 + -e2 / (1 + e2) * 2 + e2 / (1 + e2) * -2) / 4
    np.testing.assert_allclose(dw, [expected_dw], rtol=1e-12)
