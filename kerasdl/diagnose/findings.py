"""What a diagnosis returns: findings as data, and the text report built from them.

Example:
    >>> from kerasdl.diagnose import Diagnosis, Finding
    >>> f = Finding("lr_too_high", "error", "training loss became NaN at epoch 2",
    ...             {"epochs": [2]}, "The steps overshoot.", "Lower the learning rate.",
    ...             "tutorials/05_batch_normalization/")
    >>> Diagnosis([f]).kinds
    ['lr_too_high']
"""

from __future__ import annotations

import textwrap
from dataclasses import asdict, dataclass, field
from typing import Any

from kerasdl.diagnose.advice import ADVICE

SEVERITIES = ("error", "warning", "info")
"""Severities of a finding, most serious first."""

TUTORIALS = {kind: advice.tutorial for kind, advice in ADVICE.items()}
"""Finding kind -> the tutorial page (relative to the site root) that teaches the problem and its fix."""

KINDS = tuple(TUTORIALS)
"""Every kind of finding `diagnose` can report (one per rule)."""


@dataclass(frozen=True)
class Finding:
    """One problem seen in a run, with the numbers that show it.

    Attributes:
        kind: Rule name, one of `KINDS` (e.g. "vanishing_gradients").
        severity: "error" (training is broken), "warning" (it works, badly)
            or "info" (worth knowing, often harmless).
        summary: What was measured, with its numbers, in one line.
        evidence: The numbers themselves: "layer", "epochs" or "steps" and
            the measured values the rule compared with its threshold.
        explanation: Why this happens, in one sentence.
        fix: What to try first.
        tutorial: Docs page that teaches it, e.g.
            "tutorials/07_vanishing_exploding_gradients/".

    Example:
        >>> Finding("overfitting", "warning", "val loss up 30% since epoch 4", {"best_epoch": 4},
        ...         "The net memorises.", "Add dropout.", "tutorials/04_dropout/").severity
        'warning'
    """

    kind: str
    severity: str
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)
    explanation: str = ""
    fix: str = ""
    tutorial: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {list(SEVERITIES)}; got {self.severity!r}.")

    @classmethod
    def of(cls, kind: str, severity: str, summary: str, evidence: dict[str, Any] | None = None,
           **overrides: str) -> Finding:
        """A finding of a known kind, its explanation, fix and tutorial taken from `ADVICE`.

        Args:
            kind: One of `KINDS`.
            severity: "error", "warning" or "info".
            summary: What was measured, with its numbers.
            evidence: The numbers themselves.
            **overrides: `explanation=`, `fix=` or `tutorial=` to replace the table's text
                (for advice that depends on what the rule found).

        Returns:
            The `Finding`.

        Raises:
            ValueError: An unknown kind or override, or a bad severity.

        Example:
            >>> Finding.of("dead_relu", "warning", "60% dead").tutorial
            'tutorials/06_weight_initialization/'
        """
        if kind not in ADVICE:
            raise ValueError(f"kind must be one of {list(ADVICE)}; got {kind!r}.")
        unknown = sorted(set(overrides) - {"explanation", "fix", "tutorial"})
        if unknown:
            raise ValueError(f"overrides may be explanation, fix or tutorial; got {unknown}.")
        text = {**asdict(ADVICE[kind]), **overrides}
        return cls(kind, severity, summary, dict(evidence or {}), text["explanation"], text["fix"],
                   text["tutorial"])

    def to_dict(self) -> dict[str, Any]:
        """The finding as a plain dict (JSON-serialisable when its evidence is).

        Example:
            >>> Finding("dead_relu", "warning", "60% dead").to_dict()["kind"]
            'dead_relu'
        """
        return asdict(self)


@dataclass
class Diagnosis:
    """The findings of one run, most severe first, and what was checked.

    Attributes:
        findings: The `Finding`s, errors first, then warnings, then infos.
        checked: Rules that had the data they need and ran.
        skipped: `{rule: reason}` for rules that could not run (no gradient
            recording, no validation data, fewer epochs than they need...).

    Example:
        >>> d = Diagnosis([], checked=["overfitting"])
        >>> print(d.report())
        No problem found (1 rule checked: overfitting).
    """

    findings: list[Finding] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        order = {s: i for i, s in enumerate(SEVERITIES)}
        self.findings = sorted(self.findings, key=lambda f: order[f.severity])

    def __len__(self) -> int:
        return len(self.findings)

    def __iter__(self):
        return iter(self.findings)

    def __str__(self) -> str:
        return self.report()

    @property
    def kinds(self) -> list[str]:
        """Kinds of the findings, in report order.

        Example:
            >>> Diagnosis([Finding("dead_relu", "warning", "x")]).kinds
            ['dead_relu']
        """
        return [f.kind for f in self.findings]

    def by_kind(self, kind: str) -> list[Finding]:
        """The findings of one kind (empty when the rule stayed silent).

        Example:
            >>> Diagnosis([Finding("dead_relu", "warning", "x")]).by_kind("overfitting")
            []
        """
        return [f for f in self.findings if f.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        """Findings, checked and skipped rules as plain data.

        Example:
            >>> Diagnosis([], checked=["lr_too_low"]).to_dict()["checked"]
            ['lr_too_low']
        """
        return {"findings": [f.to_dict() for f in self.findings], "checked": list(self.checked),
                "skipped": dict(self.skipped)}

    def report(self, short: bool = False, width: int = 88) -> str:
        """The findings in plain words, one block per finding.

        Args:
            short: One line per finding (summary and fix), as printed at the
                end of `fit` by `DiagnosisCallback`.
            width: Wrap long lines at this many characters.

        Returns:
            The report text.

        Example:
            >>> f = Finding("lr_too_low", "warning", "loss fell 0.2% in 5 epochs",
            ...             fix="Raise the learning rate tenfold.")
            >>> print(Diagnosis([f]).report(short=True))
            Diagnosis: 1 finding
            [warning] lr_too_low: loss fell 0.2% in 5 epochs. Fix: Raise the learning rate tenfold.
        """
        if not self.findings:
            names = ", ".join(self.checked) if self.checked else "none"
            rules = "rule" if len(self.checked) == 1 else "rules"
            text = f"No problem found ({len(self.checked)} {rules} checked: {names})."
            return "\n".join(textwrap.wrap(text, width, subsequent_indent="  "))
        plural = "finding" if len(self.findings) == 1 else "findings"
        lines = [f"Diagnosis: {len(self.findings)} {plural}"]
        for f in self.findings:
            head = f"[{f.severity}] {f.kind}: {f.summary}"
            if short:
                lines.extend(textwrap.wrap(f"{head}. Fix: {f.fix}", width, subsequent_indent="    "))
                continue
            lines.extend(textwrap.wrap(head, width, subsequent_indent="    "))
            for label, text in (("why", f.explanation), ("fix", f.fix), ("read", f.tutorial)):
                if text:
                    lines.extend(textwrap.wrap(f"{label}: {text}", width, initial_indent="    ",
                                               subsequent_indent="      "))
        if self.skipped and not short:
            text = "Not checked: " + "; ".join(f"{k} ({v})" for k, v in self.skipped.items())
            lines.extend(textwrap.wrap(text, width, subsequent_indent="  "))
        return "\n".join(lines)
