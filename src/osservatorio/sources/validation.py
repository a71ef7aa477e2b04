"""The validation report of one load: what was checked, what is wrong, where.

Plain Python (no Django): loaders and the `records` app fill a `ValidationReport`, services store its
`to_dict()` as JSON with the release. An *error* stops the load (nothing is written); a *warning* is kept
with the release and shown on the source's page.

Every issue names the file, the row (line number in the file, 1 = header line, or the sheet row), the
column and the rule, with a message in Italian that says how to fix it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

ERROR = "errore"
WARNING = "avviso"

# Beyond this many issues per rule, only the count grows: a broken file must not produce a huge report.
MAX_ISSUES_PER_RULE = 50


@dataclass(frozen=True)
class Issue:
    level: str
    rule: str
    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(f"file «{self.file}»")
        if self.row is not None:
            parts.append(f"riga {self.row}")
        if self.column:
            parts.append(f"colonna «{self.column}»")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.message} [regola: {self.rule}]"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class LoadError(Exception):
    """A load was refused; `issues` say why. str() is an Italian message fit for the user."""

    def __init__(self, issues: list[Issue] | Issue | str, *, file: str | None = None, rule: str = "file"):
        if isinstance(issues, str):
            issues = [Issue(ERROR, rule, issues, file=file)]
        elif isinstance(issues, Issue):
            issues = [issues]
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


@dataclass
class ValidationReport:
    issues: list[Issue] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    checks: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    def _add(self, issue: Issue) -> None:
        key = (issue.level, issue.rule)
        self.counts[key] += 1
        if self.counts[key] <= MAX_ISSUES_PER_RULE:
            self.issues.append(issue)

    def error(self, rule: str, message: str, **where) -> None:
        self._add(Issue(ERROR, rule, message, **where))

    def warning(self, rule: str, message: str, **where) -> None:
        self._add(Issue(WARNING, rule, message, **where))

    def checked(self, description: str) -> None:
        """Record a rule that was applied (shown in the report even when nothing broke it)."""
        if description not in self.checks:
            self.checks.append(description)

    def merge(self, other: ValidationReport) -> None:
        for issue in other.issues:
            self.issues.append(issue)
        self.counts.update(other.counts)
        for c in other.checks:
            self.checked(c)
        self.stats.update(other.stats)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == WARNING]

    @property
    def n_errors(self) -> int:
        return sum(n for (level, _), n in self.counts.items() if level == ERROR)

    @property
    def n_warnings(self) -> int:
        return sum(n for (level, _), n in self.counts.items() if level == WARNING)

    @property
    def ok(self) -> bool:
        return self.n_errors == 0

    def raise_if_errors(self) -> None:
        if not self.ok:
            raise LoadError(self.errors)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "n_errors": self.n_errors,
            "n_warnings": self.n_warnings,
            "counts": [
                {"level": level, "rule": rule, "n": n} for (level, rule), n in sorted(self.counts.items())
            ],
            "checks": list(self.checks),
            "issues": [i.to_dict() for i in self.issues],
            "stats": self.stats,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ValidationReport:
        report = cls()
        for i in data.get("issues", []):
            report.issues.append(Issue(**i))
        for c in data.get("counts", []):
            report.counts[(c["level"], c["rule"])] = c["n"]
        report.checks = list(data.get("checks", []))
        report.stats = dict(data.get("stats", {}))
        return report
