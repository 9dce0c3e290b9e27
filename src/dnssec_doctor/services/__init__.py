"""The calls every front end makes: the command line today, the monitor, the web page and
the scanner next. Each module is one service, end to end, with its options and errors:

- `check`: probe (collect the evidence), check (collect, analyse, diagnose) and check
  saved evidence; time, name and type parsing shared by every service;
- `verify`: verify a signed zone file or transfer, with its DS from a file or the parent
  (`parent_ds`).

A front end imports only this layer, `model` and `render`. The modules are imported one
by one (not re-exported here) so that a check does not load the zone verifier.
"""
