"""A small result table as plain Python rows, for paths that should not import pandas.

The public API returns pandas DataFrames; the command line asks the same functions for
:class:`Rows` instead (``as_frame=False``) when it only prints JSON, CSV or a terminal
table, which keeps the everyday commands free of the pandas import.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rows:
    """Column names and one tuple per row, in order."""

    columns: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def records(self) -> list[dict]:
        """The rows as dicts keyed by column name."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def to_pandas(self):
        """The same table as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame.from_records(self.rows, columns=list(self.columns))
