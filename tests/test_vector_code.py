"""The per-example loops compile to vector code with no lane-by-lane conversion, on AVX2 and on
AVX-512, in both compiled kernels (what the machine code says; timing goals live in
``vlr targets``).

Numba's loop is compiled afresh (its cached copy cannot be inspected) for this CPU, and in a
subprocess for the other ISA (NUMBA_CPU_NAME; compiled, never run). The C loop is compiled by
gcc for x86-64-v3 (AVX2) and x86-64-v4 (AVX-512) and disassembled.
"""
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
x86 = pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="x86-64 code")
SCALAR_CONVERSIONS = r"\bv?cvtt?s[sd]2si|\bv?cvtsi2s[sd]"

ASM_PROBE = """
import json, re, sys
import numba
from numba import njit, types
from vlr.kernels import numba_jit
out = {}
# the exp's sweep, the loss loop over e (which calls them: each compiled afresh), and the
# sum of log1p(e) as products
for name, arrays in (("_tile_exp", 2), ("_tile_loss", 4), ("_log1p_sum", 1)):
    original = getattr(numba_jit, name)
    fresh = njit(**{k: v for k, v in original.targetoptions.items() if k != "cache"})(
        original.py_func)
    for dtype in (types.float64, types.float32):
        arr = types.Array(dtype, 1, "C")
        sig = (arr,) * arrays + (types.int64,)
        fresh.compile(sig)
        asm = fresh.inspect_asm(sig)
        out[f"{name} {dtype}"] = {"scalar": len(re.findall(sys.argv[1], asm)),
                                  "gather": len(re.findall(r"\\bv(p)?gather", asm)),
                                  "ymm": asm.count("%ymm"), "zmm": asm.count("%zmm")}
print(json.dumps(out))
"""


def _numba_asm(env=None):
    out = subprocess.run([sys.executable, "-c", ASM_PROBE, SCALAR_CONVERSIONS], capture_output=True,
                         text=True, env=env, timeout=600, cwd=ROOT.parent)
    assert out.returncode == 0, out.stderr
    import json
    return json.loads(out.stdout.splitlines()[-1])


def _gcc_disassembly(tmp_path, source_text, march):
    """objdump -dr of source_text compiled with the flags setup.py builds the extension with
    (its REASSOCIATE, SIMD_FLAG) for ``march``, kernels/ on the include path."""
    source, obj = tmp_path / "probe.c", tmp_path / "probe.o"
    source.write_text(source_text)
    subprocess.run(["gcc", "-O3", f"-march={march}", "-fopenmp-simd", "-fno-math-errno",
                    "-fassociative-math", "-fno-signed-zeros", "-fno-trapping-math",
                    f"-I{ROOT / 'kernels'}", "-c", str(source), "-o", str(obj)],
                   check=True, capture_output=True)
    return subprocess.run(["objdump", "-dr", str(obj)], check=True, capture_output=True,
                          text=True).stdout


@x86
def test_numba_loss_loop_is_vector_code_on_this_cpu():
    pytest.importorskip("numba")
    for dtype, counts in _numba_asm().items():
        assert counts["scalar"] == 0, (dtype, counts)
        assert counts["gather"] == 0, (dtype, counts)  # contiguous loads (gathers: 2.5x slower)
        assert counts["ymm"] + counts["zmm"] > 50, (dtype, counts)  # vectorised


@x86
@pytest.mark.slow
@pytest.mark.parametrize("cpu, features, register", [
    # an AVX2 CPU: its features named, or Numba adds the host's (AVX-512 on an AVX-512 host)
    ("haswell", "+avx2,+avx,+fma,+sse4.2,+bmi2,+popcnt,-avx512f,-avx512dq,-avx512bw,-avx512vl", "ymm"),
    # LLVM's AVX-512 targets prefer 256-bit vectors unless told otherwise; both are checked
    ("znver4", "+avx512f,+avx512dq,+avx512bw,+avx512vl,+avx2,+avx,+fma,+sse4.2,+bmi2,"
               "+prefer-256-bit", "ymm"),
    ("znver4", "+avx512f,+avx512dq,+avx512bw,+avx512vl,+avx2,+avx,+fma,+sse4.2,+bmi2,"
               "-prefer-256-bit", "zmm")])
