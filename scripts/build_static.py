"""Copy the front-end assets the web pages serve into api/static/ (run by scripts/setup.sh).

From frontend/node_modules: GOV.UK Frontend's and the MOJ pattern library's precompiled CSS and
JavaScript, and the MOJ icons their CSS uses; then api/static_src/ (the service's own files).
Left out on purpose: the GDS Transport font (its @font-face rules are removed from the CSS) and
every crown, crest and GOV.UK logo, because a local authority's service is not GOV.UK. The CSS's
absolute /assets/ addresses are rewritten to /static/assets/.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "frontend" / "node_modules"
OUT = ROOT / "api" / "static"
SOURCES = ROOT / "api" / "static_src"

BUNDLES = {
    "govuk": MODULES / "govuk-frontend" / "dist" / "govuk",
    "moj": MODULES / "@ministryofjustice" / "frontend" / "moj",
}
FILES = {
    "govuk": ["govuk-frontend.min.css", "govuk-frontend.min.js"],
    "moj": ["moj-frontend.min.css", "moj-frontend.min.js"],
}
ICONS = MODULES / "@ministryofjustice" / "frontend" / "moj" / "assets" / "images"
NOT_OURS = re.compile(r"crown|crest|logotype|govuk-|moj-|opengraph|apple-touch", re.IGNORECASE)
FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")
SOURCE_MAP = re.compile(r"/[*/]# sourceMappingURL=\S+?(?: \*/)?\s*$")


def clean_css(text: str) -> str:
    """No GDS Transport, assets under /static, no source map link."""
    text = FONT_FACE.sub("", text).replace("GDS Transport,", "")
    text = text.replace("url(/assets/", "url(/static/assets/")
    return SOURCE_MAP.sub("", text)


def build() -> int:
    if not all(folder.is_dir() for folder in BUNDLES.values()):
        print("build_static: frontend/node_modules is missing (npm ci); pages will be unstyled")
        return 1
    if OUT.exists():
        shutil.rmtree(OUT)
    for name, folder in BUNDLES.items():
        (OUT / name).mkdir(parents=True)
        for file in FILES[name]:
            text = (folder / file).read_text(encoding="utf-8")
            text = clean_css(text) if file.endswith(".css") else SOURCE_MAP.sub("", text)
            (OUT / name / file).write_text(text, encoding="utf-8")
    images = OUT / "assets" / "images"
    images.mkdir(parents=True)
    for icon in sorted(ICONS.iterdir()):
        if icon.suffix in (".svg", ".png") and not NOT_OURS.search(icon.name):
            shutil.copy2(icon, images / icon.name)
    for source in sorted(SOURCES.iterdir()):
        if source.is_file():
            shutil.copy2(source, OUT / source.name)
    return 0


if __name__ == "__main__":
    sys.exit(build())
