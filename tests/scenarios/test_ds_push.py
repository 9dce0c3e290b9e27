"""`ds push` against a real named accepting TSIG updates (helpers/push_lab.py), with a
real Unbound validating the child before and after."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import dns.name

from helpers.cli_helpers import invoke
from helpers.push_lab import (
    BOOT,
    BOOT_BAD,
    CHILD,
    KEY_NAME,
    NOBODY,
    PARENT,
    ZONE,
    PushLab,
    signal,
)  # fmt: skip


def _push(lab: PushLab, ds: Path, *extra: str) -> tuple[int, str, str]:
    result = invoke(["ds", "push", ZONE, "--ds", str(ds), *lab.walk_args(),
                     "--timeout-total", "20", *extra])  # fmt: skip
    return result.exit_code, result.stdout, result.stderr


def _tsig(lab: PushLab) -> list[str]:
    return ["--server", PARENT, "--tsig", str(lab.tsig)]


def _rdata(lines: list[str]) -> set[str]:
    return {" ".join(line.split("DS", 1)[1].split()).upper() for line in lines if " DS " in line}


def _ds_fields(lab: PushLab, *keys: str) -> set[str]:
    return {" ".join(lab.keys[k].ds().split()[3:6]) for k in keys}


def test_push_replaces_the_ds_and_unbound_still_validates(push_lab: PushLab) -> None:
    assert push_lab.served_ds() == _ds_fields(push_lab, "a1")
    assert push_lab.unbound_secure()
    code, out, err = _push(push_lab, push_lab.ds_file("both", "a1", "a2"), *_tsig(push_lab),
                           "--json")  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    assert report["method"] == "update" and report["in_effect_after"] is not None
    assert report["served"] == {PARENT: report["in_effect_after"]}
    assert push_lab.served_ds() == _ds_fields(push_lab, "a1", "a2")
    assert push_lab.unbound_secure()
    # the rollover's last step: only the new key's DS
    code, out, err = _push(push_lab, push_lab.ds_file("new", "a2"), *_tsig(push_lab))
    assert code == 0, err
    assert "in effect on every parent server" in out
    assert push_lab.served_ds() == _ds_fields(push_lab, "a2")
    assert push_lab.unbound_secure()


def test_push_refuses_a_set_that_breaks_the_delegation(push_lab: PushLab) -> None:
    """A3 is published but signs nothing: its DS alone would make the child bogus."""
    before = push_lab.served_ds()
    code, out, err = _push(push_lab, push_lab.ds_file("a3", "a3"), *_tsig(push_lab))
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and "not pushed" in err and "signs the DNSKEY" in err, err
    stranger = push_lab.directory / "stranger"
    stranger.write_text(f"{ZONE} IN DS 12345 13 2 {'AB' * 32}\n")
    code, _, err = _push(push_lab, stranger, *_tsig(push_lab))
    assert code == 2 and "matches no zone key" in err, err
    assert push_lab.served_ds() == before
    assert push_lab.unbound_secure()


def test_refused_keys_and_bad_input(push_lab: PushLab, tmp_path: Path) -> None:
    good = push_lab.ds_file("good", "a1", "a2")
    before = push_lab.served_ds()
    secret = push_lab.tsig.read_text().split('secret "')[1].split('"')[0]
    wrong_secret = tmp_path / "wrong-secret.key"
    wrong_secret.write_text(push_lab.tsig.read_text().replace(secret, "AAAA" + secret[4:]))
    unknown = tmp_path / "unknown.key"
    unknown.write_text(push_lab.tsig.read_text().replace(KEY_NAME, "stranger-key"))
    malformed = tmp_path / "malformed.key"
    malformed.write_text('key "x" { algorithm hmac-sha256; };\n')
    bad_base64 = tmp_path / "bad64.key"
    bad_base64.write_text('key "x" { algorithm hmac-sha256; secret "@@@"; };\n')
    for words, says in (
        (["--server", PARENT, "--tsig", str(wrong_secret)], "BADSIG"),
        (["--server", PARENT, "--tsig", str(unknown)], "BADKEY"),
        (["--server", PARENT, "--tsig", str(push_lab.directory / "other-key.conf")], "REFUSED"),
        (["--server", PARENT, "--tsig", str(malformed)], "algorithm and a secret"),
        (["--server", PARENT, "--tsig", str(bad_base64)], "not base64"),
        (["--server", PARENT, "--tsig", str(tmp_path / "none")], "cannot read"),
        (["--server", NOBODY, "--tsig", str(push_lab.tsig)], "cannot reach"),
        (["--server", "primary.example", "--tsig", str(push_lab.tsig)], "not an IP address"),
        (["--tsig", str(push_lab.tsig)], "--server PRIMARY"),
    ):
        code, out, err = _push(push_lab, good, *words)
        assert code == 3 and out == "", (words, err)
        assert len(err.splitlines()) == 1 and says in err, (words, err)
    empty = tmp_path / "empty"
    empty.write_text("")
    code, _, err = _push(push_lab, empty, *_tsig(push_lab))
    assert code == 3 and "no DS records" in err
    assert push_lab.served_ds() == before


def test_command_hands_the_set_to_a_registrar_script(push_lab: PushLab, tmp_path: Path) -> None:
    """The script is a stand-in registrar: it reads the JSON and applies it with the real
    nsupdate; ds push then sees it served."""
    script = tmp_path / "registrar.py"
    seen = tmp_path / "seen.json"
    script.write_text(f"""import json, subprocess, sys
