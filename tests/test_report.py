"""The market report: its data, its figures, the self-contained HTML and PNG export."""

import re
import struct

import pytest

from cellchain.errors import UnknownValueError
from cellchain.report import assets, content, figures


def test_vendored_outline_is_the_published_file():
    from cellchain.io.bundle import file_sha256

    assert file_sha256(assets.world_topojson_path()) == assets.WORLD_TOPOJSON_SHA256


def test_facility_points_filters(warehouse):
    # RUSNANO alone from April 2013 (a 50/50 joint venture with Thunder Sky before).
    russian = content.facility_points(2014, stage="cells", owner="RUS")
    assert "liotech-novosibirsk" in {p["id"] for p in russian}
    liotech = next(p for p in russian if p["id"] == "liotech-novosibirsk")
    assert liotech["status"] == "operating" and liotech["state_owned_share"] > 0
    # Closed in 2022: still on the map, with its status.
    later = {p["id"]: p for p in content.facility_points(2023, stage="cells")}
    assert later["liotech-novosibirsk"]["status"] == "closed"
    assert all(p["stage"] == "cells" and p["owner_country"] == "RUS" for p in russian)
    everything = content.facility_points(2024)
    assert len(everything) > 200
    assert all(-90 <= p["lat"] <= 90 and -180 <= p["lon"] <= 180 for p in everything)


@pytest.mark.parametrize("kwargs", [{"stage": "smelting"}, {"status": "dreaming"},
                                    {"owner": "XXX"}])
def test_facility_points_reject_unknown_filters(warehouse, kwargs):
    with pytest.raises(UnknownValueError):
        content.facility_points(2024, **kwargs)


def test_map_has_one_marker_per_facility(warehouse):
    points = content.facility_points(2024)
    fig = figures.facility_map(points)
    ids = [i for trace in fig["data"] for i in trace["customdata"]]
    assert sorted(ids) == sorted(p["id"] for p in points)
    sizes = [s for trace in fig["data"] for s in trace["marker"]["size"]]
    assert all(5 <= s <= 30 for s in sizes)
    assert fig["layout"]["geo"]["resolution"] == 110


def test_exposure_bars_stack_to_one(warehouse):
    exp = content.exposure("USA", 2024)
    for by in ("location", "owner"):
        fig = figures.exposure_bars(exp[by], by)
        products = fig["data"][0]["y"]
        for i, _ in enumerate(products):
            assert sum(t["x"][i] for t in fig["data"]) == pytest.approx(1.0)


def test_concentration_rows_are_bounded(warehouse):
    rows = content.concentration(2024)
    assert {r["product"] for r in rows} >= {"cells", "cathode", "anode", "lithium_chemicals"}
    for r in rows:
        assert 0 <= r["hhi_location"] <= 10_000
        assert 0 <= r["top3_location"] <= 1 + 1e-9
        assert 0 <= r["state_owned_share"] <= 1 + 1e-9
    cells = next(r for r in rows if r["product"] == "cells")
    assert cells["top_country"] == "CHN"


def test_report_html_is_self_contained(usa_report):
    html = usa_report.read_text(encoding="utf-8")
    # No external script, stylesheet or fetch target: everything is inlined.
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=", html)
    assert "window.PlotlyGeoAssets.topojson['world_110m']" in html
    assert "Battery supply of United States (2024)" in html
    for section in ("map", "exposure", "concentration", "plants", "scenarios", "risk",
                    "sources"):
        assert f'id="{section}"' in html
    # Every bundled scenario is reported.
    from cellchain.scenarios.load import bundled, load

    for path in bundled().values():
        assert load(path).name in html


def test_report_bad_input_writes_nothing(cli, warehouse, tmp_path):
    target = tmp_path / "x.html"
    res = cli("report", "XYZ", "-o", str(target))
    assert res.returncode == 1
    assert res.stderr.count("\n") == 1 and "Unknown market 'XYZ'" in res.stderr
    assert not target.exists()
    res = cli("report", "USA", "-o", str(tmp_path / "x.pdf"))
    assert res.returncode == 1 and "does not end in .html" in res.stderr
    res = cli("report", "USA", "-o", str(tmp_path / "missing" / "x.html"))
    assert res.returncode == 1 and "does not exist" in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_png_export_writes_real_images(warehouse, chromium, tmp_path):
    from cellchain.report import png

    points = content.facility_points(2024, stage="cells")
    figs = {"map": figures.facility_map(points),
            "concentration": figures.concentration_bars(content.concentration(2024), "c")}
    written = png.write_pngs(figs, tmp_path / "png")
    assert [p.name for p in written] == ["map.png", "concentration.png"]
    for path in written:
        head = path.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", head[16:24])
        assert (width, height) == (png.WIDTH, png.HEIGHT)
    assert not [p for p in (tmp_path / "png").iterdir() if p.name.startswith(".")]


def test_risk_section_data_and_figure(warehouse):
    risk = content.risk("USA", 2024, draws=5_000)
    assert {r["product"] for r in risk["summary"]} >= {"cells", "anode", "mine_cobalt"}
    assert sum(risk["histogram"]["probability"]) == pytest.approx(1.0)
    assert risk["drivers"] and risk["drivers"][0]["rank"] == 1
    fig = figures.risk_distribution(risk, "risk")
    assert len(fig["data"]) == len(risk["summary"])  # one line per product
    assert all(len(t["x"]) == 20 for t in fig["data"])
    assert "share of demand" in fig["layout"]["xaxis"]["title"]["text"]
    bars = figures.risk_drivers(risk, "drivers")["data"][0]
    assert bars["x"] == sorted(bars["x"], reverse=True)
