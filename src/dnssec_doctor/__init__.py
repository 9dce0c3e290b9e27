"""dnssec-doctor: find the broken link in a DNSSEC chain of trust, name the cause, print the fix.

Importing the package changes nothing in other libraries: the command's entry
(``cli.entry``) alone installs the dnspython start-up shortcut (dnsfeatures).
"""

__version__ = "0.1.0"
