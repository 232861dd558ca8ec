"""One run of the CoP model as a pure function of a resolved scenario and a seed."""

from __future__ import annotations

from cop_sim.cop import careteam
from cop_sim.cop.model import CopModel
from cop_sim.cop.outcomes import PANELS, summarise
from cop_sim.cop.package import NOT_DECLARED, declared
from cop_sim.result import Lazy, Meta, RunResult


def simulate(resolved: dict, seed: int) -> RunResult:
    """Build the model, run it to the horizon, and return its series, per-CoP table and summary."""
    model = CopModel(resolved, seed)
    model.run_to_horizon()
    columns = model.recorder.columns()
    by_cop = model.recorder.cop_columns()
    summary = summarise(columns, by_cop, model.cop_names, len(model.pr.disc))
    teams = careteam.table(model.world, model.pr, model.pa, model.week / 52.0)  # per discipline
    summary |= careteam.summary(teams)
    rec, names = model.recorder, model.cop_names  # not the model: lazy tables must not keep it alive
    frame = Lazy(lambda: rec.frame(columns))
    per_cop = Lazy(lambda: rec.cop_frame(names, by_cop))
    # an empty column says why (outputs doc): no change package, nothing to adhere to
    notes = {} if declared(resolved) else {"target_adherence": NOT_DECLARED}
    meta = Meta(panels=PANELS, per_cop=per_cop, care_teams=teams, notes=notes,
                team_cross_owner_share=summary["team_cross_owner_share"])
    return RunResult(frame, summary, meta, columns=columns)
