"""Two officers acting on one case at once: exactly one wins, the other is told to reload, and
nothing is lost silently. Run with real threads on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from audit.log import verify
from ehcp_engine.domain.case import Child
from ehcp_engine.domain.errors import DomainError, VersionConflict
from ehcp_engine.persistence.models import AccessLog
from ehcp_engine.services.cases import NewCase, audit_view, case_view, create_case
from ehcp_engine.services.context import Actor, Services
from ehcp_engine.services.write_path import EventIn, record_event
from tests.api.conftest import Api, bearer, event_body, make_user

THREADS = 8


def _officer(n: int) -> Actor:
    return Actor(user_id=None, label=f"officer{n}@example.gov.uk", role="officer")


def _assessing_case(svc: Services) -> int:
    """A case whose assessment is gathering advice: advice_requested may follow any number of
    times, so every racing event is allowed by the stage; only the version decides."""
    child = Child(given_name="Race", family_name="Example", date_of_birth=date(2015, 3, 15))
    request = EventIn("request_received", date(2026, 1, 5), {"source": "parent"})
    case_id = create_case(svc, NewCase(child=child, request=request), _officer(0))
    record_event(
        svc,
        case_id=case_id,
        event=EventIn("assessment_agreed", date(2026, 2, 10)),
        actor=_officer(0),
    )
    return case_id


def _advice(n: int, expected_version: int | None = None) -> EventIn:
    data = {"advice_type": "health", "contributor": f"contributor {n}"}
    return EventIn("advice_requested", date(2026, 2, 11), data, expected_version)


def _race(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(i) for i in 0..n-1 on n threads released together; each result or exception."""
    barrier = threading.Barrier(n)

    def run(i: int) -> Any:
        barrier.wait(timeout=30)
        try:
            return work(i)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def _assert_chain_intact(svc: Services, case_id: int, length: int) -> list[dict[str, Any]]:
    records = audit_view(svc, case_id)
    assert [r["seq"] for r in records] == list(range(1, length + 1))
    for earlier, later in itertools.pairwise(records):
        assert later["prev_hash"] == earlier["hash"]
    with svc.sessions() as session:
        assert verify(session, [case_id]) == []
    return records


# ---- sequentially: a stale expected_version ----------------------------------------------------


def test_stale_expected_version_is_409_and_tells_them_to_reload(svc, client):
    alice_id, alice_token = make_user(svc, "officer")
    alice = Api(client, bearer(alice_token))
    bob = Api(client, bearer(make_user(svc, "officer")[1]))
    case = alice.open()
    alice.do(case["id"], "assessment_agreed", "2026-02-10")
    # Both read the case at version 2 ...
    seen_by_alice, seen_by_bob = alice.case(case["id"]), bob.case(case["id"])
    assert seen_by_alice["version"] == seen_by_bob["version"] == 2
    # ... Alice records first ...
    data = {"advice_type": "health", "contributor": "Alice's request"}
    first = alice.post(case["id"], "advice_requested", "2026-02-11", data, expected_version=2)
    assert first.status_code == 201
    assert first.json()["version"] == 3
    # ... and Bob, acting on what he read, is refused.
    data = {"advice_type": "health", "contributor": "Bob's request"}
    second = bob.post(case["id"], "advice_requested", "2026-02-11", data, expected_version=2)
    assert second.status_code == 409
    detail = second.json()["detail"]
    assert "reload" in detail and "version 3" in detail
    records = bob.audit(case["id"])
    assert [r["seq"] for r in records] == [1, 2, 3]
    assert records[-1]["data"]["contributor"] == "Alice's request"
    assert records[-1]["actor_id"] == alice_id
    assert [a["contributor"] for a in bob.case(case["id"])["advice_requests"]] == [
        "Alice's request"
    ]
    # Bob reloads and tries again: now it is recorded.
    retry = bob.post(case["id"], "advice_requested", "2026-02-11", data, expected_version=3)
    assert retry.status_code == 201
    assert [a["contributor"] for a in retry.json()["advice_requests"]] == [
        "Alice's request",
        "Bob's request",
    ]


def test_expected_version_from_the_future_is_409(api):
    case = api.open()
    before = api.snapshot(case["id"])
    response = api.post(case["id"], "assessment_agreed", "2026-02-10", expected_version=7)
    assert response.status_code == 409
    assert "reload" in response.json()["detail"]
    assert api.snapshot(case["id"]) == before


def test_refused_event_with_the_right_version_leaves_the_version(api):
    case = api.open()
    response = api.post(case["id"], "plan_agreed", "2026-02-10", expected_version=1)
    assert response.status_code == 409
    assert api.case(case["id"])["version"] == 1
    assert (
        api.post(case["id"], "assessment_agreed", "2026-02-10", expected_version=1).status_code
        == 201
    )


