"""News extraction: the corpus of short articles in tests/news_corpus (written for the
purpose from public facts), its expected proposals, precision and recall, offsets, spam,
modality, units, names, the overlay and the command line."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import given
from hypothesis import strategies as st

CORPUS = REPO / "tests" / "news_corpus"
EXAMPLES = REPO / "docs" / "examples"
ARTICLES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".md", ".html"))
#: Floors the corpus scores must stay above [fraction].
PRECISION_FLOOR = 0.9
RECALL_FLOOR = 0.9


def _norm(value) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def _rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _expected() -> list[dict]:
    with open(CORPUS / "expected.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def view(warehouse):
    from cellchain.news.view import RegistryView

    return RegistryView.load()


@pytest.fixture(scope="module")
def extracted(view):
    """Proposals per corpus article, each article read on its own."""
    from cellchain.news.extract import extract_article
    from cellchain.news.read import read_path

    out = {}
    for path in ARTICLES:
        article = read_path(path)
        out[path.name] = (article, extract_article(article, view))
    return out


def test_corpus_precision_and_recall(extracted, capsys):
    expected = {(r["article"], r["kind"], r["target"], _norm(r["value"])): r
                for r in _expected()}
    found = {(name, p.kind, p.target.id, _norm(p.value)): p
             for name, (_, props) in extracted.items() for p in props}
    hits = set(expected) & set(found)
    precision = len(hits) / len(found)
    recall = len(hits) / len(expected)
    with capsys.disabled():
        print(f"\nnews corpus: {len(ARTICLES)} articles, {len(expected)} expected proposals, "
              f"{len(found)} found, precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= PRECISION_FLOOR, sorted(set(found) - hits)
    assert recall >= RECALL_FLOOR, sorted(set(expected) - hits)
    for key in hits:  # a right proposal also has the right modality and registry check
        assert found[key].modality == expected[key]["modality"], key
        assert found[key].registry == expected[key]["registry"], key
    from cellchain.news.modality import MODALITIES
    from cellchain.news.propose import KINDS

    # the corpus covers every kind of proposal and every modality
    assert {r["kind"] for r in expected.values()} == set(KINDS)
    assert {r["modality"] for r in expected.values()} == set(MODALITIES)


def test_every_proposal_points_at_its_sentence(extracted):
    for name, (article, props) in extracted.items():
        for p in props:
            assert article.text[p.start:p.end] == p.sentence, (name, p.id)
            assert p.sentence.strip() == p.sentence and p.sentence


def test_plant_opening_gives_status_owners_jobs_and_lithium_source(extracted):
    _, props = extracted["liotech-opening.txt"]
    got = {(p.kind, _norm(p.value)) for p in props}
    assert {("status_change", "operating"), ("owner_change", "rusnano"),
            ("owner_change", "thunder-sky"), ("jobs", "500"),
            ("supply_link", "nccp-novosibirsk")} <= got
    status = next(p for p in props if p.kind == "status_change")
    assert status.target.id == "liotech-novosibirsk" and status.date == "2011-12-08"
    assert "opened" in status.sentence


def test_exploring_a_factory_is_considered_never_construction(extracted):
    _, props = extracted["rosatom-bolivia.md"]
    assert [(p.kind, p.value, p.modality) for p in props] == [
        ("status_change", "considered", "considering")]
    assert props[0].target.id == "rosatom-bolivia-cells"
    assert props[0].registry == "confirms"


def test_opinion_piece_with_spam_and_sidebar_gives_nothing(extracted):
    article, props = extracted["battery-race-opinion.html"]
    assert props == []
    assert "working from home" not in article.text      # comment section dropped
    assert "stadium" not in article.text                # sidebar dropped
    assert "Photo" not in article.text                  # photo credit dropped
    assert "great-power rivalry" in article.text        # the opinion itself is kept


def test_markdown_related_news_section_is_dropped(extracted):
    article, props = extracted["debrecen-near-duplicates.md"]
    assert "Hong Kong" not in article.text and "Related news" not in article.text
    assert "Separately, EcoPro EM" in article.text


def test_negated_proposals_are_shown_but_not_accepted(extracted):
    _, props = extracted["rosatom-bolivia-negated.txt"]
    negated = [p for p in props if p.modality == "negated"]
    assert negated and not any(p.accept for p in negated)
    assert {p.value for p in props if p.modality == "considering"} == {"considered"}


def test_capex_conflict_reports_the_registry_value(extracted):
    _, props = extracted["uranium-one-contract.txt"]
    capex = next(p for p in props if p.kind == "capex")
    assert (capex.value, capex.unit, capex.registry, capex.current) == (
        975.0, "million USD", "conflicts", 970.0)
    # "about 540 tonnes ... in 2021" is output, not capacity: no proposal from it
    assert not any("540" in p.sentence for p in props)


def test_foreign_currency_is_not_converted(extracted):
    _, props = extracted["acciona-envision.txt"]
    capex = next(p for p in props if p.kind == "capex")
    assert capex.unit == "million EUR" and not capex.writable and not capex.accept
    assert not any(p.kind == "capacity" for p in props)  # "10 GW" is power, not GWh


# ---- units ----------------------------------------------------------------------------
def _q(sentence):
    from cellchain.news.numbers import quantities

    return [(q.kind, q.value, q.unit) for q in quantities(sentence)]


def test_unit_traps():
    assert _q("A 20-gigawatt-hour cell factory will open in 2027.") == [
        ("capacity", 20.0, "GWh/yr"), ("date", "2027", "date")]
    assert _q("The company will invest $975 million in the plant.") == [
        ("capex", 975.0, "million USD")]
    assert _q("The plant will employ 500 workers.") == [("jobs", 500.0, "jobs")]
    assert _q("The company was fined $2 million for pollution.") == []
    assert _q("Lithium carbonate prices fell to $10,000 per tonne.") == []
    assert _q("I earned $5,000 a month working from home.") == []
    assert _q("A 75 kWh pack powers the car.") == []
    assert _q("China installed 500 GWh of batteries in cars.") == []
    assert _q("The line makes 500 MWh a year.") == [("capacity", 0.5, "GWh/yr")]
    assert _q("Up to 14,000 tonnes of lithium hydroxide a year.") == [
        ("capacity", 14000.0, "t/yr LiOH")]
    assert _q("About 300 people attended the protest.") == []


@given(st.integers(min_value=1, max_value=999))
def test_gwh_and_money_parse_any_amount(n):
    assert _q(f"a {n}-gigawatt-hour plant") == [("capacity", float(n), "GWh/yr")]
    assert _q(f"It will invest ${n:,} million to build it.") == [
        ("capex", float(n), "million USD")]
    assert _q(f"It was fined ${n:,} million.") == []


# ---- sentences ------------------------------------------------------------------------
@given(st.text(alphabet=st.sampled_from(list("ab. A\nU.S. 1.5 Inc.!?")), max_size=200))
def test_sentences_are_ordered_slices_of_the_text(text):
    from cellchain.news.sentences import split

    last = 0
    for s in split(text):
        assert text[s.start:s.end] == s.text and s.text.strip() == s.text and s.text
        assert s.start >= last
        last = s.end


def test_abbreviations_do_not_end_sentences():
    from cellchain.news.sentences import split

    text = "Rosatom's K. Komarov spoke in the U.S. on Dec. 3. Liotech Inc. grew 1.5 times."
    assert [s.text for s in split(text)] == [
        "Rosatom's K. Komarov spoke in the U.S. on Dec. 3.", "Liotech Inc. grew 1.5 times."]


# ---- names ----------------------------------------------------------------------------
def _refs(view, text):
    return [(m.kind, m.ref) for m in view.gaz.find(text)]


def test_names_in_other_scripts_case_and_misspellings(view):
    assert ("entity", "liotech") in _refs(view, "Лиотех")
    assert ("entity", "rosatom") in _refs(view, "Росатом")
    assert ("entity", "catl") in _refs(view, "宁德时代")
    assert ("entity", "thunder-sky") in _refs(view, "ThunderSky")
    fuzzy = view.gaz.find("a plant in Novosibrisk")
    assert [(m.kind, m.ref) for m in fuzzy] == [("city", "Novosibirsk")]
    assert 0.85 <= fuzzy[0].score < 1
    assert ("entity", "great-power") in _refs(view, "Great Power built a plant")
    assert _refs(view, "in this great power rivalry") == []


def test_plants_by_their_own_names(view):
    assert _refs(view, "Northvolt Ett") == [("facility", "northvolt-ett")]
    assert _refs(view, "the Gotion Manteno battery plant") == [
        ("facility", "gotion-manteno")]
    from cellchain.news.extract import extract_article
    from cellchain.news.read import parse

    props = extract_article(parse("Gotion Manteno will employ 2,600 people.", "t.txt"),
                            view)
    assert [(p.kind, p.target.id, p.value, p.registry) for p in props] == [
        ("jobs", "gotion-manteno", 2600, "confirms")]


def test_near_duplicate_names_resolve_to_the_longest(view):
    assert _refs(view, "EcoPro BM") == [("entity", "ecopro-bm")]
    assert _refs(view, "EcoPro EM") == [("entity", "ecopro-em")]
    assert _refs(view, "EcoPro") == [("entity", "ecopro")]


# ---- overlay and command line ---------------------------------------------------------
def test_overlay_validates_and_changes_facility_show(cli, warehouse, tmp_path):
    from datetime import date

    overlay = tmp_path / "overlay"
    days = {date.today().isoformat()}
    before = cli("facility", "show", "Navalmoral", "--format", "json")
    assert before.returncode == 1 and "Unknown facility" in before.stderr
    res = cli("news", "extract", str(EXAMPLES / "aesc-navalmoral.md"), "--format", "json",
              "--overlay-out", str(overlay))
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)  # stdout is the proposals only
    assert cli("--data-dir", str(overlay), "data", "validate").returncode == 0
    shown = cli("--data-dir", str(overlay), "facility", "show", "Navalmoral", "--year", "2026",
                "--format",
                "json")
    assert shown.returncode == 0, shown.stderr
    fac = json.loads(shown.stdout)
    assert fac["status"] == "construction" and fac["operator"] == "aesc"
    assert fac["capacity"]["value"] == 30 and fac["capacity"]["unit"] == "GWh/yr"
    assert (fac["jobs"], fac["capex_musd"]) == (900, 1100)
    assert fac["chemistry"] == ["LFP"]  # "lithium iron phosphate cells", a later sentence
    days.add(date.today().isoformat())  # the run may straddle midnight
    for path in overlay.glob("*.csv"):
        for row in _rows(path):
            assert row["seen"] in days
            assert row["confidence"] in ("medium", "low")
            assert row["source_url"].startswith("https://just-auto.com/")


def test_overlay_of_a_conflict_changes_the_registry_value(cli, warehouse, tmp_path):
    overlay = tmp_path / "o"
    article = tmp_path / "uranium-one.txt"
    shutil.copy(CORPUS / "uranium-one-contract.txt", article)
    res = cli("news", "extract", str(article), "--format", "json", "--overlay-out",
              str(overlay))
    assert res.returncode == 0, res.stderr
    rows = _rows(overlay / "facilities.csv")
    assert [r["capex_musd"] for r in rows] == ["975"]
    assert rows[0]["source_url"] == article.resolve().as_uri()  # a file reference
    shown = json.loads(cli("--data-dir", str(overlay), "facility", "show",
                           "uranium-one-uyuni-dle", "--format", "json").stdout)
    assert shown["capex_musd"] == 975


def test_shipped_example_overlay_is_what_the_command_writes(cli, warehouse, tmp_path):
    res = cli("news", "extract", str(EXAMPLES / "aesc-navalmoral.md"), "--overlay-out",
              str(tmp_path / "o"), "--seen", "2026-12-03", "--format", "csv")
    assert res.returncode == 0, res.stderr
    shipped = EXAMPLES / "news-overlay"
    assert sorted(p.name for p in shipped.iterdir()) == sorted(
        p.name for p in (tmp_path / "o").iterdir())
    for p in shipped.iterdir():
        assert p.read_text("utf-8") == (tmp_path / "o" / p.name).read_text("utf-8")


def test_accept_by_id_and_stdin(cli, warehouse, tmp_path):
    text = (EXAMPLES / "aesc-navalmoral.md").read_text("utf-8")
    import os
    import subprocess

    from conftest import cellchain_exe

    res = subprocess.run([*cellchain_exe(), "news", "extract", "-", "--format", "json",
                          "--accept", "a1-p1,a1-p2", "--source", "https://example.org/a",
                          "--overlay-out", str(tmp_path / "o")], input=text,
                         capture_output=True, text=True, env=dict(os.environ), timeout=300)
    assert res.returncode == 0, res.stderr
    props = json.loads(res.stdout)
    assert [p["id"] for p in props if p["accept"]] == ["a1-p1", "a1-p2"]
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "facilities.csv", "status.csv"]


@pytest.mark.parametrize(("args", "message"), [
    (["missing.txt"], "does not exist"),
    ([str(EXAMPLES / "liotech-opening.txt"), "--format", "xml"], "Unknown format"),
    ([str(EXAMPLES / "liotech-opening.txt"), "--accept", "a9-p9"], "Unknown proposal id"),
    (["-", "-"], "more than once"),
    ([str(EXAMPLES / "aesc-navalmoral.md"), "--overlay-out", "/nonexistent/dir/o"],
     "does not exist"),
    ([str(EXAMPLES / "aesc-navalmoral.md"), "--overlay-out", "o", "--seen", "soon"],
     "not YYYY-MM-DD"),
])
def test_bad_input_is_one_line(cli, warehouse, tmp_path, args, message):
    res = cli("news", "extract", *args, cwd=tmp_path)
    assert res.returncode == 1
    assert res.stderr.count("\n") == 1 and message in res.stderr, res.stderr
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "o").exists()


def test_binary_article_is_refused(cli, tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"\x00\x01\x02binary")
    res = cli("news", "extract", str(path))
    assert res.returncode == 1 and "not text" in res.stderr


def test_python_api(warehouse):
    import cellchain

    df = cellchain.news_extract([str(EXAMPLES / "rosatom-bolivia.md")])
    assert list(df["value"]) == ["considered"]
    df = cellchain.news_extract(texts=["I earned $900 a week working from home!"])
    assert df.empty


def test_docs_examples_exist():
    text = (REPO / "docs" / "news.md").read_text("utf-8")
    for name in ("liotech-opening.txt", "rosatom-bolivia.md", "battery-race-opinion.html",
                 "aesc-navalmoral.md"):
        assert f"docs/examples/{name}" in text
        assert (EXAMPLES / name).is_file()
    assert Path(EXAMPLES / "news-overlay" / "facilities.csv").is_file()


def test_python_example_in_docs_runs(warehouse, monkeypatch, capsys):
    import re

    monkeypatch.chdir(REPO)
    blocks = re.findall(r"```python\n(.*?)```", (REPO / "docs" / "news.md").read_text("utf-8"),
                        flags=re.S)
    assert blocks
    for body in blocks:
        exec(compile(body, "docs/news.md", "exec"), {})
    assert "rosatom-bolivia-cells" in capsys.readouterr().out


# ---- dashboard API --------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(live_server):
    import httpx

    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


def test_dashboard_news_api(client):
    text = (EXAMPLES / "liotech-opening.txt").read_text("utf-8")
    res = client.post("/api/news/extract", json={"text": text})
    assert res.status_code == 200
    data = res.json()
    assert {p["kind"] for p in data["proposals"]} >= {"status_change", "supply_link"}
    for p in data["proposals"]:
        assert data["text"][p["start"]:p["end"]] == p["sentence"]
    # no URL in a pasted text and none given: the overlay cannot cite it
    res = client.post("/api/news/overlay", json={"text": text, "accept": ["a1-p1"]})
    assert res.status_code == 400 and "no URL" in res.json()["error"]
    res = client.post("/api/news/overlay", json={"text": text, "accept": ["a1-p1"],
                                                 "source": "https://example.org/liotech"})
    assert res.status_code == 200 and res.headers["content-type"] == "application/zip"
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(res.content)) as zf:
        assert zf.namelist() == ["status.csv"]
    assert client.post("/api/news/extract", json={"text": ""}).status_code == 422
    assert client.post("/api/news/extract", json={"text": "x", "extra": 1}).status_code == 422
    assert client.get("/news").status_code == 200


_SENTENCES = [s for p in ARTICLES for s in p.read_text("utf-8").splitlines() if s.strip()]


@given(st.lists(st.sampled_from(_SENTENCES), min_size=1, max_size=8),
       st.sampled_from(["\n", " ", "\n\n"]))
def test_any_mix_of_corpus_lines_keeps_offsets_and_accepts_honestly(view, lines, sep):
    """Shuffled article lines never break extraction: offsets hold, negated and
    speculative proposals are never accepted, considering never yields construction."""
    from cellchain.news.extract import extract_article
    from cellchain.news.read import parse

    article = parse(sep.join(lines), "mix.txt", kind="text")
    for p in extract_article(article, view):
        assert article.text[p.start:p.end] == p.sentence
        assert not (p.accept and p.modality in ("negated", "speculation"))
        if p.kind == "status_change" and p.modality in ("considering", "speculation"):
            assert p.value == "considered"
        assert p.registry in ("confirms", "conflicts", "new")


def test_overlay_of_a_known_stake_replaces_the_plants_holders(cli, warehouse, tmp_path):
    """Overlays replace by key (README: ownership rows by the plant they are about), so
    accepting a stake the registry already holds replaces that plant's holders instead of
    counting the stake twice: the overlay validates."""
    res = cli("news", "extract", str(CORPUS / "company-news-traps.txt"), "--accept", "all",
              "--source", "https://example.org/brief", "--overlay-out", "o", "--format",
              "json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    rows = _rows(tmp_path / "o" / "ownership.csv")
    assert {r["owned"] for r in rows} == {"ultium-cells"}
    assert {r["owner"]: r["share"] for r in rows}["lg-energy-solution"] == "0.5"
    check = cli("--data-dir", str(tmp_path / "o"), "data", "validate")
    assert check.returncode == 0, check.stderr


def test_html_reader_keeps_the_article_and_its_address():
    from cellchain.news.read import read_path

    a = read_path(CORPUS / "renera-launch.html")
    assert a.url == "https://tass.ru/ekonomika/25916009"
    assert a.published.startswith("2025-12-15")
    assert a.title == "Rosatom launches its first gigafactory"
    assert "stadium" not in a.text and "WhatsApp" not in a.text
    assert "Share on social media" not in a.text and "press service" not in a.text
    assert a.text.startswith("Rosatom launches its first gigafactory")


def test_hard_wrapped_lines_stay_one_sentence():
    from cellchain.news.sentences import split

    text = ("Liotech, a joint venture of RUSNANO and\nThunder Sky, opened its plant in "
            "Novosibirsk\non 8 December 2011.\nThe plant makes cells.\nA headline\n"
            "Body text.")
    assert [s.text.replace("\n", " ") for s in split(text)] == [
        "Liotech, a joint venture of RUSNANO and Thunder Sky, opened its plant in "
        "Novosibirsk on 8 December 2011.", "The plant makes cells.", "A headline",
        "Body text."]
