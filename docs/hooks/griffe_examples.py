"""Griffe extension: read kerasdl's ``Example:`` sections as doctest examples.

The house style writes ``Example:`` (singular) above ``>>>`` lines. Griffe's
Google parser only knows ``Examples:``; anything else followed by a colon
becomes an admonition whose ``>>>`` lines are rendered as Markdown, where
``x[1:4]`` reads as a broken link. Renaming the heading before parsing turns
those lines into highlighted code blocks on the API pages.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE_HEADING = re.compile(r"^(\s*)Example:\s*$", re.MULTILINE)


class ExampleSections(griffe.Extension):
    """Rename ``Example:`` section headings to ``Examples:`` in every docstring."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _EXAMPLE_HEADING.sub(r"\1Examples:", obj.docstring.value)
