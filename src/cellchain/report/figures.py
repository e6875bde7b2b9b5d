"""Figures as plotly.js JSON (plain dicts), built from the data in :mod:`content`.

No plotly Python objects: the dicts go straight into ``Plotly.newPlot`` in the report and
the dashboard, and into kaleido for PNGs.
"""

from __future__ import annotations

import math

from cellchain.trace.exposure import PRIVATE, PRIVATE_LABEL

#: Fixed colours for the owner countries that dominate the chain; others cycle PALETTE.
COUNTRY_COLOURS = {
    "CHN": "#d62728", "KOR": "#1f77b4", "JPN": "#9467bd", "USA": "#2ca02c",
    "RUS": "#8c564b", "DEU": "#ff7f0e", "FRA": "#17becf", "SWE": "#bcbd22",
    "AUS": "#e377c2", "CHL": "#7f7f7f", "IDN": "#aec7e8", "BOL": "#ffbb78",
}
PALETTE = ("#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d",
           "#9edae5", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173")
OTHER_COLOUR = "#b0b0b0"
STAGE_SYMBOLS = {"mining": "triangle-up", "refining": "diamond", "materials": "square",
                 "cells": "circle"}
PRODUCT_ORDER = ("mine_lithium", "mine_nickel", "mine_cobalt", "mine_graphite",
                 "lithium_chemicals", "nickel_refined", "cobalt_refined", "cathode", "anode",
                 "cells")
MAX_GROUPS = 8
#: Owner-country HHI is drawn only where owners are known for at least this share of the
#: capacity [0-1].
MIN_OWNER_KNOWN = 0.5
#: A capacity share that changed by no more than this did not move [0-1].
MOVED = 1e-6
#: What the x axis of a capacity-share chart groups by.
CAPACITY_GROUPS = {"location": "country where the plants are",
                   "owner": "owners' country (look-through equity)",
                   "state": "state holding the capacity"}
#: Display names of special groups.
GROUP_LABELS = {PRIVATE: PRIVATE_LABEL}


def colour(country: str | None) -> str:
    """Stable colour of a country code (grey for None / other)."""
    if not country or country == "other":
        return OTHER_COLOUR
    if country in COUNTRY_COLOURS:
        return COUNTRY_COLOURS[country]
    return PALETTE[sum(map(ord, country)) % len(PALETTE)]


def _marker_sizes(points: list[dict]) -> list[float]:
    """Marker diameter [px]: 6-30, by the square root of capacity relative to the largest
    plant of the same stage and unit (units differ between stages); 5 px when unknown."""
    biggest: dict[tuple, float] = {}
    for p in points:
        if p["capacity"]:
            key = (p["stage"], p["unit"])
            biggest[key] = max(biggest.get(key, 0.0), p["capacity"])
    sizes = []
    for p in points:
        top = biggest.get((p["stage"], p["unit"]))
        if not p["capacity"] or not top:
            sizes.append(5.0)
        else:
            sizes.append(6.0 + 24.0 * math.sqrt(p["capacity"] / top))
    return sizes


def facility_map(points: list[dict], title: str = "Facilities") -> dict:
    """World map of facilities: symbol by stage, size by capacity, colour by the owner
    country. Each marker's ``customdata`` is the facility id."""
    counts: dict[str, int] = {}
    for p in points:
        key = p["owner_country"] or "unknown"
        counts[key] = counts.get(key, 0) + 1
    shown = [c for c, _ in sorted(counts.items(), key=lambda x: (-x[1], x[0]))][:MAX_GROUPS]
    sizes = _marker_sizes(points)
    traces = []
    for group in shown + ["other"]:
        idx = [i for i, p in enumerate(points)
               if (p["owner_country"] or "unknown") == group
               or (group == "other" and (p["owner_country"] or "unknown") not in shown)]
        if not idx:
            continue
        traces.append({
            "type": "scattergeo", "mode": "markers",
            "name": f"owner: {group}",
            "lon": [points[i]["lon"] for i in idx], "lat": [points[i]["lat"] for i in idx],
            "customdata": [points[i]["id"] for i in idx],
            "text": [_hover(points[i]) for i in idx],
            "hoverinfo": "text",
            "marker": {"size": [round(sizes[i], 1) for i in idx],
                       "symbol": [STAGE_SYMBOLS.get(points[i]["stage"], "circle")
                                  for i in idx],
                       "color": colour(group), "opacity": 0.75,
                       "line": {"width": 0.5, "color": "#333"}},
        })
    return {"data": traces, "layout": {
        "title": {"text": title},
        "geo": {"scope": "world", "resolution": 110, "projection": {"type": "natural earth"},
                "showcountries": True, "countrycolor": "#999", "showland": True,
                "landcolor": "#f2f2f2", "showocean": True, "oceancolor": "#e8f1f8",
                "showframe": False, "lonaxis": {"range": [-180, 180]},
                "lataxis": {"range": [-58, 84]}},
        "legend": {"title": {"text": "largest owner country"}, "orientation": "h",
                   "y": -0.02, "x": 0.5, "xanchor": "center", "yanchor": "top"},
        "margin": {"l": 0, "r": 0, "t": 40, "b": 40}, "height": 560}}


def _hover(p: dict) -> str:
    cap = ("capacity not cited" if p["capacity"] is None
           else f"{p['capacity']:,.1f} {p['unit']}")
    state = f"<br>state-owned {p['state_owned_share']:.0%}" if p["state_owned_share"] else ""
    return (f"<b>{p['name']}</b><br>{p['stage']} · {p['status']}<br>{p['city'] or ''} "
            f"({p['country']})<br>{cap}<br>owner country: {p['owner_country'] or 'unknown'}"
            f"{state}")


def exposure_bars(rows: list[dict], title: str) -> dict:
    """Stacked horizontal bars: for each stage/product, the share of the market's supply
    from each country (the largest groups named; the rest as 'other')."""
    products = [p for p in PRODUCT_ORDER if any(r["product"] == p for r in rows)]
    totals: dict[str, float] = {}
    for r in rows:
        totals[r["group"]] = totals.get(r["group"], 0.0) + r["share"]
    named = [g for g, _ in sorted(totals.items(), key=lambda x: (-x[1], x[0]))][:MAX_GROUPS]
    traces = []
    for group in named + ["other"]:
        xs = []
        for p in products:
            xs.append(sum(r["share"] for r in rows if r["product"] == p and (
                r["group"] == group or (group == "other" and r["group"] not in named))))
        if not any(xs):
            continue
        traces.append({"type": "bar", "orientation": "h", "name": group, "y": products,
                       "x": xs, "marker": {"color": colour(group)},
                       "hovertemplate": f"{group}: %{{x:.1%}}<extra>%{{y}}</extra>"})
    return {"data": traces, "layout": {
        "title": {"text": title}, "barmode": "stack",
        "xaxis": {"tickformat": ".0%", "range": [0, 1], "title": {"text": "share of supply"}},
        "yaxis": {"autorange": "reversed"}, "height": 420,
        "margin": {"l": 130, "r": 20, "t": 40, "b": 40}}}


def concentration_bars(rows: list[dict], title: str) -> dict:
    """HHI by location and by owner country, per stage/product (each on the basis of its
    shares: production where a world total is cited, else capacity). The owner-country HHI
    counts only capacity whose owners are known, so it is drawn only where they are known
    for at least :data:`MIN_OWNER_KNOWN` of it (a lower HHI there would read as less
    concentration, not as missing owners)."""
    labels = [f"{r['product']} ({r['basis']})" if r.get("basis") else r["product"]
              for r in rows]

    def owner_hhi(r):
        known = r.get("owner_known_share")
        return r["hhi_owner"] if known is None or known >= MIN_OWNER_KNOWN else None

    return {"data": [
        {"type": "bar", "name": "HHI by location", "x": labels,
         "y": [r["hhi_location"] for r in rows], "marker": {"color": "#1f77b4"}},
        {"type": "bar", "name": "HHI by owner country (where owners are known for at "
                                f"least {MIN_OWNER_KNOWN:.0%})", "x": labels,
         "y": [owner_hhi(r) for r in rows], "marker": {"color": "#d62728"},
         "customdata": [r.get("owner_known_share") for r in rows],
         "hovertemplate": "%{x}: HHI by owner country %{y:,.0f} (owners known for "
                          "%{customdata:.0%})<extra></extra>"},
        {"type": "scatter", "mode": "markers", "name": "state-owned share", "x": labels,
         "y": [r["state_owned_share"] for r in rows], "yaxis": "y2",
         "marker": {"color": "#333", "size": 10, "symbol": "diamond"}},
    ], "layout": {
        "title": {"text": title}, "barmode": "group",
        "xaxis": {"title": {"text": "product (basis of the shares)"}},
        "yaxis": {"title": {"text": "HHI (0-10,000)"}, "range": [0, 10000]},
        "yaxis2": {"title": {"text": "state-owned share"}, "overlaying": "y",
                   "side": "right", "range": [0, 1], "tickformat": ".0%"},
        "legend": {"orientation": "h", "y": -0.25}, "height": 420,
        "shapes": [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 2500,
                    "y1": 2500, "line": {"dash": "dot", "color": "#888"}}],
        "annotations": [{"xref": "paper", "x": 1, "y": 2500, "text": "highly concentrated",
                         "showarrow": False, "xanchor": "right", "yanchor": "bottom"}],
        "margin": {"l": 60, "r": 60, "t": 40, "b": 100}}}


