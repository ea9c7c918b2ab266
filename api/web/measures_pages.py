"""The measures as a signed-in page (the same report as GET /api/v1/measures: SEN2 timeliness,
the plan's-life timers, weeks to issue, the monthly trend and the seeds' local measures), its
CSV, and for managers the SEN2 return: the data-quality report and the XML.

The measures are aggregates: no child is named, and the SEN2 report names cases by reference.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from api.web.date_fields import DateField, date_field, read_date
from api.web.deps import SignedInDep, services_of
from api.web.templating import render
from ehcp_engine.services import directory, measures, sen2
from ehcp_engine.services.context import Services
from ehcp_engine.services.policy import allowed, require

router = APIRouter(include_in_schema=False)
TREND = ("final_plan_20w_incl", "assessment_decision_6w", "review_decision_4w")
Year = Annotated[int, Path(ge=2000, le=2100)]
Box = Annotated[str, Query(max_length=10)]


def filters(
    from_day: Annotated[Box, Query(alias="from-day")] = "",
    from_month: Annotated[Box, Query(alias="from-month")] = "",
    from_year: Annotated[Box, Query(alias="from-year")] = "",
    to_day: Annotated[Box, Query(alias="to-day")] = "",
    to_month: Annotated[Box, Query(alias="to-month")] = "",
    to_year: Annotated[Box, Query(alias="to-year")] = "",
    team: Box = "",
) -> dict[str, str]:
    """The filter form's fields (declared, so a misspelt one is refused like the API's)."""
    return {
        "from-day": from_day,
        "from-month": from_month,
        "from-year": from_year,
        "to-day": to_day,
        "to-month": to_month,
        "to-year": to_year,
        "team": team,
    }


FiltersDep = Annotated[dict[str, str], Depends(filters)]


def _rows(label: str, result: dict[str, Any], depth: int = 0) -> list[dict[str, Any]]:
    """A measure and its groups (by agency, by transfer, by heading) as table rows."""
    if "numerator" in result:
        rows = [{"label": label, "depth": depth, **result}]
        for group, sub in result.get("by", {}).items():
            rows.extend(_rows(str(group).replace("_", " "), sub, depth + 1))
        return rows
    rows = []
    for name, sub in result.items():
        if isinstance(sub, dict):
            rows.extend(_rows(name.replace("_", " ").capitalize(), sub, depth + 1))
    return [{"label": label, "depth": depth, "heading": True}, *rows] if rows else []


def _tables(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    timely = []
    for m in report["timeliness"]:
        for row in _rows(m["label"], m):
            timely.append({**row, "source": m["source"] if row["depth"] == 0 else ""})
    local = []
    for m in report["local"]:
        for row in _rows(m["label"], m["result"]):
            local.append({**row, "source": m["source"] if row["depth"] == 0 else ""})
    return {"timeliness": timely, "local": local}


def _period(svc: Services, query: dict[str, str]) -> tuple[DateField, DateField, dict[str, str]]:
    """From and to (default: the calendar year to date), or the errors keyed by the first box."""
    today = svc.clock.today()
    start = read_date(query, "from", "the start date", required=False)
    end = read_date(query, "to", "the end date", required=False)
    start = date_field(today.replace(month=1, day=1)) if start.empty else start
    end = date_field(today) if end.empty else end
    errors = {f"{k}-day": d.error for k, d in (("from", start), ("to", end)) if d.error}
    if start.value and end.value and end.value < start.value:
        errors["to-day"] = "The end date must be the same as or after the start date"
    return start, end, errors


def _team(query: dict[str, str], teams: list[dict[str, Any]]) -> tuple[int | None, str | None]:
    raw = query.get("team", "")
    if not raw:
        return None, None
    if raw.isdigit() and int(raw) in {t["id"] for t in teams}:
        return int(raw), None
    return None, "Choose a team from the list"


@router.get("/measures")
def measures_page(request: Request, user: SignedInDep, query: FiltersDep) -> Response:
    require(user.actor, "measures.read")
    svc = services_of(request)
    teams = directory.list_teams(svc)
    start, end, errors = _period(svc, query)
    team, team_error = _team(query, teams)
    if team_error:
        errors["team"] = team_error
    context: dict[str, Any] = {
        "start": start,
        "end": end,
        "teams": teams,
        "team": team,
        "errors": errors,
        "may_export": allowed(user.actor, "sen2.export"),
        "csv_query": request.url.query,
    }
    if errors or start.value is None or end.value is None:
        return render(request, "measures.html", context, status_code=400)
    report = measures.dashboard(svc, start.value, end.value, measures.Scope(team_id=team))
    context |= {"report": report, "trend_ids": TREND, **_tables(report)}
    context["trend_labels"] = {m["id"]: m["label"] for m in report["timeliness"]}
    return render(request, "measures.html", context)


@router.get("/measures.csv")
def measures_csv(request: Request, user: SignedInDep, query: FiltersDep) -> Response:
    """The same measures as CSV, one row per measure and group (as GET /api/v1/measures.csv)."""
    require(user.actor, "measures.read")
    svc = services_of(request)
    start, end, errors = _period(svc, query)
    team, team_error = _team(query, directory.list_teams(svc))
    if errors or team_error or start.value is None or end.value is None:
        return RedirectResponse("/measures?" + request.url.query, status_code=303)
    text = measures.dashboard_csv(svc, start.value, end.value, measures.Scope(team_id=team))
    name = f"measures-{start.value}-to-{end.value}.csv"
    return Response(
        text,
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _years(svc: Services) -> list[int]:
    return sorted(sen2.config(svc).years)


def _default_year(svc: Services, years: list[int]) -> int:
    """The return due next January: this calendar year's collection, or the latest configured."""
    this_year = svc.clock.today().year
    return this_year if this_year in years else years[-1]


@router.get("/measures/sen2")
def sen2_page(request: Request, user: SignedInDep, year: str = "") -> Response:
    require(user.actor, "sen2.export")
    svc = services_of(request)
    years = _years(svc)
    chosen = int(year) if year.isdigit() and int(year) in years else None
    errors = {"year": "Choose a collection year from the list"} if year and chosen is None else {}
    chosen = chosen or _default_year(svc, years)
    report = None if errors else sen2.quality_report(svc, chosen)
    context = {
        "years": years,
        "year": chosen,
        "errors": errors,
        "report": report,
        "census_on": date.fromisoformat(report["census_date"]) if report else None,
    }
    return render(request, "measures_sen2.html", context, status_code=400 if errors else 200)


@router.get("/measures/sen2/{year}.xml")
def sen2_xml(request: Request, user: SignedInDep, year: Year) -> Response:
    """The return, when no record fails an error-level rule (as `ehcp sen2 export` refuses to
    write one); otherwise back to the report, which lists what to fix."""
    require(user.actor, "sen2.export")
    svc = services_of(request)
    if year not in _years(svc):
        return RedirectResponse("/measures/sen2", status_code=303)
    result = sen2.export(svc, year)
    if result.errors:
        return RedirectResponse(f"/measures/sen2?year={year}", status_code=303)
    return Response(
        result.xml,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="sen2-{year}.xml"'},
    )
