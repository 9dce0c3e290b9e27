"""dnssec-doctor: find the broken link in a DNSSEC chain of trust, name the cause, print the fix."""

__version__ = "0.1.0"
