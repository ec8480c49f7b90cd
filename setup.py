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


def compiler_has_openmp(compiler):
    """True if ``compiler`` compiles and links a program with ``-fopenmp``."""
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "omp_check.c")
        with open(source, "w") as f:
            f.write("#include <omp.h>\nint main(void) { return omp_get_max_threads() < 1; }\n")
        try:
            objects = compiler.compile([source], output_dir=tmp, extra_postargs=[OPENMP_FLAG])
            compiler.link_executable(objects, "omp_check", output_dir=tmp,
                                     extra_postargs=[OPENMP_FLAG])
        except Exception:
            return False
    return True


class BuildExtWithOpenMP(build_ext):
    def build_extensions(self):
        use_openmp = os.environ.get("VLR_DISABLE_OPENMP") != "1" and compiler_has_openmp(self.compiler)
        print(f"vlr: building the cython kernel {'with' if use_openmp else 'WITHOUT'} OpenMP")
        for ext in self.extensions:
            ext.define_macros.append(("VLR_CYTHON_VERSION", f'"{Cython.__version__}"'))
            ext.extra_compile_args += ["-O3"] + ([OPENMP_FLAG] if use_openmp else [])
            ext.extra_link_args += [OPENMP_FLAG] if use_openmp else []
        super().build_extensions()


setup(
    ext_modules=cythonize(
        [Extension("vlr.kernels.cython_omp", ["kernels/cython_omp.pyx"], optional=True)],
        language_level=3,
    ),
    cmdclass={"build_ext": BuildExtWithOpenMP},
)
