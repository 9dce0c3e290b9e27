"""Property tests (Hypothesis): ``test_*_properties.py`` and the evidence fuzzer."""
