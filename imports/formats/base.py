from collections.abc import Callable
from dataclasses import dataclass, field

from ..records import Values


def normalize_header(name: str) -> str:
    """'Requester email', 'requester_email' and ' REQUESTER  EMAIL ' are the same column."""
    return " ".join(name.replace("_", " ").split()).lower()


class HeaderInvalid(Exception):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{c}: {m}" for c, m in problems))
        self.problems = problems


@dataclass(frozen=True)
class CsvFormat:
    entity: str
    name: str
    source: str
    columns: dict[str, tuple[str, ...]]  # our field -> the sender's spellings, the documented one first
    required: tuple[str, ...]
    clean: Callable[[Values], object]
    any_of: tuple[str, ...] = ()  # at least one of these columns must be present
    adjust: Callable[[Values], None] | None = None
    title: str = ""
    notes: list[str] = field(default_factory=list)
    # (format, bound) -> read(cells): a reader compiled once per file (imports.fastrows); else generic
    reader: Callable[["CsvFormat", dict], Callable[[list[str]], object]] | None = None

    def bind(self, header: list[str]) -> dict[str, tuple[int, str]]:
        """Our field -> (cell index, header as written) for this file; raises HeaderInvalid."""
        positions = {}
        for index, name in enumerate(header):
            positions.setdefault(normalize_header(name), (index, name.strip()))
        bound = {}
        for ours, spellings in self.columns.items():
            for spelling in spellings:
                if normalize_header(spelling) in positions:
                    bound[ours] = positions[normalize_header(spelling)]
                    break
        problems = [
            (self.columns[ours][0], "required column is missing") for ours in self.required if ours not in bound
        ]
        if self.any_of and not any(ours in bound for ours in self.any_of):
            names = " or ".join(self.columns[ours][0] for ours in self.any_of)
            problems.append((names, "the file needs at least one of these columns to find each row's customer"))
        if problems:
            raise HeaderInvalid(problems)
        return bound

    def values(self, bound: dict[str, tuple[int, str]], cells: list[str]) -> Values:
        values = Values()
        for ours, (index, label) in bound.items():
            values.put(ours, label, cells[index] if index < len(cells) else "")
        if self.adjust:
            self.adjust(values)
        return values

    def generic_reader(self, bound: dict[str, tuple[int, str]]) -> Callable[[list[str]], object]:
        """read(cells) -> record through `values` and `clean`; raises RecordInvalid naming every problem."""

        def read(cells: list[str]):
            return self.clean(self.values(bound, cells))

        return read

    def row_reader(self, bound: dict[str, tuple[int, str]]) -> Callable[[list[str]], object]:
        """The reader of this file's rows: the format's compiled one when it has one."""
        return self.reader(self, bound) if self.reader else self.generic_reader(bound)
