"""Every message text in one place.

Messages leave the authority's control (email, SMS), so they never carry the child's name or
details: only the case reference, what is due, by when, and what to do, with a link to sign in.
Users complain about vague "you have new information" messages: each text says what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Template:
    subject: str
    body: str


_SIGN_IN = "Sign in to see the case and act on it: {link}"

TEMPLATES: dict[str, Template] = {
    "advice_requested": Template(
        "Advice requested for case {case_reference}: due {due_on}",
        "You have been asked for {advice_type} advice for an EHC needs assessment, case "
        "{case_reference}. The law gives 6 weeks: please send it by {due_on} (Reg 8).\n\n"
        + _SIGN_IN,
    ),
    "reminder_before": Template(
        "{label} for case {case_reference} is due in {days} days ({due_on})",
        "{label} for case {case_reference} is due on {due_on} ({source}). {action}\n\n" + _SIGN_IN,
    ),
    "reminder_due": Template(
        "{label} for case {case_reference} is due today ({due_on})",
        "{label} for case {case_reference} is due today, {due_on} ({source}). {action}\n\n"
        + _SIGN_IN,
    ),
    "reminder_overdue": Template(
        "OVERDUE: {label} for case {case_reference} was due {due_on}",
        "{label} for case {case_reference} was due on {due_on} ({source}) and is {days} days "
        "overdue. {action}\n\n" + _SIGN_IN,
    ),
    "escalation": Template(
        "Escalation: {label} for case {case_reference} is {days} days overdue",
        "{label} for case {case_reference} was due on {due_on} ({source}) from {contributor} and "
        "is {days} days overdue. You are receiving this as the service's manager: please make "
        "sure it is sent.\n\n" + _SIGN_IN,
    ),
    "twenty_weeks_at_risk": Template(
        "20 weeks at risk: case {case_reference} has no draft plan at week 14",
        "Case {case_reference} reached week 14 on {at_risk_on} with no draft plan served. The "
        "final plan is due by {due_on} (Reg 13(2)); serving the draft leaves the family 15 days "
        "to comment (Reg 13(1)).\n\n" + _SIGN_IN,
    ),
    "phase_transfer_at_risk": Template(
        "Phase transfer at risk: case {case_reference} must have its amended plan by {due_on}",
        "Case {case_reference} transfers phase in September. The amended plan naming the next "
        "setting must be issued by {due_on} (Reg 18(1)) and none has been yet. Hold the review "
        "meeting by {latest_meeting_on} to leave time for every later step.\n\n" + _SIGN_IN,
    ),
    "manager_digest": Template(
        "Daily deadlines: {overdue} overdue, {due_this_week} due this week",
        "{text}\n\n" + _SIGN_IN,
    ),
    "weekly_summary": Template("Weekly summary: {headline}", "{text}\n\n" + _SIGN_IN),
    "statutory_notice": Template(
        "{notice_title} (case {case_reference})",
        "The local authority has sent you a notice: {notice_title}, dated {notice_date}. "
        "The full notice and your rights of appeal and mediation are in the letter attached "
        "or available from your case officer.",
    ),
    "password_reset": Template(
        "Reset your password for the EHCP service",
        "Someone asked to reset the password of the EHCP service account for this email address. "
        "To choose a new password, open this link within {minutes} minutes; it works once:\n\n"
        "{link}\n\nIf you did not ask for this, you can ignore this email: your password has not "
        "changed.",
    ),
}


def render(name: str, payload: dict[str, Any], link: str) -> tuple[str, str]:
    """(subject, body) of a template; missing fields show as blanks rather than failing."""
    template = TEMPLATES[name]
    values = _Blank({**payload, "link": link})
    return template.subject.format_map(values), template.body.format_map(values)


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""
