"""Build configuration beyond pyproject.toml: the optional C part of the zone reader.

``dnssec_doctor.zonefile._czone`` (``_czone*.c``, ``_czone.h``) speeds up reading signed zone files.
It is optional: where it cannot be built (no compiler, no Python headers) the install
still succeeds and ``zonefile/reader.py`` reads every record itself, with the same
results.  ``tests/unit/test_zonefile_czone.py`` fails under ``CI=true`` if it was not built.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "dnssec_doctor.zonefile._czone",
            # one module, in parts by job (_czone.h lists them)
            sources=[
                f"src/dnssec_doctor/zonefile/{name}.c"
                for name in ("_czone", "_czone_read", "_czone_signed", "_czone_judge")
            ],
            depends=["src/dnssec_doctor/zonefile/_czone.h"],
            extra_compile_args=["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
            optional=True,
        )
    ]
)