def scenario_served(result: dict, market: str, title: str) -> dict:
    """Served share of the market's need per stage and product, before (baseline) and
    after the scenario (grouped bars, 0-100 %). A scenario with a policy adds, per policy,
    each stage's compliant capacity over the market's need (at most 100 %): served shares
    are the same at every stage (served cells carry their inputs), so this is the series
    that shows which stage runs short first."""
    rows = [r for r in result["supply"] if r.get("market") == market]
    labels = [f"{r['stage']}: {r['product']}" for r in rows]

    def share(r, key):
        need = r["baseline_served"] or 0.0
        return (r[key] or 0.0) / need if need else None

    data = [
        {"type": "bar", "name": "baseline", "x": labels,
         "y": [share(r, "baseline_served") for r in rows], "marker": {"color": "#7f7f7f"},
         "hovertemplate": "%{x}: %{y:.0%} served (baseline)<extra></extra>"},
        {"type": "bar", "name": "scenario", "x": labels,
         "y": [share(r, "scenario_served") for r in rows], "marker": {"color": "#1f77b4"},
         "hovertemplate": "%{x}: %{y:.0%} served (scenario)<extra></extra>"},
    ]
    policies: dict[str, dict[str, float]] = {}
    for b in result.get("bottleneck") or []:
        if b.get("market") == market and b.get("served_share") is not None:
            label = f"{b['stage']}: {b['product']}"
            policies.setdefault(b.get("policy") or "policy", {})[label] = b["served_share"]
    for i, (policy, by_label) in enumerate(policies.items()):
        data.append({
            "type": "bar", "name": f"compliant capacity / need ({policy})", "x": labels,
            "y": [by_label.get(label) for label in labels],
            "marker": {"color": ("#2ca02c", "#98df8a", "#637939")[i % 3]},
            "hovertemplate": f"%{{x}}: compliant capacity covers %{{y:.0%}} of the need "
                             f"({policy})<extra></extra>"})
    return {"data": data, "layout": {
        "title": {"text": title}, "barmode": "group",
        "yaxis": {"tickformat": ".0%", "range": [0, 1.05],
                  "title": {"text": f"share of {market}'s need served"}},
        "xaxis": {"tickangle": -35, "automargin": True,
                  "title": {"text": "stage: product"}},
        "legend": {"orientation": "h", "y": 1.08}, "height": 420,
        "margin": {"l": 60, "r": 20, "t": 60, "b": 120}}}


