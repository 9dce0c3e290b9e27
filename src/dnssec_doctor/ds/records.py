"""DS records from keys: the input (key files, zone files, digest lists) and the
records in the forms a registrar needs. The digest itself is validate/ds.py's; which
keys a DS should name is validate/keyset.py's."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from pathlib import Path

import dns.name
import dns.rdatatype
import dns.rrset
from dns.rdata import Rdata
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.dnskeybase import Flag

from dnssec_doctor.inputfile import MAX_TEXT_FILE, read_small
from dnssec_doctor.model.ds_report import DsForm, KeyEntry, ShowReport
from dnssec_doctor.services.zone_keys import ZoneKeysError, apex_keys
from dnssec_doctor.validate.algorithms import DEFAULT_DIGEST
from dnssec_doctor.validate.ds import COMPUTABLE_DIGESTS, ds_from_dnskey
from dnssec_doctor.validate.keyset import dnskey_signers, entry_points, is_sep
from dnssec_doctor.validate.records import RecordParseError, key_tag, parse_records


class DsInputError(Exception):
    """Bad input for a ds command (a key file, a digest list, a name): one line, exit 3."""


_DIGEST_WORDS = {
    "1": 1, "sha1": 1, "sha-1": 1,
    "2": 2, "sha256": 2, "sha-256": 2,
    "4": 4, "sha384": 4, "sha-384": 4,
}  # fmt: skip

SHA1_NOTE = (
    "SHA-1 (digest type 1) is shown for comparison only: RFC 9904 forbids publishing "
    "new SHA-1 DS records"
)


def parse_digests(text: str | None) -> tuple[int, ...]:
    """``--digest 2,4``: digest types by number or name (SHA-256, sha384), in order."""
    if text is None:
        return (DEFAULT_DIGEST,)
    found: list[int] = []
    for word in text.split(","):
        value = _DIGEST_WORDS.get(word.strip().lower())
        if value is None:
            raise DsInputError(
                f"--digest {text[:60]!r}: {word.strip()[:30]!r} is not a digest type we "
                "compute (1 SHA-1, 2 SHA-256, 4 SHA-384)"
            )
        if value not in found:
            found.append(value)
    assert set(found) <= COMPUTABLE_DIGESTS
    return tuple(found)


def ds_form(owner: dns.name.Name, key: DNSKEY, digest_type: int, ttl: int | None) -> DsForm:
    ds = ds_from_dnskey(owner, key, digest_type)
    return DsForm(
        owner=owner.to_text(),
        key_tag=ds.key_tag,
        algorithm=int(ds.algorithm),
        digest_type=int(ds.digest_type),
        digest=bytes(ds.digest).hex().upper(),
        ttl=ttl,
    )


def form_of(owner: dns.name.Name, ds: Rdata, ttl: int | None = None) -> DsForm:
    """A DS record someone serves, in the same forms."""
    return DsForm(
        owner=owner.to_text(),
        key_tag=int(ds.key_tag),  # type: ignore[attr-defined]
        algorithm=int(ds.algorithm),  # type: ignore[attr-defined]
        digest_type=int(ds.digest_type),  # type: ignore[attr-defined]
        digest=bytes(ds.digest).hex().upper(),  # type: ignore[attr-defined]
        ttl=ttl,
    )


def key_entry(
    owner: dns.name.Name,
    key: DNSKEY,
    digests: Sequence[int],
    *,
    ttl: int | None = None,
    signs_dnskey: bool | None = None,
    servers: tuple[str, ...] = (),
    source: str = "",
    note: str = "",
) -> KeyEntry:
    return KeyEntry(
        key_tag=key_tag(key),
        flags=int(key.flags),
        protocol=int(key.protocol),
        algorithm=int(key.algorithm),
        public_key=base64.b64encode(bytes(key.key)).decode(),
        sep=is_sep(key),
        revoked=bool(key.flags & Flag.REVOKE),
        signs_dnskey=signs_dnskey,
        ds=tuple(ds_form(owner, key, d, ttl) for d in digests),
        servers=servers,
        source=source,
        note=note,
    )


# -- key files ---------------------------------------------------------------------------


def read_key_file(path: Path) -> tuple[dns.name.Name, DNSKEY]:
    """The one DNSKEY of a ``K<zone>+<alg>+<tag>.key`` file (dnssec-keygen's, or any file
    holding exactly one DNSKEY record with an absolute owner)."""
    try:
        text = read_small(path, MAX_TEXT_FILE).decode()
    except FileNotFoundError:
        raise DsInputError(f"--key {path}: no such file") from None
    except OSError as error:
        raise DsInputError(f"--key {path}: cannot read it ({error.strerror})") from None
    except UnicodeDecodeError:
        raise DsInputError(f"--key {path}: not a text file (a .key file is text)") from None
    if "Private-key-format:" in text:
        raise DsInputError(f"--key {path}: a private key file; give the .key file beside it")
    try:
        rrsets = parse_records(text)
    except RecordParseError as error:
        raise DsInputError(f"--key {path}: not a key file: {error}") from None
    keys = [(r.name, rd) for r in rrsets if r.rdtype == dns.rdatatype.DNSKEY for rd in r]
    others = sorted({dns.rdatatype.to_text(r.rdtype) for r in rrsets} - {"DNSKEY"})
    if not keys:
        what = f" (it holds {', '.join(others)})" if others else ""
        raise DsInputError(f"--key {path}: no DNSKEY record{what}")
    if len(keys) > 1:
        raise DsInputError(f"--key {path}: {len(keys)} DNSKEY records; a key file holds one")
    owner, key = keys[0]
    assert isinstance(key, DNSKEY)
    if key.protocol != 3:
        raise DsInputError(f"--key {path}: protocol {key.protocol}, a DNSKEY has 3 (RFC 4034)")
    return owner, key


def show_key_files(
    paths: Sequence[Path], digests: Sequence[int], at: int, ttl: int | None = None
) -> ShowReport:
    """``ds show --key``: a DS for every key file given, as ``dnssec-dsfromkey`` prints
    for each (a key without SEP too: it was asked for by name; a note says so)."""
    read = [(path, *read_key_file(path)) for path in paths]
    owners = sorted({owner.to_text() for _, owner, _ in read})
    if len(owners) > 1:
        raise DsInputError(f"--key: the key files are of different zones: {', '.join(owners)}")
    entries: list[KeyEntry] = []
    for path, owner, key in read:
        note = ""
        if key.flags & Flag.REVOKE:
            note = "revoked (RFC 5011): a DS naming it breaks the chain"
        elif not key.flags & Flag.ZONE:
            note = "no Zone Key flag: validators cannot use it, a DS naming it does not validate"
        elif not is_sep(key):
            note = "no SEP flag (a ZSK?): publish its DS only if it signs the DNSKEY RRset"
        entries.append(key_entry(owner, key, digests, ttl=ttl, source=str(path), note=note))
    return ShowReport(
        zone=owners[0],
        source="key file",
        at=at,
        digests=tuple(digests),
        keys=entries,
        notes=digest_notes(digests),
    )


# -- zone files --------------------------------------------------------------------------


def show_zone_file(
    path: str,
    digests: Sequence[int],
    at: int,
    *,
    origin: str | None = None,
    ttl: int | None = None,
) -> ShowReport:
    """``ds show --zone-file``: the DS of the zone's SEP keys (``dnssec-dsfromkey -f``),
    and what the zone's own RRSIGs say about which keys sign the DNSKEY RRset."""
    try:
        apex = apex_keys(path, origin)
    except ZoneKeysError as error:
        raise DsInputError(f"--zone-file {error}") from None
    signers = (
        {key_tag(k) for k in dnskey_signers(apex.dnskey, apex.rrsigs, at)}
        if apex.rrsigs is not None
        else None
    )
    keys = [k for k in apex.dnskey if isinstance(k, DNSKEY)]
    report = ShowReport(
        zone=apex.origin.to_text(),
        source="zone file",
        at=at,
        digests=tuple(digests),
        keys=[],
        notes=digest_notes(digests),
    )
    split_keys(report, apex.origin, keys, signers, digests, ttl, source=apex.name)
    if signers is None:
        report.notes.append(
            f"{apex.name} has no RRSIG over the DNSKEY RRset (unsigned?): the DS are those of "
            "its SEP keys; which key signs is not known"
        )
    return report


