"""The ``cuda`` kernel's checks, run by tests/test_cuda.py in a process of their own: under
Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``, any machine) or on a real GPU.

Prints one JSON object: case name -> "ok" or what went wrong. Sizes are tiny: the simulator runs
one OS thread per GPU thread.
"""
import json
import sys
import traceback

import numpy as np

import vlr
from vlr.kernels import cuda_numba, two_loops

RESULTS = {}


def case(name, api=False):
    def wrap(fn):
        if api and not API:
            return fn
        try:
            fn()
            RESULTS[name] = "ok"
        except Exception:  # reported, so the test names every failing case at once
            RESULTS[name] = traceback.format_exc(limit=4)
        return fn
    return wrap


def problem(n_x, m, dtype, layout, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, 2 * m if layout == "strided" else m)) * 2
    X = np.asarray(X, dtype=dtype, order="F" if layout == "F" else "C")
    if layout == "strided":
        X = X[:, ::2]  # neither C nor F: every other column of a wider array
    y = (rng.random(m) < 0.4).astype(dtype)
    w = rng.standard_normal(n_x).astype(dtype) * 0.5
    return w, 0.25, X, y


def close(got, want, dtype):
    rtol = 2e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol)


SHAPES = [(1, 130), (3, 300)]  # n_x = 1; m not a multiple of the block (128), more blocks than one
LAYOUTS = sys.argv[1].split(",") if len(sys.argv) > 1 else ["C", "F", "strided"]
API = len(sys.argv) <= 2 or sys.argv[2] == "api"  # the public interface's cases too
REDUCES = ["atomic", "blocks"]

for layout in LAYOUTS:
    for dtype in (np.float64, np.float32):
        for n_x, m in SHAPES:
            for reduce in REDUCES:
                @case(f"raw {layout} {dtype.__name__} {n_x}x{m} {reduce}")
                def _():
                    w, b, X, y = problem(n_x, m, dtype, layout)
                    if layout == "strided":  # a strided view on the device (a host X is copied whole)
                        from numba import cuda
                        wide = cuda.to_device(np.ascontiguousarray(X.base if X.base is not None else X))
                        on_device = wide[:, ::2]
                        assert on_device.shape == X.shape
                        J, dw, db = cuda_numba.gradients(w, b, on_device, y, reduce=reduce)
                        dw = dw.copy_to_host()
                    else:
                        J, dw, db = cuda_numba.gradients(w, b, X, y, reduce=reduce)
                    J0, dw0, db0 = two_loops.gradients(w, b, X, y)
                    assert dw.dtype == X.dtype and dw.shape == (n_x,)
                    close(J, J0, dtype), close(dw, dw0, dtype), close(db, db0, dtype)


@case("public API, device arrays in, device arrays out, auto picks cuda", api=True)
def _():
    from numba import cuda
    w, b, X, y = problem(3, 300, np.float64, "C", seed=1)
    dX, dY, dw_in = cuda.to_device(X), cuda.to_device(y.reshape(1, -1)), cuda.to_device(w.reshape(-1, 1))
    J, dw, db = vlr.gradients(dw_in, b, dX, dY)  # kernel="auto"
    J0, dw0, db0 = two_loops.gradients(w, b, X, y)
    assert getattr(dw, "__cuda_ndarray__", False) and dw.shape == (3, 1), type(dw)
    close(J, J0, np.float64), close(dw.copy_to_host().ravel(), dw0, np.float64), close(db, db0, np.float64)
    step = vlr.gradient_step(dw_in, b, dX, dY, alpha=0.5, kernel="cuda")
    close(step.w.copy_to_host().ravel(), w - 0.5 * dw0, np.float64)
    close(step.b, b - 0.5 * db0, np.float64)


@case("train on the device matches the CPU loop, cost_every", api=True)
def _():
    from numba import cuda
    for dtype in (np.float64, np.float32):
        w, b, X, y = problem(2, 200, dtype, "F", seed=2)
        got = vlr.train(cuda.to_device(X), cuda.to_device(y), iterations=7, alpha=0.3, kernel="cuda",
                        w0=w, b0=b, cost_every=3)
        want = vlr.train(X, y, iterations=7, alpha=0.3, kernel="numpy", w0=w, b0=b, cost_every=3)
        assert getattr(got.w, "__cuda_ndarray__", False) and len(got.costs) == 3
        close(got.w.copy_to_host(), want.w, dtype), close(got.b, want.b, dtype)
        close(got.costs, want.costs, dtype)


@case("a NumPy X with kernel='cuda' is copied once and gives NumPy results", api=True)
def _():
    w, b, X, y = problem(3, 150, np.float32, "strided", seed=3)  # a strided host X: copied whole
    J, dw, db = vlr.gradients(w.reshape(-1, 1), b, X, y.reshape(1, -1), kernel="cuda")
    assert isinstance(dw, np.ndarray) and dw.shape == (3, 1) and dw.dtype == np.float32
    close(dw.ravel(), two_loops.gradients(w, b, X, y)[1], np.float32)
    result = vlr.train(X, y.reshape(1, -1), iterations=4, alpha=0.2, kernel="cuda", cost_every=2)
    assert isinstance(result.w, np.ndarray) and result.w.shape == (3, 1) and len(result.costs) == 2


@case("NaN and inf in X, labels outside [0, 1]: the CPU path's errors", api=True)
def _():
    from numba import cuda
    w, b, X, y = problem(2, 140, np.float64, "C", seed=4)
    for bad in (np.nan, np.inf):
        Xb = X.copy()
        Xb[1, 77] = bad
        for call in (lambda: vlr.gradients(w, b, cuda.to_device(Xb), cuda.to_device(y)),
                     lambda: vlr.train(cuda.to_device(Xb), cuda.to_device(y), 3, 0.1, kernel="cuda")):
            try:
                call()
            except ValueError as exc:
                assert "X contains NaN or inf" in str(exc), exc
            else:
                raise AssertionError(f"no error for {bad} in X")
    yb = y.copy()
    yb[5] = 2.0
    for call in (lambda: vlr.gradients(w, b, cuda.to_device(X), cuda.to_device(yb)),
                 lambda: vlr.train(cuda.to_device(X), cuda.to_device(yb), 3, 0.1)):
        try:
            call()
        except ValueError as exc:
            assert "labels in [0, 1]" in str(exc), exc
        else:
            raise AssertionError("no error for a label of 2")


@case("wrong kernels, dtypes and shapes are refused, naming the argument", api=True)
def _():
    from numba import cuda
    w, b, X, y = problem(2, 140, np.float64, "C", seed=5)
    dX = cuda.to_device(X)
    for call, error, words in [
        (lambda: vlr.gradients(w, b, dX, y, kernel="numba"), TypeError, "runs on the CPU"),
        (lambda: vlr.gradients(w, b, dX, cuda.to_device(y.astype(np.float32))), TypeError, "Y is on the device"),
        (lambda: vlr.gradients(np.zeros(3), b, dX, y), ValueError, "w must have shape"),
        (lambda: vlr.gradients(w, b, dX, y[:-1]), ValueError, "Y must have shape"),
        (lambda: vlr.gradients(w, b, cuda.to_device(X.astype(np.int64)), y), TypeError, "X must be float32"),
        (lambda: vlr.train(dX, y, 3, alpha=-1.0), ValueError, "alpha"),
    ]:
        try:
            call()
        except error as exc:
            assert words in str(exc), (words, exc)
        else:
            raise AssertionError(f"no {error.__name__} ({words})")


print(json.dumps(RESULTS))
