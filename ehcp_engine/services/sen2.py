"""The SEN2 return of a collection year, from the audit log: people and their facts gathered in
two streaming reads, records checked and validated (audit.sen2), then written as XML and CSVs
only when no record fails an error-level rule (or when a partial return is asked for)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from audit.measures.facts import Fact
from audit.measures.source import facts_from_log
from audit.sen2.records import Child
from audit.sen2.render import Sen2Export, build_export, module_csvs
from audit.sen2.spec import Sen2Config, load_sen2_config
from ehcp_engine.domain.errors import NotFound
from ehcp_engine.persistence.models import Case, Sen2Person
from ehcp_engine.services.context import Services
from ehcp_engine.services.measures import fold_context


@dataclass(frozen=True)
class PersonIn:
    sex: str | None = None
    ethnicity: str | None = None
    postcode: str | None = None
    uln: str | None = None
    upn_unknown: str | None = None
    sen_types: list[str] = field(default_factory=list)


def config(svc: Services) -> Sen2Config:
    return load_sen2_config(svc.settings.config_dir / "sen2")


def set_person(svc: Services, case_id: int, person: PersonIn) -> dict[str, Any]:
    """Record (replace) the SEN2 items of a child the workflow does not hold."""
    with svc.sessions.begin() as session:
        if session.get(Case, case_id) is None:
            raise NotFound(f"no case {case_id}")
        row = session.get(Sen2Person, case_id) or Sen2Person(case_id=case_id)
        for name, value in asdict(person).items():
            setattr(row, name, value)
        row.updated_at = svc.clock.now()
        session.add(row)
    return {"case_id": case_id, **asdict(person)}


def _people(svc: Services) -> list[tuple[Child, list[Fact]]]:
    with svc.sessions() as session:
        facts: dict[int, list[Fact]] = defaultdict(list)
        for fact in facts_from_log(session, fold_context(svc)):
            facts[fact.case_id].append(fact)
        details = {p.case_id: p for p in session.scalars(select(Sen2Person))}
        cases = session.scalars(select(Case).order_by(Case.id)).all()
    people = []
    for case in cases:
        d = details.get(case.id)
        child = Child(
            case_id=case.id,
            reference=case.reference,
            surname=case.family_name,
            forename=case.given_name,
            date_of_birth=case.date_of_birth,
            upn=case.upn,
            sex=d.sex if d else None,
            ethnicity=d.ethnicity if d else None,
            postcode=d.postcode if d else None,
            uln=d.uln if d else None,
            upn_unknown=d.upn_unknown if d else None,
            sen_types=tuple(d.sen_types) if d else (),
        )
        people.append((child, facts.get(case.id, [])))
    return people


def export(svc: Services, year: int) -> Sen2Export:
    col = config(svc).collection(year)
    return build_export(_people(svc), col, config(svc), svc.config.calendar, svc.clock.now())


def quality_report(svc: Services, year: int) -> dict[str, Any]:
    return export(svc, year).report()


def write(result: Sen2Export, out: Path, csv_dir: Path | None, *, partial: bool = False) -> bool:
    """Write the XML (and CSVs) unless a record failed an error-level rule and no partial return
    was asked for; the data-quality report is always written beside the XML. True if written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    report = out.with_suffix(".quality.json")
    report.write_text(json.dumps(result.report(), indent=2), encoding="utf-8")
    if result.errors and not partial:
        return False
    out.write_bytes(result.xml)
    if csv_dir is not None:
        csv_dir.mkdir(parents=True, exist_ok=True)
        for name, text in module_csvs(result.records, result.collection).items():
            (csv_dir / f"{name}.csv").write_text(text, encoding="utf-8")
    return True
