"""The CoP model's week as a few compiled calls: the fixed per-week Python cost, won back.

A week of the default scenario (48 practitioners, ~130 visits) is ~100 us of kernel work, but
each Python-side step around it cost as much: numpy temporaries for capacity and pressure,
~35 us to unbox each random generator passed to a kernel, a SimPy calendar step, the
turnover draw and the recorder. Here the week is

- :func:`open_week`: reset the week's tallies and CoP hours, then hold the week's meetings;
- (the model's learning sessions, in Python, when there are any);
- :func:`close_week`: capacity, care, repository use and forgetting, and the turnover draw;
- (the model replaces leavers in Python, in the rare weeks there are any);
- :func:`record`: the week's tallies and measures into the recorder's arrays;

and the burn-in is one call (:func:`burn_in`). All of them take one :class:`RunRef` (the run's
arrays, generators and recorder arrays behind one pointer) and two named tuples of scalars.
Every draw is taken from the CoP's own generator of the named stream (``run.rng_care`` and
the others are tables of generators, a row per CoP: ``borrow.generator_table``), and every
float is computed by the same operations in the same order as the Python code it replaced.
Sums that numpy computes pairwise (pressure's demand denominator, the week's CoP hours) stay in
numpy, in the model.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from cop_sim.borrow import lent_generator
from cop_sim.cop.care import CARE_TALLY, care_week
from cop_sim.cop.outcomes import _T, _measures
from cop_sim.cop.stories import MEETING_TALLY, meet
from cop_sim.cop.upkeep import beliefs_week
from cop_sim.kernel import njit

N_CARE = len(CARE_TALLY)
MEET0, N_MEET = _T[MEETING_TALLY[0]], len(MEETING_TALLY)


class Weekly(NamedTuple):
    """The scalar settings of the week's own bookkeeping (capacity, forgetting, turnover)."""

    panel_time_share: float
    cop_time_from_panel: float
    encounter_hours: float
    pdsa_hours: float
    forgetting: float
    leave_p: float  # weekly chance of leaving; < 0 means no turnover draw at all (rate 0)


def weekly(resolved: dict, n: int) -> Weekly:
    """The week's settings from a resolved scenario with ``n`` practitioners."""
    prac, rate = resolved["practice"], resolved["turnover"]["annual_rate"]
    # the weekly chance of a yearly rate; no draw at all when turnover is off
    leave_p = 1.0 - (1.0 - rate) ** (1 / 52) if rate > 0 and n > 0 else -1.0
    return Weekly(float(prac["panel_time_share"]), float(prac["cop_time_from_panel"]),
                  float(prac["encounter_hours"]), float(resolved["meeting"]["pdsa_hours"]),
                  float(prac["forgetting"]), float(leave_p))


def pressure_denominator(pa) -> np.ndarray:
    """Each practitioner's backlog at full pressure: four weeks of demand (at least 1).

    Kept in numpy: its pairwise sum is what the meetings' pressure has always used.
    """
    return np.maximum(pa.demand.sum(axis=1) * 4, 1.0)


@njit
def _care(run, kn, wk, clock):
    """One week of care at ``clock``, within capacity net of CoP hours and owed joint work.

    Each member's time per visit (``pr.visit_time``) is the week's visit slots over the patients
    asking (the week's demand and the backlog), at most 1: what limits a visit's extras.
    """
    pr, rngs, members, asked = run.pr, run.rng_care, run.cp.members, run.pa.asked
    hours, contact, cop_hours, debt, cap = pr.hours, pr.contact, pr.cop_hours, pr.debt, run.cap
    time = pr.visit_time
    for c in range(members.shape[0]):  # one draw per member, from the CoP's own generator
        rng = lent_generator(rngs, c)
        for q in range(members.shape[1]):
            i = members[c, q]
            if i < 0:
                continue
            panel = hours[i] * wk.panel_time_share - cop_hours[i] * wk.cop_time_from_panel
            slots = max(panel, 0.0) * contact[i] / wk.encounter_hours - debt[i]
            cap[i] = np.int64(np.floor(max(slots, 0.0) + rng.random()))
            debt[i] = 0.0
            if kn.time_limit > 0.0:  # time per visit: the week's visit slots over the patients asking
                n_ask = 0
                for k in range(asked.shape[1]):
                    n_ask += asked[i, k] <= clock
                time[i] = min(1.0, max(slots, 0.0) / n_ask) if n_ask > 0 else 1.0
    care_week(run.world, pr, run.pa, run.cp, kn, run.hidden, cap, clock, rngs, run.tally[:N_CARE], run.tc,
              run.chosen, run.key, run.order, run.v)


@njit
def burn_in(run, kn, wk, weeks, clock):
    """``weeks`` weeks of care from ``clock`` with no CoP; their tallies are then discarded."""
    for w in range(weeks):
        _care(run, kn, wk, clock + w)
    run.tally[:] = 0.0
    run.tc[:] = 0.0


@njit
def open_week(run, kn, wk, cm, clock):
    """Start a week: zero its tallies and CoP hours, charge structured tests, hold meetings ``cm``."""
    pr, pa, cp = run.pr, run.pa, run.cp
    run.tally[:] = 0.0
    run.tc[:] = 0.0
    cop_hours, attended, cop, mentor = pr.cop_hours, pr.attended, pr.cop, cp.mentor
    for i in range(cop_hours.shape[0]):
        cop_hours[i] = 0.0
        attended[i] = False
        if mentor[cop[i]]:
            cop_hours[i] += wk.pdsa_hours  # structured tests cost time
    if len(cm) == 0:
        return
    asked, denom, pressure = pa.asked, run.denom, run.pressure
    for i in range(asked.shape[0]):
        backlog = 0
        for k in range(asked.shape[1]):
            backlog += asked[i, k] <= clock
        pressure[i] = min(backlog / denom[i], 1.0)
    meet(run.world, pr, pa, cp, kn, cm, pressure, clock, run.rng_meet, run.tally[MEET0:MEET0 + N_MEET],
         run.tc)


@njit
def close_week(run, kn, wk, clock):
    """Care, repository use and forgetting, then who leaves: their indices in ``run.leavers``.

    Returns the number of leavers (the model replaces them: see ``upkeep.replace``).
    """
    _care(run, kn, wk, clock)
    # with March's stepwise socialisation the repository is used in a step of its own (the model's)
    # news from the repository that changes a preferred practice makes plans due a review from the
    # next care week (this week's care has been: its reviews were before the news)
    beliefs_week(run.pr, run.cp, 0.0 if kn.stepwise else kn.repo_use, wk.forgetting,
                 clock + 1 if kn.repo_triggers else -1)
    n = 0
    if wk.leave_p >= 0.0:  # one draw per member, from the CoP's own generator
        rngs, leavers, members = run.rng_turn, run.leavers, run.cp.members
        for c in range(members.shape[0]):
            rng = lent_generator(rngs, c)
            for q in range(members.shape[1]):
                i = members[c, q]
                if i >= 0 and rng.random() < wk.leave_p:
                    leavers[n] = i
                    n += 1
    return n


@njit
def record(run, row, week):
    """Write the week's tallies, per-CoP tallies and measures into row ``row`` of the recorder."""
    _measures(run.pr, run.cp, run.cop_prio, run.rec_measures[row])
    run.rec_tallies[row, :] = run.tally
    run.rec_per_cop[row] = run.tc
    run.rec_weeks[row] = week
