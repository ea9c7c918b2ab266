"""SEN2 item rules: every record is checked before the return is written. An `error` keeps the
record out of the return (and makes the export fail); a `query` is reported for the officer to
look at. Each issue names the case, the rule and the reason, and links to the case."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from audit.sen2.records import PersonRecord, Record
from audit.sen2.spec import Collection

UPN = re.compile(r"[A-Za-z]\d{12}|[A-Za-z]\d{11}[A-Za-z]")
ULN = re.compile(r"[1-9]\d{9}")
# Element -> the code list (XSD type name) its value must come from.
CODED = {
    "Sex": "sextype",
    "Ethnicity": "ethnicitytype",
    "UPNunknown": "upnunknowntype",
    "RequestSource": "requestsourcetype",
    "RYA": "yesnotype",
    "RequestOutcome": "requestoutcometype",
    "AssessmentOutcome": "assessmentoutcometype",
    "Week20": "week20type",
    "CeaseReason": "ceasereasontype",
    "SENSetting": "sensettingtype",
    "PlacementRank": "placementranktype",
    "ReviewOutcome": "reviewoutcometype",
    "SENtype": "sentype",
    "SENtypeRank": "sentyperanktype",
}


@dataclass(frozen=True)
class Issue:
    case_id: int | None
    reference: str | None
    rule: str
    level: str  # error | query
    item: str
    message: str

    @property
    def link(self) -> str | None:
        return f"/cases/{self.case_id}" if self.case_id is not None else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "reference": self.reference,
            "rule": self.rule,
            "level": self.level,
            "item": self.item,
            "message": self.message,
            "link": self.link,
        }


Found = Iterator[tuple[str, str, str, str]]  # (rule, level, item, message)


def _d(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _codes(node: Record, col: Collection, where: str) -> Found:
    for name, value in node.items():
        if isinstance(value, list):
            for n, sub in enumerate(value):
                if isinstance(sub, dict):
                    yield from _codes(sub, col, f"{where}{name}[{n + 1}].")
        elif isinstance(value, dict):
            yield from _codes(value, col, f"{where}{name}.")
        elif name in CODED and value is not None and not _coded(col, name, value):
            why = f"'{value}' is not in the {col.year} code list"
            yield "code_list", "error", f"{where}{name}", why


def _coded(col: Collection, name: str, value: Any) -> bool:
    return str(value) in col.codes.get(CODED[name], frozenset())


def _person(p: Record) -> Found:
    for item in ("Surname", "Forename", "PersonBirthDate"):
        if not p.get(item):
            yield "required", "error", item, f"{item} is required"
    if not p.get("Sex"):
        yield "sex_missing", "error", "Sex", "sex is not recorded (SEN2 item 1.4 is required)"
    if p.get("Ethnicity") == "NOBT":
        yield "ethnicity_not_obtained", "query", "Ethnicity", "ethnicity not recorded: sent as NOBT"
    if p.get("UPN") and not UPN.fullmatch(str(p["UPN"])):
        yield "upn_format", "error", "UPN", "a UPN is a letter and 12 digits (or 11 and a letter)"
    if p.get("UniqueLearnerNumber") and not ULN.fullmatch(str(p["UniqueLearnerNumber"])):
        yield "uln_format", "error", "UniqueLearnerNumber", "a ULN is 10 digits, the first not 0"
    if not (p.get("UPN") or p.get("UniqueLearnerNumber") or p.get("UPNunknown")):
        yield (
            "identifier_missing",
            "error",
            "UPN",
            "give a UPN, a ULN, or why it is unknown (UPNunknown)",
        )
    if not p.get("PostCode"):
        yield "postcode_missing", "query", "PostCode", "postcode not recorded"


def _dates(p: Record, r: Record, col: Collection, where: str) -> Found:
    born, received = _d(p.get("PersonBirthDate")), _d(r.get("ReceivedDate"))
    decided = _d(r.get("RequestOutcomeDate"))
    a = r.get("Assessment") or {}
    assessed = _d(a.get("AssessmentOutcomeDate"))
    plan = a.get("NamedPlan") or {}
    start, ceased = _d(plan.get("StartDate")), _d(plan.get("CeaseDate"))
    order = [
        ("birth", born, "received", received),
        ("received", received, "request outcome", decided),
        ("request outcome", decided, "assessment outcome", assessed),
        ("received", received, "plan start", start),
        ("plan start", start, "cease", ceased),
    ]
    for first, x, then, y in order:
        if x is not None and y is not None and y < x:
            yield (
                "date_order",
                "error",
                where,
                f"the {then} date {y} is before the {first} date {x}",
            )
    if received is not None and received > col.census_date:
        yield "date_order", "error", f"{where}ReceivedDate", "received after the census date"


def _settings(plan: Record, active: Record, where: str) -> Found:
    for node, name in ((plan, "NamedPlan.PlanDetail"), (active, "ActivePlans.PlacementDetail")):
        details = node.get(name.split(".")[1]) if node else None
        if node and not details:
            yield "setting_missing", "query", f"{where}{name}", "no setting named"
        for d in details or []:
            if d.get("SENSetting") == "OTH" and d.get("SENSettingOther"):
                why = f"'{d['SENSettingOther']}' has no URN or UKPRN: sent as other (OTH)"
                yield "setting_urn", "query", f"{where}{name}", why


def _request(p: Record, r: Record, col: Collection, where: str) -> Found:
    yield from _dates(p, r, col, where)
    if r.get("RequestOutcome") != "H" and not r.get("RequestSource"):
        yield "required", "error", f"{where}RequestSource", "the source of the request is required"
    a = r.get("Assessment") or {}
    if a.get("AssessmentOutcome") in ("Y", "N") and not a.get("AssessmentOutcomeDate"):
        yield "required", "error", f"{where}AssessmentOutcomeDate", "required for outcome Y or N"
    plan = a.get("NamedPlan") or {}
    if a.get("AssessmentOutcome") == "Y" and not plan.get("StartDate"):
        yield "required", "error", f"{where}NamedPlan.StartDate", "a plan issued needs its date"
    if plan.get("CeaseDate") and not plan.get("CeaseReason"):
        yield "required", "error", f"{where}NamedPlan.CeaseReason", "a ceased plan needs its reason"
    received, issued = _d(r.get("ReceivedDate")), _d(plan.get("StartDate"))
    within = received and issued and issued - received <= timedelta(weeks=20)
    if a.get("Week20") == "1" and within:
        yield (
            "week20",
            "query",
            f"{where}Assessment.Week20",
            "exception recorded but the plan was in time",
        )
    yield from _settings(plan, r.get("ActivePlans") or {}, where)
    if "ActivePlans" in r and not r["ActivePlans"].get("SENneed"):
        yield (
            "sen_need_missing",
            "query",
            f"{where}ActivePlans.SENneed",
            "types of need not recorded",
        )


def check(record: PersonRecord, col: Collection) -> list[Issue]:
    p, child = record.person, record.child
    found = [*_person(p), *_codes(p, col, "")]
    for n, r in enumerate(p.get("Requests", []), 1):
        found.extend(_request(p, r, col, f"Requests[{n}]."))
    born = _d(p.get("PersonBirthDate"))
    active = any("ActivePlans" in r for r in p.get("Requests", []))
    if born and active and born.replace(year=born.year + 25) <= col.census_date:
        found.append(
            ("age", "query", "PersonBirthDate", "25 or over on the census date with a plan")
        )
    return [Issue(child.case_id, child.reference, *f) for f in found]


def duplicates(records: Sequence[PersonRecord]) -> list[Issue]:
    """A UPN given to two people is an error on both."""
    upns = Counter(r.person.get("UPN") for r in records if r.person.get("UPN"))
    return [
        Issue(
            r.child.case_id,
            r.child.reference,
            "upn_duplicate",
            "error",
            "UPN",
            f"UPN {r.person['UPN']} is also another person's",
        )
        for r in records
        if r.person.get("UPN") and upns[r.person["UPN"]] > 1
    ]
