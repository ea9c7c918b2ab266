"""A plan version as documents: an accessible PDF (WeasyPrint, tagged PDF/UA-1) and the
proposed-amendments notice of a review, which shows what changed section by section.

The PDF is rendered from HTML with real headings, a language, a title and tables with header
cells, so a screen reader can navigate it; the authority's name and logo come from settings
(EHCP_LA_NAME, EHCP_LA_LOGO). The DOCX is in `plan_docx`.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ehcp_engine.domain.errors import EventInvalid
from ehcp_engine.domain.plan_content import (
    AREA_LABELS,
    PFA_LABELS,
    SECTION_TITLES,
    PlanContent,
)
from ehcp_engine.services import plan_diff
from ehcp_engine.services.context import Services
from ehcp_engine.services.plans import (
    framework,
    get_case,
    get_version,
    issued_dates,
    summary,
)

log = logging.getLogger("ehcp.plans")
TEMPLATES = Path(__file__).resolve().parent / "templates"
LOGO_MAX_BYTES = 1_000_000
LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
KIND_LABELS = {"draft": "draft plan", "final": "final plan", "amended": "amended plan"}
VERBS = {"added": "Add", "removed": "Remove", "changed": "Change"}
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def uk_date(value: date | str | None) -> str:
    if value is None or value == "":
        return "—"
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def money(value: Decimal | str | None) -> str:
    return "—" if value is None else f"£{Decimal(str(value)):,.2f}"


def css_string(value: str) -> Markup:
    """A CSS string literal (the page header): quotes, backslashes and '<' escaped."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '"\\<>\n\r' else ch for ch in value)
    return Markup(f'"{escaped}"')


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["uk_date"] = uk_date
    env.filters["css_string"] = css_string
    env.filters["money"] = money
    return env


ENV = _environment()


@dataclass(frozen=True)
class Logo:
    data: bytes
    mime: str

    @property
    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


def load_logo(path: Path | None) -> Logo | None:
    """The configured logo if it is a PNG or JPEG of at most 1 MB; otherwise none, with a
    warning in the log (a wrong file must not stop a plan being issued)."""
    if path is None:
        return None
    try:
        if path.stat().st_size > LOGO_MAX_BYTES:
            log.warning("EHCP_LA_LOGO %s is over %d bytes: not used", path, LOGO_MAX_BYTES)
            return None
        data = path.read_bytes()
    except OSError as err:
        log.warning("EHCP_LA_LOGO %s cannot be read (%s): not used", path, err)
        return None
    mime = next((m for magic, m in LOGO_TYPES.items() if data.startswith(magic)), None)
    if mime is None:
        log.warning("EHCP_LA_LOGO %s is not a PNG or JPEG: not used", path)
        return None
    return Logo(data, mime)


@dataclass(frozen=True)
class PlanDocument:
    la_name: str
    logo: Logo | None
    reference: str
    child_name: str
    date_of_birth: date
    version: dict[str, Any]
    content: PlanContent
    framework_name: str

    @property
    def heading(self) -> str:
        kind = self.version["kind"]
        if kind == "draft":
            return "Draft Education, Health and Care plan"
        if kind == "amended":
            return "Education, Health and Care plan (amended)"
        return "Education, Health and Care plan"

    def filename(self, suffix: str) -> str:
        return f"{self.reference}-plan-v{self.version['number']}.{suffix}"


def load_document(svc: Services, case_id: int, version_id: int) -> PlanDocument:
    with svc.sessions() as session:
        case = get_case(session, case_id)
        v = get_version(session, case_id, version_id)
        issued_on = issued_dates(session, case_id).get(v.issued_seq or 0)
        return PlanDocument(
            la_name=svc.settings.la_name,
            logo=load_logo(svc.settings.la_logo),
            reference=case.reference or str(case.id),
            child_name=f"{case.given_name} {case.family_name}",
            date_of_birth=case.date_of_birth,
            version=summary(v, issued_on),
            content=PlanContent.model_validate(v.content),
            framework_name=framework(svc).name,
        )


def _watermark(doc: PlanDocument) -> Markup | None:
    if doc.version["kind"] == "draft":
        return css_string("DRAFT")
    if doc.version["status"] == "void":
        return css_string("VOID: ISSUING WITHDRAWN")
    return None if doc.version["status"] == "issued" else css_string("NOT YET ISSUED")


def _common(doc: PlanDocument, title: str) -> dict[str, Any]:
    return {
        "title": title,
        "description": f"{title} for {doc.child_name}, case {doc.reference}",
        "la_name": doc.la_name,
        "logo": doc.logo.data_uri if doc.logo else None,
        "running_head": css_string(f"{doc.child_name} · {doc.reference}"),
        "watermark": _watermark(doc),
        "child_name": doc.child_name,
        "reference": doc.reference,
    }


def plan_html(doc: PlanDocument) -> str:
    title = f"{doc.heading}: {doc.child_name}"
    return ENV.get_template("plan.html").render(
        **_common(doc, title),
        heading=doc.heading,
        date_of_birth=doc.date_of_birth,
        version=doc.version,
        kind_label=KIND_LABELS[doc.version["kind"]]
        + ("" if doc.version["status"] == "issued" else ", not yet issued"),
        content=doc.content,
        titles=SECTION_TITLES,
        areas=AREA_LABELS,
        pfa=PFA_LABELS,
        framework_name=doc.framework_name,
    )


def to_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango when imported, which only rendering needs.
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf(pdf_variant="pdf/ua-1")
    return pdf


def render_pdf(svc: Services, case_id: int, version_id: int) -> tuple[bytes, str]:
    doc = load_document(svc, case_id, version_id)
    return to_pdf(plan_html(doc)), doc.filename("pdf")


def _against(svc: Services, case_id: int, version_id: int, against: int | None) -> int:
    if against is not None:
        return against
    with svc.sessions() as session:
        based_on = get_version(session, case_id, version_id).based_on_id
    if based_on is None:
        raise EventInvalid("against", "this version is based on no other: name one to compare")
    return based_on


def version_diff(
    svc: Services, case_id: int, version_id: int, against: int | None = None
) -> tuple[PlanDocument, PlanDocument, list[plan_diff.SectionDiff]]:
    """(old, new, sections): `against` defaults to the version this one was based on."""
    old = load_document(svc, case_id, _against(svc, case_id, version_id, against))
    new = load_document(svc, case_id, version_id)
    return old, new, plan_diff.diff(old.content, new.content)


def diff_view(
    svc: Services, case_id: int, version_id: int, against: int | None = None
) -> dict[str, Any]:
    old, new, sections = version_diff(svc, case_id, version_id, against)
    return {
        "from_version": old.version,
        "to_version": new.version,
        "sections": plan_diff.as_json(sections),
        "summary": plan_diff.summary_text(sections),
    }


def amendments_notice_html(old: PlanDocument, new: PlanDocument, sections: Any) -> str:
    title = "Proposed amendments to the EHC plan"
    return ENV.get_template("amendments.html").render(
        **_common(new, title) | {"watermark": None},
        old=old.version,
        new=new.version,
        sections=sections,
        verbs=VERBS,
        shown=plan_diff.shown,
    )


def amendments_notice_pdf(
    svc: Services, case_id: int, version_id: int, against: int | None = None
) -> tuple[bytes, str]:
    old, new, sections = version_diff(svc, case_id, version_id, against)
    name = f"{new.reference}-proposed-amendments-v{old.version['number']}-v{new.version['number']}"
    return to_pdf(amendments_notice_html(old, new, sections)), f"{name}.pdf"
