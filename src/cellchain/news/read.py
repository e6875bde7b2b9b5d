"""Reading an article: plain text, Markdown or HTML, down to its body text.

Boilerplate is removed before anything is extracted: navigation, scripts, photo credits,
share buttons, comment sections, "related news" sidebars and newsletter prompts. The text
returned is what every proposal's character offsets refer to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from cellchain.errors import InvalidInputError, TooLargeError

#: Largest article accepted [bytes]; news pages are far smaller.
MAX_ARTICLE_BYTES = 2 * 1024 * 1024
KINDS = ("text", "markdown", "html")
SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
            ".html": "html", ".htm": "html"}

#: A line that starts a block the reader does not want: comments, sidebars, related news.
SECTION_BREAK = re.compile(
    r"^\s*(#+\s*)?(\d+\s+)?(comments?|reader comments|leave a (reply|comment)|"
    r"join the discussion|related( news| articles| stories)?|more news|more from|"
    r"also in the news|read (more|next|also)|most read|trending( now)?|sidebar|"
    r"other news|in other news|you may also like|recommended)\b.*$", re.I)
#: A single line of boilerplate: credits, sharing, subscriptions, bylines' furniture.
BOILERPLATE_LINE = re.compile(
    r"^\s*(\(?(photo|image|picture|illustration|video)( credit)?s?\s*[:(/]|credit:|"
    r"share (this|on)|follow us|subscribe|sign up|advertisement|cookie|"
    r"all rights reserved|copyright|©|tags?:|filed under|click here|skip to)", re.I)
#: A line with the publication date: "Published: 2024-07-08", "Date: 8 July 2024".
DATE_LINE = re.compile(r"^\s*(published|date|posted|updated)\s*(on)?\s*:?\s*(?P<date>.+)$",
                       re.I)
#: HTML elements whose whole content is dropped.
DROP_TAGS = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript",
             "figure", "figcaption", "iframe", "svg", "button", "select", "template"}
#: Class or id fragments of containers that hold boilerplate.
DROP_CLASSES = re.compile(r"comment|sidebar|related|share|social|footer|nav|advert|promo|"
                          r"cookie|newsletter|subscribe|caption|credit|byline-tools|"
                          r"trending|most-read|recommend|widget|banner|breadcrumb", re.I)
BLOCK_TAGS = {"p", "div", "section", "article", "main", "br", "li", "ul", "ol", "h1", "h2",
              "h3", "h4", "h5", "h6", "blockquote", "table", "tr", "pre", "hr", "dd", "dt"}
VOID_TAGS = {"br", "hr", "img", "meta", "link", "input", "source", "wbr", "col", "area",
             "base", "embed", "param", "track"}


@dataclass(frozen=True)
class Article:
    """An article's body text and what is known about where it came from.

    Parameters
    ----------
    text : str
        The body text; proposals' ``start``/``end`` offsets index into it.
    source : str
        The file path, ``-`` for standard input, or a caller's label.
    url : str or None
        The page's own address when the file states it (HTML canonical link or
        ``og:url``; a ``URL:``/``Source:`` line in text), else None.
    published : str or None
        Publication date as written in the page (a meta tag or a ``Published:`` line).
    title : str or None
        The page title or first heading.
    """

    text: str
    source: str
    url: str | None = None
    published: str | None = None
    title: str | None = None


def kind_of(path: str, text: str) -> str:
    """``text``, ``markdown`` or ``html``: from the suffix, else by sniffing the content."""
    suffix = Path(path).suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    head = text.lstrip()[:500].lower()
    if head.startswith(("<!doctype html", "<html")) or re.search(r"<(p|div|body)[\s>]", head):
        return "html"
    if re.search(r"^#{1,6}\s", text, re.M):
        return "markdown"
    return "text"


def read_path(path: str | Path, stdin=None) -> Article:
    """Read one article from a file, or from ``stdin`` when ``path`` is ``-``."""
    name = str(path)
    if name == "-":
        import sys

        stream = stdin if stdin is not None else sys.stdin
        raw = stream.read(MAX_ARTICLE_BYTES + 1)
        if isinstance(raw, bytes):
            raw = _decode(raw, "standard input")
        if len(raw.encode("utf-8")) > MAX_ARTICLE_BYTES:
            raise TooLargeError("The article on standard input is over the limit of "
                                f"{MAX_ARTICLE_BYTES} bytes.", "Give the article body only.")
        return parse(raw, "-")
    p = Path(path).expanduser()
    if not p.is_file():
        raise InvalidInputError(f"Article file {name} does not exist or is not a file.",
                                "Give a .txt, .md or .html file, or - for standard input.")
    try:
        size = p.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            raise TooLargeError(f"Article file {name} is {size} bytes; the limit is "
                                f"{MAX_ARTICLE_BYTES}.", "Give the article body only.")
        raw = p.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"Article file {name} cannot be read ({exc.strerror}).",
                                "Check the path and permissions.") from None
    return parse(_decode(raw, name), name)


def _decode(raw: bytes, name: str) -> str:
    if b"\x00" in raw[:4096]:
        raise InvalidInputError(f"Article {name} is not text (binary content).",
                                "Give a .txt, .md or .html file.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInputError(f"Article {name} is not UTF-8 text.",
                                "Save it as UTF-8 and try again.") from None


def parse(raw: str, source: str = "article", kind: str | None = None) -> Article:
    """An :class:`Article` from the raw content of a page (``kind`` guessed if None)."""
    kind = kind or kind_of(source, raw)
    if kind not in KINDS:
        raise InvalidInputError(f"Unknown article kind {kind!r}.", f"Use {', '.join(KINDS)}.")
    if kind == "html":
        return _from_html(raw, source)
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta: dict[str, str] = {}
    if kind == "markdown":
        lines = _strip_front_matter(lines, meta)
        lines = [_markdown_line(ln) for ln in lines]
    title = meta.get("title")
    body = []
    for ln in lines:
        m = re.match(r"^\s*(url|source|link)\s*:\s*(https?://\S+)\s*$", ln, re.I)
        if m:
            meta.setdefault("url", m.group(2))
            continue
        m = DATE_LINE.match(ln)
        if m and len(ln) < 80:
            meta.setdefault("date", m.group("date").strip())
            continue
        body.append(ln)
    text = clean_lines(body)
    if title is None:
        first = text.split("\n", 1)[0].strip()
        title = first or None
    return Article(text, source, meta.get("url"), meta.get("date"), title)


def clean_lines(lines: list[str]) -> str:
    """Body text from lines: boilerplate lines dropped, and everything from a comment
    section or sidebar heading to the next heading-like line that is not one too."""
    kept: list[str] = []
    skipping = False
    for ln in lines:
        stripped = ln.strip()
        plain = stripped.lstrip("\x01")
        if SECTION_BREAK.match(plain) and len(plain) < 60:
            skipping = True
            continue
        if skipping:
            # a Markdown heading (kept as "\x01") that is not boilerplate ends the block
            if stripped.startswith("\x01"):
                skipping = False
            else:
                continue
        if BOILERPLATE_LINE.match(stripped.lstrip("\x01")):
            continue
        kept.append(stripped.lstrip("\x01").strip())
    text = "\n".join(kept)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n ")


def _strip_front_matter(lines: list[str], meta: dict) -> list[str]:
    if not lines or lines[0].strip() != "---":
        return lines
    for i, ln in enumerate(lines[1:], start=1):
        if ln.strip() == "---":
            for item in lines[1:i]:
                key, _, value = item.partition(":")
                key = key.strip().lower()
                value = value.strip().strip("'\"")
                if key in ("title", "url", "date", "published"):
                    meta[{"published": "date"}.get(key, key)] = value
            return lines[i + 1:]
    return lines


def _markdown_line(line: str) -> str:
    """Markdown syntax removed from one line; headings marked with \\x01."""
    heading = re.match(r"^\s*#{1,6}\s+(.*)$", line)
    if re.match(r"^\s*!\[", line):
        return ""  # an image (and its credit) on its own line
    text = heading.group(1) if heading else line
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    text = re.sub(r"^\s*(>+|[-*+]|\d+\.)\s+", "", text)
    return ("\x01" + text) if heading else text


class _HTMLText(HTMLParser):
    """Collect visible body text, skipping boilerplate containers."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, drops its content)
        self.meta: dict[str, str] = {}
        self.in_title = False
        self.title = ""
        self.article_depth: int | None = None
        self.article_parts: list[str] = []

    @property
    def dropping(self) -> bool:
        return any(drop for _, drop in self.stack)

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or "").lower()
            if key in ("og:url",):
                self.meta.setdefault("url", a.get("content", ""))
            if key in ("article:published_time", "date", "pubdate", "dc.date"):
                self.meta.setdefault("date", a.get("content", ""))
            return
        if tag == "link" and "canonical" in a.get("rel", "").lower():
            self.meta["url"] = a.get("href", "")
            return
        if tag == "title":
            self.in_title = True
        if tag in VOID_TAGS:
            if tag in BLOCK_TAGS:
                self._emit("\n")
            return
        marker = f"{a.get('class', '')} {a.get('id', '')}"
        drop = tag in DROP_TAGS or bool(DROP_CLASSES.search(marker))
        self.stack.append((tag, drop))
        if tag == "article" and self.article_depth is None and not self.dropping:
            self.article_depth = len(self.stack)
        if tag in BLOCK_TAGS:
            self._emit("\n\n" if tag.startswith("h") or tag == "p" else "\n")
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._emit("\x01")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in VOID_TAGS:
            return
        # close up to the matching open tag (tolerates unclosed children)
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                if self.article_depth is not None and i + 1 == self.article_depth:
                    self.article_depth = -1  # the (first) article element has ended
                del self.stack[i:]
                break
        if tag in BLOCK_TAGS:
            self._emit("\n\n" if tag.startswith("h") or tag == "p" else "\n")

    def handle_data(self, data):
        if self.in_title:
            self.title += data
            return
        if self.dropping:
            return
        self._emit(data.replace("\n", " "))

    def _emit(self, text: str):
        if self.dropping:
            return
        self.parts.append(text)
        if self.article_depth is not None and self.article_depth > 0:
            self.article_parts.append(text)


def _from_html(raw: str, source: str) -> Article:
    parser = _HTMLText()
    parser.feed(raw)
    parser.close()
    # Prefer the <article> element when the page has one: sidebars outside it go.
    chosen = parser.article_parts if "".join(parser.article_parts).strip() else parser.parts
    lines = "".join(chosen).split("\n")
    text = clean_lines(lines)
    title = re.sub(r"\s+", " ", parser.title).strip() or None
    return Article(text, source, parser.meta.get("url") or None,
                   parser.meta.get("date") or None, title)
