"""The public checker's address policy (collect/transport.py public_only): which server
addresses a hostile delegation could name, and which of them it may be sent to."""

from __future__ import annotations

import pytest

from dnssec_doctor.collect.transport import public_only, refusal_reason, sendable

REFUSED = {
    "127.0.0.1": "loopback",
    "127.53.0.1": "loopback",
    "::1": "loopback",
    "10.1.2.3": "private",
    "172.16.0.1": "private",
    "192.168.1.1": "private",
    "100.64.0.1": "private",  # shared address space (carrier-grade NAT)
    "169.254.169.254": "link-local",  # a cloud's metadata service
    "fe80::1": "link-local",
    "fc00::1": "private",
    "192.0.2.1": "private",  # documentation
    "0.0.0.0": "unspecified",
    "224.0.0.1": "multicast",
    "::ffff:127.0.0.1": "private",  # IPv4-mapped loopback
    "64:ff9b::a00:1": "embeds a private address",  # NAT64 of 10.0.0.1
    "2002:a00:1::1": "embeds a private address",  # 6to4 of 10.0.0.1
    "ns1.example.": "not an IP address",
}


@pytest.mark.parametrize("address", sorted(REFUSED))
def test_public_only_refuses(address: str) -> None:
    assert not public_only(address)
    assert refusal_reason(address) == REFUSED[address]


@pytest.mark.parametrize("address", ["8.8.8.8", "198.41.0.4", "2001:500:2f::f", "64:ff9b::808:808"])
def test_public_only_allows_internet_unicast(address: str) -> None:
    assert public_only(address)


def test_the_command_lines_policy_still_allows_a_lab() -> None:
    assert sendable("127.53.0.1") and not sendable("224.0.0.1")
