"""Belief contexts: the coarse context a practitioner's beliefs about a practice are conditional on.

In the world's NK landscape a topic's contribution depends on its own practice and on the
practices of its K interaction partners, a partner absent from the patient's context counting as
level A (Eppstein et al. 2012; ``world/kernels.py``). So "the guideline fails in combination with
X" is a fact about a practice *given which partners are present*. ``practice.belief_context``
chooses what beliefs are conditional on:

- ``"social"`` (0.2): whether the patient's social needs are known to be present, two contexts;
- ``"partners"`` (0.3): that, and per topic t which of t's K partners are active and visible in
  the patient's context, a bitmask ``g`` in [0, 2**K): ``b = s * 2**K + g``, 2 * 2**K contexts
  (at most 16, K <= 3).

A partner is visible when it is active and, for the social-needs topic (hidden until the
patient's context is known), when the context is known: an unaddressed topic counts as absent in
the landscape too, so the belief context is what the plan's value depends on.

Every belief read or write goes through :func:`belief_ctx` with the world's table
``world.ctx_bctx`` (int64[2, C, T]: [known, context, topic]), built once with the world.
"""

from __future__ import annotations

import numpy as np

from cop_sim.kernel import njit_inline

BELIEF_CONTEXTS = ("partners", "social")
SOCIAL = 2  # social contexts: 0 no social needs (or not known), 1 social needs known


def partner_masks(K: int, layout: str) -> int:
    """How many partner masks a layout distinguishes: 2**K with ``"partners"``, else 1."""
    if layout not in BELIEF_CONTEXTS:
        raise ValueError(f"belief context: got {layout!r}; allowed: {', '.join(BELIEF_CONTEXTS)}")
    return 2 ** K if layout == "partners" else 1


def belief_table(partners: np.ndarray, K: int, ctx_active: np.ndarray, ctx_social: np.ndarray,
                 hidden: np.ndarray, layout: str) -> np.ndarray:
    """Each context's belief context per topic, as known and as not known: int64[2, C, T].

    Args:
        partners: int64[T, max(K, 1)], topic t's partners.
        K: partners per topic.
        ctx_active: bool[C, T], the topics each catalogue context has.
        ctx_social: int64[C], 1 when the context has social needs.
        hidden: bool[T], topics seen only once the patient's context is known (social needs).
        layout: one of :data:`BELIEF_CONTEXTS`.
    """
    G = partner_masks(K, layout)
    C, T = ctx_active.shape
    out = np.zeros((2, C, T), dtype=np.int64)
    for known in (0, 1):
        s = ctx_social.astype(np.int64) if known else np.zeros(C, dtype=np.int64)
        visible = ctx_active & (bool(known) | ~hidden[None, :])
        g = np.zeros((C, T), dtype=np.int64)
        if G > 1:
            for j in range(K):
                g += visible[:, partners[:, j]].astype(np.int64) << j
        out[known] = s[:, None] * G + g
    return out


@njit_inline
def belief_ctx(table, ctx, known, t):
    """The belief context of topic t for a patient in catalogue context ``ctx``.

    ``table`` is ``world.ctx_bctx`` (hoisted by the caller: a structref field read costs in a
    loop); ``known``: whether the practitioner knows the patient's context.
    """
    return table[1 if known else 0, ctx, t]
