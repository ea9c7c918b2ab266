"""`ehcp sen2 …`: the DfE SEN2 return, built from the audit log and validated before writing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ehcp_engine.domain.rules import RuleError
from ehcp_engine.services.bootstrap import build_services
from ehcp_engine.settings import Settings

sen2_app = typer.Typer(
    help="The SEN2 return: export and its data-quality report", no_args_is_help=True
)


@sen2_app.command("export")
def sen2_export(
    year: Annotated[int, typer.Option(help="collection year (census in January of it)")],
    out: Annotated[Path, typer.Option(help="where to write the XML return")],
    csv: Annotated[
        Path | None, typer.Option("--csv", help="also write one CSV per module here")
    ] = None,
    partial: Annotated[
        bool, typer.Option("--partial", help="write the records that pass even if some fail")
    ] = False,
) -> None:
    """Build the person-level return from the audit log, check every record (item rules, code
    lists, date order) and validate the XML against the corrected XSD. Exit 1, printing the
    data-quality report, when any record fails an error-level rule; nothing is written then
    unless --partial. The report is always written beside the XML (FILE.quality.json)."""
    from ehcp_engine.services import sen2

    try:
        svc = build_services(Settings())
        result = sen2.export(svc, year)
    except RuleError as err:
        typer.echo(f"configuration error: {err}", err=True)
        raise typer.Exit(2) from None
    written = sen2.write(result, out, csv, partial=partial)
    for issue in result.issues:
        typer.echo(
            f"{issue.level.upper():5} case {issue.case_id} {issue.reference or ''} "
            f"[{issue.rule}] {issue.item}: {issue.message} ({issue.link or '-'})"
        )
    report = out.with_suffix(".quality.json")
    typer.echo(
        f"SEN2 {year}: {len(result.records)} person(s) in the return; "
        f"{len(result.errors)} error(s), {len(result.issues) - len(result.errors)} query(ies); "
        f"{'wrote ' + str(out) if written else 'nothing written'}; report {report}"
    )
    raise typer.Exit(1 if result.errors else 0)
