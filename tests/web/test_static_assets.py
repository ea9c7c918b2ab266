"""The front-end assets setup copies into api/static/: GOV.UK Frontend and the MOJ pattern
library, without the GDS Transport font or any crown (a local authority is not GOV.UK)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

STATIC = Path(__file__).resolve().parents[2] / "api" / "static"
pytestmark = pytest.mark.skipif(
    not (STATIC / "govuk").is_dir(), reason="api/static/ is not built: run scripts/setup.sh"
)


def test_the_css_has_no_gds_transport_font() -> None:
    for css in (STATIC / "govuk").glob("*.css"), (STATIC / "moj").glob("*.css"):
        text = "".join(p.read_text(encoding="utf-8") for p in css)
        assert text and "@font-face" not in text and "GDS Transport" not in text
    assert not list(STATIC.rglob("*.woff*"))


def test_no_crown_crest_or_govuk_logo_is_served() -> None:
    images = [p.name.lower() for p in STATIC.rglob("*") if p.suffix in (".svg", ".png", ".ico")]
    assert images, "the MOJ icons are missing"
    assert not [n for n in images if any(w in n for w in ("crown", "crest", "logo", "govuk"))]


def test_the_css_points_at_static(web: TestClient) -> None:
    css = web.get("/static/moj/moj-frontend.min.css")
    assert css.status_code == 200 and "url(/assets/" not in css.text
    for asset in ("/static/govuk/govuk-frontend.min.js", "/static/site.css", "/static/init.js"):
        assert web.get(asset).status_code == 200, asset


def test_pages_load_scripts_and_styles_only_from_this_site(web: TestClient) -> None:
    page = web.get("/sign-in")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text and "style=" not in page.text
