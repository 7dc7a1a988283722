"""The course map on the home page: one card per tutorial, made from this build.

Each card shows a figure the tutorial drew when it was executed for this site
(its first PNG output), the one line of its header that says what it teaches,
its prerequisites (also from the header) and the time its code took on the
build machine, as recorded for the About page. Used by ``kerasdl_docs.py``.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import jupytext

MARKER = "<!-- kerasdl:course-map -->"
CARD_IMAGE = "card.png"
_PNG = re.compile(r'<img[^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"')
_SUMMARY = re.compile(r"^\*Topic \d+ of the course: (.+?)\*\s*$", re.MULTILINE | re.DOTALL)
_PREREQUISITES = re.compile(r"^\*\*Prerequisites:\*\*\s*(.+?)\s*$", re.MULTILINE)


def _sentence(text: str) -> str:
    text = " ".join(text.split()).rstrip(".")
    return text[:1].upper() + text[1:] + "."


def header_fields(path: Path) -> dict[str, str]:
    """Title, one-line summary and prerequisites from a tutorial's header cell."""
    cell = next((c for c in jupytext.read(path).cells if c.cell_type == "markdown"), None)
    text = cell.source if cell else ""
    title = re.search(r"^#\s+(.+?)\s*$", text, re.MULTILINE)
    summary = _SUMMARY.search(text)
    prerequisites = _PREREQUISITES.search(text)
    return {
        "title": title.group(1) if title else path.stem,
        "summary": _sentence(summary.group(1)) if summary else "",
        "prerequisites": prerequisites.group(1).rstrip(".") if prerequisites else "",
    }


def first_figure(page_html: str) -> bytes | None:
    """The first PNG a tutorial page embeds (its executed output), decoded."""
    match = _PNG.search(page_html)
    return base64.b64decode(match.group(1)) if match else None


def _page_url(stem: str, use_directory_urls: bool) -> str:
    return f"tutorials/{stem}/" if use_directory_urls else f"tutorials/{stem}.html"


def _image_url(stem: str, use_directory_urls: bool) -> str:
    return f"tutorials/{stem}/{CARD_IMAGE}" if use_directory_urls else f"tutorials/{stem}-{CARD_IMAGE}"


def image_path(site_dir: Path, stem: str, use_directory_urls: bool) -> Path:
    """Where the card figure of `stem` is written in the built site."""
    return site_dir / _image_url(stem, use_directory_urls)


def _run_time(record: dict | None) -> str:
    if not record or record.get("seconds") is None:
        return "run time not recorded"
    seconds = record["seconds"]
    shown = f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"
    return f"ran in {shown} on the build machine"


def cards_html(tutorials: list[Path], runs: dict, figures: dict, use_directory_urls: bool, smoke: bool) -> str:
    """HTML of the course map (a grid of cards, in course order)."""
    cards = []
    for path in tutorials:
        fields = header_fields(path)
        number = int(path.name[:2])
        image = (
            f'<img src="{_image_url(path.stem, use_directory_urls)}" alt="A figure from tutorial {number}" loading="lazy">'
            if path.stem in figures
            else ""
        )
        prerequisites = html.escape(fields["prerequisites"] or "none")
        cards.append(
            f'<a class="kerasdl-card" href="{_page_url(path.stem, use_directory_urls)}">{image}'
            f'<span class="kerasdl-card__title">{number}. {html.escape(fields["title"])}</span>'
            f'<span class="kerasdl-card__summary">{html.escape(fields["summary"])}</span>'
            f'<span class="kerasdl-card__meta">Before: {prerequisites}. '
            f"{html.escape(_run_time(runs.get(path.stem)).capitalize())}.</span></a>"
        )
    note = (
        '<p class="kerasdl-course-map__note">This is a smoke build: run times are those of shrunk runs.</p>'
        if smoke
        else ""
    )
    return f'<div class="kerasdl-course-map">{"".join(cards)}</div>{note}'
