"""The kernel registry: names -> kernel modules in :mod:`vlr.kernels`, loaded on first use.

Optional kernels register only if their import succeeds (as POT's backends do): a missing
Numba or an unbuilt Cython extension shows up as a reason in :func:`kernel_status`, not as an
import error of :mod:`vlr`.
"""
import importlib

from .kernel_methods import KernelMethods
from .tuning import FASTEST, Fastest

#: Registry name -> module in vlr.kernels. The order is the study's: slowest to fastest idea.
KERNEL_MODULES = {
    "two_loops": "two_loops",
    "one_loop": "one_loop",
    "numpy": "full_numpy",
    "numba": "numba_jit",
    "cython": "cython_omp",
}

_HINTS = {
    "numba": "install numba (pip install numba)",
    "cython": "the extension is not built; reinstall with a C compiler present (pip install -e .)",
}


class Kernel(KernelMethods):
    """One implementation of the gradient step, with the same methods as the module-level API.

    Attributes
    ----------
    name : str
        Registry name (``"two_loops"``, ``"one_loop"``, ``"numpy"``, ``"numba"`` or ``"cython"``).
    module : module
        The raw kernel module in :mod:`vlr.kernels` (imported on first access).
    """

    def __init__(self, name):
        if name not in KERNEL_MODULES:
            raise ValueError(f"unknown kernel {name!r}; valid kernels are {', '.join(KERNEL_MODULES)}")
        self.name = name
        self._module = None

    def __repr__(self):
        return f"<vlr kernel {self.name!r}>"

    def __eq__(self, other):
        return isinstance(other, Kernel) and other.name == self.name

    def __hash__(self):
        return hash(self.name)

    @property
    def module(self):
        if self._module is None:
            self._module = importlib.import_module(f"vlr.kernels.{KERNEL_MODULES[self.name]}")
            self._checked = getattr(self._module, "gradients_checked", None)
        return self._module

    @property
    def gradients_checked(self):
        """The module's ``gradients_checked`` (the compiled kernels have one: the step plus the
        label and finiteness checks in one call), else None."""
        if self._module is None:
            self.module
        return self._checked


_kernels = {}  # name -> Kernel, for the kernels whose module imported
_status = {}   # name -> "available" or the reason it is not


def _load(name):
    """Import kernel ``name`` once and record whether it worked; return its status."""
    if name not in _status:
        kernel = Kernel(name)
        try:
            kernel.module
        except ImportError as exc:
            _status[name] = f"not available: {exc}; {_HINTS.get(name, 'reinstall vlr')}"
        else:
            _kernels[name] = kernel
            _status[name] = "available"
    return _status[name]


def kernel_status():
    """Map every kernel name to ``"available"`` or the reason it cannot be used here.

    Returns
    -------
    dict of str -> str
    """
    return {name: _load(name) for name in KERNEL_MODULES}


def available_kernels():
    """Names of the kernels usable on this machine, in registry order.

    Returns
    -------
    list of str
        A subset of ``["two_loops", "one_loop", "numpy", "numba", "cython"]``.
    """
    return [name for name, status in kernel_status().items() if status == "available"]


def get_kernel(name):
    """Return the kernel object registered as ``name``.

    Parameters
    ----------
    name : str or Kernel
        A registry name, ``"auto"`` for :data:`vlr.fastest` (the kernel measured fastest for
        each class of X, see :mod:`vlr.tuning`), or a kernel object.

    Raises
    ------
    ValueError
        If ``name`` is unknown (the message lists the valid names) or the kernel cannot be used
        on this machine (the message says why).
    """
    if isinstance(name, str):
        kernel = _kernels.get(name)
        if kernel is not None:
            return kernel
        if name == "auto":
            return FASTEST
        if name not in KERNEL_MODULES:
            raise ValueError(f"unknown kernel {name!r}; valid kernels are 'auto', "
                             f"{', '.join(map(repr, KERNEL_MODULES))}")
        status = _load(name)
        if name not in _kernels:
            raise ValueError(f"kernel {name!r} is {status}")
        return _kernels[name]
    if isinstance(name, (Kernel, Fastest)):
        return name
    raise TypeError(f"kernel must be a name or a vlr kernel object, got {type(name).__name__}")


def fastest_kernel():
    """:data:`vlr.fastest`: picks, per class of X, the kernel measured fastest on this machine."""
    return FASTEST