def test_numba_loss_loop_has_no_scalar_conversion_on_avx2_or_avx512(tmp_path, cpu, features,
                                                                     register):
    pytest.importorskip("numba")
    env = dict(os.environ, NUMBA_CPU_NAME=cpu, NUMBA_CACHE_DIR=str(tmp_path))
    if features:
        env["NUMBA_CPU_FEATURES"] = features
    for dtype, counts in _numba_asm(env).items():
        assert counts["scalar"] == 0, (cpu, dtype, counts)
        assert counts["gather"] == 0, (cpu, dtype, counts)
        assert counts[register] > 50, (cpu, dtype, counts)


@x86
@pytest.mark.skipif(not (shutil.which("gcc") and shutil.which("objdump")), reason="needs gcc, objdump")
@pytest.mark.parametrize("march", ["x86-64-v3", "x86-64-v4"])
def test_c_loss_loops_are_full_width_vector_code_with_no_exp_call(tmp_path, march):
    dump = _gcc_disassembly(
        tmp_path,
        '#include "_simd_loss.h"\n'
        "void f64(const double* z, const double* y, ptrdiff_t n, double* dz, double* s)"
        " { vlr_tile_loss_f64(z, y, n, dz, s); vlr_tile_dz_f64(z, y, n, dz, s); }\n"
        "void f32(const float* z, const float* y, ptrdiff_t n, float* dz, double* s)"
        " { vlr_tile_loss_f32(z, y, n, dz, s); vlr_tile_dz_f32(z, y, n, dz, s); }\n", march)
    calls = re.findall(r"R_X86_64_PLT32\s+(\w+)", dump)
    # the exp is the header's own arithmetic: the only library call is log1p, at one call site in
    # each of the two loss functions (once per chunk of 512 examples, after its loops)
    assert set(calls) == {"log1p"} and len(calls) == 2, calls
    assert not re.findall(SCALAR_CONVERSIONS, dump)
    assert dump.count("zmm" if march.endswith("v4") else "ymm") > 50


@x86
@pytest.mark.skipif(not (shutil.which("gcc") and shutil.which("objdump")), reason="needs gcc, objdump")
@pytest.mark.parametrize("march", ["x86-64-v3", "x86-64-v4"])
def test_c_f_order_loops_are_packed_multiply_adds(tmp_path, march):
    # _by_examples.h's dot products and dw updates (the Cython kernel's F-ordered X): each
    # function's loop over the features is packed 256-bit fused multiply-adds
    dump = _gcc_disassembly(
        tmp_path,
        '#include "_by_examples.h"\n'
        "#define P(T) const T* X0, ptrdiff_t qs, ptrdiff_t se\n"
        "void z64(P(double), const double* w, ptrdiff_t n, ptrdiff_t nt, double* z)"
        " { vlr_examples_z_f64(X0, qs, se, w, n, nt, 0.5, z, nt); }\n"
        "void z32(P(float), const float* w, ptrdiff_t n, ptrdiff_t nt, float* z)"
        " { vlr_examples_z_f32(X0, qs, se, w, n, nt, 0.5, z, nt); }\n"
        "void dw64(P(double), ptrdiff_t n, ptrdiff_t nt, const double* d, double* dw)"
        " { vlr_examples_dw_f64(X0, qs, se, n, nt, d, nt, dw); }\n"
        "void dw32(P(float), ptrdiff_t n, ptrdiff_t nt, const float* d, double* dw)"
        " { vlr_examples_dw_f32(X0, qs, se, n, nt, d, nt, dw); }\n"
        "void zdw64(P(double), const double* Xd, const double* w, ptrdiff_t n, ptrdiff_t nt,"
        " double* z, const double* d, double* dw)"
        " { vlr_examples_z_dw_f64(X0, Xd, qs, se, w, n, nt, 0.5, z, nt, d, dw); }\n"
        "void zdw32(P(float), const float* Xd, const float* w, ptrdiff_t n, ptrdiff_t nt,"
        " float* z, const float* d, double* dw)"
        " { vlr_examples_z_dw_f32(X0, Xd, qs, se, w, n, nt, 0.5, z, nt, d, dw); }\n", march)
    bodies = dict(re.findall(r"<(\w+)>:\n(.*?)(?=\n\n|\Z)", dump, flags=re.S))
    for name in ("z64", "z32", "dw64", "dw32", "zdw64", "zdw32"):
        packed = re.findall(r"vfn?m(?:add|sub)\w*p[sd]\s+[^\n]*ymm", bodies[name])
        assert len(packed) >= 2, (name, march)
