import sys

from dnssec_doctor.cli import main

sys.exit(main())
