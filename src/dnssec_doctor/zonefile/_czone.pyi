"""Type stub of the optional C extension ``_czone.c`` (see reader.py)."""

from collections.abc import Callable, Sequence
from typing import Any

def configure(record_type: type, types: list[tuple[str, int]], classes: list[str]) -> None: ...
def scan(
    lines: list[str],
    pos: int,
    lineno: int,
    origin: bytes | None,
    last_owner: bytes | None,
    last_ttl: int,
    last_ttl_known: bool,
    default_ttl: int,
    default_ttl_known: bool,
    default_ttl_from_soa: bool,
    /,
) -> tuple[Sequence[tuple[bytes, int, int, bytes, int]], int, int, bytes | None, int, bool]: ...
def signed_data(
    wire: bytes,
    owner: bytes,
    rdtype: int,
    rdatas: Sequence[bytes],
    origin: bytes,
    labels: int,
    /,
) -> tuple[int, int, int, int, int, bytes, bytes] | None: ...
def judge(
    items: list[Any],
    origin: bytes,
    now: int,
    horizon: int,
    keys: Sequence[tuple[int, int, Callable[[bytes, bytes], bool], bool]],
    limit_exceeded: bool,
    max_records: int,
    /,
) -> tuple[
    list[tuple[int, int, tuple[int, int, int, int, int] | int]],
    int,
    dict[int, int],
    int,
    int | None,
]: ...

FACT_TYPE: int
MAX_LOGICAL_LINE: int
FACT_LABELS: int
FACT_RECORDS: int
FACT_NEVER_VALID: int
FACT_SIGNATURE: int
FACT_UNDECIDED: int
