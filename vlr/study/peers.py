"""The same gradient in other libraries: what their users pay for J, dw, db.

Each peer gets the data in its own natural form, prepared once outside any timing:
scikit-learn takes X as (n_samples, n_features) C-ordered (the usual layout of its users) and
computes the mean log-loss and its gradient with ``LinearModelLoss.loss_gradient`` (what its
``LogisticRegression`` calls per L-BFGS step, with the same thread count); PyTorch
differentiates ``binary_cross_entropy_with_logits`` with autograd; JAX jit-compiles
``value_and_grad`` of the same loss. A peer that is not installed says so.
"""
import importlib.util

import numpy as np

#: The peers, each named as the library it imports.
PEERS = ("sklearn", "torch", "jax")


def peer_available(name):
    """True if the peer's library can be imported here.

    Returns
    -------
    bool
    """
    return importlib.util.find_spec(name) is not None


def peer_gradients(name, w, b, X, Y):
    """A function of no arguments returning ``(J, dw, db)`` as floats / a NumPy array.

    Parameters are those of :func:`vlr.gradients` (X of shape (n_x, m)); the data are
    converted once, here.

    Raises
    ------
    ImportError
        If the peer's library is not installed (the message says which).

    Returns
    -------
    callable()
        One gradient evaluation by the peer, on its own copy of the data in its own layout.
    """
    if name not in PEERS:
        raise ValueError(f"unknown peer {name!r}; peers are {', '.join(PEERS)}")
    if not peer_available(name):
        raise ImportError(f"{name} is not installed")
    w = np.asarray(w, dtype=X.dtype).reshape(-1)
    y = np.asarray(Y, dtype=X.dtype).reshape(-1)
    return {"sklearn": _sklearn, "torch": _torch, "jax": _jax}[name](w, float(b), X, y)


def _sklearn(w, b, X, y):
    from sklearn._loss.loss import HalfBinomialLoss
    from sklearn.linear_model._linear_loss import LinearModelLoss
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
    loss = LinearModelLoss(base_loss=HalfBinomialLoss(), fit_intercept=True)
    X_samples = np.ascontiguousarray(X.T)  # (n_samples, n_features), as sklearn users hold it
    coef = np.append(w, b).astype(X.dtype)
    n_threads = _openmp_effective_n_threads()

    def run():
        J, grad = loss.loss_gradient(coef, X_samples, y, n_threads=n_threads)
        return float(J), grad[:-1], float(grad[-1])
    return run


def _torch(w, b, X, y):
    import torch
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def run():
        wt = torch.tensor(w, requires_grad=True)
        bt = torch.tensor(b, dtype=wt.dtype, requires_grad=True)
        J = torch.nn.functional.binary_cross_entropy_with_logits(wt @ Xt + bt, yt)
        J.backward()
        return float(J), wt.grad.numpy(), float(bt.grad)
    return run


def _jax(w, b, X, y):
    import jax
    import jax.numpy as jnp
    if X.dtype == np.float64:
        jax.config.update("jax_enable_x64", True)
    Xj, yj = jax.device_put(X), jax.device_put(y)

    @jax.jit
    def value_and_grads(w, b):
        def cost(w, b):
            z = w @ Xj + b
            return jnp.mean(jnp.logaddexp(0, z) - yj * z)
        return jax.value_and_grad(cost, argnums=(0, 1))(w, b)

    wj, bj = jnp.asarray(w), jnp.asarray(b, dtype=X.dtype)

    def run():
        J, (dw, db) = value_and_grads(wj, bj)
        return float(J), np.asarray(dw), float(db)
    return run


# --- Fitting: time to scikit-learn's objective ------------------------------------------------

#: Problems of the fit race: scikit-learn's bundled breast-cancer data (standardized), and two
#: synthetic float64 problems (n_samples, n_features) of 800 MB each.
FIT_PROBLEMS = ("breast_cancer", "1000000x100", "100000x1000")
#: How close to scikit-learn's objective a fit must come to count as reaching it (relative).
FIT_RTOL = 1e-6


def fit_problem(name, seed=0):
    """``(X, y)`` of a fit-race problem: X (n_samples, n_features) C-ordered float64, y 0/1.

    The synthetic problems draw X standard normal and y from a logistic model with noise
    (not separable), so every fit has a finite optimum.

    Returns
    -------
    (X, y)
        scikit-learn's layout: X of shape (n, d), labels 0 and 1.
    """
    if name not in FIT_PROBLEMS:
        raise ValueError(f"unknown fit problem {name!r}; problems are {', '.join(FIT_PROBLEMS)}")
    if name == "breast_cancer":
        from sklearn.datasets import load_breast_cancer
        X, y = load_breast_cancer(return_X_y=True)
        return (X - X.mean(axis=0)) / X.std(axis=0), y
    n, d = (int(v) for v in name.split("x"))
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w = rng.standard_normal(d) / np.sqrt(d)
    y = (X @ w + rng.logistic(size=n) > 0).astype(np.int64)
    return X, y


def fit_objective(X, y, coef, intercept, C):
    """scikit-learn's objective divided by C·n: mean log-loss + ‖w‖² / (2·C·n).

    Returns
    -------
    float
    """
    coef = np.ravel(coef)
    z = X @ coef + intercept
    penalty = 0.0 if np.isinf(C) else float(coef @ coef) / (2 * C * len(y))
    return float(np.mean(np.logaddexp(0, z) - y * z)) + penalty


def time_fits(X, y, C=1.0, rounds=3):
    """scikit-learn's ``LogisticRegression(solver="lbfgs")`` against vlr's, fitting to the same
    objective, timed alternately.

    scikit-learn fits with its defaults; its objective is the target. vlr fits with the same
    ``tol``, tightened tenfold at a time until it is within :data:`FIT_RTOL` of the target (the
    reported time is that of the fit that reaches it).

    Returns
    -------
    dict
        ``sklearn_s`` and ``vlr_s`` (median seconds per fit over ``rounds`` rounds), ``speedup``
        (the median of the per-round ratios), the objectives ``sklearn_objective`` and
        ``vlr_objective``, ``vlr_tol``, and the iterations ``sklearn_iter``, ``vlr_iter``.
    """
    import statistics
    from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression

    from ..estimator import LogisticRegression
    from ..timing import time_rounds

    model = SklearnLogisticRegression(C=C).fit(X, y)
    target = fit_objective(X, y, model.coef_, model.intercept_[0], C)
    tol = 1e-4
    while True:  # vlr's tol that reaches the target
        ours = LogisticRegression(C=C, tol=tol, max_iter=1000).fit(X, y)
        reached = fit_objective(X, y, ours.coef_, ours.intercept_[0], C)
        if reached <= target * (1 + FIT_RTOL) or tol < 1e-12:
            break
        tol /= 10
    # one fit per block (min_time=0), after a warm-up fit of each side; the pause between
    # blocks lets OpenBLAS's threads go idle
    rounds = time_rounds([lambda: SklearnLogisticRegression(C=C).fit(X, y),
                          lambda: LogisticRegression(C=C, tol=tol, max_iter=1000).fit(X, y)],
                         repeat=rounds, min_time=0)
    return dict(sklearn_s=statistics.median(r[0] for r in rounds),
                vlr_s=statistics.median(r[1] for r in rounds),
                speedup=statistics.median(r[0] / r[1] for r in rounds),
                sklearn_objective=target, vlr_objective=reached, vlr_tol=tol,
                sklearn_iter=int(model.n_iter_[0]), vlr_iter=int(ours.n_iter_[0]))
