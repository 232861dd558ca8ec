"""Stories along ties between meetings: a hallway conversation (issue 24, "Who talks to whom").

With the advice network on (``network.enabled``) and ``network.hallway_rate`` above 0, each week
every practitioner who has a case to tell (``pr.st_patient``, the most surprising case since
their last telling) tells it, with chance ``hallway_rate``, to one of their ties drawn at random.
The story is the meeting's (:func:`cop_sim.cop.stories.tell`) heard by one listener: the same
weight (``story_weight`` x the teller's voice x the listener's trust in them), the same review
trigger, and in the ``"configurations"`` arm the same case. A tie in another CoP hears it as a
session's stranger does (:func:`cop_sim.cop.upkeep._tell_stranger`: at ``meeting.initial_trust``).
Nobody moderates a hallway, so the teller's voice is their status's under the hierarchy
(``voice(status, 0)``, as at sessions). Telling a colleague does not use the case up: it may
still be brought to the next meeting (assumption).

Each conversation is one message to one listener in either Eppstein et al. (2012) arm
(``pr.heard`` and the tally ``messages``), and is counted in ``tie_stories``. Who talks and to
whom is drawn from each CoP's own generator of the stream ``hallway``, and only when the rate is
above 0 (the model does not call :func:`talk` at 0), so rate 0 is the run without hallway
stories, bit for bit, and no other stream moves at a positive rate except where a listener acts
on a case (the ``meetings`` stream of the listener's CoP, as at sessions).
"""

from __future__ import annotations

import numpy as np

from cop_sim.borrow import lent_generator
from cop_sim.cop.stories import M_TIE_STORIES, tell, voice
from cop_sim.cop.upkeep import _tell_stranger
from cop_sim.kernel import njit


@njit
def talk(world, pr, pa, cp, kn, week, choose, listen, tally):
    """One week of hallway stories along ties; ``tally`` is the week's MEETING_TALLY.

    Row c of ``choose`` is CoP c's own generator of the ``hallway`` stream: its members' draws of
    whether to talk and to whom, all taken before any story is told, so both Eppstein arms choose
    the same tellers and listeners. Row c of ``listen`` is CoP c's own ``meetings`` generator, drawn
    from only when stories carry cases (a listener of CoP c deciding whether to act on one, as at
    a session).
    """
    ties = pr.ties
    if ties.shape[1] == 0:
        return
    C, m = cp.members.shape
    partner = np.full((C, m), -1, dtype=np.int64)
    for c in range(C):  # who talks to whom: every draw first
        rng = lent_generator(choose, c)
        for q in range(m):
            i = cp.members[c, q]
            if i < 0 or pr.st_patient[i] < 0:
                continue
            if rng.random() >= kn.hallway_rate:
                continue
            d = 0
            while d < ties.shape[1] and ties[i, d] >= 0:
                d += 1
            if d > 0:
                partner[c, q] = ties[i, rng.integers(0, d)]
    att = np.zeros(m, dtype=np.bool_)
    for c in range(C):  # then the stories, in member order
        for q in range(m):
            j = partner[c, q]
            if j < 0:
                continue
            i = cp.members[c, q]
            k = pr.st_patient[i]
            v = voice(pr.status[i], 0.0, kn)
            lc = pr.cop[j]
            rng = lent_generator(listen, lc)
            att[:] = False
            att[pr.slot[j]] = True
            if lc == c:
                tell(world, pr, pa, cp, kn, c, i, k, q, v, att, pa.known[i, k], False, i, week, rng, tally)
            else:
                _tell_stranger(world, pr, pa, cp, kn, lc, i, k, v, att, week, rng, tally)
            tally[M_TIE_STORIES] += 1.0
