import os
import sys

from hypothesis import settings

sys.path.insert(0, os.path.dirname(__file__))  # tests/helpers.py

settings.register_profile("default", max_examples=60, deadline=None)
settings.register_profile("long", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("VLR_HYPOTHESIS_PROFILE", "default"))
