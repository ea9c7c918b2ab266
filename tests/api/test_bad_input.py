"""Bad input gets a clear 4xx saying what is wrong, never a 500, and nothing is written.

After every bad request the case (version, stages, deadlines) and its audit log are compared with
what they were before; bad requests to open a case run on a database of their own, which must
still hold no case and no audit record afterwards.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from ehcp_engine.persistence.models import AuditEvent, Case
from ehcp_engine.settings import Settings
from tests.api.conftest import Api, bearer, case_body, detail_text, error_locs, event_body

TODAY = "2026-11-25"  # the fake clock's today
JSON = {"content-type": "application/json"}


@pytest.fixture
def case_id(api: Api) -> int:
    """A case in assessment with one health advice request outstanding (version 3)."""
    case = api.open()
    api.do(case["id"], "assessment_agreed", "2026-02-10")
    api.do(
        case["id"],
        "advice_requested",
        "2026-02-11",
        {"advice_type": "health", "contributor": "NHS"},
    )
    return case["id"]


def _assert_clear_4xx(response, status: int, *fragments: str) -> None:
    assert response.status_code == status, response.text
    assert "detail" in response.json()
    text = detail_text(response)
    for fragment in fragments:
        assert fragment in text, text


BAD_EVENTS = [
    # type
    pytest.param(
        event_body("nonsense", "2026-03-01"),
        422,
        ["body.type", "unknown event type 'nonsense'"],
        id="unknown type",
    ),
    pytest.param(event_body("", "2026-03-01"), 422, ["body.type"], id="empty type"),
    pytest.param(
        event_body("draft_plan_served", "2026-03-01"),
        409,
        ["plan_agreed"],
        id="event of a stage not open",
    ),
    pytest.param(event_body("x" * 61, "2026-03-01"), 422, ["body.type"], id="type too long"),
    pytest.param(
        {"type": 5, "occurred_on": "2026-03-01"}, 422, ["body.type"], id="type not a string"
    ),
    pytest.param(
        {"occurred_on": "2026-03-01", "data": {}},
        422,
        ["body.type", "Field required"],
        id="type missing",
    ),
    # occurred_on
    pytest.param(
        event_body("plan_agreed", "2026-02-30"), 422, ["body.occurred_on"], id="30 February"
    ),
    pytest.param(
        event_body("plan_agreed", "2026-02-29"),
        422,
        ["body.occurred_on"],
        id="29 February, not a leap year",
    ),
    pytest.param(event_body("plan_agreed", "2026-13-01"), 422, ["body.occurred_on"], id="month 13"),
    pytest.param(
        event_body("plan_agreed", "tomorrow"), 422, ["body.occurred_on"], id="date not a date"
    ),
    pytest.param(event_body("plan_agreed", ""), 422, ["body.occurred_on"], id="date empty"),
    pytest.param(
        {"type": "plan_agreed", "occurred_on": True}, 422, ["body.occurred_on"], id="date a boolean"
    ),
    pytest.param(
        {"type": "plan_agreed", "data": {}},
        422,
        ["body.occurred_on", "Field required"],
        id="date missing",
    ),
    pytest.param(
        event_body("plan_agreed", "2026-11-26"),
        422,
        ["body.occurred_on", "in the future"],
        id="tomorrow",
    ),
    pytest.param(
        event_body("plan_agreed", "9999-12-31"),
        422,
        ["body.occurred_on", "in the future"],
        id="year 9999",
    ),
    pytest.param(
        event_body("plan_agreed", "2025-12-31"),
        409,
        ["before the request"],
        id="decision before the request",
    ),
    pytest.param(
        event_body("plan_agreed", "2026-02-01"),
        409,
        ["plan_agreed"],
        id="decision before the stage opened",
    ),
    # data: wrong shape, missing, wrong types, unknown fields
    pytest.param(
        event_body("plan_agreed", "2026-03-01") | {"data": "x"},
        422,
        ["body.data"],
        id="data a string",
    ),
    pytest.param(
        event_body("plan_agreed", "2026-03-01") | {"data": [1]},
        422,
        ["body.data"],
        id="data a list",
    ),
    pytest.param(
        event_body("plan_agreed", "2026-03-01", {"colour": "red"}),
        422,
        ["body.data.colour", "Extra inputs"],
        id="unknown data field (no-data event)",
    ),
    pytest.param(
        event_body(
            "advice_requested",
            "2026-03-01",
            {"advice_type": "health", "contributor": "GP", "urgent": True},
        ),
        422,
        ["body.data.urgent"],
        id="unknown data field",
    ),
    pytest.param(
        event_body("advice_requested", "2026-03-01", {"advice_type": "health"}),
        422,
        ["body.data.contributor", "Field required"],
        id="data field missing",
    ),
    pytest.param(
        event_body(
            "advice_requested", "2026-03-01", {"advice_type": "astrology", "contributor": "GP"}
        ),
        422,
        ["body.data.advice_type"],
        id="data enum value unknown",
    ),
    pytest.param(
        event_body("advice_requested", "2026-03-01", {"advice_type": "health", "contributor": 7}),
        422,
        ["body.data.contributor"],
        id="data field wrong type",
    ),
    pytest.param(
        event_body(
            "advice_requested",
            "2026-03-01",
            {
                "advice_type": "health",
                "contributor": "GP",
                "received_by_contributor_on": "2026-02-30",
            },
        ),
        422,
        ["body.data.received_by_contributor_on"],
        id="data date impossible",
    ),
    pytest.param(
        event_body("plan_refused", "2026-03-01", {"reasons": ""}),
        422,
        ["body.data.reasons"],
        id="data string empty",
    ),
    pytest.param(
        event_body("plan_refused", "2026-03-01", {"reasons": "x" * 5001}),
        422,
        ["body.data.reasons"],
        id="data string too long",
    ),
    pytest.param(
        event_body("advice_received", "2026-03-01", {}),
        422,
        ["advice_request_id or advice_type"],
        id="advice names no request",
    ),
    pytest.param(
        event_body("advice_received", "2026-03-01", {"advice_request_id": "first"}),
        422,
        ["body.data.advice_request_id"],
        id="advice request id not a number",
    ),
    pytest.param(
        event_body("advice_received", "2026-03-01", {"advice_request_id": 987654321}),
        422,
        ["body.data.advice_request_id", "no such advice request"],
        id="advice request id unknown",
    ),
    pytest.param(
        event_body("advice_received", "2026-03-01", {"advice_type": "sensory"}),
        409,
        ["no open advice requests of type 'sensory'"],
        id="advice type with none open",
    ),
    pytest.param(
        event_body(
            "exception_recorded",
            "2026-03-01",
            {
                "ground": "setting_closure",
                "from": "2026-03-01",
                "to": "2026-02-01",
                "rule": "final_plan",
            },
        ),
        422,
        ["'to' is before 'from'"],
        id="exception to before from",
    ),
    pytest.param(
        event_body(
            "exception_recorded",
            "2026-03-01",
            {"ground": "setting_closure", "from": "2026-03-01", "rule": "no_such_timer"},
        ),
        422,
        ["body.data.rule", "not a timer id"],
        id="exception unknown timer",
    ),
    pytest.param(
        event_body(
            "exception_recorded",
            "2026-03-01",
            {"ground": "setting_closure", "from": "2026-03-01", "rule": 987654321},
        ),
        422,
        ["body.data.rule", "no deadline 987654321"],
        id="exception unknown deadline id",
    ),
    pytest.param(
        event_body(
            "exception_recorded",
            "2026-03-01",
            {"ground": "alien_abduction", "from": "2026-03-01", "rule": "final_plan"},
        ),
        422,
        ["body.data.ground"],
        id="exception unknown ground",
    ),
    pytest.param(
        event_body(
            "exception_recorded", "2026-03-01", {"ground": "setting_closure", "rule": "final_plan"}
        ),
        422,
        ["body.data.from"],
        id="exception without from",
    ),
    pytest.param(
        event_body("event_corrected", "2026-03-01", {"seq": 99, "void": True, "reason": "typo"}),
        422,
        ["body.data.seq", "no record 99"],
        id="correction of a missing record",
    ),
    pytest.param(
        event_body("event_corrected", "2026-03-01", {"seq": 2, "reason": "typo"}),
        422,
        ["occurred_on, data, or void"],
        id="correction changing nothing",
    ),
    pytest.param(
        event_body(
            "event_corrected",
            "2026-03-01",
            {"seq": 3, "data": {"contributor": 5}, "reason": "typo"},
        ),
        422,
        ["body.data.data.contributor"],
        id="correction with bad data",
    ),
    # the envelope
    pytest.param(
        event_body("plan_agreed", "2026-03-01") | {"actor": "someone else"},
        422,
        ["body.actor", "Extra inputs"],
        id="unknown top-level field",
    ),
    pytest.param(
        event_body("plan_agreed", "2026-03-01") | {"expected_version": "three"},
        422,
        ["body.expected_version"],
        id="version not a number",
    ),
    pytest.param(
        event_body("plan_agreed", "2026-03-01") | {"expected_version": -1},
        422,
        ["body.expected_version"],
        id="version negative",
    ),
    pytest.param(
        event_body("plan_agreed", "2026-03-01") | {"expected_version": 2.5},
        422,
        ["body.expected_version"],
        id="version fractional",
    ),
    pytest.param(
        event_body("plan_agreed", "2026-03-01") | {"expected_version": 2**63},
        422,
        ["body.expected_version"],
        id="version beyond 64 bits",
    ),
    pytest.param(
        event_body("plan_agreed", "2026-03-01") | {"expected_version": 2**31},
        422,
        ["body.expected_version"],
        id="version beyond the column",
    ),
    pytest.param(
        event_body("plan_agreed", "2026-03-01") | {"expected_version": 2},
        409,
        ["reload"],
        id="stale version",
    ),
    # strings the databases cannot store
    pytest.param(
        event_body("plan_refused", "2026-03-01", {"reasons": "a\x00b"}),
        422,
        ["body.data", "NUL"],
        id="NUL in data",
    ),
    pytest.param(
        event_body(
            "advice_requested", "2026-03-01", {"advice_type": "health", "contributor": "G\x00P"}
        ),
        422,
        ["contributor", "NUL"],
        id="NUL in a stored column",
    ),
    pytest.param(event_body("plan_agreed\x00", "2026-03-01"), 422, ["body.type"], id="NUL in type"),
]


@pytest.mark.parametrize(("body", "status", "fragments"), BAD_EVENTS)
def test_bad_event_is_a_clear_4xx_and_writes_nothing(api, case_id, body, status, fragments):
    before = api.snapshot(case_id)
    assert before[0]["version"] == 3
    response = api.client.post(f"/api/v1/cases/{case_id}/events", json=body, headers=api.headers)
    _assert_clear_4xx(response, status, *fragments)
    assert api.snapshot(case_id) == before


RAW_EVENT_BODIES = [
    pytest.param(b"{not json", JSON, 422, id="malformed JSON"),
    pytest.param(
        b'{"type": "plan_agreed", "occurred_on": "2026-03-01"', JSON, 422, id="truncated JSON"
    ),
    pytest.param(b"", JSON, 422, id="empty body"),
    pytest.param(b"null", JSON, 422, id="null body"),
    pytest.param(b"[1, 2]", JSON, 422, id="array body"),
    pytest.param(b'"plan_agreed"', JSON, 422, id="string body"),
    pytest.param(b"NaN", JSON, 422, id="NaN body"),
    pytest.param(
        b'{"type": "plan_agreed", "occurred_on": "2026-03-01", "data": {"x": 1e999}}',
        JSON,
        422,
        id="infinite number",
    ),
    pytest.param(
        b'{"type": "plan_agreed", "occurred_on": "2026-03-01", "data": {"x": NaN}}',
        JSON,
        422,
        id="NaN number",
    ),
    pytest.param(
        b'{"type": "plan_\\ud800", "occurred_on": "2026-03-01"}', JSON, 422, id="lone surrogate"
    ),
    pytest.param(
        b'{"type": "plan_refused", "occurred_on": "2026-03-01", "data": {"reasons": "\\udfff"}}',
        JSON,
        422,
        id="lone surrogate in data",
    ),
    pytest.param(
        b'{"type": "plan_agreed", "occurred_on": "2026-03-01", "data": {"\\ud800": 1}}',
        JSON,
        422,
        id="lone surrogate key",
    ),
    pytest.param(b'{"a": ' + b"1" * 5000 + b"}", JSON, (400, 422), id="5000-digit number"),
    pytest.param(b"[" * 50_000 + b"]" * 50_000, JSON, (400, 422), id="deeply nested"),
    pytest.param(b"\xff\xfe\x00\x00", JSON, (400, 422), id="not UTF-8"),
    pytest.param(
        b'{"type": "plan_agreed", "occurred_on": "2026-03-01"}',
        {"content-type": "text/plain"},
        422,
        id="not declared JSON",
    ),
]


@pytest.mark.parametrize(("content", "headers", "status"), RAW_EVENT_BODIES)
def test_unparseable_event_body_is_a_clear_4xx_and_writes_nothing(
    api, case_id, content, headers, status
):
    before = api.snapshot(case_id)
    response = api.client.post(
        f"/api/v1/cases/{case_id}/events", content=content, headers={**api.headers, **headers}
    )
    expected = status if isinstance(status, tuple) else (status,)
    assert response.status_code in expected, response.text
    assert response.json()["detail"]
    assert api.snapshot(case_id) == before


def test_field_level_messages_name_every_bad_field(api, case_id):
    body = {"type": 5, "occurred_on": "2026-02-30", "expected_version": "x", "extra": 1}
    response = api.client.post(f"/api/v1/cases/{case_id}/events", json=body, headers=api.headers)
    assert response.status_code == 422
    assert set(error_locs(response)) == {
        "body.type",
        "body.occurred_on",
        "body.expected_version",
        "body.extra",
    }
    assert all(d["msg"] for d in response.json()["detail"])


# ---- sizes ----------------------------------------------------------------------------------


def test_body_over_the_limit_is_413(api, case_id):
    before = api.snapshot(case_id)
    body = event_body("plan_refused", "2026-03-01", {"reasons": "x" * 1_000_001})
    response = api.client.post(f"/api/v1/cases/{case_id}/events", json=body, headers=api.headers)
    assert response.status_code == 413
    assert "1000000 bytes" in response.json()["detail"]
    assert api.snapshot(case_id) == before


def test_chunked_body_over_the_limit_is_413(api, case_id):
    """No content-length to go by: the limit is enforced on the bytes as they arrive."""
    before = api.snapshot(case_id)
    prefix = b'{"type": "plan_refused", "occurred_on": "2026-03-01", "data": {"reasons": "'

    def chunks():
        yield prefix
        for _ in range(11):
            yield b"x" * 100_000
        yield b'"}}'

    response = api.client.post(
        f"/api/v1/cases/{case_id}/events", content=chunks(), headers={**api.headers, **JSON}
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert response.status_code == 413, response.text
    assert api.snapshot(case_id) == before


def test_body_just_under_the_limit_is_read(api, case_id):
    """The limit refuses only what is over it: this body is parsed (and its reasons are too
    long for the vocabulary, a 422 naming the field)."""
    body = event_body("plan_refused", "2026-03-01", {"reasons": "x" * 999_000})
    response = api.client.post(f"/api/v1/cases/{case_id}/events", json=body, headers=api.headers)
    _assert_clear_4xx(response, 422, "body.data.reasons")


def test_the_limit_follows_the_setting(svc, api, case_id):
    small = Settings(max_body_bytes=200)
    with TestClient(create_app(services=svc, settings=small)) as client:
        long = event_body("plan_refused", "2026-03-01", {"reasons": "x" * 300})
        assert (
            client.post(
                f"/api/v1/cases/{case_id}/events", json=long, headers=api.headers
            ).status_code
            == 413
        )
        short = event_body("plan_refused", "2026-03-01", {"reasons": "no"})
        assert (
            client.post(
                f"/api/v1/cases/{case_id}/events", json=short, headers=api.headers
            ).status_code
            == 201
        )


# ---- wrong token, wrong case -----------------------------------------------------------------


def test_wrong_token_writes_nothing(api, case_id):
    before = api.snapshot(case_id)
    body = event_body("plan_agreed", "2026-03-01")
    response = api.client.post(
        f"/api/v1/cases/{case_id}/events", json=body, headers=bearer("ehcp_wrong")
    )
    assert response.status_code == 401
    assert api.snapshot(case_id) == before


@pytest.mark.parametrize("bad_id", ["987654321", "0", "-1", str(2**31), str(2**63), str(10**30)])
def test_unknown_case_id_is_404(api, bad_id):
    for response in (
        api.client.get(f"/api/v1/cases/{bad_id}", headers=api.headers),
        api.client.get(f"/api/v1/cases/{bad_id}/audit", headers=api.headers),
        api.post(bad_id, "plan_agreed", "2026-03-01"),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["detail"] == f"no case {bad_id}"


@pytest.mark.parametrize("bad_id", ["abc", "1.5", "1e3"])
def test_case_id_not_an_integer_is_422(api, bad_id):
    response = api.client.get(f"/api/v1/cases/{bad_id}", headers=api.headers)
    _assert_clear_4xx(response, 422, "path.case_id")


# ---- bad queries on the caseload list ----------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 0}, "query.limit"),
        ({"limit": 501}, "query.limit"),
        ({"limit": "ten"}, "query.limit"),
        ({"offset": -1}, "query.offset"),
        ({"offset": 2**63}, "query.offset"),
        ({"officer": "me"}, "query.officer"),
        ({"officer": 2**63}, "query.officer"),
        ({"overdue": "maybe"}, "query.overdue"),
        ({"stage": "x" * 31}, "query.stage"),
        ({"state": "a\x00b"}, "query.state"),
    ],
)
def test_bad_list_query_is_422(api, query, field):
    response = api.client.get("/api/v1/cases", params=query, headers=api.headers)
    _assert_clear_4xx(response, 422, field)


# ---- opening a case --------------------------------------------------------------------------

CHILD = case_body()["child"]
REQUEST = case_body()["request"]

BAD_CASES = [
    pytest.param({"request": REQUEST}, ["body.child", "Field required"], id="child missing"),
    pytest.param({"child": CHILD}, ["body"], id="request missing"),
    pytest.param(
        case_body(child={**CHILD, "given_name": ""}),
        ["body.child.given_name"],
        id="empty given name",
    ),
    pytest.param(
        case_body(child={k: v for k, v in CHILD.items() if k != "family_name"}),
        ["body.child.family_name", "Field required"],
        id="family name missing",
    ),
    pytest.param(
        case_body(child={**CHILD, "family_name": "x" * 101}),
        ["body.child.family_name"],
        id="family name too long",
    ),
    pytest.param(
        case_body(child={**CHILD, "given_name": 42}), ["body.child.given_name"], id="name a number"
    ),
    pytest.param(
        case_body(child={**CHILD, "given_name": "A\x00"}),
        ["body.child.given_name", "NUL"],
        id="NUL in a name",
    ),
    pytest.param(
        case_body(child={**CHILD, "date_of_birth": "2015-02-29"}),
        ["body.child.date_of_birth"],
        id="born 29 February 2015",
    ),
    pytest.param(
        case_body(child={**CHILD, "date_of_birth": "2015-02-30"}),
        ["body.child.date_of_birth"],
        id="born 30 February",
    ),
    pytest.param(
        case_body(child={**CHILD, "date_of_birth": ["2015-03-15"]}),
        ["body.child.date_of_birth"],
        id="birth date a list",
    ),
    pytest.param(
        case_body(child={**CHILD, "date_of_birth": "2026-01-06"}),
        ["body.child.date_of_birth", "born after the request"],
        id="born after the request",
    ),
    pytest.param(case_body(child={**CHILD, "upn": "12345"}), ["body.child.upn"], id="bad UPN"),
    pytest.param(
        case_body(child={**CHILD, "nickname": "Al"}),
        ["body.child.nickname", "Extra inputs"],
        id="unknown child field",
    ),
    pytest.param(
        case_body(request={**REQUEST, "received_on": "2026-02-30"}),
        ["body.request.received_on"],
        id="received 30 February",
    ),
    pytest.param(
        case_body(request={**REQUEST, "received_on": "2026-11-26"}),
        ["body.request.received_on", "in the future"],
        id="received tomorrow",
    ),
    pytest.param(
        case_body(request={**REQUEST, "source": "martian"}),
        ["body.request.source"],
        id="unknown source",
    ),
    pytest.param(
        case_body(request={"received_on": "2026-01-05"}),
        ["body.request.source", "Field required"],
        id="source missing",
    ),
    pytest.param(
        case_body(request={**REQUEST, "received_by": "x" * 201}),
        ["body.request.received_by"],
        id="received_by too long",
    ),
    pytest.param(
        case_body(request={**REQUEST, "priority": "high"}),
        ["body.request.priority"],
        id="unknown request field",
    ),
    pytest.param(
        case_body(officer_id=987654), ["body.officer_id", "no user 987654"], id="unknown officer"
    ),
    pytest.param(case_body(officer_id="me"), ["body.officer_id"], id="officer not a number"),
    pytest.param(case_body(officer_id=2**63), ["body.officer_id"], id="officer beyond 64 bits"),
    pytest.param(
        case_body(status="open"), ["body.status", "Extra inputs"], id="unknown top-level field"
    ),
    pytest.param([case_body()], ["body"], id="a list of cases"),
]


def _nothing_in(svc) -> tuple[int, int]:
    with svc.sessions() as session:
        cases = session.scalar(select(func.count(Case.id)))
        records = session.scalar(select(func.count()).select_from(AuditEvent))
    return cases, records


@pytest.mark.parametrize(("body", "fragments"), BAD_CASES)
def test_bad_case_is_422_and_opens_nothing(fresh_svc, fresh_client, fresh_auth, body, fragments):
    response = fresh_client.post("/api/v1/cases", json=body, headers=fresh_auth)
    _assert_clear_4xx(response, 422, *fragments)
    assert _nothing_in(fresh_svc) == (0, 0)
    listed = fresh_client.get("/api/v1/cases", headers=fresh_auth).json()
    assert (listed["total"], listed["items"]) == (0, [])


@pytest.mark.parametrize(
    "content",
    [b"{", b"", b'{"child": {"given_name": "\\ud800"}}', b'{"child": 1e999}'],
    ids=["malformed", "empty", "lone surrogate", "infinity"],
)
def test_unparseable_case_body_is_422_and_opens_nothing(
    fresh_svc, fresh_client, fresh_auth, content
):
    response = fresh_client.post("/api/v1/cases", content=content, headers={**fresh_auth, **JSON})
    assert response.status_code == 422, response.text
    assert _nothing_in(fresh_svc) == (0, 0)


def test_case_body_over_the_limit_is_413_and_opens_nothing(fresh_svc, fresh_client, fresh_auth):
    body = case_body(child={**CHILD, "given_name": "x" * 1_000_001})
    response = fresh_client.post("/api/v1/cases", json=body, headers=fresh_auth)
    assert response.status_code == 413
    assert _nothing_in(fresh_svc) == (0, 0)


# ---- engine bugs found by these tests ----------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"advice_request_id": 2**63},
        {"ground": "setting_closure", "from": "2026-03-01", "rule": 2**63},
    ],
    ids=["advice_request_id", "exception rule"],
)
def test_huge_integer_ids_in_data_are_422(api, case_id, data):
    type_ = "advice_received" if "advice_request_id" in data else "exception_recorded"
    before = api.snapshot(case_id)
    response = api.post(case_id, type_, "2026-03-01", data)
    assert response.status_code == 422, response.text
    assert api.snapshot(case_id) == before


def test_correction_into_the_future_is_refused(api):
    """Found by this suite (a correction bypassed the future-date check); now refused."""
    case = api.open()
    before = api.snapshot(case["id"])
    correction = {"seq": 1, "occurred_on": "2030-01-01", "reason": "typo"}
    response = api.post(case["id"], "event_corrected", TODAY, correction)
    _assert_clear_4xx(response, 422, "body.data.occurred_on", "in the future")
    assert api.snapshot(case["id"]) == before


def test_correction_of_the_request_to_before_the_birth_is_refused(api):
    case = api.open()
    correction = {"seq": 1, "occurred_on": "2010-01-04", "reason": "typo"}
    response = api.post(case["id"], "event_corrected", TODAY, correction)
    assert response.status_code in (409, 422), response.text


def test_request_before_any_rule_set_is_refused(fresh_svc, fresh_client, fresh_auth):
    body = case_body(
        child={**CHILD, "date_of_birth": "2005-03-15"},
        request={**REQUEST, "received_on": "2010-01-05"},
    )
    response = fresh_client.post("/api/v1/cases", json=body, headers=fresh_auth)
    assert response.status_code == 422, response.text
    assert _nothing_in(fresh_svc) == (0, 0)
