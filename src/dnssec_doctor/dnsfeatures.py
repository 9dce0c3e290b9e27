"""dnspython's optional-feature check, without importing ``importlib.metadata`` up front.

``import dns.name`` asks ``dns._features.have("idna")`` while it loads, and
``dns._features`` imports ``importlib.metadata`` (with ``email``, ``zipfile``, ``csv``,
...) to read installed versions: about 11 ms of every check's start-up, spent on a
package this project does not use.

:func:`install` puts a stand-in for ``dns._features`` in place before dnspython loads.
It gives dnspython's answers: a feature whose package cannot be imported at all is
absent (dnspython's check says so too, after reading the metadata; the stand-in only
looks the package up, ``importlib.util.find_spec``); any other question goes to
dnspython's own module, loaded on first need. ``force`` works as dnspython's does.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import types
from typing import Any

__all__ = ["PACKAGES", "install"]

#: feature -> the import names of the packages it needs (dnspython's
#: ``dns._features._requirements``, by import name); a feature not listed is asked of
#: dnspython's module.
PACKAGES: dict[str, tuple[str, ...]] = {
    "dnssec": ("cryptography",),
    "idna": ("idna",),
    "trio": ("trio",),
    "doq": ("aioquic",),
    "wmi": ("wmi",),
}

_NAME = "dns._features"


class _Features(types.ModuleType):
    """The stand-in module: ``have``, ``force`` and the rest of dnspython's on demand."""

    def __init__(self, spec: importlib.machinery.ModuleSpec) -> None:
        super().__init__(_NAME, __doc__)
        self.__spec__ = spec  # dnspython's file: find_spec and the tests still see it
        self._origin = spec.origin
        self._real: types.ModuleType | None = None
        self._cache: dict[str, bool] = {}

    def have(self, feature: str) -> bool:
        known = self._cache.get(feature)
        if known is not None:
            return known
        packages = PACKAGES.get(feature)
        if packages is not None and not all(_importable(p) for p in packages):
            answer = False
        elif (simple := _simple_version_check(feature, self._origin)) is not None:
            answer = simple
        else:
            answer = bool(self._dnspython().have(feature))
        self._cache[feature] = answer
        return answer

    def force(self, feature: str, enabled: bool) -> None:
        self._cache[feature] = enabled

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._dnspython(), name)

    def _dnspython(self) -> types.ModuleType:
        """dnspython's own module, loaded under a private name (the public one is ours)."""
        if self._real is None:
            spec = importlib.util.spec_from_file_location(_NAME + "_dnspython", self._origin)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot load dnspython's {_NAME} from {self._origin}")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            self._real = module
        return self._real


def _importable(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


def install() -> None:
    """Stand in for ``dns._features``, unless dnspython has loaded it already."""
    if _NAME in sys.modules:
        return
    import dns  # the package alone: its __init__ imports nothing of weight

    spec = importlib.util.find_spec(_NAME)
    if spec is None or spec.origin is None:
        return  # a dnspython without the module: nothing to stand in for
    stand_in = _Features(spec)
    sys.modules[_NAME] = stand_in
    dns._features = stand_in  # type: ignore[attr-defined]  # `import dns._features` binds it


#: packages whose version is a plain ``__version__ = "X.Y"`` line in a file of theirs:
#: dnspython's version check without importlib.metadata (idna arrives with the monitor's
#: notification library, through requests)
_VERSION_FILES = {"idna": "package_data.py"}


def _simple_version_check(feature: str, features_file: str | None) -> bool | None:
    """dnspython's answer for *feature* when its one requirement is ``package>=X.Y`` and
    the package states its version in a file; None when in any doubt (ask dnspython)."""
    import re

    package = feature if feature in _VERSION_FILES else None
    if package is None or features_file is None:
        return None
    try:
        with open(features_file, encoding="utf-8") as source:
            wanted = re.search(rf'"{feature}":\s*\["{package}>=([\d.]+)"\]', source.read())
        spec = importlib.util.find_spec(package)
        if wanted is None or spec is None or not spec.submodule_search_locations:
            return None
        folder = next(iter(spec.submodule_search_locations))
        with open(f"{folder}/{_VERSION_FILES[package]}", encoding="utf-8") as data:
            have = re.search(r'__version__\s*=\s*"([\d.]+)"', data.read())
    except (OSError, ImportError, ValueError):
        return None
    if have is None:
        return None

    def key(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split(".") if part)

    return key(have.group(1)) >= key(wanted.group(1))
