"""The layers of docs/architecture.md hold: no module imports upward or sideways.

Every import of every module counts, the ones inside functions too (a command imports
its service when it runs); the table below is the one in docs/architecture.md."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from helpers import TOP

PACKAGE = TOP / "src" / "dnssec_doctor"

#: top-level module or package of dnssec_doctor -> its layer
LAYER = {
    "": "helpers",  # the package itself: __version__
    "defaults": "helpers",
    "exitcodes": "helpers",
    "excerpt": "helpers",
    "inputfile": "helpers",
    "dnsfeatures": "helpers",
    "validate": "rules",
    "model": "model",
    "collect": "collector",
    "analyze": "analysis",
    "diagnose": "analysis",
    "checks": "analysis",
    "zonefile": "zonefile",
    "services": "services",
    "ds": "ds",
    "render": "render",
    "cli": "front",
    "monitor": "front",
    "web": "front",
    "__main__": "front",
    "lab": "lab",
}
_BELOW_MODEL = {"model", "rules", "helpers"}
ALLOWED = {
    "helpers": {"helpers"},
    "rules": {"rules", "helpers"},
    "model": _BELOW_MODEL,
    "collector": {"collector", *_BELOW_MODEL},
    "analysis": {"analysis", *_BELOW_MODEL},
    "zonefile": {"zonefile", *_BELOW_MODEL},
    "services": {"services", "collector", "analysis", "zonefile", *_BELOW_MODEL},
    "ds": {"ds", "services", "render", *_BELOW_MODEL},
    "render": {"render", *_BELOW_MODEL},
    "front": {"front", "ds", "services", "render", "lab", *_BELOW_MODEL},
    "lab": {"lab", "services", "collector", "analysis", "zonefile", "render", *_BELOW_MODEL},
}


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(path: Path) -> list[str]:
    """Every dnssec_doctor module *path* imports (``from dnssec_doctor import x`` counts
    as importing ``dnssec_doctor.x``)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("dnssec_doctor")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "dnssec_doctor":  # a module of ours, or the package's own name
                found += [
                    f"dnssec_doctor.{a.name}" if _is_module(a.name) else "dnssec_doctor"
                    for a in node.names
                ]
            elif node.module.startswith("dnssec_doctor."):
                found.append(node.module)
    return found


def _is_module(name: str) -> bool:
    return (PACKAGE / f"{name}.py").exists() or (PACKAGE / name).is_dir()


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    for path in _modules():
        relative = path.relative_to(PACKAGE)
        top = relative.parts[0].removesuffix(".py") if relative.parts[0] != "__init__.py" else ""
        assert top in LAYER, f"{relative}: add it to docs/architecture.md and LAYER"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_layers(path: Path) -> None:
    relative = path.relative_to(PACKAGE)
    top = relative.parts[0].removesuffix(".py") if relative.parts[0] != "__init__.py" else ""
    layer = LAYER[top]
    wrong = [
        target for target in _imports(path) if LAYER.get(_top(target), "?") not in ALLOWED[layer]
    ]
    assert not wrong, f"{relative} ({layer}) may not import {wrong}"
