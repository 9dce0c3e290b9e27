"""The message templates section of docs/findings.md, made from the registry.

``tests/unit/test_findings_templates.py`` fails when the page and the registry differ;
after changing a template, write the page again with
``.venv/bin/python tests/helpers/findings_doc.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dnssec_doctor.model.findings import REGISTRY

PAGE = Path(__file__).parents[2] / "docs" / "findings.md"
BEGIN = "<!-- templates: made by tests/helpers/findings_doc.py, do not edit by hand -->"
END = "<!-- end of templates -->"


def templates_section() -> str:
    """The table of every code's templates (one row per variant), between the markers."""
    rows = [BEGIN, "", "| code | variant | template |", "| --- | --- | --- |"]
    for code, info in REGISTRY.items():
        for variant, template in info.templates.items():
            text = template.replace("|", "\\|")
            rows.append(f"| `{code}` | {variant or ''} | `{text}` |")
    return "\n".join([*rows, "", END])


def current_section(page: str) -> str:
    """The section as the page has it ('' when it has none)."""
    if BEGIN not in page or END not in page:
        return ""
    return page[page.index(BEGIN) : page.index(END) + len(END)]


def main() -> int:
    page = PAGE.read_text()
    old = current_section(page)
    if not old:
        print(f"{PAGE}: no templates section (markers) to replace", file=sys.stderr)
        return 1
    PAGE.write_text(page.replace(old, templates_section()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
