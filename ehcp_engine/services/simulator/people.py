"""Fictional children, settings, advisers and authorities for the simulated authority.

Given names come from a short list of ordinary first names; family names are invented so that
nobody could take a record for a real person ("Testington", "Sampleworth"). Places, schools and
services are invented too, and every address is under the reserved `.example` domain.
"""

from __future__ import annotations

from datetime import date, timedelta
from random import Random

from ehcp_engine.domain.case import Child
from ehcp_engine.services.simulator import rates

GIVEN_NAMES = (
    "Alex", "Sam", "Jordan", "Riley", "Casey", "Robin", "Charlie", "Jamie", "Morgan", "Taylor",
    "Avery", "Quinn", "Rowan", "Sky", "Frankie", "Remy", "Ellis", "Harper", "Kit", "Reese",
)  # fmt: skip
FAMILY_NAMES = (
    "Testington", "Sampleworth", "Mockford", "Placeholder", "Exampleby", "Dummington",
    "Fictionley", "Specimen", "Trialwood", "Notreal", "Madeupson", "Templeton-Fake",
    "Stubbsworth", "Fixtureby", "Demoford", "Sandboxley", "Prototon", "Pretendwell",
)  # fmt: skip
PLACES = (
    "Testbury", "Sampleford", "Mockington", "Exampleham", "Fauxley", "Placeholder Vale",
    "Fictionbridge", "Dummyton", "Lorem Heath", "Ipsum Green",
)  # fmt: skip
OTHER_AUTHORITIES = (
    "Sampleshire County Council", "Borough of Testford", "Mockshire Council",
    "City of Exampleton", "Fauxbury Metropolitan Borough",
)  # fmt: skip
ADVISERS: dict[str, str] = {
    "parent": "Parent or carer",
    "educational": "SENCo, {school}",
    "psychological": "Educational Psychology Service, Exampleshire (fictional)",
    "health": "Community Paediatrics, Sampleshire Health Trust (fictional)",
    "social_care": "Children's Social Care, Exampleshire (fictional)",
    "sensory": "Sensory Support Service, Exampleshire (fictional)",
    "preparation_for_adulthood": "Preparing for Adulthood Team, Exampleshire (fictional)",
}
MAIL_DOMAIN = "ehcp-sim.example"


def child(rng: Random, on: date, ages: tuple[tuple[int, int, float], ...]) -> Child:
    """A fictional child aged within one of `ages` bands on `on`."""
    low, high, _ = rng.choices(ages, weights=[a[2] for a in ages])[0]
    years = rng.randint(low, high)
    dob = on - timedelta(days=int(years * 365.25) + rng.randint(1, 364))
    structure = rng.choices(
        list(rates.SCHOOL_STRUCTURES), weights=list(rates.SCHOOL_STRUCTURES.values())
    )[0]
    return Child(
        given_name=rng.choice(GIVEN_NAMES),
        family_name=rng.choice(FAMILY_NAMES),
        date_of_birth=dob,
        school_structure=structure,
    )


def age_on(dob: date, on: date) -> int:
    return on.year - dob.year - int((on.month, on.day) < (dob.month, dob.day))


def setting_for(rng: Random, age: int, *, special: bool | None = None) -> str:
    """A fictional setting suited to a child of `age`."""
    place = rng.choice(PLACES)
    if special is None:
        special = rng.random() < rates.SPECIAL_SCHOOL
    if age < 4:
        return f"{place} Early Years Centre"
    if special and age < 19:
        return f"{place} Special School"
    if age < 11:
        return f"{place} Primary School"
    if age < 16:
        return f"{place} Academy"
    return f"{place} College"


def next_setting(rng: Random, to_year: int) -> str:
    """The setting a phase transfer into national curriculum year `to_year` names."""
    kind = {0: "Primary School", 3: "Junior School", 5: "Middle School", 9: "Upper School"}
    default = "Academy" if to_year < 12 else "College"
    return f"{rng.choice(PLACES)} {kind.get(to_year, default)}"


def adviser(advice_type: str, school: str) -> str:
    return ADVISERS.get(advice_type, "Adviser (fictional)").format(school=school)


def other_authority(rng: Random) -> str:
    return rng.choice(OTHER_AUTHORITIES)


def is_fictional(given_name: str, family_name: str) -> bool:
    return given_name in GIVEN_NAMES and family_name in FAMILY_NAMES
