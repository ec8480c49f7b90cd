"""The registry: five kernels on this machine, lazy imports, the fastest kernel."""
import subprocess
import sys

import numpy as np

import vlr
from helpers import KERNELS


def test_all_five_kernels_available_here():
    status = vlr.kernel_status()
    assert vlr.available_kernels() == KERNELS, status


def test_kernel_objects():
    for name in KERNELS:
        k = vlr.get_kernel(name)
        assert k.name == name
        assert vlr.get_kernel(k) is k
        assert name in repr(k)


def test_fastest_is_a_working_kernel():
    from vlr import fastest
    assert fastest.name in KERNELS
    assert fastest.name == vlr.registry.PREFERENCE[0]  # every kernel is available here
    X = np.ones((2, 3))
    J, dw, db = fastest.gradients(np.zeros(2), 0.0, X, np.ones(3))
    assert J == np.log(2)
    assert vlr.get_kernel("auto") is fastest


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
