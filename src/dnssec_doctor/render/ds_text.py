"""The ds commands for people: plain text, one idea a line, the records copy-pasteable."""

from __future__ import annotations

from datetime import UTC, datetime

from dnssec_doctor.model.ds_report import (
    CompareReport,
    DisablePlan,
    DsForm,
    KeyEntry,
    PlanStep,
    ShowReport,
)


def _when(posix: int | None) -> str:
    if posix is None:
        return "unknown"
    return datetime.fromtimestamp(posix, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def zone_lines(forms: list[DsForm]) -> str:
    """Only the DS records, one a line: ``dnssec-dsfromkey``'s output."""
    return "".join(f"{f.zone_line()}\n" for f in forms)


def _fields(form: DsForm, indent: str) -> list[str]:
    width = max(len(k) for k in form.registrar_fields())
    return [f"{indent}{k:<{width}}  {v}" for k, v in form.registrar_fields().items()]


def _key(key: KeyEntry) -> list[str]:
    signs = {True: ", signs the DNSKEY RRset", False: ", does NOT sign the DNSKEY RRset"}
    signing = "" if key.signs_dnskey is None else signs[key.signs_dnskey]
    head = (
        f"Key {key.key_tag}  flags {key.flags} ({key.role}), algorithm {key.algorithm} "
        f"({key.algorithm_name}){signing}"
    )
    out = [head]
    if key.source:
        out.append(f"  from {key.source}")
    if key.servers:
        out.append(f"  served by {', '.join(key.servers)}")
    if key.note:
        out.append(f"  note: {key.note}")
    for form in key.ds:
        out += _fields(form, "  ")
        out.append(f"  {form.zone_line()}")
    return out


def render_show(report: ShowReport) -> str:
    digests = ", ".join(str(d) for d in report.digests)
    where = {
        "live": f"the DNSKEY RRset at {len(report.servers)} server(s)",
        "zone file": "the zone file",
        "key file": "the key file(s)",
    }[report.source]
    out = [f"{report.zone}  DS for {len(report.keys)} key(s), digest type {digests}, from {where}"]
    if report.source == "live":
        out.append(report.authentication)
        if report.parent_ds:
            out.append("The parent serves now:")
            out += [f"  {d.zone_line()}" for d in report.parent_ds]
        else:
            out.append("The parent serves no DS now.")
        if report.servers_differ:
            out.append("The servers serve different DNSKEY RRsets:")
            for address, tags in sorted(report.servers.items()):
                names = ", ".join(report.server_names.get(address, ()))
                label = f"{address} ({names})" if names else address
                out.append(f"  {label}: keys {', '.join(str(t) for t in tags) or 'none'}")
    out.append("")
    for key in report.keys:
        out += [*_key(key), ""]
    if report.others:
        out.append("Also in the DNSKEY RRset:")
        for key in report.others:
            out += [f"  {line}" for line in _key(key)]
        out.append("")
    out += [f"Note: {n}" for n in report.notes]
    return "\n".join(out).rstrip("\n") + "\n"


def render_compare(report: CompareReport, exit_code: int) -> str:
    out = [f"{report.zone}  {report.outcome.value.upper()}: {report.summary}"]
    ttl = f"{report.ds_ttl} s" if report.ds_ttl is not None else "none"
    out.append(f"Parent {report.parent}, DS TTL {ttl}, as of {_when(report.at)}")
    out.append("")
    if report.verdicts:
        out.append("The parent's DS records:")
        for v in report.verdicts:
            out.append(f"  {v.state.value.upper():<8} {v.ds.rdata}")
            out.append(f"           {v.reason}")
            if report.parent_servers_differ:
                out.append(f"           served by {', '.join(v.servers)}")
        out.append("")
    if report.parent_servers_differ:
        out.append("Per parent server:")
        for address, records in sorted(report.parent_servers.items()):
            names = ", ".join(report.server_names.get(address, ()))
            label = f"{address} ({names})" if names else address
            out.append(f"  {label}: {len(records)} DS")
            out += [f"    {r}" for r in records]
        out.append("")
    if report.missing:
        out.append("Missing (a key that signs the DNSKEY RRset has no DS):")
        out += [f"  key {k.key_tag} ({k.algorithm_name}, flags {k.flags})" for k in report.missing]
        out.append("")
    if report.publish:
        out.append(
            f"The DS set to publish at the registrar, exactly these ({len(report.publish)}):"
        )
        for form in report.publish:
            out += _fields(form, "  ")
            out.append(f"  {form.zone_line()}")
    elif report.verdicts:
        out.append("The DS set to publish: none (remove every DS).")
    else:
        out.append("The DS set to publish: none (the parent has none: nothing to change).")
    if report.timing:
        out.append("")
        out.append("During the change:")
        out += [f"  {line}" for line in report.timing]
    out += [f"Note: {n}" for n in report.notes]
    out.append(f"Exit {exit_code}.")
    return "\n".join(out) + "\n"


def _steps(steps: list[PlanStep]) -> list[str]:
    out = []
    for number, step in enumerate(steps, start=1):
        at = f" [{_when(step.at)}]" if step.at is not None else ""
        out.append(f"  {number}. {step.title}{at}")
        out += [f"       {line}" for line in step.lines]
    return out


def render_disable_plan(plan: DisablePlan) -> str:
    out = [
        f"{plan.zone}  emergency plan: from signed to unsigned without going bogus",
        f"Parent {plan.parent}, as of {_when(plan.at)}: DS TTL {_s(plan.ds_ttl)}, "
        f"DNSKEY TTL {_s(plan.dnskey_ttl)}, RRSIG TTL {_s(plan.rrsig_ttl)}, "
        f"the parent's negative TTL {_s(plan.negative_ttl)}",
        f"Insecure at the earliest {_when(plan.insecure_at)}; stop signing at the earliest "
        f"{_when(plan.unsign_at)} (both if the DS is removed now).",
        "",
        "The plan, in this order:",
        *_steps(plan.steps),
        "",
        "The way back:",
        *_steps(plan.way_back),
    ]
    out += [f"Note: {n}" for n in plan.notes]
    return "\n".join(out) + "\n"


def _s(value: int | None) -> str:
    return "unknown" if value is None else f"{value} s"


__all__ = ["render_compare", "render_disable_plan", "render_show", "zone_lines"]
