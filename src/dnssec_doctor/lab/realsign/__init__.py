"""Lab zones signed by real signers: BIND's dnssec-signzone, ldns-signzone, Knot's kzonesign.

Each signer is driven through its own programs and its own fault mechanisms (signature
times, key timing metadata, removed key files, re-keying); the lab's dnspython signer is
not involved. A scenario signed this way is part of the lab only where its programs are
installed (`available`), so the lab still builds on a machine without them.
"""
