"""The study harness: runs the asv suite, reads its results, writes the report and the site,
measures the speed targets. Built on the library (:mod:`vlr`), which never imports it.

Modules
-------
cli          the ``vlr`` command (``python -m vlr``)
grid         the study's grid of m × n_x × dtype and the kernels' time budgets
asv_runner   ``vlr study``: asv run on the installed vlr, with progress
asv_results  reads an asv results file into a lookup by benchmark and parameters
verdict      the study's rows and its verdict on the course's ~300x and ~10x
tables       one table model, each of the report's tables built once, rendered to Markdown
plots        the report's figures (matplotlib, SVG)
report       the study's page: report.md and its HTML rendering
site         the published site: the study page first, asv's pages beside it, offline
targets      the fastest kernel's speed targets, each one object (``vlr targets``)
compare      a quick timing of every kernel at a few sizes (``vlr compare``)
bandwidth    the streaming-read roof of this machine
peers        the same gradient in scikit-learn, PyTorch and JAX, and the fit race
"""
