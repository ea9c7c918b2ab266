"""Put plan versions into a QA round's sample, as a draw would (tests of what QA may read)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ehcp_engine.persistence.models import PlanVersion, QaRound, QaSampleItem
from ehcp_engine.services.context import Services


def sample_versions(svc: Services, *version_ids: int, name: str = "Test round") -> int:
    """A round whose sample is exactly these versions; returns the round id."""
    with svc.sessions.begin() as session:
        qa_round = QaRound(
            name=name,
            period_from=date(2026, 1, 1),
            period_to=date(2026, 12, 31),
            seed=1,
            size=len(version_ids),
            origin="on_demand",
            rubric_version="2026.1",
            status="open",
            created_at=datetime(2026, 11, 1, tzinfo=UTC),
            created_by="test",
        )
        session.add(qa_round)
        session.flush()
        for vid in version_ids:
            version = session.get(PlanVersion, vid)
            assert version is not None
            session.add(
                QaSampleItem(
                    round_id=qa_round.id,
                    case_id=version.case_id,
                    issued_seq=version.issued_seq or 1000 + vid,
                    issued_on=date(2026, 5, 1),
                    issue="final",
                    plan_version_id=vid,
                )
            )
        return qa_round.id
