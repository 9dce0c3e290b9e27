"""The registered checks of every command, for the `checks` listing."""

from __future__ import annotations

from dnssec_doctor.model.checks import SETS, Check


def registered_checks() -> tuple[dict[str, dict[str, str]], list[Check[object]]]:
    """The sets of each command (command -> set -> what it looks at) and every
    registered check: check's in the order it runs them, then verify's."""
    from dnssec_doctor import checks
    from dnssec_doctor.zonefile import checks as zone_checks

    sets = {command: dict(names) for command, names in SETS.items()}
    return sets, [*checks.registered(), *zone_checks.registered()]


__all__ = ["registered_checks"]
