"""Builds the Cython kernel, with OpenMP when the toolchain has it.

Everything else about the package is in pyproject.toml. The extension is optional: without a
working compiler the package still installs and ``vlr.available_kernels()`` says why cython is
missing.
"""
import os
import tempfile

import Cython
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

OPENMP_FLAG = "-fopenmp"
# Let gcc/clang reorder sums so reductions vectorise -- without -ffinite-math-only, so NaN/inf in
# X still reach the outputs, where vlr's validation looks for them. (The per-example loss loop,
# kernels/_simd_loss.h, opts out of -fassociative-math and reorders only its omp simd sums.)
REASSOCIATE = ["-fno-math-errno", "-fassociative-math", "-fno-signed-zeros", "-fno-trapping-math"]
NATIVE_FLAG = "-march=native"  # the extension is built on the machine that runs it
# `omp simd` loops (the loss loop's reductions) need no OpenMP runtime: -fopenmp-simd turns on
# just the pragmas.
SIMD_FLAG = "-fopenmp-simd"


def compiler_accepts(compiler, flags, program="int main(void) { return 0; }\n", libraries=()):
    """True if ``compiler`` compiles and links ``program`` with ``flags``."""
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "check.c")
        with open(source, "w") as f:
            f.write(program)
        try:
            objects = compiler.compile([source], output_dir=tmp, extra_postargs=list(flags))
            compiler.link_executable(objects, "check", output_dir=tmp, extra_postargs=list(flags),
                                     libraries=list(libraries))
        except Exception:
            return False
    return True


class BuildExtWithOpenMP(build_ext):
    def build_extensions(self):
        cc = self.compiler
        use_openmp = os.environ.get("VLR_DISABLE_OPENMP") != "1" and compiler_accepts(
            cc, [OPENMP_FLAG], "#include <omp.h>\nint main(void) { return omp_get_max_threads() < 1; }\n")
        portable = os.environ.get("VLR_PORTABLE") == "1"  # a wheel to distribute: no -march=native
        use_native = not portable and compiler_accepts(cc, [NATIVE_FLAG])
        flags = ["-O3"] + REASSOCIATE + ([NATIVE_FLAG] if use_native else [])
        flags += [OPENMP_FLAG] if use_openmp else [SIMD_FLAG] if compiler_accepts(cc, [SIMD_FLAG]) else []
        print(f"vlr: building the cython kernel {'with' if use_openmp else 'WITHOUT'} OpenMP"
              f"{', for this CPU (-march=native)' if use_native else ''}"
              f"{', portable (loss loop for AVX-512/AVX2/baseline, chosen at load)' if portable else ''}")
        for ext in self.extensions:
            ext.define_macros += [("VLR_CYTHON_VERSION", f'"{Cython.__version__}"'),
                                  ("VLR_PORTABLE", "1" if portable else "0")]
            ext.extra_compile_args += flags
            ext.extra_link_args += [OPENMP_FLAG] if use_openmp else []
            ext.libraries += ["m"]
        super().build_extensions()


setup(
    ext_modules=cythonize(
        [Extension("vlr.kernels.cython_omp", ["kernels/cython_omp.pyx"], optional=True,
                   depends=["kernels/_simd_loss.h", "kernels/_by_examples.h"])],
        language_level=3,
    ),
    cmdclass={"build_ext": BuildExtWithOpenMP},
)