data = json.load(sys.stdin)
open({str(seen)!r}, "w").write(json.dumps(data))
lines = ["server {PARENT} {push_lab.port}", "zone " + data["parent"],
         "update del " + data["zone"] + " DS"]
lines += ["update add " + line for line in data["ds"]] + ["send", ""]
done = subprocess.run(["nsupdate", "-k", {str(push_lab.tsig)!r}], input="\\n".join(lines),
                      text=True, capture_output=True)
print("registrar ticket 42")
sys.exit(done.returncode)
""")
    code, out, err = _push(push_lab, push_lab.ds_file("cmd", "a1"), "--json",
                           "--command", f"{sys.executable} {script}")  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    assert report["method"] == "command" and "registrar ticket 42" in report["command_output"]
    sent = json.loads(seen.read_text())
    assert sent["zone"] == ZONE and sent["parent"] == "."
    assert [r["key_tag"] for r in sent["records"]] == [push_lab.keys["a1"].tag]
    assert push_lab.served_ds() == _ds_fields(push_lab, "a1")
    assert push_lab.unbound_secure()
    failing = tmp_path / "failing.py"
    failing.write_text("import sys\nsys.stderr.write('registrar says no: quota\\n')\nsys.exit(4)\n")
    code, out, err = _push(push_lab, push_lab.ds_file("cmd2", "a1", "a2"),
                           "--command", f"{sys.executable} {failing}")  # fmt: skip
    assert code == 3 and "exited 4: registrar says no: quota" in err, err
    assert push_lab.served_ds() == _ds_fields(push_lab, "a1")


def test_command_and_tsig_exclude_each_other(push_lab: PushLab) -> None:
    code, _, err = _push(push_lab, push_lab.ds_file("x", "a1"), *_tsig(push_lab),
                         "--command", "true")  # fmt: skip
    assert code == 3 and "one or the other" in err


def test_unbound_sees_a_broken_set_and_push_repairs_it(push_lab: PushLab) -> None:
    """What the check prevents, done behind its back with nsupdate: Unbound says bogus;
    ds push of a good set repairs it (and is what the text report shows)."""
    script = "\n".join([
        f"server {PARENT} {push_lab.port}", "zone .", f"update del {ZONE} DS",
        f"update add {ZONE} 300 " + " ".join(push_lab.keys["a3"].ds().split()[1:]), "send", "",
    ])  # fmt: skip
    done = subprocess.run(["nsupdate", "-k", str(push_lab.tsig)], input=script, text=True,
                          capture_output=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert push_lab.served_ds() == _ds_fields(push_lab, "a3")
    assert not push_lab.unbound_secure()
    code, out, err = _push(push_lab, push_lab.ds_file("repair", "a1", "a2"), *_tsig(push_lab))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"{ZONE}: the new DS set validates the DNSKEY RRset")
    assert f"parent server {PARENT}: serves it after" in out
    assert lines[-1].startswith(f"{ZONE}: in effect on every parent server after")
    assert push_lab.unbound_secure()


def test_check_only_pushes_nothing(push_lab: PushLab) -> None:
    before = push_lab.served_ds()
    code, out, err = _push(push_lab, push_lab.ds_file("only-a2", "a2"), "--check-only",
                           *_tsig(push_lab))  # fmt: skip
    assert code == 0, err
    assert out.splitlines()[-1] == f"{ZONE}: --check-only: nothing pushed"
    assert push_lab.served_ds() == before
    code, _, err = _push(push_lab, push_lab.ds_file("only-a3", "a3"), "--check-only")
    assert code == 2 and "not pushed" in err


def test_cds_parent_live_then_push_closes_the_loop(push_lab: PushLab, tmp_path: Path) -> None:
    """The parent's whole automation against real servers: cds parent reads the child's
    CDS (A1 and A2) from its server, ds push publishes the result, cds parent then finds
    nothing to change."""
    code, _, err = _push(push_lab, push_lab.ds_file("start", "a1"), *_tsig(push_lab))
    assert code == 0, err
    live = ["cds", "parent", ZONE, "--json", *push_lab.walk_args()]
    first = invoke(live)
    assert first.exit_code == 0, first.stderr
    decision = json.loads(first.stdout)
    assert decision["action"] == "update" and decision["source"] == "CDS", decision
    # dnssec-cds on what dig gets from the same servers agrees
    dig = subprocess.run(["dig", f"@{CHILD}", "-p", str(push_lab.port), "+norec", "+dnssec",
                          "+noall", "+answer", ZONE, "DNSKEY", ZONE, "CDNSKEY", ZONE, "CDS"],
                         capture_output=True, text=True, check=True)  # fmt: skip
    (tmp_path / "child.txt").write_text(dig.stdout)
    dsset = push_lab.ds_file("dsset-a1", "a1")
    since = time.strftime("%Y%m%d%H%M%S", time.gmtime(time.time() - 7200))
    theirs = subprocess.run(["dnssec-cds", "-s", since, "-f", str(tmp_path / "child.txt"),
                             "-d", str(dsset), ZONE], capture_output=True, text=True,
                            check=False)  # fmt: skip
    assert theirs.returncode == 0, theirs.stderr
    assert _rdata(theirs.stdout.splitlines()) == _rdata(decision["ds"])
    new = tmp_path / "from-cds"
    new.write_text("\n".join(decision["ds"]) + "\n")
    code, _, err = _push(push_lab, new, *_tsig(push_lab))
    assert code == 0, err
    assert push_lab.served_ds() == _ds_fields(push_lab, "a1", "a2")
    assert push_lab.unbound_secure()
    again = json.loads(invoke(live).stdout)
    assert again["action"] == "unchanged", again


# --------------------------------------------------------------------------- RFC 9615


def _live_cds(lab: PushLab, zone: str) -> tuple[int, dict[str, object], str]:
    result = invoke(["cds", "parent", zone, "--json", *lab.walk_args()])
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout), result.stderr


def test_bootstrap_of_an_unsigned_delegation(push_lab: PushLab, tmp_path: Path) -> None:
    """bootchild. is delegated without DS; its apex CDS and the validated signal at
    _dsboot.bootchild._signal.ns.operator. agree: the first DS set, which ds push then
    publishes and Unbound validates."""
    code, report, _ = _live_cds(push_lab, BOOT)
    assert (code, report["action"]) == (0, "update"), report
    assert "RFC 9615 bootstrap" in str(report["reason"])
    assert _rdata(report["ds"]) == _rdata([push_lab.keys["b1"].ds()])  # type: ignore[arg-type]
    new = tmp_path / "boot-ds"
    new.write_text("\n".join(report["ds"]) + "\n")  # type: ignore[arg-type]
    result = invoke(["ds", "push", BOOT, "--ds", str(new), *push_lab.walk_args(),
                     *_tsig(push_lab), "--timeout-total", "20"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert push_lab.unbound_secure(BOOT)
    code, report, _ = _live_cds(push_lab, BOOT)
    assert report["action"] == "unchanged", report  # now an ordinary signed delegation


def test_bootstrap_refused_when_the_signal_differs(push_lab: PushLab) -> None:
    code, report, _ = _live_cds(push_lab, BOOT_BAD)
    assert (code, report["action"]) == (1, "reject"), report
    assert signal(BOOT_BAD) in str(report["reason"]) and "differ" in str(report["reason"])
    assert report["ds"] == []
    assert not push_lab.unbound_secure(BOOT_BAD)  # still unsigned: insecure, no AD


def test_bootstrap_needs_a_nameserver_outside_the_child() -> None:
    from dnssec_doctor.validate.cds import CdsAction, bootstrap

    zone = dns.name.from_text("inside.example.")
    decision = bootstrap(zone, {}, [dns.name.from_text("ns1.inside.example.")], [], at=0)
    assert decision.action is CdsAction.REJECT and "inside" in decision.reason


def test_not_served_in_time_is_a_warning(push_lab: PushLab, tmp_path: Path) -> None:
    """A registrar script that says yes and does nothing: the parent never serves the
    new set; ds push says so when --timeout-total runs out (exit 1)."""
    before = push_lab.served_ds()
    idle = tmp_path / "idle.py"
    idle.write_text("import sys\nsys.stdin.read()\n")
    result = invoke(["ds", "push", ZONE, "--ds", str(push_lab.ds_file("idle", "a2")),
                     *push_lab.walk_args(), "--timeout-total", "2",
                     "--command", f"{sys.executable} {idle}"])  # fmt: skip
    assert result.exit_code == 1, result.stderr
    assert f"parent server {PARENT}: NOT serving it yet" in result.stdout
    assert "not served by every parent server within --timeout-total" in result.stdout
    assert push_lab.served_ds() == before
