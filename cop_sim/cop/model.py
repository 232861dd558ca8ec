"""The CoP model as a Mesa model: a burn-in of care, then weekly meetings, care, upkeep and turnover."""

from __future__ import annotations

import mesa
import numpy as np

from cop_sim.borrow import generator_table
from cop_sim.composition import by_cop
from cop_sim.cop import agents, audit, checks, hallway, network, reuse, teams, week
from cop_sim.cop.calendar import Calendar
from cop_sim.cop.codelearning import absorbing, settled, socialise
from cop_sim.cop.outcomes import _T, INITIAL_WEEK, TALLIES, Recorder
from cop_sim.cop.owners import STREAMS, own
from cop_sim.cop.population import build, build_cops, demand
from cop_sim.cop.state import knobs
from cop_sim.cop.stories import MEETING_TALLY
from cop_sim.cop.tally import COP_TALLY
from cop_sim.cop.travel import onboard
from cop_sim.cop.upkeep import replace, session
from cop_sim.cop.week import pressure_denominator, weekly
from cop_sim.cop.world.landscape import build_world
from cop_sim.cop.world.spec import topic_roles
from cop_sim.rng import Streams

NO_MEETINGS = np.zeros(0, dtype=np.int64)


class CopModel(mesa.Model):
    """Communities of practice whose members learn what works from what happens to their patients."""

    def __init__(self, resolved: dict, seed: int):
        super().__init__(rng=seed)
        resolved = checks.complete(resolved, "")  # as given when already checked (a Scenario)
        self.params = resolved
        self.horizon = resolved["weeks"]
        self.streams = Streams(seed)
        pat = resolved["patients"]
        # the world is keyed by the seed alone: every condition of a replication faces the same one
        world_args = (resolved["world"], seed, pat["min_conditions"], pat["max_conditions"],
                      resolved["practice"]["belief_context"])
        world = build_world(*world_args)
        self.cops = list(resolved.cops)  # expanded once, by the check (checks.Scenario)
        self.cop_names = [c["name"] for c in self.cops]
        # each CoP draws from its own child of each stream, keyed by its name (docs/ODD.md, 4.9)
        self.cop_rngs: dict[str, list] = {}
        self.kernel_rngs: dict[str, np.ndarray] = {}
        init, network = (self.streams.per_cop(s, self.cop_names) for s in ("init", "network"))
        pr, pa, cp, self.tables = build(resolved, self.cops, world, init, network)
        self.kn = knobs(resolved)
        roles = topic_roles(world.n_topics, world.n_conditions)
        hidden = np.array([r == "social" for r in roles])  # covered only once the context is known
        self.calendar = self._schedule(Calendar(self.cops, resolved["learning_community"]))
        self.stages = list(resolved.stages)  # the scenario from each event week on, in week order
        self.absorbing = absorbing(resolved)  # whether a run may stop once nothing can change
        self.audit_since = 0 if resolved["audit"]["enabled"] else None  # week audit was switched on
        self.audit_reports: list[audit.Report] = []  # every round of feedback, in week order
        self.clock = 0  # weeks of care since the start of the burn-in
        self.week = 0
        self.running = True
        n = len(pr.disc)
        self.recorder = rec = Recorder(len(self.cops), self.horizon, n)
        self.wk = weekly(resolved, n)
        ppp = pa.asked.shape[1]
        gens = {name: self.streams.per_cop(name, self.cop_names) for name in STREAMS.values()}
        # one structref over every array, generator and recorder array the compiled week touches; it
        # borrows them (no reference counts), so they have one owner, kept for the run: self.owners
        self.owners, self.run = own(
            pr, pa, cp, world, gens, hidden=hidden, cap=np.zeros(n, dtype=np.int64),
            denom=pressure_denominator(pa), pressure=np.zeros(n), leavers=np.zeros(n, dtype=np.int64),
            tally=np.zeros(len(TALLIES)), tc=np.zeros((len(self.cops), len(COP_TALLY))),
            rec_tallies=rec.tallies, rec_measures=rec.measures, rec_per_cop=rec.per_cop, rec_weeks=rec.weeks,
            cop_prio=self._cop_priorities(world, pr, pa), chosen=np.zeros(ppp, dtype=np.int64),
            key=np.zeros(ppp), order=np.zeros(ppp, dtype=np.int64), v=np.zeros(world.n_topics))
        for field, name in STREAMS.items():  # Python code draws from the same generators
            self.cop_rngs[name], self.kernel_rngs[name] = list(gens[name]), getattr(self.owners, field)
        self.team = self._teams()
        # the burn-in's care is not recorded: the starting state (row -1) is a settled practice
        if reuse.enabled():  # the same bits from a cache where a rebuild would give them (cop/reuse.py)
            reuse.burn_in(self.owners, self.run, self.kn, self.wk, resolved["burn_in"], self.clock,
                          (repr(sorted(world_args[0].items())), *world_args[1:]))
        else:
            week.burn_in(self.run, self.kn, self.wk, resolved["burn_in"], self.clock)
        self.pr.changes[:] = 0.0  # care teams' plan changes count from week 0
        self.clock += resolved["burn_in"]
        agents.make(self)
        self._record(INITIAL_WEEK)  # the settled practice, before week 0

    def cop_streams(self, name: str) -> np.ndarray:
        """Each CoP's own generator of stream ``name``, as the table the kernels take (a row per CoP).

        Made on first use and kept for the run: the kernels borrow the generators
        (:func:`cop_sim.borrow.generator_table`), and Python code draws from the same ones through
        ``cop_rngs[name]``.
        """
        if name not in self.kernel_rngs:
            self.cop_rngs[name] = self.streams.per_cop(name, self.cop_names)
            self.kernel_rngs[name] = generator_table(self.cop_rngs[name])
        return self.kernel_rngs[name]

    # The borrowed state, read from its one owner (no setter: write arrays in place).
    pr = property(lambda self: self.owners.pr, doc="The practitioners' arrays (Practitioners).")
    pa = property(lambda self: self.owners.pa, doc="The patients' arrays (Patients).")
    cp = property(lambda self: self.owners.cp, doc="The CoPs' arrays (Cops).")
    world = property(lambda self: self.owners.world, doc="The replication's world (World).")
    k = property(lambda self: self.owners.k, doc="Structrefs over pr, pa, cp and world.")
    hidden = property(lambda self: self.owners.hidden, doc="Topics covered only once the context is known.")
    cop_prio = property(lambda self: self.owners.cop_prio, doc="What matters to each CoP's patients.")
    _tally = property(lambda self: self.owners.tally, doc="The week's tallies.")
    _tc = property(lambda self: self.owners.tc, doc="The week's per-CoP tallies.")
    _denom = property(lambda self: self.owners.denom, doc="Each practitioner's pressure denominator.")
    _leavers = property(lambda self: self.owners.leavers, doc="Who left this week (first n_left rows).")

    def _cop_priorities(self, w, pr, pa) -> np.ndarray:
        """What matters to each CoP's patients on average (the target of shared vision)."""
        out = np.full((len(self.cops), w.n_topics), 1.0 / w.n_topics)
        for c, rows in enumerate(by_cop(pr.cop, len(self.cops))):
            ctx = pa.ctx[rows]
            ctx = ctx[ctx >= 0]
            if len(ctx):
                out[c] = w.ctx_prio[ctx].mean(axis=0)
        return out

    def _teams(self) -> np.ndarray:
        """Each CoP's team in learning sessions, from the patient mixes drawn (no random draw)."""
        lc, w = self.params["learning_community"], self.world
        teams.check(self.params, len(self.cops))
        self.profile = teams.profiles(self.pa.ctx, self.pr.cop, len(self.cops), w.ctx_active, w.ctx_social,
                                      w.n_conditions)
        return teams.form(self.profile, lc["teams"], lc["team_by"])

    def _schedule(self, calendar: Calendar) -> Calendar:
        """Run the calendar's SimPy processes to the horizon once: the agenda of every week ahead.

        The calendar draws no random numbers and does not depend on the model, so posting all
        weeks now gives the same agenda as advancing SimPy week by week (~50 us a week).
        """
        if calendar.env.now < self.horizon:
            calendar.env.run(until=self.horizon)
        return calendar

    def _record(self, label: int) -> None:
        """Write the next row of the recorder, labelled week ``label``."""
        self._tally[_T["cop_hours"]] = self.pr.cop_hours.sum()  # numpy's pairwise sum, as always
        week.record(self.run, self.recorder.rows, label)
        self.recorder.rows += 1

    def step(self) -> None:
        """One week: meetings and sessions, care, repository and forgetting, turnover, record."""
        if not self.running:
            return
        while self.stages and self.stages[0].week == self.week:
            self._intervene(self.stages.pop(0))
        meetings, sessions = self.calendar.agenda.take(self.week)
        cm = np.array(meetings, dtype=np.int64) if meetings else NO_MEETINGS
        week.open_week(self.run, self.kn, self.wk, cm, self.clock)  # resets the week, holds meetings
        for kind in sessions:
            self._session(kind)
        if self.kn.hallway_rate > 0.0:  # stories along ties between meetings (hallway.py); no draw at 0
            meet0 = _T[MEETING_TALLY[0]]
            hallway.talk(self.k.world, self.k.pr, self.k.pa, self.k.cp, self.kn, self.clock,
                         self.cop_streams("hallway"), self.cop_streams("meetings"),
                         self._tally[meet0:meet0 + len(MEETING_TALLY)])
        self._audit()  # after the week's tallies were reset, before its care
        n_left = week.close_week(self.run, self.kn, self.wk, self.clock)  # care, beliefs, who leaves
        self.clock += 1
        if self.kn.stepwise:  # March (1991): one step towards the code with chance p1 = repository.use
            socialise(self.k.pr, self.k.cp, self.kn.repo_use, self.cop_streams("socialise"),
                      self.clock if self.kn.repo_triggers else -1)
        if n_left:
            leavers = self._leavers[:n_left].copy()
            replace(self.pr, self.pa, self.cp, self.tables, self.world, self.params,
                    self.cop_rngs["turnover"], leavers)
            if self.kn.pathways:  # newcomers' patients start on the CoP's care pathways, right or wrong
                moved = onboard(self.pr, self.pa, self.cp, leavers, self.clock)
                self._tally[_T["adopted_repository"]] += moved
        self._tally[_T["leavers"]] = n_left
        self._record(self.week)  # row `week` is the state at the end of this week (docs/ODD.md)
        self.week += 1
        if self.week >= self.horizon or (self.absorbing and self.equilibrium().all()):
            self.running = False

    def _audit(self) -> None:
        """Audit and feedback, in the weeks it reports (cop_sim/cop/audit.py): flag plans for review."""
        a = self.params["audit"]
        if self.audit_since is None or (self.week - self.audit_since) % a["interval"]:
            return
        rngs = self.streams.per_cop("audit", self.cop_names)  # drawn only when audit reports
        report = audit.feedback(self.pr, a, self.clock, self.week, rngs, len(self.cops))
        self.audit_reports.append(report)
        self._tally[_T["feedback_reports"]] = len(report.reported)
        self._tally[_T["flagged"]] = len(report.flagged)

    def equilibrium(self) -> np.ndarray:
        """Which CoPs can no longer change (False for all unless the configuration is absorbing).

        Only March's closed system (:func:`cop_sim.cop.codelearning.absorbing`) has such a state:
        every member strictly prefers the code's practice on every topic (March 1991's equilibrium).
        """
        if not self.absorbing:
            return np.zeros(len(self.cops), dtype=bool)
        return settled(self)

    def run_to_horizon(self) -> None:
        """Step to the horizon without Mesa's per-step event wrapper (~25 us a week).

        The same weeks as calling ``step()`` until ``running`` is false, bit for bit; only Mesa's
        own clock (``steps``, ``time``) is not advanced. For whole runs (``simulate``).
        """
        while self.running:
            CopModel.step(self)

    def _intervene(self, stage) -> None:
        """Apply a week's events: the scenario from this week on, for the CoPs, care and meetings."""
        old, settings = self.cops, stage.settings
        if stage.params["audit"]["enabled"] and not self.params["audit"]["enabled"]:
            self.audit_since = self.week  # audit switched on: its first report is this week
        elif not stage.params["audit"]["enabled"]:
            self.audit_since = None
        self.params = stage.params
        self.kn = knobs(self.params)
        self.cops = list(stage.cops)  # expanded once, by the check of the stage
        rngs = self.streams.per_cop("events", self.cop_names)
        fresh = build_cops(self.params, self.cops, self.cp.members, self.pa, self.world, rngs)
        cp = self.cp
        for name in ("skill", "preparation", "documentation", "mentor", "meeting_hours", "cases", "noise"):
            getattr(cp, name)[:] = getattr(fresh, name)
        newly = fresh.representative & ~cp.representative  # a new representative joins
        cp.rep_i[newly], cp.rep_k[newly] = fresh.rep_i[newly], fresh.rep_k[newly]
        cp.representative[:] = fresh.representative & (cp.rep_i >= 0)
        self.pa.demand[:] = demand(self.params, self.world, self.pa.ctx)
        moved = [c["calendar"] for c in old] != [c["calendar"] for c in self.cops]
        if moved or any(k.startswith("learning_community.") for k in settings):
            calendar = Calendar(self.cops, self.params["learning_community"])
            if self.week > 0:  # meetings before this week have happened (SimPy refuses until=0)
                calendar.env.run(until=self.week)
            calendar.agenda.meetings.clear()
            calendar.agenda.sessions.clear()
            self.calendar = self._schedule(calendar)
            self.team = self._teams()  # teams may have been set from this week on
        self.wk = weekly(self.params, len(self.pr.disc))
        self._denom[:] = pressure_denominator(self.pa)  # demand may have changed

    def _session(self, kind: str = "learning_session") -> None:
        """Delegates of every CoP (the most engaged members) tell stories to the other CoPs.

        A learning session is held within each team; a symposium is of all CoPs.
        """
        lc, pr = self.params["learning_community"], self.pr
        per = lc["representatives_per_cop"]
        delegates = []
        for mem in by_cop(pr.cop, len(self.cops)):
            delegates.extend(mem[np.argsort(-pr.engagement[mem], kind="stable")[:per]].tolist())
        d = np.array(delegates, dtype=np.int64)
        pr.cop_hours[d] += lc["hours"]
        k = self.k
        team = self.team if kind == "learning_session" else np.zeros(len(self.cops), dtype=np.int64)
        meet0 = _T[MEETING_TALLY[0]]
        session(k.world, k.pr, k.pa, k.cp, self.kn, d, team, self.clock, self.cop_streams("meetings"),
                self._tally[meet0:meet0 + len(MEETING_TALLY)])
        net = self.params["network"]
        if net["enabled"] and net["session_ties"]:  # delegates who met are tied from now on (network.py)
            network.tie_delegates(pr.ties, d, pr.cop, team)

