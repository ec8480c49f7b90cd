import os
import sys
import tempfile

from hypothesis import settings

sys.path.insert(0, os.path.dirname(__file__))  # tests/helpers.py

# kernel="auto" calibrates into a cache dir: never the user's one from the tests
os.environ["VLR_CACHE_DIR"] = tempfile.mkdtemp(prefix="vlr-test-cache-")
os.environ.pop("VLR_FASTEST", None)

settings.register_profile("default", max_examples=60, deadline=None)
settings.register_profile("long", max_examples=10_000, deadline=None)
settings.load_profile(os.environ.get("VLR_HYPOTHESIS_PROFILE", "default"))
