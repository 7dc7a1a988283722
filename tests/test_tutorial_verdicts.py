"""Static checks over tutorials/: verdicts come from kerasdl.stats, and the test split is not validation data.

These read the tutorial sources (nothing runs), so a new tutorial is held to
the same rules as soon as its file exists.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = sorted((ROOT / "tutorials").glob("[0-9][0-9]_*.py"))

# Test data passed where validation data goes: model selection would read the test split.
TEST_AS_VALIDATION = re.compile(r"validation_data\s*=\s*(\(\s*[\w.]*x_test|[\w.]*\.test\b|[\w.]*holdout\()")
# Hand-written significance rules: a standard error of a proportion, "2 x SE", a t-test or
# binomial test called directly. The statistics live in kerasdl.stats, tested against scipy.
HAND_ROLLED = [
    re.compile(r"sqrt\([^)]*\*\s*\(\s*1(\.0)?\s*-"),           # sqrt(p * (1 - p) / n)
    re.compile(r"\b2(\.0)?\s*\*\s*\w*(se|stderr|std_err)\w*\b", re.IGNORECASE),
    re.compile(r"\b(ttest_rel|ttest_ind|ttest_1samp|binomtest|mcnemar|sem)\s*\("),
    re.compile(r"\b(t|norm)\.(ppf|sf|cdf|interval)\s*\("),
    re.compile(r"summarize_runs\("),
]
VERDICT_WORDS = re.compile(r"better than|no clear|no detectable|beats|outperform", re.IGNORECASE)


def test_tutorials_are_found():
    assert TUTORIALS


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_test_split_is_never_validation_data(path: Path):
    hits = [line.strip() for line in path.read_text().splitlines() if TEST_AS_VALIDATION.search(line)]
    assert not hits, f"{path.name} passes the test split as validation data: {hits}"


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_no_hand_written_significance_rule(path: Path):
    code = [line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")]
    hits = [line.strip() for line in code for rule in HAND_ROLLED if rule.search(line)]
    assert not hits, f"{path.name} judges results with its own rule instead of kerasdl.stats: {hits}"


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_pages_that_name_winners_use_kerasdl_stats(path: Path):
    text = path.read_text()
    if VERDICT_WORDS.search(text):
        assert re.search(r"kerasdl\.stats|from kerasdl import [^\n]*\bstats\b", text), (
            f"{path.name} states verdicts but never uses kerasdl.stats")
