"""`dnsviz probe`, pointed at the lab: run with the DNSViz environment's Python as
``python dnsviz_probe.py PROBE-ARGS...`` (what ``dnsviz probe PROBE-ARGS...`` does).

In ``-A`` mode DNSViz ``connect()``s a UDP socket to a.root-servers.net's real address to
see whether the machine has connectivity (no packet is sent). This launcher points that
test at the lab's first root server (DDBENCH_A_ROOT_IPV4) and at ::1 instead. It refuses
to run unless DNSVIZ_SHARE_PATH holds a hints file: without one DNSViz would fall back
to the real root servers' addresses.
"""

import logging
import os
import sys


def main() -> int:
    share = os.environ.get("DNSVIZ_SHARE_PATH", "")
    hints = os.path.join(share, "hints", "named.root")
    if not share or not os.path.isfile(hints):
        sys.stderr.write(f"dnsviz_probe: no lab root hints at {hints!r}; refusing to run\n")
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(message)s")  # as bin/dnsviz
    from dnsviz.commands import probe
    from dnsviz.ipaddr import IPAddr

    probe.A_ROOT_IPV4 = IPAddr(os.environ["DDBENCH_A_ROOT_IPV4"])
    probe.A_ROOT_IPV6 = IPAddr(os.environ.get("DDBENCH_A_ROOT_IPV6", "::1"))
    probe.main(["probe", *sys.argv[1:]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
