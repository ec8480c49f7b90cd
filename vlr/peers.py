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

PEERS = ("sklearn", "torch", "jax")
_MODULES = {"sklearn": "sklearn", "torch": "torch", "jax": "jax"}


def peer_available(name):
    """True if the peer's library can be imported here."""
    return importlib.util.find_spec(_MODULES[name]) is not None


def peer_gradients(name, w, b, X, Y):
    """A function of no arguments returning ``(J, dw, db)`` as floats / a NumPy array.

    Parameters are those of :func:`vlr.gradients` (X of shape (n_x, m)); the data are
    converted once, here.

    Raises
    ------
    ImportError
        If the peer's library is not installed (the message says which).
    """
    if name not in PEERS:
        raise ValueError(f"unknown peer {name!r}; peers are {', '.join(PEERS)}")
    if not peer_available(name):
        raise ImportError(f"{_MODULES[name]} is not installed")
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
