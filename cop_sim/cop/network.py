"""Who asks whom: an advice and referral network among practitioners (issue 24, "Who talks to whom").

Off by default: a practitioner then asks the member of their own CoP they trust most (0.2's
rule, ``plan._colleague``). With ``network.enabled`` the adviser (coordination) or co-planner
(collaboration) is the tie they trust most, and only a tie: ties within a CoP at density
``within_density`` with clustering ``within_clustering``, and ties to members of other CoPs at
density ``between_density`` (the share of possible pairs tied). A tie in another CoP is trusted
at ``meeting.initial_trust`` (nobody's stories have tested it).

Sparse against dense networks is the question of Lazer and Friedman (2007, Administrative
Science Quarterly 52:667) and Zollman (2007, Philosophy of Science 74:574): which one learns
better is for the model to show (``experiments/network_sparse_vs_dense.toml``).

Construction (no other stream moves: each CoP draws from its own child of the stream
``network``): within a CoP of m members, round(density * m(m-1)/2) ties at random, then
triadic-closure swaps towards the target clustering (close an open triad, drop a tie outside any
triangle; or the reverse), keeping the density. Between CoPs, each member draws Binomial(others,
d/2) partners among the other CoPs' members (an undirected tie either side drew: about d).
``pr.ties[i]`` lists i's partners (-1 padded; no columns when the network is off).
"""

from __future__ import annotations

import numpy as np

from cop_sim.params import Param, Prior

NETWORK_SPEC = {
    "enabled": Param(False, "advice and referral follow a network of ties (off: the most trusted member of "
                     "one's own CoP)", "-", source="issue 24 ('who talks to whom'); assumption"),
    "within_density": Param(0.3, "share of pairs of members of a CoP who are tied", "0-1", 0.0, 1.0,
                            "assumption", prior=Prior(0.1, 0.6, "assumption: sparse to dense teams")),
    "within_clustering": Param(0.5, "target clustering of the ties within a CoP (share of closed triads); "
                               "reached as far as the CoP's size and density allow", "0-1", 0.0, 1.0,
                               "assumption", prior=Prior(0.2, 0.8, "assumption")),
    "between_density": Param(0.0, "share of pairs of practitioners of different CoPs who are tied", "0-1",
                             0.0, 1.0, "assumption (0: advice stays within a CoP)",
                             prior=Prior(0.0, 0.05, "assumption: few referrals across CoPs")),
    "session_ties": Param(True, "delegates who meet at a learning session (or symposium) become tied to the "
                          "delegates of the other CoPs there, so later advice can cross CoPs along the tie "
                          "(only with the network enabled; none beyond spare_ties new ties each)", "-",
                          source="issue 24 ('ties between delegates in learning sessions'); seed 002 "
                          "(learning between initiatives); assumption"),
    "spare_ties": Param(8, "most ties a practitioner can gain at sessions (columns kept free in pr.ties; "
                        "a tie either side has no room for is not formed)", "ties", 0, 64,
                        "assumption (a bound on memory: 4 sessions a year of 2 delegates from 4 CoPs "
                        "give each delegate at most 6 partners)"),
    "hallway_rate": Param(0.0, "weekly chance that a practitioner with a case to tell tells it to one of "
                          "their ties between meetings (a hallway conversation; 0 = none)", "1/week",
                          0.0, 1.0,
                          "assumption (no rate found to cite: off by default)",
                          prior=Prior(0.0, 0.25, "assumption: up to one such conversation a month")),
}
SWAPS = 50  # closure swaps per tie, at most (enough to settle a CoP's clustering at m <= 60)
STUCK = 30  # swaps in a row that bring it no nearer, before stopping


def clustering(adj: np.ndarray) -> float:
    """Global clustering (transitivity) of a symmetric boolean adjacency: 3 triangles / connected triads."""
    a = adj.astype(np.int64)
    closed = np.trace(a @ a @ a)  # 6 x triangles
    deg = a.sum(axis=1)
    triads = (deg * (deg - 1)).sum()  # 2 x connected triads
    return float(closed / triads) if triads else 0.0


def density(adj: np.ndarray) -> float:
    """Share of possible pairs tied."""
    m = len(adj)
    return float(adj.sum() / (m * (m - 1))) if m > 1 else 0.0


