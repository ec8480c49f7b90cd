"""The sixth kernel, ``cuda``: its logic under Numba's CUDA simulator on any machine (the
kernels' Python run on the CPU, one OS thread per GPU thread), the same checks on a real GPU
when there is one, and a clear refusal where there is none."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import vlr

CHECKS = Path(__file__).with_name("cuda_checks.py")


def _gpu():
    from numba import cuda
    return cuda.is_available() and not os.environ.get("NUMBA_ENABLE_CUDASIM")


def _run_checks(*args, simulator=True):
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1" if simulator else "0")
    proc = subprocess.run([sys.executable, str(CHECKS), *args], capture_output=True, text=True,
                          env=env, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    failed = {name: why for name, why in results.items() if why != "ok"}
    assert not failed, "\n\n".join(f"{name}:\n{why}" for name, why in failed.items())
    return results


def test_cuda_kernel_on_the_simulator_c_layout_and_the_public_interface():
    results = _run_checks("C", "api")
    assert sum(name.startswith("raw C") for name in results) == 8  # 2 dtypes x 2 shapes x 2 reductions
    assert len(results) == 13


@pytest.mark.slow
def test_cuda_kernel_on_the_simulator_f_and_strided_layouts():
    results = _run_checks("F,strided", "raw")
    assert len(results) == 16


@pytest.mark.skipif(_gpu(), reason="a GPU is here: the kernel is available")
def test_without_a_gpu_cuda_is_refused_saying_why():
    status = vlr.kernel_status()["cuda"]
    assert status.startswith("not available") and "GPU" in status
    assert "cuda" not in vlr.available_kernels()
    X = np.ones((2, 5))
    with pytest.raises(ValueError, match="kernel 'cuda' is not available: no CUDA GPU"):
        vlr.gradients(np.zeros(2), 0.0, X, np.ones(5), kernel="cuda")
    # the CPU kernels and "auto" are as they were
    assert vlr.gradients(np.zeros(2), 0.0, X, np.ones(5))[0] == pytest.approx(np.log(2))


@pytest.mark.gpu
@pytest.mark.skipif(not _gpu(), reason="needs an NVIDIA GPU")
def test_cuda_kernel_on_a_real_gpu():
    assert "cuda" in vlr.available_kernels()
    results = _run_checks("C,F,strided", "api", simulator=False)
    assert len(results) == 29
