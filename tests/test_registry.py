"""The registry: five kernels on this machine, lazy imports, the fastest kernel."""
import subprocess
import sys

import pytest

import vlr
from helpers import KERNELS


def test_all_five_kernels_available_here():
    status = vlr.kernel_status()
    assert vlr.available_kernels(KERNELS) == KERNELS, status  # (and cuda where there is a GPU)


def test_kernel_objects():
    for name in KERNELS:
        k = vlr.get_kernel(name)
        assert k.name == name
        assert vlr.get_kernel(k) is k
        assert name in repr(k)


def test_auto_is_fastest():
    from vlr import fastest
    assert vlr.get_kernel("auto") is fastest
    assert fastest.name == "auto"


def test_unknown_kernel_names_the_valid_ones():
    with pytest.raises(ValueError, match="valid kernels are 'auto', 'two_loops'"):
        vlr.get_kernel("fortran")
    with pytest.raises(TypeError, match="kernel must be a name"):
        vlr.get_kernel(3)


def test_import_vlr_is_light():
    code = ("import sys, vlr; vlr.gradients([[0.0]], 0.0, __import__('numpy').ones((1, 2)), [0, 1], "
            "kernel='numpy'); print('numba' in sys.modules, 'vlr.kernels.cython_omp' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_cython_reports_openmp():
    module = vlr.get_kernel("cython").module
    assert isinstance(module.OPENMP, bool)
    assert module.default_threads() >= 1
    if not module.OPENMP:
        assert module.default_threads() == 1
