"""Imported by a local sweep's fork server (``set_forkserver_preload``): it exits with the sweep.

The fork server is started by whichever thread first starts a pool, so it watches its
parent by polling rather than with PR_SET_PDEATHSIG (see :mod:`cop_sim.experiment.lifeline`).
It is the first module the fork server imports, and it imports nothing heavy, so the watch
begins within a few tenths of a second. It watches the PID the sweep put in its environment,
not ``os.getppid()``: a sweep killed during the fork server's start-up has already left it
to another parent, and a fork server that kept running would fork the sweep's workers when
its preload ends, each of them kept alive by the others' pipes.
"""

import os

from cop_sim.experiment.lifeline import parent_from_env, watch_parent

SERVER_PID = os.getpid()  # the workers it forks inherit this: their parent's PID
watch_parent(pdeathsig=False, parent=parent_from_env())
