"""Teams of CoPs within a learning community, formed by how alike their patients are.

Manukyan, Eppstein and Horbar 2013 (IEEE Access 1) split a quality-improvement collaborative's
sites into teams that share only among themselves, and compare teams of similar sites with teams
of diverse ones. Here a CoP's context is its *patient mix*: the share of its patients with each
condition and with social needs (what a collaborative could know of its sites from their data).
Context distance is the Euclidean distance between two CoPs' mixes. Teams are formed from that
alone, with no random draw: a pure function of the patients the seed drew.

How teams are formed is this module's assumption (the original's procedure was not checked):
- ``similar``: the CoP farthest from the centre of those left seeds a team and takes its nearest
  neighbours among those left (extreme CoPs first, so the last team is not a left-over mix);
- ``diverse``: the CoPs, in the order the similar teams took them, are dealt round-robin, so
  alike CoPs land in different teams and every team spans the range of mixes.
"""

from __future__ import annotations

import numpy as np

from cop_sim.params import InputError


def check(resolved: dict, n_cops: int, source: str = "") -> None:
    """Refuse more teams than CoPs, in the scenario or in an event (one line naming the key)."""
    found = [("learning_community.teams", resolved["learning_community"]["teams"])]
    for i, ev in enumerate(resolved["events"]):  # events are checked for shape before this
        if "learning_community.teams" in ev["set"]:
            found.append((f"events[{i}].set.learning_community.teams", ev["set"]["learning_community.teams"]))
    for key, teams in found:
        if teams > max(n_cops, 1):
            raise InputError(source, key,
                             f"{teams} teams for {n_cops} CoPs; allowed: 0 (one community of all) to n_cops")


def profiles(ctx: np.ndarray, cop: np.ndarray, n_cops: int, ctx_active: np.ndarray,
             ctx_social: np.ndarray, n_conditions: int) -> np.ndarray:
    """Each CoP's patient mix, float64[n_cops, n_conditions + 1].

    Args:
        ctx: patients' context indices by practitioner and panel slot (-1 = no patient).
        cop: each practitioner's CoP.
        n_cops: number of CoPs.
        ctx_active, ctx_social, n_conditions: the world's catalogue (which topics each context has).

    Returns:
        Shares of the CoP's patients with each condition, then with social needs. A CoP without
        patients (managers only) gets the mean of all patients, so it is near every team.
    """
    feats = np.concatenate([ctx_active[:, :n_conditions], ctx_social[:, None] == 1], axis=1).astype(float)
    seen = ctx >= 0
    overall = feats[ctx[seen]].mean(axis=0) if seen.any() else np.zeros(feats.shape[1])
    # features are 0/1, so these sums are exact in any order: the same means as a loop per CoP
    where = np.broadcast_to(cop[:, None], ctx.shape)[seen]
    n = np.bincount(where, minlength=n_cops)
    sums = np.stack([np.bincount(where, weights=f, minlength=n_cops) for f in feats[ctx[seen]].T], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = sums / n[:, None]
    out[n == 0] = overall
    return out


def _sizes(n: int, teams: int) -> list[int]:
    return [n // teams + (1 if g < n % teams else 0) for g in range(teams)]


def form(profile: np.ndarray, teams: int, team_by: str) -> np.ndarray:
    """Each CoP's team, int64[n_cops]; all zeros (one community) when ``teams`` <= 1.

    Deterministic: ties are broken by CoP index.
    """
    n = len(profile)
    team = np.zeros(n, dtype=np.int64)
    if teams <= 1 or n == 0:
        return team
    left = list(range(n))
    order: list[int] = []  # CoPs in the order the similar teams took them
    for g, size in enumerate(_sizes(n, teams)):
        rest = profile[left]
        centre = rest.mean(axis=0)
        seed = left[int(np.argmax(np.linalg.norm(rest - centre, axis=1)))]
        d = np.linalg.norm(profile[left] - profile[seed], axis=1)
        take = [left[i] for i in np.argsort(d, kind="stable")[:size]]  # the seed itself is at 0
        team[take] = g
        order.extend(take)
        left = [c for c in left if c not in take]
    if team_by == "diverse":
        for p, c in enumerate(order):
            team[c] = p % teams
    return team


def within_distance(profile: np.ndarray, team: np.ndarray) -> float:
    """Mean context distance between two CoPs of the same team (NaN with no such pair)."""
    d = np.linalg.norm(profile[:, None, :] - profile[None, :, :], axis=2)
    same = (team[:, None] == team[None, :]) & ~np.eye(len(team), dtype=bool)
    return float(d[same].mean()) if same.any() else float("nan")
