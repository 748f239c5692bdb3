"""Web pages: the article of a page becomes the document, its metadata the document's columns,
and names from menus, sidebars and footers never reach `mentions`."""

import json

import pytest

from pipeline.batch import ingest, web
from pipeline.batch.runner import process
from pipeline.document import Document, Problem
from tests.webpages import SITE, STORIES, body_text, link_page, news_page, url_of


def folded(text: str) -> str:
    return text.lower().replace('ё', 'е')


def found(name: str, mentions) -> bool:
    """A name is found when a mention's text holds it or lies inside it."""
    return any(folded(name) in folded(_.text) or folded(_.text) in folded(name) for _ in mentions)


@pytest.mark.parametrize('story', STORIES, ids=lambda _: _.slug)
def test_web_article_and_metadata(story):
    page = web.extract(news_page(story))
    expected = ('trafilatura', story.title, story.author, story.published, url_of(story), SITE, 'ru')
    assert (page.extractor, page.title, page.author, page.published, page.url, page.site,
            page.language) == expected
    assert page.warning is None
    for paragraph in story.paragraphs:
        assert paragraph in page.text
    for boilerplate in ('Карта сайта', 'Распечатать', 'Читайте также', 'cookie', story.sidebar[0],
                        'Сидоренко'):
        assert boilerplate not in page.text


def test_web_page_without_article_keeps_visible_text_with_warning(tmp_path):
    path = tmp_path / 'section.html'
    path.write_text(link_page(), encoding='utf-8')
    items = list(ingest.read_inputs([path]))
    warnings = [_ for _ in items if isinstance(_, Problem)]
    docs = [_ for _ in items if isinstance(_, Document)]
    assert len(docs) == 1 and STORIES[0].title in docs[0].text and 'Главная' in docs[0].text
    assert len(warnings) == 1 and 'no article found' in warnings[0].message


@pytest.mark.parametrize('story', STORIES, ids=lambda _: _.slug)
def test_web_mentions_come_from_the_article_only(story, res, tmp_path):
    path = tmp_path / f'{story.slug}.html'
    path.write_text(news_page(story), encoding='utf-8')
    [doc] = list(ingest.read_inputs([path]))
    assert (doc.published, doc.author, doc.site, doc.url) == (story.published, story.author, SITE,
                                                              url_of(story))
    doc = process(doc, res)
    assert isinstance(doc, Document)
    assert doc.published_source == 'metadata' and doc.published == story.published
    names = [_ for _ in doc.mentions if _.type in ('PER', 'ORG', 'LOC')]
    for name in story.names:
        assert found(name, names), name
    for name in story.boilerplate:
        assert not found(name, names), name
    body = body_text(story)
    assert all(_.text in body for _ in doc.mentions)


def test_web_html_record_gets_page_metadata(tmp_path):
    story = STORIES[1]
    path = tmp_path / 'crawl.jsonl'
    path.write_text(json.dumps({'id': 'k1', 'text': news_page(story)}, ensure_ascii=False) + '\n',
                    encoding='utf-8')
    [doc] = list(ingest.read_inputs([path]))
    assert (doc.title, doc.published, doc.author, doc.site) == (story.title, story.published, story.author,
                                                                SITE)
    assert story.sidebar[0] not in doc.text and story.paragraphs[0] in doc.text


@pytest.mark.parametrize('meta, encoding, expected', [
    ('utf-8', 'cp1251', 'document'),                   # a declaration that lies: the bytes tell
    ('x-unknown-charset', 'koi8-r', 'document'),       # a name Python does not know: the bytes tell
    ('x-unknown-charset', 'shift_jis', 'error'),       # bytes that read as nothing Russian
])
def test_web_page_file_in_an_unknown_or_wrong_encoding(tmp_path, meta, encoding, expected):
    story = STORIES[2]
    page = news_page(story).replace('<meta charset="utf-8">', f'<meta charset="{meta}">')
    path = tmp_path / 'page.html'
    path.write_bytes(page.encode(encoding, 'xmlcharrefreplace'))
    items = list(ingest.read_inputs([path]))
    if expected == 'document':
        [doc] = items
        assert isinstance(doc, Document) and doc.title == story.title and story.paragraphs[1] in doc.text
    else:
        [error] = items
        assert isinstance(error, Problem) and 'does not read as cp1251 or koi8-r' in error.message
