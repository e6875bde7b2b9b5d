"""News: an article in, proposed registry changes out, each with its sentence.

Modules, each with one job: :mod:`read` (text, Markdown, HTML; boilerplate removal),
:mod:`sentences` (splitting with offsets), :mod:`gazetteer` (names from the registry and
the country list), :mod:`numbers` (capacity, capex, jobs, dates), :mod:`modality` (fact,
plan, considering, speculation, negated), :mod:`relations` (owners, supply links, new
companies), :mod:`records` (the Target and Proposal records), :mod:`propose` (reading
sentences into proposals), :mod:`compare` (confirms / conflicts / new), :mod:`overlay`
(accepted proposals as overlay CSVs), :mod:`view` (the registry as the extractor reads
it) and :mod:`extract` (the API, :func:`news_extract`).
"""

from __future__ import annotations

__all__ = ["news_extract"]


def __getattr__(name: str):
    if name == "news_extract":
        from cellchain.news.extract import news_extract

        return news_extract
    raise AttributeError(f"module 'cellchain.news' has no attribute {name!r}")
