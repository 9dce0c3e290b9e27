"""`cds parent` against BIND's `dnssec-cds` on the corpus of parent-side cases.

Builds the corpus of tests/helpers/cds_corpus.py (real dnssec-keygen, dnssec-signzone,
dnssec-dsfromkey), runs every case through both tools and prints, per case, both
verdicts, then the agreement figure: N of M agree, K deliberate differences (each one
in docs/cds.md's table), and any undocumented difference (there should be none).

    .venv/bin/python bench/cds_agreement.py          # ~10 s
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from helpers.cds_corpus import build_corpus, have_bind, run_bind, run_ours  # noqa: E402


def main() -> int:
    if not have_bind():
        print("needs BIND's dnssec-keygen, dnssec-signzone and dnssec-cds", file=sys.stderr)
        return 3
    with tempfile.TemporaryDirectory(prefix="cds-agreement-") as root:
        cases = build_corpus(Path(root))
        agree = deliberate = undocumented = 0
        print(f"{'case':28} {'ours':10} {'dnssec-cds':10} verdict")
        for case in cases:
            ours, bind = run_ours(case), run_bind(case)
            same = (ours.action, ours.ds) == (bind.action, bind.ds)
            if same:
                agree += 1
                verdict = "agree" if not case.differs else "AGREE (documented as differing!)"
                undocumented += bool(case.differs)
            elif case.differs:
                deliberate += 1
                verdict = "deliberate difference"
            else:
                undocumented += 1
                verdict = "UNDOCUMENTED DIFFERENCE"
            print(f"{case.name:28} {ours.action:10} {bind.action:10} {verdict}")
    print(
        f"\n{agree} of {len(cases)} agree with dnssec-cds, {deliberate} deliberate differences"
        f" (docs/cds.md), {undocumented} undocumented"
    )
    return 0 if undocumented == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
