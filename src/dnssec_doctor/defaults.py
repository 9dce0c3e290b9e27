"""Default values shared by the command line and the code behind it.

Kept in a module of their own, free of imports, so that the command line can show them
without loading the machinery of every command at start-up.
"""

WARN_DAYS = 7.0  # warn when signatures expire within this many days
QUERY_TIMEOUT = 2.0  # seconds to wait for one answer (one retry follows)
# verify's zone transfer and walk to the parent: a transfer's first answer can take longer
VERIFY_TIMEOUT = 5.0
BUILTIN_LAB_PORT = 5300  # the built-in lab server's port (no root needed)
CRITICAL_DAYS = 2.0  # critical when signatures expire within this many days (monitor, Nagios)
CHECK_JOBS = 8  # names checked at once by check with several names, scan
