"""Generated inputs: every kernel matches the reference on any layout and on extreme values.

The fast set draws the profile's examples (60 by default); the slow set's long fuzzing draws
1500, or the profile's if more (``VLR_HYPOTHESIS_PROFILE=long``: 10 000). Each example checks
every kernel, raw and public.
"""
import numpy as np
import pytest
from hypothesis import given, note, settings

import vlr
from helpers import FAST, assert_matches, reference
from strategies import problems


@given(problems())
def test_every_kernel_matches_the_reference_on_generated_inputs(problem):
    _check(problem)


@pytest.mark.slow
@settings(max_examples=max(1500, settings().max_examples))
@given(problems())
def test_long_fuzzing_every_kernel_matches_the_reference(problem):
    _check(problem)


def _check(problem):
    w, b, X, y, description = problem
    note(description)
    expected = reference(w, b, X, y)
    finite = all(np.isfinite(np.asarray(v)).all() for v in expected)
    for kernel in FAST:
        module = vlr.get_kernel(kernel).module
        if kernel == "cython" and not X.flags.aligned:  # documented refusal, never a misread
            with pytest.raises(ValueError, match="aligned"):
                module.gradients(w, b, X, y)
            with pytest.raises(ValueError, match="aligned"):
                vlr.gradients(w, b, X, y, kernel=kernel)
            continue
        raw = module.gradients(w, b, X, y)
        public = None
        try:
            public = vlr.gradients(w, b, X, y, kernel=kernel)
        except ValueError as exc:  # the documented error, and only when the math overflows
            assert not finite or not np.isfinite(raw[0]), (kernel, description, exc)
            assert "overflowed" in str(exc) or "contains NaN" in str(exc), exc
        if finite:
            assert_matches(raw, expected, X)
            assert public is not None, (kernel, description)
            assert_matches(public, expected, X)
    if finite:  # the fastest kernel for X's class takes any layout
        assert_matches(vlr.gradients(w, b, X, y), expected, X)
    for kernel in ("numba", "cython"):
        if kernel == "numba" or X.flags.aligned:
            for n_threads in (1, 2, 3):
                threaded = vlr.get_kernel(kernel).module.gradients(w, b, X, y, n_threads=n_threads)
                if finite:
                    assert_matches(threaded, expected, X)
