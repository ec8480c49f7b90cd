"""Property tests: random shapes and values, every kernel equals the reference."""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import vlr
from helpers import FAST, assert_matches, reference


@st.composite
def problems(draw):
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    n_x = draw(st.integers(1, 20))
    m = draw(st.integers(1, 60))
    values = st.floats(-10, 10, allow_nan=False, width=32)
    X = draw(hnp.arrays(dtype, (n_x, m), elements=values))
    if draw(st.booleans()):
        X = np.asfortranarray(X)
    w = draw(hnp.arrays(dtype, n_x, elements=st.floats(-3, 3, width=32)))
    y = draw(hnp.arrays(dtype, m, elements=st.sampled_from([0.0, 1.0, 0.25])))
    b = draw(st.floats(-5, 5))
    return w, b, X, y


@given(problems(), st.sampled_from(FAST))
def test_every_kernel_equals_reference(problem, kernel):
    w, b, X, y = problem
    expected = reference(w, b, X, y)
    assert_matches(vlr.get_kernel(kernel).module.gradients(w, b, X, y), expected, X)
    J, dw, db = vlr.gradients(w, b, X, y, kernel=kernel)
    assert_matches((J, dw, db), expected, X)