def scenario_capacity(result: dict, by: str, title: str, n: int = 12) -> dict:
    """Capacity shares by ``by`` (location, owner or state) before and after: the groups
    whose share moved most, leaving out those that did not move (grouped bars, percent of
    the stage's world capacity, each bar labelled with its value)."""
    rows = [r for r in result["capacity"] if r.get("by") == by
            and abs(r["scenario_share"] - r["baseline_share"]) > MOVED]
    rows.sort(key=lambda r: (-abs(r["scenario_share"] - r["baseline_share"]),
                             -r["baseline_share"], r["product"], r["group"]))
    rows = rows[:n]
    labels = [f"{r['product']}: {GROUP_LABELS.get(r['group'], r['group'])}" for r in rows]
    bars = [
        {"type": "bar", "name": name, "x": labels, "y": [r[key] for r in rows],
         "marker": {"color": colour_}, "text": [r[key] for r in rows],
         "texttemplate": "%{text:.2~%}", "textposition": "outside",
         "hovertemplate": f"%{{x}}: %{{y:.2~%}} of capacity ({name})<extra></extra>"}
        for name, key, colour_ in (("baseline", "baseline_share", "#7f7f7f"),
                                   ("scenario", "scenario_share", "#ff7f0e"))]
    layout = {
        "title": {"text": title}, "barmode": "group",
        "yaxis": {"tickformat": ".0%", "title": {"text": "share of world capacity"}},
        "xaxis": {"tickangle": -35, "automargin": True,
                  "title": {"text": f"product: {CAPACITY_GROUPS[by]}"}},
        "legend": {"orientation": "h", "y": 1.08}, "height": 420,
        "margin": {"l": 60, "r": 20, "t": 60, "b": 130}}
    if not rows:
        layout["annotations"] = [{"text": "no capacity share moved", "showarrow": False,
                                  "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}]
    return {"data": bars, "layout": layout}


def scenario_figures(result: dict, market: str) -> dict[str, dict]:
    """The scenario page's and report's charts for one scenario and market."""
    name = result.get("id") or result["name"]
    out = {"served": scenario_served(result, market, f"{name}: served share by stage, "
                                                     f"{market}")}
    for by, what in (("location", "where the plants are"), ("owner", "who owns them"),
                     ("state", "which state holds them")):
        out[f"capacity_{by}"] = scenario_capacity(
            result, by, f"{name}: capacity share by {by} ({what}), largest moves")
    return out


def pipeline_chart(rows: list[dict], title: str) -> dict:
    """Capacity by year as a band (low: operating + under construction; high: all
    announced) with the expected capacity inside it, against the demand line."""
    years = [r["year"] for r in rows]
    unit = rows[0]["unit"] if rows else ""
    scenario = rows[0]["demand_scenario"] if rows else None
    demand = [r["demand"] for r in rows]
    traces = [
        {"type": "scatter", "mode": "lines", "name": "low (operating + construction)",
         "x": years, "y": [r["low"] for r in rows], "line": {"color": "#9ecae1", "width": 1}},
        {"type": "scatter", "mode": "lines", "name": "high (all announced)", "x": years,
         "y": [r["high"] for r in rows], "fill": "tonexty",
         "fillcolor": "rgba(158,202,225,0.35)", "line": {"color": "#9ecae1", "width": 1}},
        {"type": "scatter", "mode": "lines+markers", "name": "expected capacity",
         "x": years, "y": [r["expected_capacity"] for r in rows],
         "line": {"color": "#1f77b4", "width": 3}},
    ]
    if any(v is not None for v in demand):
        traces.append({"type": "scatter", "mode": "lines+markers",
                       "name": f"demand ({scenario})", "x": years, "y": demand,
                       "line": {"color": "#d62728", "dash": "dash", "width": 2}})
    return {"data": traces, "layout": {
        "title": {"text": title}, "height": 420,
        "xaxis": {"title": {"text": "year"}, "dtick": 1},
        "yaxis": {"title": {"text": unit}, "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": -0.2},
        "margin": {"l": 60, "r": 20, "t": 40, "b": 80}}}


def risk_title(risk: dict, what: str) -> str:
    """A risk figure's title: the market and what was simulated (draws, seed, mode, model
    file)."""
    run = "short run (sourcing fixed)" if risk["mode"] == "short" else "long run (re-routed)"
    return (f"{risk['market']} {risk['year']}: {what}<br><sub>{risk['draws']:,} simulated "
            f"years, seed {risk['seed']}, {run}, model file {risk['model']}</sub>")


def risk_distribution(risk: dict, title: str) -> dict:
    """The distribution of each product's shortfall in a simulated year, one panel per
    stage (two columns), one line per product: the probability of each 5 % band of
    shortfall [share of the market's demand for the product]. Bands no draw fell in are
    left out (log scale)."""
    stages = list(dict.fromkeys(h["stage"] for h in risk["histograms"]))
    cols = 1 if len(stages) == 1 else 2
    rows = -(-len(stages) // cols)
    gap_x, gap_y, top = 0.1, 0.14, 0.0
    width = (1 - gap_x * (cols - 1)) / cols
    height = (1 - top - gap_y * (rows - 1)) / rows
    data, layout, notes = [], {}, []
    for i, stage in enumerate(stages):
        r, c = divmod(i, cols)
        n = "" if i == 0 else str(i + 1)
        x0 = c * (width + gap_x)
        y1 = 1 - top - r * (height + gap_y)
        layout[f"xaxis{n}"] = {
            "domain": [x0, x0 + width], "anchor": f"y{n}", "tickformat": ".0%",
            "range": [0, 1], "title": {"text": "shortfall [share of demand]",
                                       "font": {"size": 11}}}
        lowest = min((p for h in risk["histograms"] if h["stage"] == stage
                      for p in h["probability"] if p > 0), default=1.0)
        layout[f"yaxis{n}"] = {
            "domain": [y1 - height, y1], "anchor": f"x{n}", "type": "log",
            "range": [math.log10(lowest) - 0.3, 0.05],  # [log10]: up to 100 %
            "tickformat": ".3~%", "title": {"text": "probability [share of draws]",
                                            "font": {"size": 11}}}
        notes.append({"text": f"<b>{stage}</b>", "showarrow": False, "xref": "paper",
                      "yref": "paper", "x": x0 + width / 2, "y": y1, "yanchor": "bottom",
                      "xanchor": "center"})
        for h in (h for h in risk["histograms"] if h["stage"] == stage):
            centres = [(a + b) / 2 for a, b in zip(h["lower"], h["upper"], strict=True)]
            data.append({
                "type": "scatter", "mode": "lines+markers", "name": h["product"],
                "legendgroup": stage, "legendgrouptitle": {"text": stage},
                "xaxis": f"x{n}", "yaxis": f"y{n}", "x": centres,
                "y": [p if p > 0 else None for p in h["probability"]],
                "customdata": [[a, b] for a, b in zip(h["lower"], h["upper"], strict=True)],
                "hovertemplate": f"{h['product']}: shortfall %{{customdata[0]:.0%}}-"
                                 "%{customdata[1]:.0%} of demand: probability "
                                 "%{y:.3%}<extra></extra>"})
    return {"data": data, "layout": {
        **layout, "annotations": notes,
        "title": {"text": title, "font": {"size": 13}},
        "legend": {"title": {"text": "product"}, "groupclick": "toggleitem"},
        "height": 300 * rows + 120, "margin": {"l": 70, "r": 20, "t": 90, "b": 60}}}


def risk_drivers(risk: dict, title: str, top: int = 10) -> dict:
    """The ``top`` drivers: how much lower the expected cell shortfall is when each
    never strikes [share of cell demand], ranked."""
    drivers = risk["drivers"][:top]
    labels = [f"{d['driver']} ({d['kind']})" for d in drivers]
    return {"data": [{
        "type": "bar", "orientation": "h", "name": "contribution", "y": labels,
        "x": [d["contribution"] for d in drivers], "marker": {"color": "#1f77b4"},
        "hovertemplate": "never disrupting %{y} lowers the expected cell shortfall by "
                         "%{x:.2%} of demand<extra></extra>"}], "layout": {
        "title": {"text": title, "font": {"size": 13}}, "showlegend": False,
        "xaxis": {"tickformat": ".2%", "title": {
            "text": "contribution: drop in expected cell shortfall when never disrupted "
                    "[share of cell demand]"}},
        "yaxis": {"autorange": "reversed", "automargin": True},
        "height": 420, "margin": {"l": 60, "r": 20, "t": 50, "b": 60}}}


def report_figures(data: dict) -> dict[str, dict]:
    """Every figure of a market report, by a file-name-safe key."""
    m = data["market"]
    return {
        "map": facility_map(data["facilities"],
                            f"Facilities in {data['year']} (symbol: stage; size: capacity)"),
        "exposure_location": exposure_bars(data["exposure"]["location"],
                                           f"{m}: where each stage's supply is made"),
        "exposure_owner": exposure_bars(data["exposure"]["owner"],
                                        f"{m}: who owns each stage's supply (by country)"),
        "concentration": concentration_bars(data["concentration"],
                                            "World concentration by stage"),
        **{f"scenario_{s['id']}_{key}": fig for s in data["scenarios"]
           for key, fig in scenario_figures(s, m).items()},
        "pipeline": pipeline_chart(data["pipeline"]["rows"],
                                   f"{m}: cell capacity to 2035 against demand"),
        "risk": risk_distribution(data["risk"], risk_title(data["risk"],
                                                           "shortfall per product")),
        "risk_drivers": risk_drivers(data["risk"], risk_title(data["risk"],
                                                              "drivers of the cell shortfall")),
    }
