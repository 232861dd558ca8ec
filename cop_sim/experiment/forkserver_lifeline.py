"""Imported by a local sweep's fork server (``set_forkserver_preload``): it exits with the sweep.

The fork server is started by whichever thread first starts a pool, so it watches its
parent by polling rather than with PR_SET_PDEATHSIG (see :mod:`cop_sim.experiment.lifeline`).
"""

import os

from cop_sim.experiment.lifeline import watch_parent

SERVER_PID = os.getpid()  # the workers it forks inherit this: their parent's PID
watch_parent(pdeathsig=False)
