"""The reference kernel itself: a case worked by hand, and gradients against finite differences."""
import math

import numpy as np
import pytest

from helpers import make_problem, reference


def test_tiny_case_by_hand():
    # X = [[1, 2]], w = [0.5], b = 0, y = [1, 0]  ->  z = [0.5, 1]
    X = np.array([[1.0, 2.0]])
    w = np.array([0.5])
    y = np.array([1.0, 0.0])
    sig = lambda z: 1 / (1 + math.exp(-z))
    a1, a2 = sig(0.5), sig(1.0)
    J_hand = (-math.log(a1) - math.log(1 - a2)) / 2
    dw_hand = ((a1 - 1) * 1 + a2 * 2) / 2
    db_hand = ((a1 - 1) + a2) / 2
    J, dw, db = reference(w, 0.0, X, y)
    assert J == pytest.approx(J_hand, rel=1e-14)
    assert dw[0] == pytest.approx(dw_hand, rel=1e-14)
    assert db == pytest.approx(db_hand, rel=1e-14)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("fractional", [False, True])
def test_gradient_matches_central_difference(seed, fractional):
    w, b, X, y = make_problem(4, 30, seed=seed, scale=3.0, fractional=fractional)
    J, dw, db = reference(w, b, X, y)
    h = 1e-6
    for j in range(w.size):
        e = np.zeros_like(w)
        e[j] = h
        numeric = (reference(w + e, b, X, y)[0] - reference(w - e, b, X, y)[0]) / (2 * h)
        assert dw[j] == pytest.approx(numeric, rel=1e-6, abs=1e-9)
    numeric_b = (reference(w, b + h, X, y)[0] - reference(w, b - h, X, y)[0]) / (2 * h)
    assert db == pytest.approx(numeric_b, rel=1e-6, abs=1e-9)


def test_cost_equals_course_cross_entropy_where_that_is_finite():
    w, b, X, y = make_problem(3, 50, seed=4)
    z = w @ X + b
    a = 1 / (1 + np.exp(-z))
    course_J = float(np.mean(-(y * np.log(a) + (1 - y) * np.log(1 - a))))
    assert reference(w, b, X, y)[0] == pytest.approx(course_J, rel=1e-12)
