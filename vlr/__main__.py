"""``python -m vlr``: the ``vlr`` command (:mod:`vlr.study.cli`)."""
import sys

from .study.cli import main

sys.exit(main())