# ---- with threads: the services ----------------------------------------------------------------


def test_threads_with_the_same_expected_version_exactly_one_wins(svc):
    case_id = _assessing_case(svc)
    version = case_view(svc, case_id)["version"]
    assert version == 2

    results = _race(
        THREADS,
        lambda i: record_event(
            svc, case_id=case_id, event=_advice(i, expected_version=version), actor=_officer(i)
        ),
    )

    winners = [i for i, r in enumerate(results) if r == version + 1]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1, results
    assert len(losers) == THREADS - 1, results
    assert all(isinstance(r, VersionConflict) for r in losers), results
    assert all("reload" in r.detail for r in losers)
    # Nothing lost silently: exactly the winner's record, and the projection agrees.
    records = _assert_chain_intact(svc, case_id, 3)
    (winner,) = winners
    assert records[-1]["data"]["contributor"] == f"contributor {winner}"
    assert records[-1]["actor"] == f"officer{winner}@example.gov.uk"
    case = case_view(svc, case_id)
    assert case["version"] == 3
    assert [a["contributor"] for a in case["advice_requests"]] == [f"contributor {winner}"]
    # Each refusal is kept in the access log.
    with svc.sessions() as session:
        refusals = session.scalars(
            select(AccessLog.detail).where(
                AccessLog.case_id == case_id, AccessLog.action == "refused"
            )
        ).all()
    assert len(refusals) == THREADS - 1


def test_threads_without_expected_version_are_all_applied_in_some_order(svc):
    case_id = _assessing_case(svc)

    results = _race(
        THREADS, lambda i: record_event(svc, case_id=case_id, event=_advice(i), actor=_officer(i))
    )

    assert all(isinstance(r, int) for r in results), results
    # Every writer saw a different version: the writes were serialised, none overwrote another.
    assert sorted(results) == list(range(3, 3 + THREADS))
    records = _assert_chain_intact(svc, case_id, 2 + THREADS)
    contributors = [r["data"]["contributor"] for r in records[2:]]
    assert sorted(contributors) == sorted(f"contributor {i}" for i in range(THREADS))
    case = case_view(svc, case_id)
    assert case["version"] == 2 + THREADS
    assert len(case["advice_requests"]) == THREADS
    assert len([d for d in case["deadlines"] if d["rule"] == "advice"]) == THREADS


def test_threads_on_different_cases_do_not_conflict(svc):
    case_ids = [_assessing_case(svc) for _ in range(4)]

    results = _race(
        4,
        lambda i: record_event(
            svc, case_id=case_ids[i], event=_advice(i, expected_version=2), actor=_officer(i)
        ),
    )

    assert results == [3, 3, 3, 3]
    for i, case_id in enumerate(case_ids):
        records = _assert_chain_intact(svc, case_id, 3)
        assert records[-1]["data"]["contributor"] == f"contributor {i}"


# ---- with threads: over HTTP -------------------------------------------------------------------


@pytest.mark.parametrize("with_version", [True, False], ids=["same version", "no version"])
def test_two_officers_posting_at_once_over_http(svc, client, with_version):
    officers = [Api(client, bearer(make_user(svc, "officer")[1])) for _ in range(2)]
    case = officers[0].open()
    officers[0].do(case["id"], "assessment_agreed", "2026-02-10")
    extra = {"expected_version": 2} if with_version else {}

    def post(i: int):
        body = event_body(
            "advice_requested",
            "2026-02-11",
            {"advice_type": "psychological", "contributor": f"officer {i}'s EP"},
            **extra,
        )
        return client.post(
            f"/api/v1/cases/{case['id']}/events", json=body, headers=officers[i].headers
        )

    responses = _race(2, post)

    statuses = sorted(r.status_code for r in responses)
    records = officers[0].audit(case["id"])
    if with_version:
        assert statuses == [201, 409]
        loser = next(r for r in responses if r.status_code == 409)
        assert "reload" in loser.json()["detail"]
        winner = next(r for r in responses if r.status_code == 201)
        assert [r["seq"] for r in records] == [1, 2, 3]
        assert (
            winner.json()["advice_requests"][0]["contributor"] == records[-1]["data"]["contributor"]
        )
    else:
        assert statuses == [201, 201]
        assert [r["seq"] for r in records] == [1, 2, 3, 4]
        assert {r["data"]["contributor"] for r in records[2:]} == {
            "officer 0's EP",
            "officer 1's EP",
        }
    for earlier, later in itertools.pairwise(records):
        assert later["prev_hash"] == earlier["hash"]
