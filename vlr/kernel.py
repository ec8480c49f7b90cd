"""One implementation of the gradient step as an object: :class:`Kernel`, and the list of kernels.

A kernel's module in :mod:`vlr.kernels` is imported on first use. Optional kernels register only
if that import succeeds (as POT's backends do): a missing Numba or an unbuilt Cython extension
shows up as a reason in :func:`kernel_status`, not as an import error of :mod:`vlr`.
"""
from __future__ import annotations

import importlib
import math
from types import ModuleType

import numpy as np

from . import fork_safety, kernels, step
from ._validation import labels_in_range, outputs_finite
from .descent import descend


#: Registry name -> module in vlr.kernels, in the study's order.
KERNEL_MODULES = kernels.MODULES
#: The kernels on a GPU (``"cuda"``): registered like the others, not part of the study's five.
DEVICE_KERNELS = tuple(kernels.DEVICE_MODULES)
_MODULES = {**kernels.MODULES, **kernels.DEVICE_MODULES}
#: Every kernel's name, in the study's order: the one list of kernels.
KERNELS = tuple(KERNEL_MODULES)
#: The kernels that run threads on OpenMP (see :mod:`vlr.fork_safety`).
COMPILED = ("numba", "cython")

_HINTS = {
    "numba": "install numba (pip install numba)",
    "cython": "the extension is not built; reinstall with a C compiler present (pip install -e .)",
    "cuda": "needs an NVIDIA GPU with its driver, and numba's CUDA support",
}


class Kernel(step.StepMethods):
    """One implementation of the gradient step, with the same methods as the module-level API
    (``gradients``, ``gradient_step``, ``train``: :class:`vlr.step.StepMethods`).

    Attributes
    ----------
    name : str
        Registry name (``"two_loops"``, ``"one_loop"``, ``"numpy"``, ``"numba"`` or ``"cython"``).
    module : module
        The raw kernel module in :mod:`vlr.kernels` (imported on first access).
    """

    def __init__(self, name: str) -> None:
        if name not in _MODULES:
            raise ValueError(f"unknown kernel {name!r}; valid kernels are {', '.join(_MODULES)}")
        self.name = name
        self._module: ModuleType | None = None

    def __repr__(self) -> str:
        return f"<vlr kernel {self.name!r}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Kernel) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __reduce__(self) -> tuple:
        # Pickled by name (Dask sends kernels to workers): the receiver uses its own loaded kernel.
        return load_kernel, (self.name,)

    @property
    def module(self) -> ModuleType:
        if self._module is None:
            self._module = importlib.import_module(f"vlr.kernels.{_MODULES[self.name]}")
            if self.name in COMPILED:  # their OpenMP threads must survive a fork
                fork_safety.install()
            checked = getattr(self._module, "gradients_checked", None)
            if checked is not None:  # the compiled kernels' own call: no method in between
                self.checked_gradients = checked  # type: ignore[method-assign]
        return self._module

    # --- what vlr's interface asks of a kernel, on clean arrays ----------------------------

    def resolve(self, X: np.ndarray, purpose: str = "step", args: tuple = ()) -> Kernel:
        """The kernel that runs a call on ``X``: this one (:data:`vlr.fastest` picks one per call).

        Parameters
        ----------
        X : ndarray
            The call's validated X.
        purpose : {"step", "train", "device"}
            What the call does with the kernel: :meth:`checked_gradients` or :meth:`loop`
            (``"device"``: X lives on a GPU).
        args : tuple
            That method's arguments, on the call's own arrays.

        Returns
        -------
        Kernel
        """
        return self

    def checked_gradients(self, w: np.ndarray, b: float, X: np.ndarray,
                          y: np.ndarray) -> tuple[float, np.ndarray, float, bool, bool]:
        """The module's step on clean arrays, with the checks vlr needs.

        Returns
        -------
        (J, dw, db, labels_ok, finite)
            ``labels_ok``: every y in [0, 1]; ``finite``: J, dw and db are finite. The compiled
            kernels make both checks in the same compiled call.
        """
        module = self.module  # a compiled kernel's own call replaces this method once loaded
        checked = getattr(module, "gradients_checked", None)
        if checked is not None:
            return checked(w, b, X, y)
        if not labels_in_range(y):  # the caller raises: nothing to compute (or warn about)
            return math.nan, np.full(X.shape[0], np.nan, X.dtype), math.nan, False, False
        J, dw, db = module.gradients(w, b, X, y)
        return J, dw, db, True, outputs_finite(J, dw, db)

    def loop(self, w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, alpha: float,
             iterations: int, cost_every: int = 1) -> tuple[np.ndarray, float, np.ndarray]:
        """``iterations`` gradient steps on clean arrays, in compiled code if the module has a loop.

        Labels and outputs are not checked here. The compiled loops skip the loss on the steps
        whose cost is not recorded; the Python kernels compute it and drop it.

        Returns
        -------
        (w, b, costs)
            The weights in X's dtype, the bias, and the cost before steps 0, ``cost_every``,
            2·``cost_every``, ...
        """
        module = self.module
        if hasattr(module, "train"):
            return module.train(w, b, X, y, alpha, iterations, cost_every=cost_every)
        return descend(lambda w, b: module.gradients(w, b, X, y), w, b, alpha, iterations,
                       cost_every)


#: name -> Kernel, for the kernels whose module imported (what :func:`load_kernel` returns).
LOADED: dict[str, Kernel] = {}
_status: dict[str, str] = {}  # name -> "available" or the reason it is not


def _load(name: str) -> str:
    """Import kernel ``name`` once and record whether it worked; return its status."""
    if name not in _status:
        kernel = Kernel(name)
        try:
            kernel.module
        except ImportError as exc:
            hint = _HINTS.get(name, "reinstall vlr")
            if name == "numba" and not isinstance(exc, ModuleNotFoundError):
                hint = "Numba is installed but cannot run here"  # the message says why
            _status[name] = f"not available: {exc}; {hint}"
        else:
            LOADED[name] = kernel
            _status[name] = "available"
    return _status[name]


def load_kernel(name: str) -> Kernel:
    """The kernel named ``name`` (one of :data:`KERNELS`), its module imported once per process.

    Returns
    -------
    Kernel
        Raises ``ValueError`` (naming the valid kernels, or saying why this one cannot be used
        here) instead when there is none.
    """
    if name not in _MODULES:
        raise ValueError(f"unknown kernel {name!r}; valid kernels are 'auto', "
                         f"{', '.join(map(repr, _MODULES))}")
    status = _load(name)
    if status != "available":
        raise ValueError(f"kernel {name!r} is {status}")
    return LOADED[name]


def kernel_status(names=None) -> dict[str, str]:
    """Map every kernel name (or each of ``names``) to ``"available"`` or the reason it cannot
    be used here.

    Returns
    -------
    dict of str -> str
    """
    return {name: _load(name) for name in (_MODULES if names is None else names)}


def available_kernels(names=None) -> list[str]:
    """Names of the kernels usable on this machine (of ``names``, default all), in registry order.

    Returns
    -------
    list of str
        A subset of ``["two_loops", "one_loop", "numpy", "numba", "cython", "cuda"]``.
    """
    return [name for name, status in kernel_status(names).items() if status == "available"]
