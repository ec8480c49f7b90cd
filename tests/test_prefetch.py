"""The C-order z sweep's software prefetch: both compiled kernels emit it (what the machine code
says), it only names rows inside X, and the gradients it feeds agree with the reference."""
import platform
import shutil
import subprocess

import numpy as np
import pytest
from numba import njit, types

from helpers import assert_matches, make_problem, reference

x86 = pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="x86-64 code")


@x86
def test_numba_tile_sweep_prefetches_into_l2():
    from vlr.kernels import numba_jit
    original = numba_jit._block_by_tiles
    fresh = njit(**{k: v for k, v in original.targetoptions.items() if k != "cache"})(
        original.py_func)  # (the cached copy cannot be inspected)
    f64 = types.float64
    X, row = types.Array(f64, 2, "C"), types.Array(f64, 1, "C")
    sig = (X, row, f64, row, types.int64, types.int64, types.int64, types.boolean,
           types.boolean, row, types.Array(f64, 2, "C"))
    fresh.compile(sig)
    assert "prefetcht1" in fresh.inspect_asm(sig)


@x86
@pytest.mark.skipif(shutil.which("objdump") is None, reason="needs binutils' objdump")
def test_cython_extension_prefetches_into_l2():
    from vlr.kernels import cython_omp
    asm = subprocess.run(["objdump", "-d", cython_omp.__file__], capture_output=True, text=True,
                         check=True).stdout
    assert "prefetcht1" in asm


def test_prefetch_row_takes_any_row_and_changes_nothing():
    from vlr.kernels._prefetch import prefetch_row

    @njit
    def ask(X):
        for j in range(X.shape[0]):
            prefetch_row(X[j, 3:])
        prefetch_row(X[0, :0])  # nothing to ask for
        return X.sum()

    X = np.arange(60.0).reshape(3, 20)
    before = X.copy()
    assert ask(X) == before.sum()
    assert ask(X[:, ::3]) == before[:, ::3].sum()  # strided rows
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize("kernel", ["numba", "cython"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_x,m", [(203, 700), (64, 2000), (47, 300)])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_prefetching_sweep_agrees_with_the_reference(kernel, dtype, n_x, m, n_threads):
    # C-ordered X with enough rows that the sweep prefetches (PREFETCH_BYTES ahead), rows that
    # are not a multiple of eight or four (the reversed dw sweep's remainders first), tiles
    # that end short of the chunk
    import vlr
    module = vlr.get_kernel(kernel).module
    w, b, X, y = make_problem(n_x, m, dtype=dtype, order="C")
    expected = reference(w, b, X, y)
    got = module.gradients(w, b, X, y, n_threads=n_threads)
    assert_matches(got, expected, X)
    again = module.gradients(w, b, X, y, n_threads=n_threads)
    assert got[0] == again[0] and got[2] == again[2] and np.array_equal(got[1], again[1])
