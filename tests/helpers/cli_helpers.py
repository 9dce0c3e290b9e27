"""Run the command line in-process, with its own stdin, stdout and stderr."""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass

from dnssec_doctor.cli import main


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout_bytes: bytes
    stderr_bytes: bytes

    @property
    def stdout(self) -> str:
        return self.stdout_bytes.decode()

    @property
    def stderr(self) -> str:
        return self.stderr_bytes.decode()

    @property
    def output(self) -> str:
        """Both streams, as a person at a terminal sees them."""
        return self.stdout + self.stderr


def invoke(
    args: list[str], input: bytes | str | None = None, *, internal_error: bool = False
) -> CliResult:
    """``dnssec-doctor ARGS`` as a process would run it.  main() turns an unexpected
    exception into one "internal error" line and exit 3; unless *internal_error* says the
    test provokes one, that line fails the test (a bug is not an exit code)."""
    data = input.encode() if isinstance(input, str) else (input or b"")
    stdin = io.TextIOWrapper(io.BytesIO(data))
    stdout, stderr = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(stdout, write_through=True)
    err = io.TextIOWrapper(stderr, write_through=True)
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = stdin, out, err
    try:
        code = main(args)
    except SystemExit as done:  # --help, --version
        code = done.code if isinstance(done.code, int) else 0
    finally:
        out.flush()
        err.flush()
        sys.stdin, sys.stdout, sys.stderr = saved
    result = CliResult(code, stdout.getvalue(), stderr.getvalue())
    if not internal_error:
        assert "internal error:" not in result.stderr, result.stderr
    return result
