"""vlr -- one logistic-regression gradient step, five ways, measured.

Public interface
----------------
gradients(w, b, X, Y, kernel="auto")            -> (J, dw, db)
gradient_step(w, b, X, Y, alpha, kernel="auto") -> StepResult(w, b, J, dw, db)
train(X, Y, iterations, alpha, kernel="auto")   -> TrainResult(w, b, costs)
fit_lbfgs(X, Y, C=1.0, tol=1e-4, max_iter=100)  -> LbfgsResult(w, b, objective, ...)
available_kernels(), get_kernel(name), kernel_status()
fastest                                         the fastest kernel on this machine ("auto")
LogisticRegression                              a scikit-learn estimator on the kernels

X has shape (n_x, m) -- examples are columns, as in the course. ``import vlr`` imports
neither Numba nor the Cython extension; a kernel is loaded when first asked for.
The study harness (asv suite runner, report, site, targets) is :mod:`vlr.study`; nothing here
imports it.
"""
from .interface import gradient_step, gradients, train
from .kernel import Kernel, available_kernels, kernel_status
from .lbfgs import LbfgsResult, fit_lbfgs
from .registry import FASTEST as fastest
from .registry import Fastest, get_kernel
from .step import StepResult, TrainResult

__version__ = "0.1.0"

__all__ = ["Fastest", "Kernel", "LbfgsResult", "LogisticRegression", "StepResult", "TrainResult",
           "available_kernels", "fastest", "fit_lbfgs", "get_kernel", "gradient_step", "gradients",
           "kernel_status", "train"]


def __getattr__(name: str):
    if name == "LogisticRegression":  # imports scikit-learn: only when asked for
        from .estimator import LogisticRegression
        return LogisticRegression
    raise AttributeError(f"module 'vlr' has no attribute {name!r}")
