"""Bad input gets a ValueError/TypeError naming the argument, from the public interface and the raw kernels."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import vlr
from helpers import COMPILED, KERNELS


def good():
    rng = np.random.default_rng(0)
    # float64 throughout, so most rows below take the interface's fast path (no conversions)
    return rng.standard_normal((3, 4)), np.zeros((3, 1)), 0.0, np.array([[0.0, 1, 1, 0]])


def with_nan(a, idx):
    a = np.array(a, dtype=float)
    a[idx] = np.nan
    return a


X0, w0, b0, Y0 = good()
BAD = [
    # (what, kwargs overriding the good call, error type, words the message must contain)
    ("X 3-D", dict(X=X0[None]), ValueError, "X must be 2-D"),
    ("X 1-D", dict(X=X0[0]), ValueError, "X must be 2-D"),
    ("X no examples", dict(X=X0[:, :0], Y=Y0[:, :0]), ValueError, "X must have at least one"),
    ("X no features", dict(X=X0[:0], w=w0[:0]), ValueError, "X must have at least one"),
    ("X int", dict(X=X0.astype(int)), TypeError, "X must have dtype float32 or float64"),
    ("X bool", dict(X=X0 > 0), TypeError, "X must have dtype"),
    ("X float16", dict(X=X0.astype(np.float16)), TypeError, "X must have dtype"),
    ("X complex", dict(X=X0.astype(complex)), TypeError, "X must hold real numbers"),
    ("X object", dict(X=X0.astype(object)), TypeError, "X must hold real numbers"),
    ("X strings", dict(X=np.full((3, 4), "a")), TypeError, "X must hold real numbers"),
    ("X NaN", dict(X=with_nan(X0, (1, 2))), ValueError, "X contains NaN or inf"),
    ("X inf", dict(X=np.where(X0 > 0.5, np.inf, X0)), ValueError, "X contains NaN or inf"),
    ("X -inf", dict(X=with_nan(X0, (0, 0)) * 0 - np.inf), ValueError, "X contains NaN or inf"),
    ("w n_x + 1", dict(w=np.zeros((4, 1))), ValueError, "w must have shape (3, 1) or (3,)"),
    ("w n_x - 1", dict(w=np.zeros(2)), ValueError, "w must have shape"),
    ("w row", dict(w=np.zeros((1, 3))), ValueError, "w must have shape"),
    ("w NaN", dict(w=with_nan(w0, (1, 0))), ValueError, "w contains NaN or inf"),
    ("w inf", dict(w=with_nan(w0, (1, 0)) * 0 + np.inf), ValueError, "w contains NaN or inf"),
    ("w -inf as list", dict(w=[0.0, -np.inf, 0.0]), ValueError, "w contains NaN or inf"),
    ("w complex", dict(w=w0.astype(complex)), TypeError, "w must hold real numbers"),
    ("Y m + 1", dict(Y=np.zeros((1, 5))), ValueError, "Y must have shape (1, 4) or (4,)"),
    ("Y m - 1", dict(Y=np.zeros(3)), ValueError, "Y must have shape"),
    ("Y column", dict(Y=np.zeros((4, 1))), ValueError, "Y must have shape"),
    ("Y above 1", dict(Y=np.array([0, 1, 2, 0])), ValueError, "Y must hold labels in [0, 1]"),
    ("Y below 0", dict(Y=np.array([0, -0.5, 1, 0])), ValueError, "Y must hold labels in [0, 1]"),
    ("Y NaN", dict(Y=with_nan(Y0, (0, 1))), ValueError, "Y contains NaN or inf"),
    ("Y inf", dict(Y=with_nan(Y0, (0, 1)) * 0 + np.inf), ValueError, "Y contains NaN or inf"),
    ("Y int above 1", dict(Y=np.array([[0, 1, 2, 0]])), ValueError, "Y must hold labels in [0, 1]"),
    ("Y list below 0", dict(Y=[0, -1, 1, 0]), ValueError, "Y must hold labels in [0, 1]"),
    ("Y float32 above 1", dict(Y=np.float32(Y0 * 1.5)), ValueError, "Y must hold labels"),
    ("Y complex", dict(Y=Y0.astype(complex)), TypeError, "Y must hold real numbers"),
    ("b NaN", dict(b=float("nan")), ValueError, "b must be finite"),
    ("b inf", dict(b=float("inf")), ValueError, "b must be finite"),
    ("b string", dict(b="0"), TypeError, "b must be a real number"),
    ("b complex", dict(b=1j), TypeError, "b must be a real number"),
    ("b vector", dict(b=np.zeros(2)), TypeError, "b must be a real number"),
]


def call(fn, kernel="auto", **over):
    args = dict(X=X0, w=w0, b=b0, Y=Y0)
    args.update(over)
    if fn is vlr.gradients:
        return fn(args["w"], args["b"], args["X"], args["Y"], kernel=kernel)
    return fn(args["w"], args["b"], args["X"], args["Y"], 0.1, kernel=kernel)


@pytest.mark.parametrize("fn,kernel", [(vlr.gradients, k) for k in KERNELS] + [(vlr.gradient_step, "auto")],
                         ids=[f"gradients-{k}" for k in KERNELS] + ["gradient_step-auto"])
@pytest.mark.parametrize("what,over,error,words", BAD, ids=[b[0] for b in BAD])
def test_bad_input_raises_named_error(fn, kernel, what, over, error, words):
    snapshot = {k: np.array(v, copy=True) for k, v in over.items() if isinstance(v, np.ndarray)}
    with pytest.raises(error) as info:
        call(fn, kernel, **over)
    assert words in str(info.value)
    for k, v in snapshot.items():  # nothing mutated on the way out
        np.testing.assert_array_equal(over[k], v)


@pytest.mark.parametrize("alpha,error,words", [
    (float("nan"), ValueError, "alpha must be finite"),
    (float("inf"), ValueError, "alpha must be finite"),
    (-0.1, ValueError, "alpha must be > 0"),
    (0, ValueError, "alpha must be > 0"),
    ("0.1", TypeError, "alpha must be a real number"),
    (None, TypeError, "alpha must be a real number"),
])
def test_bad_alpha(alpha, error, words):
    with pytest.raises(error, match=words):
        vlr.gradient_step(w0, b0, X0, Y0, alpha)
    with pytest.raises(error, match=words):
        vlr.train(X0, Y0, 3, alpha)


@pytest.mark.parametrize("iterations,error", [(-1, ValueError), (2.5, TypeError), ("3", TypeError), (True, TypeError)])
def test_bad_iterations(iterations, error):
    with pytest.raises(error, match="iterations"):
        vlr.train(X0, Y0, iterations, 0.1)


def test_overflowing_z_is_reported_as_overflow_not_bad_X():
    X = np.full((2, 3), 3e38, dtype=np.float32)
    with pytest.raises(ValueError, match="overflowed float32"):
        vlr.gradients(np.ones(2, dtype=np.float32), 0.0, X, np.ones(3), kernel="numpy")


def test_unknown_kernel_lists_valid_names():
    with pytest.raises(ValueError) as info:
        vlr.get_kernel("fortran")
    for name in KERNELS:
        assert name in str(info.value)
    with pytest.raises(ValueError, match="unknown kernel"):
        vlr.gradients(w0, b0, X0, Y0, kernel="fortran")
    with pytest.raises(TypeError, match="kernel must be"):
        vlr.gradients(w0, b0, X0, Y0, kernel=3)


@pytest.mark.parametrize("kernel", COMPILED)
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_raw_checked_gradients_flags(kernel, order, n_threads):
    # the compiled kernels check the labels and the outputs in the step's own pass
    checked = vlr.get_kernel(kernel).module.gradients_checked
    rng = np.random.default_rng(1)
    X = np.asarray(rng.standard_normal((40, 1000)), order=order)
    w, y = rng.standard_normal(40) * 0.1, (rng.random(1000) < 0.5).astype(float)
    J, dw, db, labels_ok, finite = checked(w, 0.1, X, y, n_threads)
    assert labels_ok and finite
    np.testing.assert_array_equal(dw, vlr.get_kernel(kernel).module.gradients(w, 0.1, X, y, n_threads)[1])
    for i, bad in [(0, -1e-300), (999, 1.0000001), (500, np.nan), (1, np.inf)]:
        y_bad = y.copy()
        y_bad[i] = bad
        assert not checked(w, 0.1, X, y_bad, n_threads)[3], (i, bad)
    X_bad = X.copy()
    X_bad[7, 999] = np.inf
    assert checked(w, 0.1, X_bad, y, n_threads)[3:] == (True, False)
    assert checked(w * np.nan, 0.1, X, y, n_threads)[4] is False
    # labels exactly 0 and 1 and in between are fine
    assert checked(w, 0.1, X, np.linspace(0, 1, 1000), n_threads)[3:] == (True, True)


RAW_CALLS = {
    "w too long": "k.gradients(np.zeros(n + 1), 0.0, X, y)",
    "w too short": "k.gradients(np.zeros(n - 1), 0.0, X, y)",
    "y too long": "k.gradients(w, 0.0, X, np.zeros(m + 1))",
    "y too short": "k.gradients(w, 0.0, X, np.zeros(m - 1))",
    "X 3-D": "k.gradients(w, 0.0, X[None], y)",
    "w 2-D": "k.gradients(w[:, None], 0.0, X, y)",
    "empty X": "k.gradients(w[:0], 0.0, X[:0], y)",
    "mixed dtypes": "k.gradients(w.astype(np.float32), 0.0, X, y)",
    "int X": "k.gradients(w, 0.0, X.astype(np.int64), y)",
    "list X": "k.gradients(w, 0.0, X.tolist(), y)",
    "zero threads": "k.gradients(w, 0.0, X, y, n_threads=0)",
    "checked, w too long": "k.gradients_checked(np.zeros(n + 1), 0.0, X, y)",
    "checked, y too short": "k.gradients_checked(w, 0.0, X, np.zeros(m - 1))",
    "train, y too short": "k.train(w, 0.0, X, np.zeros(m - 1), 0.1, 3)",
    "train, w too long": "k.train(np.zeros(n + 1), 0.0, X, y, 0.1, 3)",
    "train, negative iterations": "k.train(w, 0.0, X, y, 0.1, -1)",
    "X None": "k.gradients(w, 0.0, None, y)",
    "w None": "k.gradients(None, 0.0, X, y)",
    "y list": "k.gradients(w, 0.0, X, [0.0] * m)",
    "complex X": "k.gradients(w, 0.0, X.astype(complex), y)",
    "bool X": "k.gradients(w, 0.0, X > 0, y)",
    "object X": "k.gradients(w, 0.0, X.astype(object), y)",
    "float16 X": "k.gradients(w, 0.0, X.astype(np.float16), y)",
    "float32 y, float64 X": "k.gradients(w, 0.0, X, y.astype(np.float32))",
    "X 1-D": "k.gradients(w, 0.0, X[0], y)",
    "y 2-D": "k.gradients(w, 0.0, X, y[None, :])",
    "X rows sliced off": "k.gradients(w, 0.0, X[:-1], y)",
    "X cols sliced off": "k.gradients(w, 0.0, X[:, 1:], y)",
    "no examples, F order": "k.gradients(w, 0.0, np.asfortranarray(X[:, :0]), y[:0])",
    "byte-offset strides": "k.gradients(w, 0.0, np.lib.stride_tricks.as_strided(X, strides=(X.strides[0], 12)), y)",
    "b not a number": "k.gradients(w, 'zero', X, y)",
    "n_threads not a number": "k.gradients(w, 0.0, X, y, n_threads='two')",
}


@pytest.mark.parametrize("kernel", COMPILED)
def test_raw_compiled_kernels_raise_on_bad_arguments_in_a_subprocess(kernel):
    # A crash (segfault) in the child fails this test instead of killing the test run.
    module = vlr.get_kernel(kernel).module.__name__
    checks = "\n".join(
        f"try:\n    {call}\n    print('NO ERROR: {what}')\n"
        f"except (ValueError, TypeError) as e:\n    print('raised: {what}:', type(e).__name__)"
        for what, call in RAW_CALLS.items())
    code = textwrap.dedent(f"""\
        import numpy as np, importlib
        k = importlib.import_module({module!r})
        n, m = 300, 400
        X = np.ones((n, m)); w = np.ones(n); y = np.ones(m)
        """) + checks
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "NO ERROR" not in proc.stdout, proc.stdout
    assert proc.stdout.count("raised:") == len(RAW_CALLS), proc.stdout
