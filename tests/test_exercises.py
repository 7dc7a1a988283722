"""Every exercise on every tutorial page has a check, a folded worked solution and a wrong-answer test.

The solutions themselves run (and must pass their checks, via ``.require()``)
whenever the tutorial runs: in ``test_tutorials.py`` and in the docs build.
Here: the structure that ties page, check and tests together, the registry's
error messages, the stored bands and how they were measured, and the HTML
folding of solution cells.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jupytext
import pytest

from kerasdl import exercises
from kerasdl.exercises import bands, registry

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = sorted((ROOT / "tutorials").glob("[0-9][0-9]_*.py"))
pytestmark = pytest.mark.backend_neutral


def _exercise_section(path: Path) -> list:
    cells = jupytext.read(path).cells
    start = next(
        (i for i, c in enumerate(cells) if c.cell_type == "markdown" and "## Exercises" in c.source), None
    )
    assert start is not None, f"{path.name} has no '## Exercises' section"
    return cells[start:]


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_every_exercise_has_a_check_and_one_folded_solution(path: Path):
    number = path.name[:2]
    cells = _exercise_section(path)
    headings = [
        int(k) for c in cells if c.cell_type == "markdown" for k in re.findall(r"^### Exercise (\d+)\b", c.source, re.M)
    ]
    assert headings, f"{path.name}: no '### Exercise k' headings under Exercises"
    assert headings == list(range(1, len(headings) + 1)), f"{path.name}: exercises numbered {headings}"
    registered = [e.id for e in exercises.exercises_of(number)]
    assert registered == [f"{number}.{k}" for k in headings], f"{path.name}: page {headings}, checks {registered}"
    solutions = [c for c in cells if "solution" in c.metadata.get("tags", [])]
    checked = [re.findall(rf'exercises\.check\("({number}\.\d+)"', c.source) for c in solutions]
    checked = [ids for ids in checked if ids]
    assert [i for ids in checked for i in ids] == registered, (
        f"{path.name}: solution cells check {checked}; every exercise needs exactly one, in order"
    )
    for cell in solutions:
        if cell.cell_type == "code":
            # The site's content column shows 100 characters of code on a 1440-pixel-wide screen.
            long = [line for line in cell.source.splitlines() if len(line) > 100]
            assert not long, f"{path.name}: solution lines over 100 characters: {long[:2]}"
        if "exercises.check(" in cell.source:
            assert ".require()" in cell.source, f"{path.name}: a solution must prove it passes (.require())"
    # Solutions sit under their own exercise: each solution follows the heading of the id it checks.
    current = None
    for cell in cells:
        if cell.cell_type == "markdown":
            found = re.findall(r"^### Exercise (\d+)\b", cell.source, re.M)
            current = int(found[-1]) if found else current
        for ident in re.findall(rf'exercises\.check\("{number}\.(\d+)"', cell.source):
            assert int(ident) == current, f"{path.name}: the solution of {number}.{ident} sits under exercise {current}"


@pytest.mark.parametrize("tutorial", registry.TUTORIALS)
def test_every_exercise_has_a_wrong_answer_test(tutorial: str):
    ids = [e.id for e in exercises.exercises_of(tutorial)]
    text = (ROOT / "tests" / f"test_exercises_{tutorial}.py").read_text(encoding="utf-8") if ids else ""
    missing = [i for i in ids if f'"{i}"' not in text]
    assert not missing, f"no wrong-answer case for {missing} in tests/test_exercises_{tutorial}.py"


def test_every_exercise_has_a_title_and_a_hint():
    for tutorial in registry.TUTORIALS:
        for found in exercises.exercises_of(tutorial):
            assert found.title and len(found.hint) > 20, found.id


def test_check_rejects_calls_it_cannot_judge():
    with pytest.raises(ValueError, match="'NN.k'"):
        exercises.check("7.2", ratios={})
    with pytest.raises(ValueError, match="exercise must be one of 07.1"):
        exercises.check("07.99", ratios={})
    with pytest.raises(ValueError, match="tutorial must be one of"):
        exercises.check("42.1", ratios={})
    with pytest.raises(ValueError, match="missing ratios"):
        exercises.check("07.2")
    with pytest.raises(ValueError, match="unknown ratio"):
        exercises.check("07.2", ratios={}, ratio=1)


def test_a_failed_check_explains_and_require_raises():
    result = exercises.check("07.2", ratios={2: 3.0, 6: 40.0, 12: 900.0})
    assert not result and "Expected" in str(result) and "Hint:" in str(result)
    with pytest.raises(exercises.ExerciseNotPassed, match="07.2"):
        result.require()
    passed = exercises.check("07.2", ratios={2: 0.3, 6: 0.02, 12: 0.001})
    assert passed and passed.require() is passed and "passed" in str(passed)


def test_an_answer_of_the_wrong_shape_fails_instead_of_raising():
    result = exercises.check("07.2", ratios="not a dict")
    assert not result.passed


def test_stored_bands_say_how_they_were_measured():
    content = bands.stored()
    if not content["bands"]:
        pytest.skip("no band stored yet")
    how = content["measured"]
    assert {"date", "command", "backend", "cpu", "versions"} <= set(how)
    assert "keras" in how["versions"]
    for key, modes in content["bands"].items():
        exercise_id = key.split("/")[0]
        exercises.get(exercise_id)  # the band belongs to a registered exercise
        assert set(modes) == {"full", "smoke"}, f"{key}: bands for {sorted(modes)}"
        assert len(modes["full"]["seeds"]) >= 5, f"{key}: full-mode band over fewer than 5 seeds"
        for mode, entry in modes.items():
            b = bands.band(key, mode)
            assert b.low <= min(entry["values"]) and max(entry["values"]) <= b.high, (key, mode)


def test_band_is_the_prediction_interval_of_the_measured_values():
    from scipy import stats as sps

    values = [0.91, 0.93, 0.92, 0.95, 0.90]
    b = bands.band_from_values("x/y", "full", values, floor=0.0, confidence=0.99)
    n = len(values)
    import numpy as np

    half = sps.t.ppf(0.995, n - 1) * np.std(values, ddof=1) * np.sqrt(1 + 1 / n)
    assert b.low == pytest.approx(np.mean(values) - half, abs=1e-12)
    assert b.high == pytest.approx(np.mean(values) + half, abs=1e-12)
    wide = bands.band_from_values("x/y", "full", [0.5, 0.5], floor=0.05)
    assert (wide.low, wide.high) == pytest.approx((0.45, 0.55))


def test_solution_cells_are_folded_into_closed_blocks():
    sys.path.insert(0, str(ROOT / "docs" / "hooks"))
    try:
        import solutions
    finally:
        sys.path.pop(0)
    code = '<div class="jp-Cell jp-CodeCell jp-Notebook-cell {tag}"><div class="jp-Cell-inputWrapper"><div>{body}</div></div></div>'
    markdown = (
        '<div class="jp-Cell jp-MarkdownCell jp-Notebook-cell"><div class="jp-Cell-inputWrapper">'
        '<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput {tag}">{body}</div></div></div>'
    )
    page = (
        markdown.format(tag="", body="<h3>Exercise 1</h3>")
        + code.format(tag="celltag_solution", body="a")
        + "\n"
        + markdown.format(tag="celltag_solution", body="because")
        + markdown.format(tag="", body="<h3>Exercise 2</h3>")
        + code.format(tag="celltag_solution", body="b")
    )
    folded, count = solutions.fold_solutions(page)
    assert count == 2
    assert folded.count('<details class="success kerasdl-solution">') == 2
    assert "<details open" not in folded
    first = folded.split("<details")[1].split("</details>")[0]
    assert ">a<" in first and "because" in first and "Exercise 2" not in first
    assert folded.replace('<details class="success kerasdl-solution"><summary>Solution</summary>', "").replace(
        "</details>", ""
    ) == page
