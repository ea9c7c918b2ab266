"""Every rate the simulator samples from, as a named constant with the figure it targets.

STATUTORY.md §5 gives the national measures (DfE SEN2, England) the simulated authority is
calibrated to; a constant marked *assumption* has no national figure behind it and was chosen to
look like a typical authority (documented so that a better source can replace it).
"""

from __future__ import annotations

# ---- Scale (STATUTORY.md §5 "Scale") -----------------------------------------------------------
PLANS_IN_FORCE_JAN_2025 = 638_745
REQUESTS_2024 = 154_489
NEW_PLANS_2024 = 97_747
# New plans a year per plan in force: 97,747 / 638,745 = 0.153. Requests arrive at the rate
# that yields it through the simulated outcomes below (0.153 / 0.67 = 0.228 requests per plan;
# §5 gives 154,489 / 638,745 = 0.242, part of which is still in progress at the year's end).
NEW_PLANS_PER_PLAN = NEW_PLANS_2024 / PLANS_IN_FORCE_JAN_2025
# Plans in force grow ~10% a year: 638,745 (Jan 2025) -> "over 700,000 in 2026" (§5 Scale).
PLAN_GROWTH_PER_YEAR = 700_000 / PLANS_IN_FORCE_JAN_2025
# Share of plans ceasing or leaving each year, used only to size arrivals (SEN2: new plans
# 97,747 in 2024 while the stock grew by ~62,000, so ~35,000 ended: ~6% of the stock).
PLANS_ENDING_PER_YEAR = 0.065
# Plans transferred in from other authorities a year, per plan in force (assumption; Reg 15).
TRANSFERS_IN_PER_PLAN = 0.01
# Requests already in progress at the start: arrivals begin this many days before the period.
WARM_UP_DAYS = 270

# ---- Requests (STATUTORY.md §4a `request_received.source`) -------------------------------------
# Who asks for an assessment (assumption: SEN2 does not publish the source nationally).
REQUEST_SOURCES: dict[str, float] = {
    "parent": 0.52,
    "school": 0.33,
    "health": 0.05,
    "social_care": 0.03,
    "young_person": 0.03,
    "other": 0.04,
}
# Relative request arrivals by month, January first: term-time peaks, a quiet August
# (assumption).
MONTHLY_REQUEST_WEIGHTS = (1.0, 1.05, 1.1, 0.85, 1.1, 1.1, 1.0, 0.45, 0.9, 1.2, 1.2, 0.8)
# Age at request, years: (lowest, highest, share) (assumption shaped like SEN2 requests, most
# of them for primary-age children).
REQUEST_AGES: tuple[tuple[int, int, float], ...] = (
    (2, 4, 0.24),
    (5, 10, 0.45),
    (11, 15, 0.23),
    (16, 19, 0.07),
    (20, 23, 0.01),
)
# Age of a plan's child or young person (SEN2 Jan 2025 shape: ~5% under 5, ~37% 5-10,
# ~33% 11-15, ~20% 16-19, ~5% 20-25).
PLAN_AGES: tuple[tuple[int, int, float], ...] = (
    (2, 4, 0.05),
    (5, 10, 0.37),
    (11, 15, 0.33),
    (16, 19, 0.20),
    (20, 24, 0.05),
)
# Local school structures a child follows (config/phase_transfer.toml); None = the default.
SCHOOL_STRUCTURES: dict[str | None, float] = {
    None: 0.70,
    "infant_junior": 0.10,
    "three_tier": 0.08,
    "two_tier_11_18": 0.12,
}

# ---- The decision whether to assess (Reg 5) ----------------------------------------------------
REQUEST_WITHDRAWN = 0.02  # assumption
# Refusals to assess: the target band 20-25% of decisions.
ASSESSMENT_REFUSED = 0.225
# §5: decisions whether to assess within 6 weeks, 84.8% (2023, 2024).
ASSESSMENT_DECISION_ON_TIME = 0.848
# Late decisions: days beyond the 6 weeks, an exponential tail (assumption).
ASSESSMENT_DECISION_LATE_MEAN_DAYS = 16
# Reg 10(4) exceptions recorded against the 6-week decision (assumption: "a few %").
ASSESSMENT_DECISION_EXCEPTION = 0.01

