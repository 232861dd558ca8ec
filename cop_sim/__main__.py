"""``python -m cop_sim``."""

import sys

from cop_sim.cli import main

sys.exit(main())
