"""A diagnosis: the cause of a verdict, where it lies, and the steps that fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from dnssec_doctor.model.causes import Cause
from dnssec_doctor.validate.ds import PublishableDs


class FixStep(NamedTuple):
    title: str
    lines: tuple[str, ...] = ()


@dataclass
class Diagnosis:
    """The cause of the verdict, where it is, and what to do."""

    cause: Cause
    zone: str | None  # the zone whose link is broken (or that needs the action)
    headline: str
    underlying: Cause | None = None  # for PARENT_ZONE_BROKEN and CNAME_TARGET_BOGUS
    steps: list[FixStep] = field(default_factory=list)
    ds_to_publish: list[PublishableDs] = field(default_factory=list)
    also: list[Cause] = field(default_factory=list)  # further (warning) causes