# ---- The assessment (Regs 6-10) ----------------------------------------------------------------
ASSESSMENT_WITHDRAWN = 0.015  # assumption
# Decisions not to issue after an assessment. With the refusals above, 0.76 x 0.885 = 67% of
# requests become plans; §5 gives 97,747 / 154,489 = 63% in one year, which undercounts the
# conversion of a growing request stream whose plans are issued ~5 months later.
PLAN_REFUSED = 0.10
# §5: decisions not to issue within 16 weeks, 34.1% (2024).
NO_PLAN_NOTICE_ON_TIME = 0.341
# Advice each assessment asks for besides the always-sought educational, psychological, health
# and parent advice (Reg 6(1)): (type, share of assessments) (assumption).
OPTIONAL_ADVICE: dict[str, float] = {"social_care": 0.5, "sensory": 0.06}
# Advice given within Reg 8's six weeks, by agency (assumption: educational psychology and health
# are the advisers most often late; parents and schools rarely).
ADVICE_ON_TIME: dict[str, float] = {
    "parent": 0.95,
    "educational": 0.85,
    "psychological": 0.45,
    "health": 0.55,
    "social_care": 0.65,
    "sensory": 0.75,
    "preparation_for_adulthood": 0.8,
}
ADVICE_LATE_MEAN_DAYS = 24  # assumption
# Reg 8(2) exceptions recorded on late advice (assumption: "a few %").
ADVICE_EXCEPTION = 0.04

# ---- Draft and final plan (Regs 12-14) ---------------------------------------------------------
# §5: new plans within 20 weeks excluding exceptions, 46.4% (2024). Sampled a little lower:
# the plans issued in a period over-represent the quick journeys of a growing request stream
# (measured: 0.475 sampled gave 51.5% over 2021-2025), slightly offset by on-time targets that
# cannot be met after a very late decision.
FINAL_PLAN_ON_TIME = 0.445
# §5: 45.9% including exceptions vs 46.4% excluding (2024), 58.7 vs 60.4 (2019): Reg 10(4)
# exceptions on ~1-3% of plans, nearly all of them late.
FINAL_PLAN_EXCEPTION = 0.02
FINAL_PLAN_LATE_MEAN_DAYS = 45  # days beyond the 20 weeks (assumption)
REPRESENTATIONS_MADE = 0.75  # families who comment on the draft (assumption)
SETTING_REQUESTED = 0.35  # of those, asking for a particular setting (assumption)
SPECIAL_SCHOOL = 0.4  # plans naming a special school (SEN2 Jan 2025: ~40% of plans)

# ---- Reviews and amendments (Regs 18-22) -------------------------------------------------------
# §5: review decisions within 4 weeks of the meeting, 44.4% (2024).
REVIEW_DECISION_ON_TIME = 0.444
REVIEW_DECISION_LATE_MEAN_DAYS = 30  # beyond the 4 weeks (assumption)
REVIEW_SLIPS = 0.25  # meetings held later than planned (assumption)
INVITATIONS_ON_TIME = 0.8  # at least 2 weeks before the meeting (assumption)
ADVICE_CIRCULATED_ON_TIME = 0.6  # assumption
REVIEW_REPORT_ON_TIME = 0.55  # within 2 weeks of the meeting (assumption)
REVIEW_AMENDS = 0.38  # reviews deciding to amend (assumption)
AMENDMENT_REPRESENTATIONS = 0.5  # assumption
AMENDED_PLAN_ON_TIME = 0.6  # within 8 weeks of the notice (assumption)
PHASE_TRANSFER_ON_TIME = 0.8  # amended plan naming the next setting by the long-stop (assumption)
# Review decisions to cease, by age band (highest age, share): leaving school and college
# dominate (assumption shaped so that ~6% of plans end each year, see PLANS_ENDING_PER_YEAR).
REVIEW_CEASES: tuple[tuple[int, float], ...] = ((15, 0.012), (17, 0.06), (19, 0.2), (25, 0.24))

