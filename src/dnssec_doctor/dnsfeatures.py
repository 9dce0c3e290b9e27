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
