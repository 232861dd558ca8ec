"""A collaborative's change package: target practices on named topics, and where they apply.

Evaluations of collaboratives measure adherence to the practices the collaborative targeted,
among the patients each measure concerns (EvidenceNOW, Balasubramanian et al. 2022: the share of
eligible patients receiving aspirin, blood-pressure control, ...). A scenario declares them in
``[change_package]``::

    [change_package]
    name = "ABCS"
    targets = [{topic = "diabetes", practice = 0, applies = "condition active"},
               {topic = "social_needs", practice = 2, applies = "with social needs"}]

``target_adherence`` is then the share of the visited patients' applicable targeted topics whose
plan uses the target practice. Without targets the column is empty (NaN), and the run says why.

For the kernels the package is one small table, ``cp.package`` int64[3, T]: rows 0 and 1 hold the
target practice on each topic for patients without and with social needs (-1 = not targeted),
row 2 is 1 where the target applies to every visited patient, the topic active or not.
"""

from __future__ import annotations

import numpy as np

from cop_sim.cop.world.spec import topic_names
from cop_sim.params import InputError, Param

# applies -> (rows of cp.package it sets: social contexts 0 and/or 1, applies when inactive too)
APPLIES = {
    "condition active": ((0, 1), False),
    "always": ((0, 1), True),
    "with social needs": ((1,), False),
    "without social needs": ((0,), False),
}
NOT_DECLARED = "empty: no [change_package] targets declared"

PACKAGE_SPEC = {
    "name": Param("", "name of the change package (as the collaborative called it)", kind=str),
    "targets": Param(
        [], "target practices: a list of {topic = NAME, practice = INDEX, applies = 'condition active' "
        "(default; the topic is active for the patient) | 'always' (every visited patient; an inactive "
        "topic counts as not adherent) | 'with social needs' | 'without social needs'}", "-", kind=list,
        source="the evaluation a scenario mirrors (e.g. EvidenceNOW's ABCS measures, Balasubramanian "
        "et al. 2022); empty = no package (target_adherence is NaN)"),
}
KEYS = ("topic", "practice", "applies")


def check(resolved: dict, source: str) -> None:
    """Raise InputError (naming ``change_package.targets[j].KEY``) for a malformed package."""
    package(resolved, source)


def package(resolved: dict, source: str = "") -> np.ndarray:
    """The change package as the kernels read it (``cp.package``, int64[3, T]); checks it too."""
    world = resolved["world"]
    names = topic_names(world["n_topics"], world["n_conditions"])
    out = np.full((3, len(names)), -1, dtype=np.int64)
    out[2] = 0
    for j, target in enumerate(resolved["change_package"]["targets"]):
        key = f"change_package.targets[{j}]"
        if not isinstance(target, dict):
            raise InputError(source, key, f"got {target!r:.100}; allowed: a table {{topic = NAME, "
                             "practice = INDEX, applies = ...}")
        extra = sorted(set(target) - set(KEYS))
        if extra:
            raise InputError(source, f"{key}.{extra[0]}", f"unknown key; allowed: {', '.join(KEYS)}")
        topic = target.get("topic")
        if topic not in names:
            raise InputError(source, f"{key}.topic", f"got {topic!r}; allowed: one of {', '.join(names)}")
        a = target.get("practice")
        top = world["n_practices"] - 1
        if isinstance(a, bool) or not isinstance(a, int) or not 0 <= a <= top:
            raise InputError(source, f"{key}.practice", f"got {a!r}; allowed: a practice index in [0, {top}] "
                             "(0 = the single-disease guideline)")
        applies = target.get("applies", "condition active")
        if applies not in APPLIES:
            raise InputError(source, f"{key}.applies", f"got {applies!r}; allowed: one of "
                             f"{', '.join(repr(k) for k in APPLIES)}")
        t = names.index(topic)
        rows, always = APPLIES[applies]
        for s in rows:
            if out[s, t] >= 0:
                raise InputError(source, f"{key}.applies", f"'{applies}' overlaps an earlier target on "
                                 f"'{topic}'; allowed: one target per topic and patient (e.g. 'with social "
                                 "needs' and 'without social needs')")
            out[s, t] = a
        out[2, t] = max(out[2, t], int(always))
    return out


def from_evidence(change_package: dict) -> dict:
    """A scenario's ``[change_package]`` from an evidence file's (``experiments/evidence/*.toml``).

    Those declare ``topics`` and one ``practice`` "for patients on whom that topic is active":
    a target on each topic that applies where the topic is active (``condition active``).
    """
    return {"name": str(change_package.get("target", "")),
            "targets": [{"topic": t, "practice": change_package["practice"], "applies": "condition active"}
                        for t in change_package["topics"]]}


def declared(resolved: dict) -> bool:
    """Whether the scenario declares any target (else target_adherence is NaN)."""
    return bool(resolved["change_package"]["targets"])
