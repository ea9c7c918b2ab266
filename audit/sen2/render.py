"""The SEN2 return as XML (element order from the collection year's data, validated against the
corrected XSD) and as one CSV per module; and the whole export: build, check, validate."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from audit.measures.facts import Fact
from audit.sen2.records import Child, PersonRecord, Record, person_record
from audit.sen2.rules import Issue, check, duplicates
from audit.sen2.spec import Collection, Sen2Config
from ehcp_engine.domain.calendar import StatutoryCalendar

_REPEATED = {"PlanDetail": 2, "PlacementDetail": 2, "SENneed": 2}


def _emit(parent: Any, module: str, node: Record, col: Collection) -> None:
    for name in col.order[module]:
        value = node.get(name)
        if value is None or value == "" or value == []:
            continue
        items = value if isinstance(value, list) else [value]
        for item in items:
            element = etree.SubElement(parent, name)
            if isinstance(item, dict):
                _emit(element, name, item, col)
            else:
                element.text = str(item)


def _header(root: Any, col: Collection, cfg: Sen2Config, now: datetime) -> None:
    header = etree.SubElement(root, "Header")
    details = {"Collection": "SEN2", "Year": str(col.year), "ReferenceDate": str(col.census_date)}
    collection = etree.SubElement(header, "CollectionDetails")
    _emit(collection, "CollectionDetails", details, col)
    source = etree.SubElement(header, "Source")
    values = {
        "SourceLevel": "L",
        "LEA": cfg.la_code,
        "SoftwareCode": cfg.software_code,
        "Release": cfg.release,
        "SerialNo": "001",
        "DateTime": now.replace(microsecond=0, tzinfo=None).isoformat(),
        **cfg.sources,
    }
    _emit(source, "Source", values, col)


def message(
    records: Sequence[PersonRecord], col: Collection, cfg: Sen2Config, now: datetime
) -> Any:
    root = etree.Element("Message")
    _header(root, col, cfg, now)
    persons = etree.SubElement(root, "Persons")
    for record in records:
        _emit(etree.SubElement(persons, "Person"), "Person", record.person, col)
    return root


def serialise(root: Any) -> bytes:
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data


def schema_errors(data: bytes, col: Collection) -> list[tuple[int, str]]:
    """(line, message) for every way the document breaks the collection year's XSD."""
    schema = etree.XMLSchema(etree.parse(str(col.schema)))
    doc = etree.fromstring(data)
    if schema.validate(doc):
        return []
    return [(int(e.line), str(e.message)) for e in schema.error_log]


def _whose(
    data: bytes, errors: Sequence[tuple[int, str]], records: Sequence[PersonRecord]
) -> list[Issue]:
    """Each schema error, against the person whose element holds its line."""
    starts = [int(p.sourceline) for p in etree.fromstring(data).iter("Person")]
    found = []
    for line, text in errors:
        n = max((i for i, s in enumerate(starts) if s <= line), default=None)
        child = records[n].child if n is not None else None
        case_id, reference = (child.case_id, child.reference) if child else (None, None)
        found.append(Issue(case_id, reference, "schema", "error", f"line {line}", text))
    return found


@dataclass
class Sen2Export:
    collection: Collection
    records: list[PersonRecord]  # in the return
    issues: list[Issue]
    xml: bytes

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    def report(self) -> dict[str, Any]:
        return {
            "year": self.collection.year,
            "census_date": self.collection.census_date.isoformat(),
            "period": [d.isoformat() for d in self.collection.period],
            "persons_in_return": len(self.records),
            "errors": len(self.errors),
            "queries": len(self.issues) - len(self.errors),
            "issues": [i.as_dict() for i in self.issues],
        }


def build_export(
    people: Sequence[tuple[Child, Sequence[Fact]]],
    col: Collection,
    cfg: Sen2Config,
    cal: StatutoryCalendar,
    now: datetime,
) -> Sen2Export:
    """Every person's record, checked by the item rules; those with an error are left out, the
    rest rendered and validated against the XSD (a record the schema refuses is left out too,
    and reported)."""
    records = [r for child, facts in people if (r := person_record(child, facts, col, cfg, cal))]
    issues = [i for r in records for i in check(r, col)] + duplicates(records)
    if cfg.la_code not in cfg.la_codes:
        issues.append(Issue(None, None, "la_code", "error", "LEA", f"{cfg.la_code} is not known"))
    while True:
        bad = {i.case_id for i in issues if i.level == "error"}
        good = [r for r in records if r.child.case_id not in bad]
        data = serialise(message(good, col, cfg, now))
        refused = _whose(data, schema_errors(data, col), good)
        if not refused:
            break
        issues.extend(refused)
        if any(i.case_id is None for i in refused):
            break
    return Sen2Export(col, good, issues, data)


def _flat(node: Record, module: str, col: Collection, prefix: str = "") -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name in col.order[module]:
        value = node.get(name)
        if name in _REPEATED:
            for n in range(_REPEATED[name]):
                item = value[n] if isinstance(value, list) and n < len(value) else {}
                row.update(_flat(item, name, col, f"{prefix}{name}{n + 1}_"))
        elif not isinstance(value, dict | list):
            row[f"{prefix}{name}"] = "" if value is None else value
    return row


def module_csvs(records: Sequence[PersonRecord], col: Collection) -> dict[str, str]:
    """One CSV per SEN2 module, each row keyed by the case id (and the request's number)."""
    rows: dict[str, list[dict[str, Any]]] = {m: [] for m in MODULES}
    for record in records:
        key = {"case_id": record.child.case_id, "reference": record.child.reference}
        rows["module1_person"].append({**key, **_flat(record.person, "Person", col)})
        for n, r in enumerate(record.person.get("Requests", []), 1):
            at = {**key, "request": n}
            rows["module2_requests"].append({**at, **_flat(r, "Requests", col)})
            a = r.get("Assessment")
            if a:
                rows["module3_assessment"].append({**at, **_flat(a, "Assessment", col)})
                if a.get("NamedPlan"):
                    rows["module4_named_plan"].append(
                        {**at, **_flat(a["NamedPlan"], "NamedPlan", col)}
                    )
            if r.get("ActivePlans"):
                rows["module5_active_plans"].append(
                    {**at, **_flat(r["ActivePlans"], "ActivePlans", col)}
                )
    return {name: _csv(table, MODULES[name], col) for name, table in rows.items()}


MODULES = {
    "module1_person": "Person",
    "module2_requests": "Requests",
    "module3_assessment": "Assessment",
    "module4_named_plan": "NamedPlan",
    "module5_active_plans": "ActivePlans",
}


def _csv(table: list[dict[str, Any]], module: str, col: Collection) -> str:
    keys = ["case_id", "reference"] + ([] if module == "Person" else ["request"])
    columns = keys + list(_flat({}, module, col))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    return out.getvalue()
