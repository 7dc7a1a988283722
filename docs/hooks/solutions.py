"""Fold the worked solutions of a tutorial page into closed "Solution" blocks.

A tutorial marks each solution cell with the Jupyter cell tag ``solution``
(jupytext: ``# %% tags=["solution"]``). nbconvert writes the tag as the class
``celltag_solution`` on the cell's element; this module finds each top-level
notebook cell in the rendered HTML (balancing ``<div>`` tags), and wraps every
run of consecutive solution cells, input and executed output together, in

    <details class="success kerasdl-solution"><summary>Solution</summary> ... </details>

which Material styles like a ``??? success`` admonition, closed until the
reader clicks it. Used by ``kerasdl_docs.py`` on every tutorial page.
"""

from __future__ import annotations

import re

TAG_CLASS = "celltag_solution"
_DIV = re.compile(r"<div\b[^>]*>|</div\s*>", re.IGNORECASE)
_CELL_OPEN = re.compile(r'<div\b[^>]*\bclass="jp-Cell\s[^"]*"', re.IGNORECASE)


def top_level_cells(html_text: str) -> list[tuple[int, int, str]]:
    """`(start, end, opening tag)` of every notebook cell that is not inside another cell."""
    cells = []
    stack: list[tuple[int, bool, str]] = []  # (start, is_cell, tag)
    for match in _DIV.finditer(html_text):
        token = match.group(0)
        if not token.startswith("</"):
            is_cell = bool(_CELL_OPEN.match(token)) and not any(c for _, c, _ in stack)
            stack.append((match.start(), is_cell, token))
            continue
        if not stack:
            continue  # a stray closing tag: leave the HTML as it is
        start, is_cell, tag = stack.pop()
        if is_cell:
            cells.append((start, match.end(), tag))
    return sorted(cells)


def _is_solution(html_text: str, start: int, end: int, tag: str) -> bool:
    if TAG_CLASS in tag:
        return True
    # A markdown cell carries its tags on the rendered-markdown element inside it.
    inner = html_text[start:end]
    return re.search(r'class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^"]*\b' + TAG_CLASS, inner) is not None


def fold_solutions(html_text: str, summary: str = "Solution") -> tuple[str, int]:
    """Wrap each run of solution cells in a closed ``<details>`` block; return the HTML and the count.

    Example:
        >>> cell = '<div class="jp-Cell jp-CodeCell {tag}"><div>x</div></div>'
        >>> html = cell.format(tag="") + cell.format(tag="celltag_solution")
        >>> folded, n = fold_solutions(html)
        >>> n, folded.count("<details")
        (1, 1)
    """
    cells = top_level_cells(html_text)
    groups: list[list[tuple[int, int]]] = []
    previous_end = None
    for start, end, tag in cells:
        if not _is_solution(html_text, start, end, tag):
            previous_end = None
            continue
        adjacent = previous_end is not None and not html_text[previous_end:start].strip()
        if adjacent:
            groups[-1].append((start, end))
        else:
            groups.append([(start, end)])
        previous_end = end
    out, cursor = [], 0
    for group in groups:
        start, end = group[0][0], group[-1][1]
        out.append(html_text[cursor:start])
        out.append(f'<details class="success kerasdl-solution"><summary>{summary}</summary>')
        out.append(html_text[start:end])
        out.append("</details>")
        cursor = end
    out.append(html_text[cursor:])
    return "".join(out), len(groups)
