"""Build configuration beyond pyproject.toml: the optional C part of the zone reader.

``dnssec_doctor.zonefile._czone`` (``_czone.c``) speeds up reading signed zone files.
It is optional: where it cannot be built (no compiler, no Python headers) the install
still succeeds and ``zonefile/reader.py`` reads every record itself, with the same
results.  ``tests/unit/test_zonefile_czone.py`` fails under ``CI=true`` if it was not built.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "dnssec_doctor.zonefile._czone",
            sources=["src/dnssec_doctor/zonefile/_czone.c"],
            extra_compile_args=["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
            optional=True,
        )
    ]
)
