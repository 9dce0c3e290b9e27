"""DS records as EPP's DNSSEC extension, secDNS-1.1 (RFC 5910): the ``<secDNS:create>``
element of a domain create (``dsData`` or ``keyData`` form, RFC 5910 4.1, 4.2), and the
``<secDNS:update>`` that replaces a domain's whole DS set (5.2.5: remove all, add)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from dnssec_doctor.model.ds_report import DsForm, KeyEntry

NAMESPACE = "urn:ietf:params:xml:ns:secDNS-1.1"
ET.register_namespace("secDNS", NAMESPACE)


def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _add(parent: ET.Element, name: str, text: str) -> None:
    ET.SubElement(parent, _q(name)).text = text


def _ds_data(parent: ET.Element, forms: Iterable[DsForm]) -> None:
    for form in forms:
        data = ET.SubElement(parent, _q("dsData"))
        _add(data, "keyTag", str(form.key_tag))
        _add(data, "alg", str(form.algorithm))
        _add(data, "digestType", str(form.digest_type))
        _add(data, "digest", form.digest)


def _key_data(parent: ET.Element, keys: Iterable[KeyEntry]) -> None:
    for key in keys:
        data = ET.SubElement(parent, _q("keyData"))
        _add(data, "flags", str(key.flags))
        _add(data, "protocol", str(key.protocol))
        _add(data, "alg", str(key.algorithm))
        _add(data, "pubKey", key.public_key)


def _text(root: ET.Element) -> str:
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode") + "\n"


def create_ds_data(forms: Iterable[DsForm]) -> str:
    root = ET.Element(_q("create"))
    _ds_data(root, forms)
    return _text(root)


def create_key_data(keys: Iterable[KeyEntry]) -> str:
    root = ET.Element(_q("create"))
    _key_data(root, keys)
    return _text(root)


def replace_ds_set(forms: Iterable[DsForm]) -> str:
    """Remove every DS the registry holds, add exactly *forms*."""
    root = ET.Element(_q("update"))
    remove = ET.SubElement(root, _q("rem"))
    _add(remove, "all", "true")
    forms = list(forms)
    if forms:
        _ds_data(ET.SubElement(root, _q("add")), forms)
    return _text(root)


__all__ = ["NAMESPACE", "create_ds_data", "create_key_data", "replace_ds_set"]
