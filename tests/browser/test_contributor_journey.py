"""A contributor in a real browser: signs in, opens the advice request sent to their service,
is told clearly when a file is not a PDF or Word document, then sends their advice with a PDF and
sees the confirmation. axe-core runs on every page at 1280 and 320 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ehcp_engine.persistence.models import AdviceDocument, AuditEvent
from tests.browser.conftest import WIDTHS, Site
from tests.browser.support_roles import go_to, look, sized_page
from tests.browser.test_sign_in_browser import sign_in
from tests.web.roles import case_with_advice_request, new_organisation, person

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_a_contributor_sends_advice_with_a_pdf(
    browser: Any, width: str, site: Site, tmp_path: Path
) -> None:
    with sized_page(browser, site, width) as page:
        org = new_organisation(site.svc)
        _, email = person(site.svc, "contributor", "Dr Pat Psychologist", organisation=org)
        case_id, request_id = case_with_advice_request(site.svc, org)
        sign_in(page, email)
        page.wait_for_url(f"{site.base}/advice")  # their role's first page
        go_to(page, "Advice requests")
        look(page, "Advice requests", "contributor-advice-list")

        page.get_by_role("link", name="Alex Example").first.click()
        assert page.url.endswith(f"/advice/{request_id}")
        look(page, "Alex Example", "contributor-advice-request")

        not_a_pdf = tmp_path / "scan.pdf"
        not_a_pdf.write_bytes(b"\x89PNG\r\n\x1a\n this is an image renamed")
        page.get_by_label("Summary of needs").fill("Difficulties with working memory.")
        page.get_by_label("Upload documents (optional)").set_input_files(str(not_a_pdf))
        page.get_by_role("button", name="Send advice").click()
        look(page, "Alex Example", "contributor-advice-error")
        assert page.title().startswith("Error: ")
        assert (
            "must be a PDF or a Word document" in page.locator(".govuk-error-summary").inner_text()
        )
        assert page.get_by_label("Summary of needs").input_value().startswith("Difficulties")

        report = tmp_path / "EP report.pdf"
        report.write_bytes(PDF)
        page.get_by_label("Provision recommended").fill("Weekly small-group literacy support.")
        page.get_by_label("Upload documents (optional)").set_input_files(str(report))
        page.get_by_role("button", name="Send advice").click()
        page.wait_for_url(f"{site.base}/advice/{request_id}/sent")
        look(page, "Advice sent", "contributor-advice-sent")
        assert "What happens next" in page.content()

        with site.svc.sessions() as session:
            last = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.case_id == case_id)
                .order_by(AuditEvent.seq.desc())
            ).first()
            stored = session.scalars(
                select(AdviceDocument).where(AdviceDocument.case_id == case_id)
            ).all()
        assert last is not None and last.type == "advice_received"
        assert last.data["provision"] == "Weekly small-group literacy support."
        assert [(d.filename, d.content) for d in stored] == [("EP report.pdf", PDF)]
