"""The stand-in for dnspython's feature check gives dnspython's own answers."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import subprocess
import sys
import types

import pytest

from dnssec_doctor import dnsfeatures


def _spec() -> importlib.machinery.ModuleSpec:
    spec = importlib.util.find_spec("dns._features")
    assert spec is not None and spec.origin is not None
    assert spec.origin.endswith("_features.py")  # dnspython's file, not ours
    return spec


def _dnspython_module() -> types.ModuleType:
    """dnspython's dns._features, loaded on its own (the imported one is the stand-in)."""
    spec = _spec()
    own = importlib.util.spec_from_file_location("dns_features_reference", spec.origin)
    assert own is not None and own.loader is not None
    module = importlib.util.module_from_spec(own)
    own.loader.exec_module(module)
    return module


def _in_a_new_process(program: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_importing_the_library_changes_nothing_in_dnspython() -> None:
    """Every module of the library imported, dnspython's own feature check is in place."""
    program = (
        "import dns._features, pkgutil, importlib, dnssec_doctor\n"
        "skip = ('dnssec_doctor.__main__',)\n"
        "for m in pkgutil.walk_packages(dnssec_doctor.__path__, 'dnssec_doctor.'):\n"
        "    if m.name not in skip: importlib.import_module(m.name)\n"
        "import dns.name, dns.message, sys\n"
        "print(type(sys.modules['dns._features']).__name__, dns._features.__name__)\n"
    )
    assert _in_a_new_process(program) == ["module", "dns._features"]


def test_the_command_s_process_installs_the_stand_in_before_dnspython_loads() -> None:
    program = (
        "import sys\n"
        "import dnssec_doctor.cli as cli\n"
        "print('dns' in sys.modules)\n"
        "sys.argv = ['dnssec-doctor', '--version']\n"
        "try:\n"
        "    cli.entry()\n"
        "except SystemExit:\n"
        "    pass\n"
        "import dns.name, dns._features\n"
        "from dnssec_doctor import dnsfeatures\n"
        "print(isinstance(dns._features, dnsfeatures._Features))\n"
    )
    words = _in_a_new_process(program)
    assert words[0] == "False"  # importing the command line loads no dnspython
    assert words[-1] == "True"


def test_every_feature_gets_dnspython_s_answer() -> None:
    reference = _dnspython_module()
    stand_in = dnsfeatures._Features(_spec())
    features = [*reference._requirements, "no-such-feature"]
    assert features  # dnspython still declares its optional features
    for feature in features:
        assert stand_in.have(feature) == reference.have(feature), feature


def test_the_packages_table_names_dnspython_s_requirements() -> None:
    """A feature answered without dnspython must need exactly the packages dnspython
    names for it (import names equal distribution names for all of these)."""
    requirements = _dnspython_module()._requirements
    for feature, packages in dnsfeatures.PACKAGES.items():
        assert feature in requirements, feature
        wanted = {r.split(">=")[0].strip().lower() for r in requirements[feature]}
        assert wanted == set(packages), feature


def test_a_missing_package_is_answered_without_reading_metadata() -> None:
    program = (
        "import sys\n"
        "from dnssec_doctor import dnsfeatures\n"
        "dnsfeatures.install()\n"
        "import dns.name, dns.message\n"
        "import dns._features as f\n"
        "print(f.have('idna') is False, 'importlib.metadata' in sys.modules)\n"
    )
    if importlib.util.find_spec("idna") is not None:
        pytest.skip("idna is installed here: its version is read as dnspython would")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]


def test_an_installed_idna_is_answered_from_its_version_file_as_dnspython_would() -> None:
    """idna comes with the monitor's notification library (Apprise, through requests):
    its version is read from its own file, not through importlib.metadata."""
    if importlib.util.find_spec("idna") is None:
        pytest.skip("idna is not installed here")
    program = (
        "import sys\n"
        "from dnssec_doctor import dnsfeatures\n"
        "dnsfeatures.install()\n"
        "import dns.name, dns.message\n"
        "import dns._features as f\n"
        "print(f.have('idna'), 'importlib.metadata' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(_dnspython_module().have("idna")), "False"]


def test_an_installed_package_is_asked_of_dnspython() -> None:
    stand_in = dnsfeatures._Features(_spec())
    assert stand_in.have("dnssec") is _dnspython_module().have("dnssec")
    assert stand_in._real is not None  # dnspython's module answered


def test_force_overrides_and_other_names_come_from_dnspython() -> None:
    stand_in = dnsfeatures._Features(_spec())
    stand_in.force("dnssec", False)
    assert stand_in.have("dnssec") is False
    stand_in.force("dnssec", True)
    assert stand_in.have("dnssec") is True
    assert stand_in._requirements == _dnspython_module()._requirements
    with pytest.raises(AttributeError):
        stand_in.__no_such_dunder__  # noqa: B018


def test_install_leaves_a_loaded_module_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    sentinel = types.ModuleType("dns._features")
    monkeypatch.setitem(sys.modules, "dns._features", sentinel)
    dnsfeatures.install()
    assert sys.modules["dns._features"] is sentinel
