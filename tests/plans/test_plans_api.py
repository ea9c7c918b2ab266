"""The plan through the API: drafted, checked, served, issued, amended at review, rendered.

One journey follows a case from request to an amended plan; the other tests break one thing.
Runs on SQLite, and on PostgreSQL when EHCP_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx

from ehcp_engine.domain.plan_content import SECTION_TITLES
from tests.api.conftest import Api
from tests.plans.sample import good

JSON = {"content-type": "application/json"}


class Plans:
    """The plan-versions endpoints of one case, as the officer of `api`."""

    def __init__(self, api: Api, case_id: int) -> None:
        self.api = api
        self.client = api.client
        self.base = f"/api/v1/cases/{case_id}/plan-versions"

    def new(self, status: int = 201) -> dict[str, Any]:
        response = self.client.post(self.base, headers=self.api.headers)
        assert response.status_code == status, response.text
        return response.json()

    def put(self, vid: int, content: dict[str, Any], status: int = 200) -> dict[str, Any]:
        response = self.client.put(
            f"{self.base}/{vid}", json={"content": content}, headers=self.api.headers
        )
        assert response.status_code == status, response.text
        return response.json()

    def issue(self, vid: int, on: str, status: int = 201, **kw: Any) -> dict[str, Any]:
        response = self.client.post(
            f"{self.base}/{vid}/issue", json={"occurred_on": on, **kw}, headers=self.api.headers
        )
        assert response.status_code == status, response.text
        return response.json()

    def get(self, path: str, status: int = 200, headers: dict[str, str] | None = None) -> Any:
        response = self.client.get(f"{self.base}{path}", headers=headers or self.api.headers)
        assert response.status_code == status, response.text
        return response


def case_with_plan_agreed(api: Api) -> tuple[int, int]:
    """A case whose plan was agreed on 1 April 2026, with EP advice received: (case, advice id)."""
    case_id = api.open()["id"]
    api.do(case_id, "assessment_agreed", "2026-02-10")
    case = api.do(
        case_id,
        "advice_requested",
        "2026-02-11",
        {"advice_type": "psychological", "contributor": "EP service"},
    )
    advice_id = case["advice_requests"][0]["id"]
    api.do(case_id, "advice_received", "2026-03-10", {"advice_request_id": advice_id})
    api.do(case_id, "plan_agreed", "2026-04-01")
    return case_id, advice_id


def draft_content(advice_id: int) -> dict[str, Any]:
    content = good(i={})
    content["k"].append(
        {
            "advice_request_id": advice_id,
            "advice_type": "psychological",
            "contributor": "EP service",
            "received_on": "2026-03-10",
        }
    )
    return content


def last_event(api: Api, case_id: int) -> dict[str, Any]:
    return api.audit(case_id)[-1]


def rules(api: Api, case_id: int) -> set[str]:
    return {d["rule"] for d in api.case(case_id)["deadlines"]}


def test_a_plan_from_draft_to_amendment_through_the_api(api: Api, tmp_path: Path):
    case_id, advice_id = case_with_plan_agreed(api)
    plans = Plans(api, case_id)

    # A new version is the draft, with the advice received already listed in Section K.
    v1 = plans.new()
    assert (v1["number"], v1["kind"], v1["status"]) == (1, "draft", "editing")
    assert [a["advice_request_id"] for a in v1["content"]["k"]] == [advice_id]
    assert "section_empty" in {c["code"] for c in v1["checks"]}

    # A draft naming a setting cannot be served (s.38(5)): 422, and nothing is recorded.
    named = plans.put(v1["id"], {**draft_content(advice_id), "i": {"setting_name": "Oak"}})
    assert [c["code"] for c in named["checks"] if c["blocking"]] == ["draft_names_setting"]
    before = api.snapshot(case_id)
    refused = plans.issue(v1["id"], "2026-04-08", status=422)
    assert error_locs_of(refused) == ["body.content.i.setting_name"]
    assert api.snapshot(case_id) == before

    # Cleared, it is served: draft_plan_served is recorded and the family's window opens.
    edited = plans.put(v1["id"], draft_content(advice_id))
    assert edited["checks"] == []
    served = plans.issue(v1["id"], "2026-04-08")
    assert (served["status"], served["issued_on"]) == ("issued", "2026-04-08")
    assert last_event(api, case_id)["type"] == "draft_plan_served"
    assert served["issued_seq"] == last_event(api, case_id)["seq"]
    assert "draft_comments" in rules(api, case_id)

    # The final plan names the setting; issuing it starts the annual review clock.
    v2 = plans.new()
    assert (v2["kind"], v2["based_on_id"], v2["content"]) == (
        "final",
        v1["id"],
        v1_content(plans, v1),
    )
    plans.put(v2["id"], good(k=draft_content(advice_id)["k"]))
    final = plans.issue(v2["id"], "2026-05-01", expected_version=served["case_version"])
    assert final["kind"] == "final"
    event = last_event(api, case_id)
    assert (event["type"], event["data"]["named_setting"]) == ("final_plan_issued", "Oak Academy")
    assert "annual_review" in rules(api, case_id)

    # An issued version is never edited: 409, and a new version is the way to change it.
    plans.put(v2["id"], good(), status=409)
    plans.put(v1["id"], good(i={}), status=409)

    # The annual review rates each outcome; the ratings are kept against the outcomes.
    api.do(
        case_id,
        "review_meeting_held",
        "2026-10-01",
        {
            "outcome_progress": [
                {"outcome": "E1", "rating": "achieved", "note": "Chats with two friends"},
                {"outcome": "E2", "rating": "partly"},
            ]
        },
    )
    progress = plans.get(f"/{v2['id']}").json()["progress"]
    assert progress["E1"][0]["rating"] == "achieved"
    assert progress["E2"][0]["matched"] is True

    # The amended version: the differences are shown, then sent with the review decision.
    v3 = plans.new()
    assert (v3["kind"], v3["based_on_id"]) == ("amended", v2["id"])
    amended = amend(v3["content"])
    plans.put(v3["id"], amended)
    diff = plans.get(f"/{v3['id']}/diff").json()
    changed = {s["section"]: s["changes"] for s in diff["sections"] if s["changed"]}
    assert set(changed) == {"e", "f", "i"}
    assert [c["change"] for c in changed["e"]] == ["added"]
    assert "Section I" in diff["summary"] and "Beech College" in diff["summary"]
    notice = plans.get(f"/{v3['id']}/amendments-notice.pdf")
    assert notice.headers["content-type"] == "application/pdf"
    assert notice.content.startswith(b"%PDF")
    api.do(
        case_id,
        "review_decision_notified",
        "2026-10-15",
        {"outcome": "amend", "proposed_amendments": diff["summary"]},
    )
    issued = plans.issue(v3["id"], "2026-11-10")
    event = last_event(api, case_id)
    assert (event["type"], event["data"]["named_setting"]) == (
        "amended_plan_issued",
        "Beech College",
    )
    assert issued["issued_seq"] == event["seq"]
    listed = plans.get("").json()
    assert [(v["number"], v["kind"], v["status"]) for v in listed] == [
        (1, "draft", "issued"),
        (2, "final", "issued"),
        (3, "amended", "issued"),
    ]

    check_pdf(plans.get(f"/{v3['id']}.pdf"), tmp_path)
    check_docx(plans.get(f"/{v3['id']}.docx"))


def v1_content(plans: Plans, v1: dict[str, Any]) -> dict[str, Any]:
    return plans.get(f"/{v1['id']}").json()["content"]


def error_locs_of(body: dict[str, Any]) -> list[str]:
    return [".".join(map(str, d["loc"])) for d in body["detail"]]


def amend(content: dict[str, Any]) -> dict[str, Any]:
    """The review's amendments: a new outcome with provision for it, and a new setting."""
    content["e"].append(
        {
            "id": "E3",
            "description": "By July 2028 Alex will travel to school on the bus with a buddy.",
            "time_frame": "July 2028",
            "steps": ["Practises the route with a TA"],
            "pfa_theme": "independent_living",
            "headings": ["I am becoming more independent"],
        }
    )
    content["f"][0]["outcomes"] = ["E1", "E3"]
    content["f"][0]["frequency"] = "4 times a week"
    content["i"] = {"setting_name": "Beech College", "setting_type": "Mainstream secondary"}
    return content


def check_pdf(response: Any, tmp_path: Path) -> None:
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(response.content)
    assert shutil.which("pdftoppm"), "pdftoppm is missing: run scripts/setup.sh (poppler-utils)"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "Tagged:          yes" in info.stdout  # a tagged PDF (PDF/UA-1) for screen readers
    assert "Title:           Education, Health and Care plan (amended): Alex Example" in info.stdout
    page = ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")]
    subprocess.run(page, check=True)
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 10_000


def check_docx(response: Any) -> None:
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    document = docx.Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [f"Section {key.upper()}: {title}" for key, title in SECTION_TITLES.items()]
    text = "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert "Beech College" in text and "4 times a week" in text
    assert document.core_properties.title.startswith("Education, Health and Care plan (amended)")
