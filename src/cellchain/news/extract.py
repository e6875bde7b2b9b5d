"""The news API: articles in, proposed registry changes out (and, if asked, an overlay).

``cellchain.news_extract(["docs/examples/liotech-opening.txt"])`` returns one row per
proposal; docs/news.md shows it run.
"""

from __future__ import annotations

from pathlib import Path

from cellchain.errors import InvalidInputError
from cellchain.news import compare as compare_mod
from cellchain.news.propose import ArticleReader
from cellchain.news.read import Article, parse, read_path
from cellchain.news.records import Proposal
from cellchain.news.view import RegistryView

#: Modalities whose proposals are accepted by default (negated and speculation are shown
#: for review but never applied unless chosen by id).
ACCEPTED_MODALITIES = ("fact", "plan", "considering")
COLUMNS = ("article", "id", "kind", "target", "target_name", "matched", "match_score",
           "field", "value", "unit", "date", "modality", "registry", "current", "confidence",
           "accept", "writable", "start", "end", "sentence", "detail")


def extract_article(article: Article, view: RegistryView | None = None,
                    prefix: str = "p") -> list[Proposal]:
    """Proposals for one article, each compared with the registry, with ids
    ``<prefix>1``, ``<prefix>2``, ... and the default accept decision."""
    view = view or RegistryView.load()
    proposals = ArticleReader(article, view).run()
    for i, p in enumerate(proposals, start=1):
        p.id = f"{prefix}{i}"
        p.article = article.source
        compare_mod.compare(p, view)
        p.accept = (p.modality in ACCEPTED_MODALITIES and p.registry in ("new", "conflicts")
                    and p.writable)
    return proposals


def source_url(article: Article) -> str | None:
    """The address an overlay row cites for an article: its own URL, else its file."""
    if article.url:
        return article.url
    if article.source not in ("-", "") and Path(article.source).is_file():
        return Path(article.source).resolve().as_uri()
    return None


def read_articles(files, stdin=None) -> list[Article]:
    """Read each path (``-`` for standard input, at most once)."""
    paths = [files] if isinstance(files, (str, Path)) else list(files)
    if not paths:
        raise InvalidInputError("No article given.", "Give one or more files, or - for "
                                "standard input.")
    if sum(str(p) == "-" for p in paths) > 1:
        raise InvalidInputError("Standard input (-) given more than once.",
                                "Give - once.")
    return [read_path(p, stdin=stdin) for p in paths]


def proposals_table(proposals: list[Proposal]):
    """The proposals as a tidy DataFrame (one row each, columns :data:`COLUMNS`)."""
    import pandas as pd

    rows = [{"article": p.article, "id": p.id, "kind": p.kind, "target": p.target.id,
             "target_name": p.target.name, "matched": p.target.matched,
             "match_score": p.target.score, "field": p.field, "value": p.value,
             "unit": p.unit, "date": p.date, "modality": p.modality, "registry": p.registry,
             "current": p.current, "confidence": p.confidence, "accept": p.accept,
             "writable": p.writable, "start": p.start, "end": p.end,
             "sentence": p.sentence, "detail": p.detail} for p in proposals]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def news_extract(files=None, *, texts: list[str] | None = None,
                 overlay_out: str | Path | None = None, accept: list[str] | None = None,
                 source: str | None = None, seen: str | None = None, stdin=None):
    """Propose registry changes from news articles.

    Parameters
    ----------
    files : path or list of paths, optional
        Plain text, Markdown or HTML files; ``-`` reads standard input.
    texts : list of str, optional
        Article contents given directly (labelled ``text1``, ``text2``, ...).
    overlay_out : path, optional
        Folder to write the accepted proposals to as registry overlay CSVs.
    accept : list of str, optional
        Proposal ids to accept (``a1-p3``); ``["all"]`` accepts every writable proposal
        that is not negated. Default: fact, plan and considering proposals that the
        registry does not already confirm.
    source : str, optional
        URL to cite for every article in the overlay (default: each article's own URL,
        else its file).
    seen : str, optional
        ``seen`` date of overlay rows (YYYY-MM-DD; default today).

    Returns
    -------
    pandas.DataFrame
        One row per proposal: the article, id, kind, target (facility or entity id) and
        its match score, field, value and unit, date, modality, whether the registry
        confirms, conflicts (with ``current``) or is silent (``new``), confidence,
        accept, sentence and its offsets [characters into the article text].
    """
    articles = read_articles(files, stdin) if files is not None else []
    articles += [parse(t, f"text{i}") for i, t in enumerate(texts or [], start=1)]
    if not articles:
        raise InvalidInputError("No article given.", "Give files or texts.")
    view = RegistryView.load()
    proposals: list[Proposal] = []
    for i, article in enumerate(articles, start=1):
        proposals += extract_article(article, view, prefix=f"a{i}-p")
    if accept is not None:
        apply_choice(proposals, accept)
    if overlay_out is not None:
        write_overlay(proposals, articles, overlay_out, view, source, seen)
    return proposals_table(proposals)


def apply_choice(proposals: list[Proposal], accept: list[str]) -> None:
    """Accept exactly the proposals named in ``accept`` (or ``all``)."""
    wanted = {a.strip() for a in accept if a.strip()}
    ids = {p.id for p in proposals}
    unknown = sorted(wanted - ids - {"all"})
    if unknown:
        from cellchain.errors import unknown as unknown_err

        raise unknown_err("proposal id", unknown[0], ids or ["(none)"])
    for p in proposals:
        p.accept = p.writable and ("all" in wanted and p.modality != "negated"
                                   or p.id in wanted)


def write_overlay(proposals, articles, folder, view=None, source=None, seen=None):
    """Write the accepted proposals as overlay CSVs into ``folder``; the files written."""
    from cellchain.news import overlay

    if not any(p.accept for p in proposals):
        raise InvalidInputError("No accepted proposal to write to the overlay.",
                                "Accept at least one proposal (--accept ID or all); an "
                                "article with no proposals has nothing to write.")
    view = view or RegistryView.load()
    sources = {}
    for a in articles:
        url = source or source_url(a)
        if url is None and any(p.accept and p.article == a.source for p in proposals):
            raise InvalidInputError(
                f"Article {a.source} has no URL to cite in the overlay.",
                "Give --source URL (the page the text came from).")
        sources[a.source] = url
    if seen is not None:
        from datetime import date

        try:
            date.fromisoformat(seen)
        except ValueError:
            raise InvalidInputError(f"Seen date {seen!r} is not YYYY-MM-DD.",
                                    "For example --seen 2026-12-03.") from None
    return overlay.write(overlay.rows_for(proposals, view, sources, seen), Path(folder))
