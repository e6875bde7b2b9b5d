"""Render a market report as one self-contained HTML file (works with no network)."""

from __future__ import annotations

from pathlib import Path

from cellchain.report import assets


def environment(package: str = "cellchain.report"):
    """A Jinja2 environment over ``package``'s templates folder, autoescaping, with the
    filters both the report and the dashboard use: ``pct`` (fraction -> "12.3%"), ``num``
    (thousands separators, optional decimals) and ``tojson_script``."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader(package, "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    env.filters["pct"] = lambda v: "–" if v is None else f"{v:.1%}"
    env.filters["num"] = lambda v, d=0: "–" if v is None else f"{v:,.{d}f}"
    env.filters["tojson_script"] = script_json
    return env


def script_json(obj) -> str:
    """JSON safe to place inside a <script> element (finite: JSON.parse reads it)."""
    from cellchain.jsonsafe import dumps

    return dumps(obj, separators=(",", ":")).replace("</", "<\\/")


def render(data: dict, figures: dict[str, dict]) -> str:
    """The report page: data from :func:`content.market_report`, figures from
    :func:`figures.report_figures`; plotly.js and the world outline are inlined."""
    from importlib.metadata import version

    template = environment().get_template("report.html.j2")
    return template.render(
        d=data, figures_json=script_json(figures),
        plotly_js=assets.plotly_js().replace("</script", "<\\/script"),
        geo_assets_js=assets.geo_assets_js(), version=version("cellchain"))


def write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temp file + rename)."""
    from cellchain.cli.write import write_text

    write_text(Path(path), text)
