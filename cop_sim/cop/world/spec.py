"""The ``[world]`` section: the clinical landscape's size, ruggedness and context effects.

Every mechanism of the landscape is either an assumption or follows the NK "clinical fitness
landscape" of Eppstein, Horbar, Buzas and Kauffman (2012), PLoS ONE 7(11): e49901; see
docs/world.md. Cross-field limits (n_conditions <= n_topics, K < n_topics) are checked by
:func:`check_world`, because a single :class:`Param` sees only its own value.
"""

from __future__ import annotations

from cop_sim.params import InputError, Param, Prior, Spec
from cop_sim.vocab import CONDITIONS

_EPPSTEIN = "Eppstein et al. 2012, PLoS ONE 7(11):e49901"

WORLD_SPEC: Spec = {
    "n_practices": Param(
        4, "alternative care practices per topic (practice 0 = the single-disease guideline)",
        "practices", 2, 6, f"assumption; {_EPPSTEIN} give each clinical practice a few alternatives",
        prior=Prior(3, 5, "a guideline, a usual-care variant and one or two person-centred options")),
    "K": Param(
        2, "interaction partners per topic (NK K; 0 = additive landscape)", "topics", 0, 3,
        "assumption informed by Dumbreck et al. 2015, BMJ 350:h949 (many serious drug-disease and "
        f"drug-drug interactions between single-disease guidelines); {_EPPSTEIN} vary K. Capped at 3 "
        "so the tables stay small: (A+1)**K entries per practice",
        prior=Prior(1, 3, "Dumbreck et al. 2015 find interactions for every index condition studied")),
    "ruggedness": Param(
        0.5, "weight of the interaction term in a topic's contribution when K > 0", "0-1", 0.0, 1.0,
        "assumption",
        prior=Prior(0.25, 0.75, "interactions matter but do not swamp a practice's own effect")),
    "n_contexts": Param(
        128, "patient contexts in the catalogue (each with exact optimum computed once)", "contexts",
        1, 1024, "assumption (enough for the 112 condition/social combinations at the defaults)",
        prior=Prior(64, 256, "fewer repeat contexts too often; more only cost build time",
                    "loguniform")),
    "guideline_margin": Param(
        0.15, "how much better the guideline practice is in isolation than the best alternative",
        "value", 0.0, 0.5, "assumption (guidelines are tested on single-condition patients)",
        prior=Prior(0.05, 0.3, "a clear but not overwhelming advantage in isolation")),
    "social_shift": Param(
        0.3, "value social needs take from guideline practices and give to person-centred ones",
        "value", 0.0, 1.0, "assumption (seed 000: person-centred care for social needs)",
        prior=Prior(0.1, 0.5, "social context changes what works, not everything")),
    "burden_weight": Param(
        0.1, "value lost per unit of mean treatment burden of the practices used", "value",
        0.0, 0.5, "assumption (treatment burden in multimorbidity)",
        prior=Prior(0.0, 0.3, "burden matters less than the practices' own value")),
    "site_spread": Param(
        0.5, "between-CoP sd of condition and social-need prevalence", "logit", 0.0, 2.0,
        f"assumption; sites differ in context in {_EPPSTEIN} and Manukyan et al. 2013, IEEE Access 1",
        prior=Prior(0.1, 1.0, "prevalences differing by a factor of about 1.1 to 2.7 between sites")),
    "priority_spread": Param(
        0.5, "sd of a patient's log priority weights around equal weights", "log", 0.0, 2.0,
        "assumption (what matters differs between patients)",
        prior=Prior(0.2, 1.0, "priorities differ, none is negligible")),
    "patient_context": Param(
        True, "draw a catalogue of patient contexts; false = one context with every topic active, "
        "equal weights, no social need (March 1991 docking)", source="assumption"),
    "n_topics": Param(8, "topics of the landscape (conditions first)", "topics", 1, 64,
                      "vocab.CONDITIONS, then self_management and social_needs"),
    "n_conditions": Param(6, "condition topics (the first n_conditions topics)", "topics", 0, 64,
                          "vocab.CONDITIONS"),
}

DEFAULT_TOPICS = CONDITIONS + ("self_management", "social_needs")


def topic_names(n_topics: int, n_conditions: int) -> tuple[str, ...]:
    """The topics' names: the default vocabulary at the default sizes, else ``t01``, ``t02``, ..."""
    if n_topics == len(DEFAULT_TOPICS) and n_conditions == len(CONDITIONS):
        return DEFAULT_TOPICS
    return tuple(f"t{i + 1:02d}" for i in range(n_topics))


def topic_roles(n_topics: int, n_conditions: int) -> tuple[str, ...]:
    """Each topic's role: ``condition``, ``always`` (active for every patient) or ``social``.

    Conditions come first; the topic after them is self-management (always active), the next
    is social needs (active iff the patient has social needs); any later topic is always active.
    """
    roles = ["condition"] * n_conditions + ["always"] * (n_topics - n_conditions)
    if n_topics >= n_conditions + 2:
        roles[n_conditions + 1] = "social"
    return tuple(roles)


MAX_ACTIVE_RUGGED = 10  # exact optima of a rugged landscape search A**active combinations per context


def max_active(world: dict, patients: dict | None = None) -> int:
    """The most topics a patient context can have active (conditions, self-management, social)."""
    if not world["patient_context"]:
        return world["n_topics"]  # one context with every topic active
    most = patients["max_conditions"] if patients else world["n_conditions"]
    return min(most, world["n_conditions"]) + world["n_topics"] - world["n_conditions"]


def check_world(world: dict, source: str = "", patients: dict | None = None) -> None:
    """Raise InputError when the resolved ``[world]`` settings do not fit together.

    The rules on ``patients`` apply when it is given (a scenario's check; ``build_world`` alone
    raises ValueError when a drawn catalogue exceeds them).

    The documented cross-key rules (each refusal names both keys):
    - ``world.n_conditions <= world.n_topics`` and ``world.K <= world.n_topics - 1``;
    - with ``world.patient_context``, ``patients.max_conditions <= world.n_conditions`` (a patient's
      conditions are drawn from the condition topics);
    - with ``world.K > 0``, at most 10 topics active in a context: ``patients.max_conditions +
      world.n_topics - world.n_conditions <= 10`` (``world.n_topics <= 10`` without patient
      contexts), because the exact optima are exhaustive over the active topics.
    """
    if world["n_conditions"] > world["n_topics"]:
        raise InputError(source, "world.n_conditions",
                         f"got {world['n_conditions']}; allowed: at most world.n_topics "
                         f"({world['n_topics']})")
    if world["K"] > world["n_topics"] - 1:
        raise InputError(source, "world.K",
                         f"got {world['K']}; allowed: at most world.n_topics - 1 ({world['n_topics'] - 1})")
    if patients and world["patient_context"] and patients["max_conditions"] > world["n_conditions"]:
        raise InputError(source, "world.n_conditions",
                         f"got {world['n_conditions']}; allowed: at least patients.max_conditions "
                         f"({patients['max_conditions']}) when world.patient_context = true")
    active = max_active(world, patients)
    if patients and world["K"] > 0 and active > MAX_ACTIVE_RUGGED:
        how = ("world.n_topics" if not world["patient_context"] else
               "patients.max_conditions + world.n_topics - world.n_conditions")
        raise InputError(source, "world.n_topics",
                         f"got {world['n_topics']}: {how} = {active} topics can be active in a context; "
                         f"allowed: at most {MAX_ACTIVE_RUGGED} when world.K > 0 (exact optima), "
                         "or world.K = 0")
