"""Model 1 keys that Model 2 removed, and what replaced each: a one-line hint for old scenarios."""

from __future__ import annotations

GONE = "gone in Model 2"
STORIES = "learning moves through observed results and stories"
SURPRISE = "members bring the case that surprised them most since the last meeting"
MIGRATIONS: dict[str, str] = {
    "meeting.learning_rate": "replaced by meeting.story_weight (a story's worth in observations)",
    "meeting.unprepared_efficiency": f"{GONE}: an unprepared chair picks stories at random",
    "meeting.mentor_boost": "replaced by meeting.pdsa_noise and meeting.pdsa_hours (structured tests)",
    "meeting.innovation_step": f"{GONE}: co-creation recombines stories (meeting.cocreation_rate)",
    "meeting.trust_gain": "replaced by meeting.trust_rate (accuracy of stories) and meeting.familiarity",
    "meeting.representative_influence": f"{GONE}: the representative's stories weigh by earned trust",
    "meeting.representative_voice": f"{GONE}: the representative's voice is earned trust under the hierarchy",
    "meeting.documentation_rate": f"{GONE}: a documented meeting writes the attendees' consensus",
    "informal": f"{GONE}: {STORIES}; repository_use is repository.use, initial_trust meeting.initial_trust",
    "informal.repository_use": "replaced by repository.use",
    "informal.initial_trust": "replaced by meeting.initial_trust",
    "informal.rate": f"{GONE}: {STORIES}",
    "informal.learning": f"{GONE}: {STORIES}",
    "informal.vision": f"{GONE}: priorities are learnt by planning with patients and from stories",
    "informal.trust_decay": f"{GONE}: trust follows the accuracy of stories (meeting.trust_rate)",
    "turnover.onboarding": "replaced by repository.onboarding",
    "practice.experience_rate": "replaced by practice.observation_noise and practice.signal_delay",
    "practice.priority_weight": f"{GONE}: care quality is the plan's value over the best achievable",
    "practice.delay_penalty": f"{GONE}: waiting shows in waiting_weeks and in health between visits",
    "practice.vision_rate": f"{GONE}: planning with the patient reveals their priorities",
    "practice.case_memory": f"{GONE}: {SURPRISE}",
    "practice.case_accrual": f"{GONE}: {SURPRISE}",
    "patients.priorities": f"{GONE}: priorities are part of a patient's context (world.priority_spread)",
    "patients.lived_experience": f"{GONE}: the representative tells their own results",
    "disciplines.*.knowledge": "replaced by trained beliefs (guideline_confidence, person_centred)",
    "disciplines.*.priorities": f"{GONE}: what matters starts from training, then moves with stories",
    "disciplines.*.vision_sharing": f"{GONE}: priorities move with stories (meeting.consensus_rate)",
    "learning_community.rate": f"{GONE}: each delegate tells their most surprising story at a session",
}
