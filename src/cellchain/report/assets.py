"""The two browser assets every chart needs, both shipped with the package.

* plotly.js, as bundled in the ``plotly`` Python package (no CDN).
* A Natural Earth 1:110m world outline in TopoJSON (public domain), as carried by the
  plotly.js 3.4.0 npm package (``dist/topojson/world_110m.json``, sha256 below). plotly.js
  fetches outlines from a CDN unless ``window.PlotlyGeoAssets`` already holds them, which
  leaves a blank map offline; the report inlines this file and the dashboard serves it.
"""

from __future__ import annotations

from pathlib import Path

from cellchain import caches
from cellchain.errors import DataError

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
#: File name plotly.js asks for when a geo subplot has scope "world" and resolution 110.
WORLD_TOPOJSON = "world_110m.json"
WORLD_TOPOJSON_SHA256 = "e1bf51740ad28396265e52123ea7315d692f112664ab2cb0f1ea76a96fe1bb0a"
REINSTALL_HINT = "Reinstall cellchain (pip install --force-reinstall .)."


def world_topojson_path() -> Path:
    """Path of the vendored world outline."""
    path = ASSETS_DIR / WORLD_TOPOJSON
    if not path.is_file():
        raise DataError(f"World outline {path} is missing.", REINSTALL_HINT)
    return path


def plotly_js_path() -> Path:
    """Path of the plotly.js bundle shipped in the ``plotly`` package."""
    try:
        import plotly
    except ImportError:
        raise DataError("The plotly package is not installed.", REINSTALL_HINT) from None
    path = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise DataError(f"plotly.js is missing from the plotly package ({path}).",
                        "Reinstall plotly (pip install --force-reinstall plotly).")
    return path


@caches.cached
def plotly_js() -> str:
    """plotly.js source, for inlining."""
    return plotly_js_path().read_text(encoding="utf-8")


@caches.cached
def geo_assets_js() -> str:
    """A script that registers the world outline with plotly.js before any map draws."""
    topo = world_topojson_path().read_text(encoding="utf-8")
    name = WORLD_TOPOJSON.removesuffix(".json")
    return ("window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};\n"
            f"window.PlotlyGeoAssets.topojson[{name!r}] = {topo};\n")