def split_keys(
    report: ShowReport,
    owner: dns.name.Name,
    keys: Iterable[DNSKEY],
    signers: set[int] | None,
    digests: Sequence[int],
    ttl: int | None,
    *,
    source: str = "",
    servers: dict[int, tuple[str, ...]] | None = None,
) -> None:
    """Put each key where it belongs: a DS to publish (the entry points, validate/keyset's
    rule; the SEP keys when signatures are unknown), or a mention."""
    keys = list(keys)
    where = servers or {}

    def entry(key: DNSKEY, note: str = "") -> KeyEntry:
        tag = key_tag(key)
        signs = None if signers is None else tag in signers
        return key_entry(
            owner, key, digests, ttl=ttl, signs_dnskey=signs,
            servers=where.get(tag, ()), source=source, note=note,
        )  # fmt: skip

    usable = [k for k in keys if k.flags & Flag.ZONE and not k.flags & Flag.REVOKE]
    for key in keys:
        if key not in usable:
            why = "revoked (RFC 5011)" if key.flags & Flag.REVOKE else "no Zone Key flag"
            report.others.append(entry(key, f"{why}: a DS must not name it"))
    if signers is None:
        chosen = [k for k in usable if is_sep(k)]
    else:
        signing = [k for k in usable if key_tag(k) in signers]
        chosen = entry_points(signing) + [
            k for k in usable if is_sep(k) and key_tag(k) not in signers
        ]
    for key in usable:
        tag = key_tag(key)
        if key in chosen:
            note = ""
            if signers is not None and tag not in signers:
                note = "SEP key that does not sign the DNSKEY RRset: its DS validates nothing yet"
            elif not is_sep(key):
                note = "no SEP flag, but it signs the DNSKEY RRset (a CSK without SEP)"
            report.keys.append(entry(key, note))
        elif signers is not None and tag in signers:
            report.others.append(
                entry(key, "signs the DNSKEY RRset without the SEP flag; a DS may name it too")
            )


def digest_notes(digests: Sequence[int]) -> list[str]:
    return [SHA1_NOTE] if 1 in digests else []


__all__ = [
    "DsInputError",
    "digest_notes",
    "ds_form",
    "form_of",
    "key_entry",
    "parse_digests",
    "read_key_file",
    "show_key_files",
    "show_zone_file",
    "split_keys",
]