# ---- The plan in force (Regs 15, 24-31) --------------------------------------------------------
REASSESSMENTS_PER_YEAR = 0.015  # assumption
REASSESSMENT_AGREED = 0.7  # assumption
REASSESSMENT_DECISION_ON_TIME = 0.8  # within 15 days (assumption)
REASSESSMENT_PLAN_ON_TIME = 0.5  # within 14 weeks (assumption)
TRANSFERS_OUT_PER_YEAR = 0.01  # assumption (Reg 15)
TRANSFER_NOTICE_ON_TIME = 0.85  # assumption
CEASES_OUTSIDE_REVIEW_PER_YEAR = 0.004  # moved abroad, died, elsewhere (assumption)
# SEN2 cease reasons (reference/sen2 ceasereasontype) after a review, by age group.
CEASE_REASONS_UNDER_16: dict[int, float] = {2: 0.85, 9: 0.15}
CEASE_REASONS_16_PLUS: dict[int, float] = {2: 0.3, 3: 0.1, 4: 0.15, 6: 0.35, 9: 0.1}
CEASE_REASONS_OUTSIDE_REVIEW: dict[int, float] = {5: 0.35, 7: 0.45, 8: 0.05, 9: 0.15}

# ---- Disagreement (Regs 32-45) -----------------------------------------------------------------
# The target: appeals registered against ~6% of appealable decisions. Relative weights
# by decision (assumption: refusals are appealed more often than plan contents).
APPEAL_RATE = 0.06
APPEAL_WEIGHTS: dict[str, float] = {
    "assessment_refused": 2.0,
    "plan_refused": 3.0,
    "final_plan_issued": 1.4,
    "amended_plan_issued": 1.0,
    "review_decision_notified": 0.6,
    "reassessment_refused": 2.0,
    "cease_decided": 1.5,
}
SETTING_ONLY_APPEALS = 0.3  # of plan-contents appeals (no certificate needed) (assumption)
WANTS_MEDIATION = 0.25  # of families contacting the adviser (assumption)
MEDIATION_NOT_POSSIBLE = 0.05  # assumption
MEDIATION_AGREEMENT: dict[str, float] = {
    "none": 0.45,
    "partial": 0.2,
    "full": 0.25,
    "non_appealable": 0.1,
}
APPEAL_AFTER_CERTIFICATE = 0.9  # assumption
TRIBUNAL_RESPONSE_ON_TIME = 0.85  # assumption
# How appeals end (assumption: many are conceded or withdrawn before the hearing).
TRIBUNAL_OUTCOMES: dict[str, float] = {"withdrawn": 0.2, "conceded": 0.25, "order": 0.55}
ORDER_FOR_FAMILY = 0.9  # decided appeals the family wins (assumption: ~90%+ nationally)
RECOMMENDATION = 0.05  # orders with a health or social care recommendation (SI 2017/1306)
ORDER_COMPLIED_ON_TIME = 0.8  # assumption

# ---- Officers ----------------------------------------------------------------------------------
CASELOAD = 150  # cases per officer (the issue: caseloads of ~100-200)
OFFICERS_PER_TEAM = 10
MAX_TEAMS = 6


def requests_per_plan() -> float:
    """Requests a year per plan in force that give NEW_PLANS_PER_PLAN new plans."""
    assessed = 1 - REQUEST_WITHDRAWN - ASSESSMENT_REFUSED
    issued = 1 - ASSESSMENT_WITHDRAWN - PLAN_REFUSED
    return NEW_PLANS_PER_PLAN / (assessed * issued)


def appeal_probability(decision: str) -> float:
    """The chance that a family appeals this kind of decision, averaging APPEAL_RATE over the
    mix of decisions a typical authority makes (reviews dominate the count)."""
    return min(0.5, APPEAL_RATE * APPEAL_WEIGHTS.get(decision, 1.0) / _MEAN_WEIGHT)


# Decisions per plan-year by kind (approximate, from the rates above): used to normalise weights.
_MIX: dict[str, float] = {
    "assessment_refused": 0.055,
    "plan_refused": 0.02,
    "final_plan_issued": 0.16,
    "amended_plan_issued": 0.42,
    "review_decision_notified": 0.66,
    "reassessment_refused": 0.005,
    "cease_decided": 0.06,
}
_MEAN_WEIGHT = sum(APPEAL_WEIGHTS[k] * v for k, v in _MIX.items()) / sum(_MIX.values())
