"""The lab: private signed DNS trees with chosen faults, served on loopback."""
