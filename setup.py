"""Builds the Cython kernel, with OpenMP when the compiler accepts -fopenmp.

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
# X still reach the outputs, where vlr's validation looks for them.
REASSOCIATE = ["-fno-math-errno", "-fassociative-math", "-fno-signed-zeros", "-fno-trapping-math"]


NATIVE_FLAG = "-march=native"  # the extension is built on the machine that runs it


def compiler_accepts(compiler, flag, program="int main(void) { return 0; }\n"):
    """True if ``compiler`` compiles and links ``program`` with ``flag``."""
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "check.c")
        with open(source, "w") as f:
            f.write(program)
        try:
            objects = compiler.compile([source], output_dir=tmp, extra_postargs=[flag])
            compiler.link_executable(objects, "check", output_dir=tmp, extra_postargs=[flag])
        except Exception:
            return False
    return True


class BuildExtWithOpenMP(build_ext):
    def build_extensions(self):
        use_openmp = os.environ.get("VLR_DISABLE_OPENMP") != "1" and compiler_accepts(
            self.compiler, OPENMP_FLAG, "#include <omp.h>\nint main(void) { return omp_get_max_threads() < 1; }\n")
        use_native = os.environ.get("VLR_PORTABLE") != "1" and compiler_accepts(self.compiler, NATIVE_FLAG)
        print(f"vlr: building the cython kernel {'with' if use_openmp else 'WITHOUT'} OpenMP"
              f"{', for this CPU (-march=native)' if use_native else ''}")
        for ext in self.extensions:
            ext.define_macros.append(("VLR_CYTHON_VERSION", f'"{Cython.__version__}"'))
            ext.extra_compile_args += ["-O3"] + REASSOCIATE + ([NATIVE_FLAG] if use_native else [])
            ext.extra_compile_args += [OPENMP_FLAG] if use_openmp else []
            ext.extra_link_args += [OPENMP_FLAG] if use_openmp else []
        super().build_extensions()


setup(
    ext_modules=cythonize(
        [Extension("vlr.kernels.cython_omp", ["kernels/cython_omp.pyx"], optional=True)],
        language_level=3,
    ),
    cmdclass={"build_ext": BuildExtWithOpenMP},
)
