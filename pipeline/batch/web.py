"""Web pages: the article of an HTML page, and the page's metadata.

Reads the HTML of a saved page (a file, a JSONL/CSV record, a WARC response);
gives the article's text (headline, then body; navigation, "read also"
sidebars, cookie banners and footers left out) and what the page says about
it: title, author, publication date, canonical URL, site name and declared
language. trafilatura finds the main text and, through htmldate, the date
(meta tags, JSON-LD, the URL). On our built pages (benchmarks/web.py) it and
readability-lxml both keep every article name and no boilerplate one
(precision of mentions 1.000, the old visible text 0.565); trafilatura is
chosen for the metadata that readability does not read (date, author, site,
canonical URL) and for being the maintained reference of its field.

When trafilatura finds no article (a home page, a list of links), the
visible text of the whole page is kept, as before, with a warning.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.batch.texts import InputError, check_text, html_text, warning
from pipeline.document import Document, Problem

# trafilatura logs "discarding data" at warning level for every page without an article
logging.getLogger('trafilatura').setLevel(logging.ERROR)
logging.getLogger('htmldate').setLevel(logging.ERROR)

HTML_LANG = re.compile(r'<html\b[^>]*?\blang\s*=\s*["\']?([A-Za-z]{2,3})', re.IGNORECASE)
MIN_ARTICLE = 80   # characters: a shorter "article" is a caption or a menu item, not a story


@dataclass(frozen=True, slots=True)
class Page:
    """What a web page holds: the text stored in `documents.text`, and its metadata."""
    text: str
    extractor: str                 # `trafilatura`, or `visible-text` (the fallback)
    title: str | None = None
    author: str | None = None
    published: str | None = None   # ISO 8601 date
    url: str | None = None         # the canonical URL the page declares, else the one given
    site: str | None = None
    language: str | None = None    # declared by the page (`<html lang>`, og:locale), not detected
    warning: str | None = None


def clean(value) -> str | None:
    value = ' '.join(str(value).split()) if value is not None else ''
    return value or None


def declared_language(html: str) -> str | None:
    """The language code of `<html lang="ru-RU">` (`ru`), if the page declares one."""
    found = HTML_LANG.search(html, 0, 5000)
    return found.group(1).lower() if found else None


def article(html: str, url: str | None = None) -> Page | None:
    """The article of a page by trafilatura, or None when it finds none.

    Precision mode: without it trafilatura takes a section page's list of headlines for an
    article (tests/webpages.link_page), and their names would land in `mentions`."""
    import trafilatura

    try:
        found = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True,
            include_images=False, include_links=False, favor_precision=True, deduplicate=False,
            date_extraction_params={'extensive_search': False, 'original_date': True},
        )
    except Exception:   # a page trafilatura cannot parse falls back to the visible text
        return None
    if found is None:
        return None
    # one blank line between paragraphs, as the visible-text conversion writes them
    body = '\n\n'.join(_.strip() for _ in (found.text or '').splitlines() if _.strip())
    if len(body) < MIN_ARTICLE:
        return None
    title = clean(found.title)
    text = body
    if title and not body.startswith(title):
        text = f'{title}\n\n{body}'   # the headline is part of the story (names, places)
    return Page(
        text=text, extractor='trafilatura', title=title, author=clean(found.author),
        published=clean(found.date), url=clean(found.url) or url, site=clean(found.sitename),
        language=clean(found.language) or declared_language(html),
    )


def extract(html: str, url: str | None = None) -> Page:
    """The article of a page, or its visible text (with a warning) when no article is found."""
    page = article(html, url)
    if page is not None:
        return page

    return Page(text=html_text(html), extractor='visible-text', url=url, language=declared_language(html),
                warning='no article found in the page; its whole visible text is kept '
                        '(menus and footers included)')


def text_document(text: str, doc_id: str, source: str, html: bool, url: str | None = None,
                  **fields) -> Iterator[Document | Problem]:
    """A document from decoded text: an HTML page becomes its article (web.extract) with the page's
    metadata, or its visible text with a warning; `fields` are further Document fields (WARC)."""
    try:
        page = None
        if html:
            page = extract(text, url)
            text = page.text
            if not text.strip():
                raise InputError('is an HTML page with no visible text')
        check_text(text)
    except InputError as error:
        yield Problem(source, doc_id, 'ingest', f'{source} {error}')
        return
    if page is None:
        yield Document(doc_id=doc_id, text=text, source=source, url=url, **fields)
        return
    if page.warning:
        yield warning(source, doc_id, f'{source}: {page.warning}')
    yield Document(
        doc_id=doc_id, text=text, source=source, title=page.title, url=url or page.url,
        published=page.published, published_source='metadata' if page.published else None,
        author=page.author, site=page.site, **fields,
    )
