"""The SEN2 return: the corrected XSD, records built from the log for hand-built cases, a
simulated authority's return validating against the XSD and the item rules, and a broken record
reported (never exported silently), through the real `ehcp sen2 export` command."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import select

from audit.sen2.spec import load_sen2_config
from ehcp_engine.persistence.models import Case
from ehcp_engine.services import sen2
from ehcp_engine.services.context import Services
from ehcp_engine.services.simulator.run import simulate
from ehcp_engine.settings import REPO_CONFIG
from tests.measures.test_journey_measures import build

SEN2 = REPO_CONFIG / "sen2"
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "sen2"


def _schema(year: int) -> Any:
    return etree.XMLSchema(etree.parse(str(SEN2 / f"sen2_schema_{year}.xsd")))


def _uln(value: str) -> bytes:
    return (
        "<Message><Persons><Person><Surname>A</Surname><Forename>B</Forename>"
        "<PersonBirthDate>2015-03-15</PersonBirthDate><Sex>F</Sex><Ethnicity>WBRI</Ethnicity>"
        f"<UniqueLearnerNumber>{value}</UniqueLearnerNumber></Person></Persons></Message>"
    ).encode()


def test_the_corrected_xsd_takes_a_ten_digit_uln_and_real_urns() -> None:
    schema = _schema(2026)
    assert schema.validate(etree.fromstring(_uln("1234567890")))
    assert not schema.validate(etree.fromstring(_uln("12345678")))  # the original's 8 digits
    assert not schema.validate(etree.fromstring(_uln("0234567890")))


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared/reference not beside the repository")
def test_the_reference_sample_validates_once_its_upns_have_13_characters() -> None:
    text = (REFERENCE / "sen2_sample_2025.xml").read_text(encoding="utf-8")
    # The sample's UPNs have 14 characters; a UPN has 13 (the schema is right about that).
    text = text.replace("X1234567898765", "X123456789876").replace(
        "X1234567898321", "X123456789832"
    )
    assert _schema(2025).validate(etree.fromstring(text.encode()))
    original = etree.XMLSchema(etree.parse(str(REFERENCE / "sen2_schema_2025.xsd")))
    assert not original.validate(etree.fromstring(text.encode()))  # ULN, URN and UKPRN


def test_element_order_and_code_lists_are_kept_per_year() -> None:
    cfg = load_sen2_config(SEN2)
    y2025, y2026 = cfg.collection(2025), cfg.collection(2026)
    assert y2025.order["ActivePlans"].index("LastReview") == 4
    assert y2026.order["ActivePlans"][-1] == "LastReview"
    assert y2026.census_date == date(2026, 1, 15)
    assert y2026.period == (date(2025, 1, 1), date(2025, 12, 31))
    assert "NOBT" in y2026.codes["ethnicitytype"]


def _complete(svc: Services, **overrides: Any) -> None:
    """Give every case the SEN2 items the workflow does not record."""
    with svc.sessions() as session:
        case_ids = list(session.scalars(select(Case.id)))
    for case_id in case_ids:
        values = {
            "sex": "MF"[case_id % 2],
            "ethnicity": "WBRI",
            "postcode": "SY1 1AA",
            "upn_unknown": "UN2",
            "sen_types": ["ASD", "SLCN"],
        }
        sen2.set_person(svc, case_id, sen2.PersonIn(**{**values, **overrides.get(case_id, {})}))


def _person(result: Any, case_id: int) -> dict[str, Any]:
    return next(r.person for r in result.records if r.child.case_id == case_id)


def test_records_of_hand_built_cases(fresh_svc: Services) -> None:
    story = build(fresh_svc)
    _complete(fresh_svc)
    result = sen2.export(fresh_svc, 2026)
    assert result.errors == []
    assert _schema(2026).validate(etree.fromstring(result.xml))
    a = _person(result, story["a"])["Requests"][0]
    assert a["ReceivedDate"] == "2025-01-06" and a["RequestSource"] == "1"
    assert (a["RequestOutcome"], a["RequestOutcomeDate"]) == ("Y", "2025-02-10")
    assert a["Assessment"]["AssessmentOutcome"] == "Y"
    assert a["Assessment"]["AssessmentOutcomeDate"] == "2025-05-19"
    assert a["Assessment"]["Week20"] == "0"
    assert a["Assessment"]["NamedPlan"]["StartDate"] == "2025-05-19"
    assert a["ActivePlans"]["PhaseTransferDueDate"] == "2026-02-14"  # Year 6, Reg 18(1)
    assert a["ActivePlans"]["SENneed"][0] == {"SENtype": "ASD", "SENtypeRank": "1"}
    b = _person(result, story["b"])["Requests"][0]
    assert b["Assessment"]["Week20"] == "1"  # the Reg 10(4) exception
    c = _person(result, story["c"])["Requests"][0]["Assessment"]
    assert (c["AssessmentOutcome"], c["AssessmentOutcomeDate"]) == ("N", "2025-06-30")
    assert (c["AssessmentMediation"], c["AssessmentTribunal"]) == ("1", "1")
    d = _person(result, story["d"])["Requests"][0]
    assert (d["RequestOutcome"], d["RequestSource"]) == ("N", "2")
    assert "Assessment" not in d
    assert _person(result, story["g"])["Requests"][0]["RequestOutcome"] == "W"
    f = _person(result, story["f"])["Requests"][0]
    assert f["ReceivedDate"] == "2025-01-06"  # the corrected date
    queries = {(i.case_id, i.rule) for i in result.issues}
    assert (story["a"], "setting_urn") in queries  # "Oak Primary" has no URN: sent as OTH


@pytest.fixture(scope="module")
def simulated(backend: Any, engine_config: Any) -> Any:
    from ehcp_engine.persistence.db import make_engine, make_sessionmaker
    from tests.conftest import FakeClock

    engine = make_engine(backend.new_database())
    svc = Services(make_sessionmaker(engine), engine_config, FakeClock())
    report = simulate(svc, plans=12, years=1, seed=5, start=date(2024, 1, 1), progress=False)
    assert report.refused == 0
    _complete(svc)
    yield svc
    engine.dispose()


def test_a_simulated_authority_validates_against_the_xsd_and_the_rules(simulated: Services):
    result = sen2.export(simulated, 2025)  # census 16 January 2025; requests of 2024
    assert result.errors == [], [i.as_dict() for i in result.errors]
    assert len(result.records) >= 10
    assert _schema(2025).validate(etree.fromstring(result.xml))
    outcomes = {r["RequestOutcome"] for p in result.records for r in p.person["Requests"]}
    assert "Y" in outcomes
    plans = [r for p in result.records for r in p.person["Requests"] if "ActivePlans" in r]
    assert plans, "plans active on the census date are returned"
    assert {i.level for i in result.issues} <= {"query"}
