"""The dashboard's news page: paste an article, see the proposed registry changes
highlighted in its text, accept or reject each, download the overlay (a ZIP of registry
CSVs). Its own router, included by :func:`cellchain.dashboard.app.create_app`.

Routes: ``GET /news`` (the page), ``POST /api/news/extract`` (JSON ``{text, source}`` ->
the cleaned text and the proposals), ``POST /api/news/overlay`` (JSON ``{text, source,
accept}`` -> ``application/zip``). The extraction is deterministic, so the overlay is
rebuilt from the text and the accepted ids rather than trusted from the browser.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from cellchain.dashboard.responses import errors

#: Longest article accepted [characters] (the request-size middleware caps bytes too).
MAX_ARTICLE_CHARS = 200_000


class ArticleIn(BaseModel):
    """An article pasted into the page."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=MAX_ARTICLE_CHARS,
                      description="The article: plain text, Markdown or HTML.")
    source: str | None = Field(None, max_length=2000,
                               description="The page's URL, cited in the overlay.")
    accept: list[Annotated[str, Field(max_length=64)]] | None = Field(
        None, max_length=2000, description="Ids of the accepted proposals.")


def _proposal_json(p) -> dict:
    return {"id": p.id, "kind": p.kind, "target": p.target.id, "target_name": p.target.name,
            "matched": p.target.matched, "match_score": p.target.score, "field": p.field,
            "value": p.value, "unit": p.unit, "date": p.date, "modality": p.modality,
            "registry": p.registry, "current": p.current, "confidence": p.confidence,
            "accept": p.accept, "writable": p.writable, "start": p.start, "end": p.end,
            "sentence": p.sentence, "detail": p.detail}


def router(lock, templates) -> APIRouter:
    """The news routes; ``lock`` serialises calls into the library (the warehouse
    connection is shared), ``templates`` renders the page."""
    r = APIRouter()
    views: dict = {}  # the registry does not change while serving: one view per app

    def view():
        from cellchain.news.view import RegistryView

        if "view" not in views:
            views["view"] = RegistryView.load()
        return views["view"]

    def extract(body: ArticleIn):
        from cellchain.news.extract import extract_article
        from cellchain.news.read import parse

        article = parse(body.text, "pasted article")
        with lock:
            proposals = extract_article(article, view(), prefix="a1-p")
        return article, proposals

    @r.get("/news", response_class=HTMLResponse, include_in_schema=False)
    def news_page(request: Request):
        return templates.TemplateResponse(request, "news.html.j2",
                                          {"max_chars": MAX_ARTICLE_CHARS})

    @r.post("/api/news/extract", responses=errors(400, 404, 405, 413, 415, 422))
    def api_news_extract(body: ArticleIn):
        """Proposed registry changes for an article, with the text their offsets index."""
        article, proposals = extract(body)
        return {"text": article.text, "title": article.title,
                "url": body.source or article.url,
                "proposals": [_proposal_json(p) for p in proposals]}

    @r.post("/api/news/overlay", response_class=Response,
            responses={200: {"content": {"application/zip": {}}},
                       **errors(400, 404, 405, 413, 415, 422)})
    def api_news_overlay(body: ArticleIn):
        """The accepted proposals as a ZIP of registry overlay CSVs (for --data-dir)."""
        from cellchain.news.extract import apply_choice, write_overlay

        article, proposals = extract(body)
        apply_choice(proposals, body.accept or [])
        with tempfile.TemporaryDirectory() as tmp, lock:
            folder = Path(tmp) / "overlay"
            written = write_overlay(proposals, [article], folder, view(), body.source)
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                for path in written:
                    zf.write(path, path.name)
        return Response(buf.getvalue(), media_type="application/zip", headers={
            "Content-Disposition": 'attachment; filename="news-overlay.zip"'})

    return r
