from dnssec_doctor.cli import entry

entry()