def within(m: int, dens: float, target: float, rng: np.random.Generator) -> np.ndarray:
    """A CoP's ties: m members, density ``dens``, clustering moved towards ``target`` by swaps."""
    adj = np.zeros((m, m), dtype=bool)
    iu = np.triu_indices(m, 1)
    n_ties = int(round(dens * len(iu[0])))
    if n_ties == 0:
        return adj
    pick = rng.choice(len(iu[0]), n_ties, replace=False)
    adj[iu[0][pick], iu[1][pick]] = True
    adj |= adj.T
    if n_ties == len(iu[0]):
        return adj
    c = clustering(adj)
    stuck = 0
    for _ in range(SWAPS * n_ties):
        if stuck > STUCK:  # no swap has brought it nearer for a while: as near as this CoP allows
            break
        if abs(c - target) < 0.01:
            break
        a = adj.astype(np.int64)
        common = a @ a  # shared partners of each pair
        upper = np.triu(np.ones_like(adj), 1)
        tie, gap = adj & upper, ~adj & upper
        if c < target:  # close the most open triads, drop a tie closing the fewest
            add = np.argwhere(gap & (common == common[gap].max()))
            drop = np.argwhere(tie & (common == common[tie].min()))
        else:  # add a tie closing the fewest triads, drop one closing the most
            add = np.argwhere(gap & (common == common[gap].min()))
            drop = np.argwhere(tie & (common == common[tie].max()))
        if not len(add) or not len(drop):
            break
        x, y = add[rng.integers(len(add))], drop[rng.integers(len(drop))]
        adj[x[0], x[1]] = adj[x[1], x[0]] = True
        adj[y[0], y[1]] = adj[y[1], y[0]] = False
        c2 = clustering(adj)
        if abs(c2 - target) > abs(c - target):  # no nearer: undo
            adj[x[0], x[1]] = adj[x[1], x[0]] = False
            adj[y[0], y[1]] = adj[y[1], y[0]] = True
            stuck += 1
        else:
            c, stuck = c2, 0
    return adj


def none(n: int) -> np.ndarray:
    """No network: ``pr.ties`` without columns (advice goes to the most trusted member of one's CoP)."""
    return np.zeros((n, 0), dtype=np.int64)


def build(resolved: dict, members: np.ndarray, cop: np.ndarray, rngs: list) -> np.ndarray:
    """``pr.ties`` int64[N, D]: each practitioner's partners (-1 padded; D = 0 with the network off).

    Args:
        resolved: the resolved scenario (its ``[network]``).
        members: ``cp.members`` (C x slots, -1 padded).
        cop: each practitioner's CoP.
        rngs: each CoP's own generator of the ``network`` stream (only drawn when enabled).
    """
    net, n = resolved["network"], len(cop)
    if not net["enabled"]:
        return none(n)
    partners: list[set[int]] = [set() for _ in range(n)]
    for c in range(len(members)):
        mem = members[c][members[c] >= 0]
        adj = within(len(mem), net["within_density"], net["within_clustering"], rngs[c])
        for a, b in np.argwhere(np.triu(adj, 1)):
            partners[mem[a]].add(int(mem[b]))
            partners[mem[b]].add(int(mem[a]))
    if net["between_density"] > 0:
        for c in range(len(members)):
            others = np.flatnonzero(cop != c)
            for i in members[c][members[c] >= 0]:
                k = rngs[c].binomial(len(others), net["between_density"] / 2)
                for j in rngs[c].choice(others, k, replace=False):
                    partners[i].add(int(j))
                    partners[int(j)].add(int(i))
    width = max((len(p) for p in partners), default=0)
    if net.get("session_ties", False):  # room for the ties delegates gain at sessions (tie_delegates)
        width += net["spare_ties"]
    out = np.full((n, max(width, 1)), -1, dtype=np.int64)
    for i, p in enumerate(partners):
        out[i, :len(p)] = sorted(p)
    return out


def tie(ties: np.ndarray, i: int, j: int) -> bool:
    """Tie i and j in ``pr.ties`` if both rows have a free column; False if they were tied or had none.

    Rows stay packed (partners first, then -1), as :func:`cop_sim.cop.plan._colleague` reads them.
    """
    if i == j or (ties[i] == j).any():
        return False
    free_i, free_j = np.flatnonzero(ties[i] < 0), np.flatnonzero(ties[j] < 0)
    if not len(free_i) or not len(free_j):
        return False  # no spare column: the width of pr.ties bounds the ties (network.spare_ties)
    ties[i, free_i[0]] = j
    ties[j, free_j[0]] = i
    return True


def tie_delegates(ties: np.ndarray, delegates: np.ndarray, cop: np.ndarray, team: np.ndarray) -> int:
    """Delegates who met at a session: each is tied to the delegates of the other CoPs of its team.

    Issue 24 ("ties between delegates in learning sessions"). No draw: everyone in the room meets
    everyone (the session's stories go to every other CoP's delegates too, ``upkeep.session``).
    Only with the network on (``pr.ties`` has columns). Returns the number of new ties.

    Args:
        ties: ``pr.ties`` (changed in place).
        delegates: the session's delegates (practitioner indices), in the session's order.
        cop: each practitioner's CoP.
        team: each CoP's team in this session (all zeros: one room of all CoPs).
    """
    if ties.shape[1] == 0:
        return 0
    n = 0
    for x, i in enumerate(delegates):
        for j in delegates[x + 1:]:
            if cop[i] != cop[j] and team[cop[i]] == team[cop[j]]:
                n += tie(ties, int(i), int(j))
    return n
