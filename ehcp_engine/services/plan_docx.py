"""A plan version as a Word document (python-docx), for authorities that finish plans in Word.

Headings use Word's built-in styles (Title, Heading 1, Heading 2), so the navigation pane and
screen readers find every section; tables repeat their header row across pages; the logo has
alternative text; the document's title and language are set.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from io import BytesIO
from typing import Any

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ehcp_engine.domain.plan_content import (
    AREA_LABELS,
    PFA_LABELS,
    SECTION_TITLES,
    SECTIONS,
    PlanContent,
)
from ehcp_engine.services.context import Services
from ehcp_engine.services.plan_documents import (
    PlanDocument,
    load_document,
    money,
    uk_date,
)

NOTHING = "Nothing is recorded in this section."
Writer = Callable[[Any, PlanContent, PlanDocument], None]


def _table(d: Any, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    table = d.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    head = table.rows[0]
    for cell, text in zip(head.cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page
    repeat.set(qn("w:val"), "true")
    head._tr.get_or_add_trPr().append(repeat)
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text
    d.add_paragraph()


def _two_columns(d: Any, rows: Sequence[tuple[str, str]]) -> None:
    table = d.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].paragraphs[0].add_run(label).bold = True
        cells[1].text = value
    d.add_paragraph()


def _nothing(d: Any, text: str = NOTHING) -> None:
    d.add_paragraph().add_run(text).italic = True


def _section_a(d: Any, c: PlanContent, doc: PlanDocument) -> None:
    if not (c.a.views or c.a.interests or c.a.aspirations):
        _nothing(d)
        return
    parts = (("Views", c.a.views), ("Interests", c.a.interests), ("Aspirations", c.a.aspirations))
    for label, text in parts:
        d.add_heading(label, level=2)
        d.add_paragraph(text) if text else _nothing(d)


def _section_b(d: Any, c: PlanContent, doc: PlanDocument) -> None:
    rows = [(n.id, AREA_LABELS[n.area], n.description) for n in c.b]
    _table(d, ("Ref.", "Area of need", "Description"), rows) if rows else _nothing(d)


def _related(key: str) -> Writer:
    def write(d: Any, c: PlanContent, doc: PlanDocument) -> None:
        rows = [(n.id, n.description) for n in getattr(c, key)]
        _table(d, ("Ref.", "Description"), rows) if rows else _nothing(d)

    return write


def _section_e(d: Any, c: PlanContent, doc: PlanDocument) -> None:
    if not c.e:
        _nothing(d)
    for o in c.e:
        d.add_heading(f"Outcome {o.id}", level=2)
        d.add_paragraph(o.description)
        steps = "\n".join(f"{n}. {s}" for n, s in enumerate(o.steps, start=1))
        rows = [
            ("By when", o.time_frame or "—"),
            ("Steps towards it", steps or "—"),
            ("Preparing for adulthood", PFA_LABELS[o.pfa_theme] if o.pfa_theme else "—"),
            (doc.framework_name, "; ".join(o.headings) or "—"),
        ]
        _two_columns(d, rows)


def _provision(key: str) -> Writer:
    def write(d: Any, c: PlanContent, doc: PlanDocument) -> None:
        header = ("Ref.", "Provision", "Who", "How much", "How often", "Needs", "Outcomes")
        rows = [
            (
                p.id,
                p.what,
                p.who or "—",
                p.amount or "—",
                p.frequency or "—",
                ", ".join(p.needs) or "—",
                ", ".join(p.outcomes) or "—",
            )
            for p in getattr(c, key)
        ]
        _table(d, header, rows) if rows else _nothing(d)

    return write


def _section_i(d: Any, c: PlanContent, doc: PlanDocument) -> None:
    if c.i.setting_name or c.i.setting_type:
        _two_columns(
            d,
            [
                ("School or other institution", c.i.setting_name or "—"),
                ("Type of setting", c.i.setting_type or "—"),
            ],
        )
    elif doc.version["kind"] == "draft":
        _nothing(d, "Left blank in a draft plan (section 38(5)).")
    else:
        _nothing(d)


def _section_j(d: Any, c: PlanContent, doc: PlanDocument) -> None:
    if c.j.personal_budget is None and not c.j.arrangements:
        _nothing(d)
        return
    _two_columns(
        d,
        [
            ("Personal budget", money(c.j.personal_budget)),
            ("Arrangements", c.j.arrangements or "—"),
        ],
    )


def _section_k(d: Any, c: PlanContent, doc: PlanDocument) -> None:
    rows = [
        (a.advice_type.replace("_", " ").capitalize(), a.contributor, uk_date(a.received_on))
        for a in c.k
    ]
    _table(d, ("Advice", "From", "Received"), rows) if rows else _nothing(d)


WRITERS: dict[str, Writer] = {
    "a": _section_a,
    "b": _section_b,
    "c": _related("c"),
    "d": _related("d"),
    "e": _section_e,
    "f": _provision("f"),
    "g": _provision("g"),
    "h1": _provision("h1"),
    "h2": _provision("h2"),
    "i": _section_i,
    "j": _section_j,
    "k": _section_k,
}


def _front(d: Any, doc: PlanDocument) -> None:
    d.core_properties.title = f"{doc.heading}: {doc.child_name}"
    d.core_properties.author = doc.la_name
    d.core_properties.language = "en-GB"
    d.styles["Normal"].font.size = Pt(10.5)
    header = d.sections[0].header.paragraphs[0]
    if doc.logo is not None:
        picture = header.add_run().add_picture(BytesIO(doc.logo.data), height=Mm(12))
        picture._inline.docPr.set("descr", f"{doc.la_name} logo")
        header.add_run("  ")
    header.add_run(doc.la_name).bold = True
    d.add_heading(doc.heading, level=0)
    issued = uk_date(doc.version["issued_on"]) if doc.version["issued_on"] else "Not yet issued"
    _two_columns(
        d,
        [
            ("Name", doc.child_name),
            ("Date of birth", uk_date(doc.date_of_birth)),
            ("Case reference", doc.reference),
            ("Version", f"{doc.version['number']} ({doc.version['kind']})"),
            ("Served" if doc.version["kind"] == "draft" else "Issued", issued),
        ],
    )


def plan_docx(doc: PlanDocument) -> bytes:
    d = Document()
    _front(d, doc)
    for section in SECTIONS:
        d.add_heading(f"Section {section.upper()}: {SECTION_TITLES[section]}", level=1)
        WRITERS[section](d, doc.content, doc)
    out = BytesIO()
    d.save(out)
    return out.getvalue()


def render_docx(svc: Services, case_id: int, version_id: int) -> tuple[bytes, str]:
    doc = load_document(svc, case_id, version_id)
    return plan_docx(doc), doc.filename("docx")
