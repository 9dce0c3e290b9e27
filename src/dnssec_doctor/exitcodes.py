"""Exit codes, as monitoring systems (Nagios plugins) read them. A public interface."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # secure, or insecure by design; or a command that did what it was asked
    WARNING = 1  # works today, will break: signatures expiring soon, a stale server, ...
    CRITICAL = 2  # bogus: validating resolvers answer SERVFAIL
    UNKNOWN = 3  # could not decide: unreachable servers, bad input, the lab failed to start
