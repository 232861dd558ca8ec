"""Sums over runs of equal index in a sorted index array (encounters grouped by practitioner)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

# Above this many rows a sparse product beats np.add.reduceat along axis 0, which is slow
# for narrow 2-D arrays (measured: 160,000 x 25 rows, 4 ms against 40 ms).
SPARSE_FROM = 4096


class Groups:
    """The runs of equal values in a sorted index array, and sums over them."""

    def __init__(self, index: np.ndarray):
        first = np.empty(len(index), dtype=bool)
        first[0] = True
        np.not_equal(index[1:], index[:-1], out=first[1:])
        self.starts = np.flatnonzero(first)
        self.counts = np.diff(np.append(self.starts, len(index)))
        self.keys = index[self.starts]
        self._matrix = None

    def sum(self, x: np.ndarray) -> np.ndarray:
        """Sum of the rows of ``x`` (1-D or 2-D) within each group."""
        if len(x) < SPARSE_FROM:
            return np.add.reduceat(x, self.starts, axis=0)
        if self._matrix is None:
            n = len(x)
            indptr = np.append(self.starts, n)
            self._matrix = sp.csr_matrix((np.ones(n), np.arange(n), indptr), shape=(len(self.starts), n))
        return self._matrix @ x

    def argmax(self, x: np.ndarray) -> np.ndarray:
        """Row position of the largest value of 1-D ``x`` in each group (the last of ties)."""
        top = np.maximum.reduceat(x, self.starts)
        at_top = np.where(x == np.repeat(top, self.counts), np.arange(len(x)), -1)
        return np.maximum.reduceat(at_top, self.starts)
