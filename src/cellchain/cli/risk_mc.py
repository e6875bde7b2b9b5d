"""``cellchain risk montecarlo``: the shortfall distribution of a market, and its drivers.

No ``from __future__ import annotations`` here: Typer reads the option types, which are
the caller's ``Annotated`` aliases passed in as arguments, when the command is defined.
"""

from pathlib import Path
from typing import Annotated

import typer


def register(risk_app: typer.Typer, emit, note_year, format_opt, output_opt, year_opt
             ) -> None:
    """Add the command to the ``risk`` sub-app (``note_year``: says on stderr when a year's
    data understate a stage; ``year_opt``: the flow model's ``--year`` option)."""

    @risk_app.command("montecarlo")
    def risk_montecarlo(
        market: Annotated[list[str], typer.Option(
            help="Market: USA, CHN, EU27, JPN, KOR, IND, RoW, or all (repeatable).")],
        year: year_opt = None,
        draws: Annotated[int, typer.Option(help="Simulated years (1 to 5,000,000).")]
        = 10_000,
        seed: Annotated[int, typer.Option(help="Random seed (same seed, same result for "
                                                "any number of workers).")] = 7,
        mode: Annotated[str, typer.Option(
            help="short: sourcing fixed, losses carried downstream; long: every draw "
                 "re-routed by the flow model.")] = "short",
        model: Annotated[Path | None, typer.Option(
            help="Disruption model YAML (default: the shipped one; see docs/risk.md).")]
        = None,
        workers: Annotated[int, typer.Option(
            help="Worker processes (more than 1 starts a local Dask cluster; needs the "
                 "scale extra).")] = 1,
        scheduler: Annotated[str | None, typer.Option(
            help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786.")] = None,
        fmt: format_opt = None,
        output: output_opt = None,
    ) -> None:
        """Probability distribution of a market's shortfall, and what drives it."""
        from cellchain.risk import montecarlo

        markets = "all" if [m.lower() for m in market] == ["all"] else market
        with _progress(draws) as advance:
            result = montecarlo(markets, year=year, draws=draws, seed=seed, mode=mode,
                                model=model, workers=workers, scheduler=scheduler,
                                progress=advance)
        table = result.rows()
        note_year(result.meta["year"])
        emit(table, fmt, output, f"Shortfall risk, {mode} run, {draws:,} draws, seed {seed}",
             percent_columns=("mean", "prob_shortfall", "p95", "p99", "cvar95",
                              "contribution"))


class _progress:
    """A progress bar on stderr for runs long enough to need one (never on stdout)."""

    def __init__(self, total: int):
        self.total = total
        self._bar = None

    def __enter__(self):
        import sys

        if self.total < 50_000 or not sys.stderr.isatty():
            return None
        from cellchain.cli import progress

        progress.stop()  # this bar replaces the generic progress line
        from rich.console import Console
        from rich.progress import Progress

        self._bar = Progress(console=Console(stderr=True), transient=True)
        self._bar.start()
        task = self._bar.add_task("draws", total=self.total)
        return lambda n: self._bar.advance(task, n)

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.stop()
        return False
