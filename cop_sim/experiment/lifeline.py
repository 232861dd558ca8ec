"""Helper processes of a sweep exit when the sweep that started them dies.

A ``kill -9`` of the sweep (the OOM killer, or a user killing the PID ``ps`` shows) leaves
its worker processes, the forkserver and Dask's workers blocked on pipes nobody will ever
write to. Each of them therefore watches its parent: on Linux the kernel sends SIGKILL when
the parent dies (``prctl(PR_SET_PDEATHSIG)``), and everywhere a daemon thread polls
``os.getppid()``, which changes when the process is re-parented.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
POLL_SECONDS = 0.5


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


def watch_parent(pdeathsig: bool = True) -> None:
    """Exit as soon as this process's parent dies.

    Args:
        pdeathsig: also use Linux's PR_SET_PDEATHSIG. It fires when the *thread* that started
            this process exits, so use it only for children of a single-threaded parent
            (a fork server's workers); the polling thread covers the others within a second.
    """
    parent = os.getppid()
    if pdeathsig:
        _pdeathsig()
    if parent == 1:  # already orphaned before we looked
        os._exit(1)
    threading.Thread(target=_poll, args=(parent,), name="cop-sim-lifeline", daemon=True).start()


def dask_setup(worker) -> None:  # noqa: ANN001 - distributed's preload hook
    """Dask preload hook: a LocalCluster worker process exits when the sweep's process dies."""
    watch_parent(pdeathsig=False)
