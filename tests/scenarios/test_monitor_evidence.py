"""`monitor evidence ZONE`: the stored evidence of a zone that was not OK, exported and
analysed again offline by `check --evidence` to the same cause; bad input is one line."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.check_fixtures import BuiltinLab
from helpers.cli_helpers import CliResult, invoke


def config(lab: BuiltinLab, tmp_path: Path, *zones: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(
        f'trust_anchor = "{lab.directory / "root.key"}"\n'
        f'root_hints = "{lab.directory / "root.hints"}"\n'
        f"port = {lab.port}\ntimeout = 0.3\n"
        f'store = "sqlite:///{tmp_path}/monitor.db"\n'
        + "".join(f'[[zones]]\nname = "{z}"\nnames = ["www.{z} A"]\n' for z in zones)
    )
    return path


def one_line_exit_3(result: CliResult, expected: str) -> None:
    assert result.exit_code == 3, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr


def test_stored_evidence_replays_offline_to_the_same_cause(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    path = config(builtin_lab, tmp_path, "ds-digest-mismatch.test", "healthy-ed25519.test")
    assert invoke(["monitor", "once", "--config", str(path)]).exit_code == 2
    out = tmp_path / "soa.json"
    exported = invoke(
        ["monitor", "evidence", "ds-digest-mismatch.test", "--config", str(path), "-o", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    assert exported.stderr.startswith("ds-digest-mismatch.test. SOA: evidence of the check at")
    evidence = json.loads(out.read_text())
    assert evidence["format"] == "dnssec-evidence/1"
    assert evidence["query"]["name"] == "ds-digest-mismatch.test."
    again = invoke(["check", "ds-digest-mismatch.test.", "SOA", "--evidence", str(out), "--json"])
    assert again.exit_code == 2
    assert json.loads(again.stdout)["cause"]["code"] == "DS_DIGEST_MISMATCH"
    # the zone's other check, to stdout
    www = invoke(
        ["monitor", "evidence", "ds-digest-mismatch.test", "--config", str(path),
         "--target", "www.ds-digest-mismatch.test A"]
    )  # fmt: skip
    assert www.exit_code == 0
    assert json.loads(www.stdout)["query"] == {
        "name": "www.ds-digest-mismatch.test.",
        "type": "A",
        "class": "IN",
    }


def test_what_has_no_evidence_is_one_line_and_exit_3(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    path = config(builtin_lab, tmp_path, "ds-digest-mismatch.test", "healthy-ed25519.test")
    assert invoke(["monitor", "once", "--config", str(path)]).exit_code == 2
    base = ["monitor", "evidence", "--config", str(path)]
    one_line_exit_3(invoke([*base, "healthy-ed25519.test"]), "only results that are not OK")
    one_line_exit_3(
        invoke([*base, "ds-digest-mismatch.test", "--at", "2000-01-01T00:00Z"]),
        "at or before 2000-01-01T00:00:00Z",
    )
    one_line_exit_3(invoke([*base, "ds-digest-mismatch.test", "--at", "soon"]), "--at wants")
    one_line_exit_3(invoke([*base, "bad..zone"]), "not a valid domain name")
    one_line_exit_3(
        invoke([*base, "ds-digest-mismatch.test", "--target", "www.other.test A"]), "holds"
    )
    one_line_exit_3(
        invoke([*base, "ds-digest-mismatch.test", "-o", str(tmp_path / "no" / "dir.json")]),
        "cannot write",
    )


def test_an_alert_the_smtp_server_missed_is_kept_and_sent_next_round(
    builtin_lab: BuiltinLab, tmp_path: Path
) -> None:
    """A real SMTP server (aiosmtpd) down during the first `monitor once`: the alert is
    kept in the store (pending_alerts), not lost; the second run, with the server up,
    delivers it once, and nothing is pending after."""
    import sqlite3

    from helpers.monitor_fixtures import Mailbox
    from helpers.ports import free_port

    port = free_port(("127.0.0.1",))
    url = (
        f"mailto://127.0.0.1:{port}?from=monitor@example.test&to=dns@example.test"
        "&mode=insecure&user=&pass="
    )
    path = config(builtin_lab, tmp_path, "rrsig-expiring-soon.test")
    path.write_text(path.read_text() + f'[channels.mail]\nurl = "{url}"\n')
    db = tmp_path / "monitor.db"

    def pending() -> list[tuple[str, str]]:
        with sqlite3.connect(db) as c:
            return list(c.execute("SELECT zone, channel FROM pending_alerts"))

    assert invoke(["monitor", "once", "--config", str(path)]).exit_code == 1
    assert pending() == [("rrsig-expiring-soon.test.", "mail")]
    mailbox = Mailbox(port)
    try:
        assert invoke(["monitor", "once", "--config", str(path)]).exit_code == 1
        assert len(mailbox.messages) == 1
        assert "DNSSEC WARNING - rrsig-expiring-soon.test.: RRSIG_EXPIRING_SOON" in str(
            mailbox.messages[0]["Subject"]
        )
        assert pending() == []
        assert invoke(["monitor", "once", "--config", str(path)]).exit_code == 1
        assert len(mailbox.messages) == 1  # the state holds: no second alert
    finally:
        mailbox.close()
