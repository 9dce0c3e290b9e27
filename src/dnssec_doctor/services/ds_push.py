"""``ds push``'s network steps: read the TSIG key, send the UPDATE to the primary, ask
every parent server which DS set it serves (each asked directly, no cache)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
from pathlib import Path

import dns.exception
import dns.name
import dns.rdatatype
from dns.rdtypes.ANY.DS import DS

from dnssec_doctor.collect.transport import NetworkTransport
from dnssec_doctor.collect.update import TsigKey, UpdateOutcome, replace_rrset, send_update
from dnssec_doctor.inputfile import MAX_TEXT_FILE, read_small
from dnssec_doctor.validate.cds import ds_text

#: tsig-keygen's output: key "NAME" { algorithm ALG; secret "BASE64"; };
_KEY = re.compile(
    r'key\s+"?(?P<name>[^"\s{]+)"?\s*\{(?P<body>[^}]*)\}\s*;', re.IGNORECASE | re.DOTALL
)
_FIELD = re.compile(r'(?P<field>algorithm|secret)\s+"?(?P<value>[^";\s]+)"?\s*;', re.IGNORECASE)
#: The TSIG algorithms dnspython signs with (RFC 8945 6).
ALGORITHMS = {
    "hmac-md5": "hmac-md5.sig-alg.reg.int.",
    "hmac-sha1": "hmac-sha1.",
    "hmac-sha224": "hmac-sha224.",
    "hmac-sha256": "hmac-sha256.",
    "hmac-sha384": "hmac-sha384.",
    "hmac-sha512": "hmac-sha512.",
}


class PushError(Exception):
    """A step of ds push failed; one line."""


def load_tsig_key(path: Path) -> TsigKey:
    """The key of a ``tsig-keygen`` file (the first ``key`` statement)."""
    try:
        text = read_small(path, MAX_TEXT_FILE).decode()
    except OSError as error:
        raise PushError(f"cannot read --tsig {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise PushError(f"--tsig {path}: not a text file") from error
    text = re.sub(r"(#|//)[^\n]*", "", text)
    found = _KEY.search(text)
    if found is None:
        raise PushError(
            f'--tsig {path}: no key "NAME" {{ algorithm ...; secret "..."; }}; statement'
        )
    fields = {m["field"].lower(): m["value"] for m in _FIELD.finditer(found["body"])}
    if "algorithm" not in fields or "secret" not in fields:
        raise PushError(f"--tsig {path}: the key needs both an algorithm and a secret")
    algorithm = ALGORITHMS.get(fields["algorithm"].lower())
    if algorithm is None:
        raise PushError(f"--tsig {path}: unknown TSIG algorithm {fields['algorithm'][:40]!r}")
    try:
        base64.b64decode(fields["secret"], validate=True)
        name = dns.name.from_text(found["name"])
    except (binascii.Error, ValueError) as error:
        raise PushError(
            f"--tsig {path}: the secret is not base64 or the name is bad ({error})"
        ) from error
    except dns.exception.DNSException as error:
        raise PushError(f"--tsig {path}: bad key name {found['name'][:60]!r}") from error
    return TsigKey(name, dns.name.from_text(algorithm), fields["secret"])


def push_ds(
    *, server: str, port: int, parent: dns.name.Name, zone: dns.name.Name,
    records: list[DS], ttl: int, key: TsigKey, timeout: float,
) -> UpdateOutcome:  # fmt: skip
    """Replace *zone*'s DS RRset in *parent* at the primary *server* (one UPDATE)."""
    update = replace_rrset(parent, zone, list(records), ttl, key)
    return send_update(update, server, port, timeout)


def served_ds(
    servers: list[str], zone: dns.name.Name, port: int, timeout: float
) -> dict[str, frozenset[str] | None]:
    """Each server's DS RRset for *zone* (as ``ds_text`` lines), None when it did not answer."""

    async def ask_all() -> list[frozenset[str] | None]:
        transport = NetworkTransport(port=port, timeout=timeout)
        replies = await asyncio.gather(*(transport.ask(s, zone, dns.rdatatype.DS) for s in servers))
        out: list[frozenset[str] | None] = []
        for reply in replies:
            if reply.message is None:
                out.append(None)
                continue
            out.append(frozenset(
                ds_text(rd) for r in reply.message.answer
                if r.name == zone and r.rdtype == dns.rdatatype.DS
                for rd in r if isinstance(rd, DS)
            ))  # fmt: skip
        return out

    return dict(zip(servers, asyncio.run(ask_all()), strict=True))


__all__ = ["PushError", "load_tsig_key", "push_ds", "served_ds"]
