"""Capture the golden set: what `check --json` and `verify --json` print today.

Run once, deliberately, before a change that must not alter any verdict (issue 11's
reshaping); `scenarios/test_golden.py` then requires the same bytes. Inputs are frozen so that the
outputs are deterministic: the lab's answers are saved as evidence (its keys are random
per build), the test zone is signed once and stored, and every run analyses at the one
moment recorded in `moment.txt`.

    .venv/bin/python tests/golden/capture.py
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).parent
TESTS = HERE.parent
sys.path[:0] = [str(TESTS)]

from dnssec_doctor.lab.build import build_lab  # noqa: E402
from dnssec_doctor.lab.server import BackgroundLabServer  # noqa: E402
from helpers.cli_helpers import invoke  # noqa: E402
from helpers.golden_helpers import check_args, comparable, verify_args  # noqa: E402
from helpers.ports import free_port  # noqa: E402


def capture_check(moment: str) -> None:
    evidence_dir = HERE / "evidence"
    out_dir = HERE / "check"
    for folder in (evidence_dir, out_dir):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
    with tempfile.TemporaryDirectory() as tmp:
        manifest = build_lab(Path(tmp))
        lab = Path(manifest.directory)
        port = free_port()
        with BackgroundLabServer.for_manifest(manifest, port):
            for record in manifest.scenarios:
                evidence = evidence_dir / f"{record.id}.json"
                probed = invoke([
                    "probe", record.qname, record.qtype, "-o", str(evidence),
                    "--trust-anchor", str(lab / "root.key"),
                    "--root-hints", str(lab / "root.hints"),
                    "--port", str(port), "--timeout", "0.3",
                ])  # fmt: skip
                assert probed.exit_code == 0, probed.stderr
                _write_check(record.id, record.qname, record.qtype, moment, out_dir)


def _write_check(scenario: str, name: str, qtype: str, moment: str, out_dir: Path) -> None:
    result = invoke(check_args(HERE / "evidence" / f"{scenario}.json", name, qtype, moment))
    assert result.exit_code in (0, 1, 2, 3), result.stderr
    out = {"exit_code": result.exit_code, "report": comparable(json.loads(result.stdout))}
    (out_dir / f"{scenario}.json").write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


def capture_verify(moment: str) -> None:
    from helpers.signing import bind_keys, bind_sign
    from scenarios import test_verify_defects as defects

    zones_dir = HERE / "zones"
    out_dir = HERE / "verify"
    for folder in (zones_dir, out_dir):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bind_keys(work / "keys")
        bases = {
            "nsec": bind_sign(work, "nsec", keydir=work / "keys"),
            "nsec3": bind_sign(work, "nsec3", "-3", "-", keydir=work / "keys"),
        }
        for kind, signed in bases.items():
            shutil.copy(signed.path, zones_dir / f"signed-{kind}.zone")
        for case in defects.CASES:
            case_id, kind, edit = case[0], case[1], case[2]
            lines = bases[kind].path.read_text().splitlines()
            (zones_dir / f"{case_id}.zone").write_text("\n".join(edit(lines)) + "\n")
    for zone in sorted(zones_dir.iterdir()):
        result = invoke(verify_args(zone, moment))
        out = {"exit_code": result.exit_code, "report": comparable(json.loads(result.stdout))}
        (out_dir / f"{zone.stem}.json").write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


def main() -> None:
    moment = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    (HERE / "moment.txt").write_text(moment + "\n")
    capture_check(moment)
    capture_verify(moment)


if __name__ == "__main__":
    main()
