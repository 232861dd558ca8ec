"""Helper processes of a sweep exit when the sweep that started them dies.

A ``kill -9`` of the sweep (the OOM killer, or a user killing the PID ``ps`` shows) leaves
its worker processes, the forkserver and Dask's workers blocked on pipes nobody will ever
write to. Each of them therefore watches its parent: on Linux the kernel sends SIGKILL when
the parent dies (``prctl(PR_SET_PDEATHSIG)``), and everywhere a daemon thread polls
``os.getppid()``, which changes when the process is re-parented.

A process must know its parent's PID from the parent itself: by the time its own code runs,
the parent may be dead already and ``os.getppid()`` the PID of whatever adopted it. The
sweep therefore passes its PID to the fork server in :data:`PARENT_ENV`, and the fork
server passes its own to the workers it forks (``SERVER_PID``).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
POLL_SECONDS = 0.5
PARENT_ENV = "COP_SIM_FORKSERVER_PARENT"  # the PID of the process that starts a fork server


def _pdeathsig() -> bool:
    """Ask Linux to SIGKILL this process when the thread that created it exits (True when set)."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _poll(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os._exit(1)  # no clean-up: the parent is gone, and nobody reads what this process would finish


def watch_parent(pdeathsig: bool = True, parent: int | None = None) -> None:
    """Exit as soon as this process's parent dies.

    Args:
        pdeathsig: also use Linux's PR_SET_PDEATHSIG. It fires when the *thread* that started
            this process exits, so use it only for children of a single-threaded parent
            (a fork server's workers); the polling thread covers the others within a second.
        parent: the PID the parent had when it started this process, when known; a process
            whose parent died before this call then exits at once. (Not assumed to differ
            from 1: in a container the sweep itself may be PID 1.)
    """
    if pdeathsig:
        _pdeathsig()
    if parent is None:
        parent = os.getppid()
    elif os.getppid() != parent:  # the parent died before PR_SET_PDEATHSIG was set
        os._exit(1)
    threading.Thread(target=_poll, args=(parent,), name="cop-sim-lifeline", daemon=True).start()


def parent_from_env() -> int | None:
    """The PID :data:`PARENT_ENV` gives, or None when it is unset or not a PID."""
    text = os.environ.get(PARENT_ENV, "")
    return int(text) if text.isdigit() and int(text) > 0 else None


def watch_fork_server() -> None:
    """Pool initializer of a fork server's worker: exit with the fork server (hence with the sweep)."""
    server = sys.modules.get("cop_sim.experiment.forkserver_lifeline")  # imported by the fork server
    watch_parent(pdeathsig=True, parent=getattr(server, "SERVER_PID", None))


def dask_setup(worker) -> None:  # noqa: ANN001 - distributed's preload hook
    """Dask preload hook: a LocalCluster worker process exits when the sweep's process dies."""
    watch_parent(pdeathsig=False)
