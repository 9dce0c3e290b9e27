"""dnssec-doctor: find the broken link in a DNSSEC chain of trust, name the cause, print the fix."""

from dnssec_doctor import dnsfeatures

__version__ = "0.1.0"

# before any module of ours imports dnspython: its feature check would import
# importlib.metadata on every start (see dnsfeatures)
dnsfeatures.install()
