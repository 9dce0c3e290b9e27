"""The registered checks of every command, for the `checks` listing."""

from __future__ import annotations

from dnssec_doctor.model.checks import SETS, Check, ordered


def registered_checks() -> tuple[dict[str, dict[str, str]], list[Check[object]]]:
    """The sets of each command (command -> set -> what it looks at) and every
    registered check: check's in the order it runs them, then verify's."""
    from dnssec_doctor import checks
    from dnssec_doctor.zonefile import checks as zone_checks

    assert checks.registered() and zone_checks.registered()  # importing them registered them
    return {command: dict(sets) for command, sets in SETS.items()}, ordered()


__all__ = ["registered_checks"]
