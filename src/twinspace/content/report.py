"""What an import did, in numbers a person can check."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

MAX_EXAMPLES = 10  # per reason: enough to find the problem in the file without flooding a log
MAX_EXAMPLES_IN_ALL = 40


@dataclass
class SkipLog:
    """Entries left out of an import, counted by reason, with the first few of each reason located
    (so one bad entry is not hidden behind hundreds of harmless duplicates)."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def add(self, reason: str, where: str = "", detail: str = "") -> None:
        self.counts[reason] += 1
        if self.counts[reason] <= MAX_EXAMPLES and len(self.examples) < MAX_EXAMPLES_IN_ALL:
            text = f"{where}: {reason}" if where else reason
            self.examples.append(f"{text} ({detail})" if detail else text)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __str__(self) -> str:
        return ", ".join(f"{n} × {reason}" for reason, n in self.counts.most_common())


@dataclass
class ImportReport:
    file: str
    kind: str  # "lineup", "guide" or "vod"
    channels: int = 0
    programmes: int = 0
    titles: int = 0
    replaced: int = 0  # stored programmes removed because the new guide covers their time
    skipped: SkipLog = field(default_factory=SkipLog)
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.kind == "guide":
            done = (f"{self.programmes} programmes on {self.channels} channels "
                    f"(replaced {self.replaced} stored programmes)")
        elif self.kind == "lineup":
            done = f"{self.channels} channels"
        else:
            done = f"{self.titles} on-demand titles"
        lines = [f"{self.file}: imported {done}"]
        if self.skipped.total:
            lines.append(f"  skipped {self.skipped.total}: {self.skipped}")
            lines.extend(f"    {example}" for example in self.skipped.examples)
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)
