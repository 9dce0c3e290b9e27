"""Exit codes, as monitoring systems (Nagios plugins) read them. A public interface."""

from collections.abc import Iterable
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # secure, or insecure by design; or a command that did what it was asked
    WARNING = 1  # works today, will break: signatures expiring soon, a stale server, ...
    CRITICAL = 2  # bogus: validating resolvers answer SERVFAIL
    UNKNOWN = 3  # could not decide: unreachable servers, bad input, the lab failed to start


#: How bad each code is, for "the worst of several" (monitor rounds, scans): CRITICAL
#: beats UNKNOWN beats WARNING beats OK (a broken chain outranks one we could not see).
_RANK = {ExitCode.OK: 0, ExitCode.WARNING: 1, ExitCode.UNKNOWN: 2, ExitCode.CRITICAL: 3}


def worst(codes: Iterable[int]) -> ExitCode:
    """The worst of *codes* (OK when there are none)."""
    return max((ExitCode(c) for c in codes), key=_RANK.__getitem__, default=ExitCode.OK)
