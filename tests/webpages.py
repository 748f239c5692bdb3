"""Web pages, WARC archives and syndicated copies built for the tests and benchmarks/web.py.

Each page is laid out as regional news sites lay theirs out: a navigation menu,
a sidebar "Читайте также" of other headlines (with their own people and
organisations), the article, a cookie banner and a footer with the editor's
name, plus Open Graph and JSON-LD metadata. `Story.names` are the names the
article body holds; `Story.boilerplate` those that only the page around it holds.
"""

from __future__ import annotations

import gzip
import io
import json
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True, slots=True)
class Story:
    slug: str
    title: str
    paragraphs: tuple[str, ...]
    published: str              # ISO date the page declares
    author: str
    names: tuple[str, ...]      # people and organisations named in the article
    sidebar: tuple[str, ...]    # other headlines, with names absent from the article
    boilerplate: tuple[str, ...]  # names that appear only in the sidebar and footer


SITE = 'Северный вестник'
EDITOR = 'Главный редактор — Сидоренко Павел Олегович. Учредитель ООО «Медиахолдинг Полярная звезда».'

STORIES = (
    Story(
        slug='most-cherez-dvinu',
        title='В Архангельске начали ремонт моста через Северную Двину',
        paragraphs=(
            'Губернатор Архангельской области Александр Цыбульский осмотрел в понедельник '
            'Северодвинский мост, ремонт которого начался на этой неделе.',
            'Подрядчиком выступает компания «Мостострой-11». По словам её директора Игоря Ласточкина, '
            'работы продлятся до конца октября, а движение по мосту будет ограничено по ночам.',
            'На ремонт из областного бюджета выделено 840 миллионов рублей. Министр транспорта '
            'региона Сергей Панов пообещал, что автобусы пустят в объезд через Новодвинск.',
        ),
        published='2024-08-23', author='Мария Котова',
        names=('Александр Цыбульский', 'Мостострой-11', 'Игоря Ласточкина', 'Сергей Панов'),
        sidebar=(
            'Мэр Северодвинска Игорь Скубенко открыл новую школу',
            'Компания «Русал» объявила о закрытии цеха в Кандалакше',
            'Футболист Артём Дзюба приехал в Мурманск на сборы',
        ),
        boilerplate=('Игорь Скубенко', 'Русал', 'Артём Дзюба', 'Сидоренко Павел Олегович',
                     'Медиахолдинг Полярная звезда'),
    ),
    Story(
        slug='zavod-v-kotlase',
        title='Лесопильный завод в Котласе получит новое оборудование',
        paragraphs=(
            'Группа «Илим» вложит два миллиарда рублей в модернизацию лесопильного завода в Котласе. '
            'Об этом сообщил генеральный директор предприятия Виктор Белоусов.',
            'Новые линии поставит финская компания Veisto. Как рассказал главный инженер завода '
            'Андрей Крылов, производство пиломатериалов вырастет почти вдвое.',
            'Проект поддержал Фонд развития промышленности, выдавший заём на льготных условиях.',
        ),
        published='2024-09-02', author='Олег Фомин',
        names=('Илим', 'Виктор Белоусов', 'Андрей Крылов', 'Фонд развития промышленности'),
        sidebar=(
            'Сбербанк снизил ставки по ипотеке для жителей Поморья',
            'Депутат Ирина Чиркова потребовала проверить управляющие компании',
            'Тренер Валерий Карпин назвал состав сборной',
        ),
        boilerplate=('Сбербанк', 'Ирина Чиркова', 'Валерий Карпин', 'Сидоренко Павел Олегович',
                     'Медиахолдинг Полярная звезда'),
    ),
    Story(
        slug='vybory-v-gorodskuyu-dumu',
        title='В Архангельской городской думе выбрали нового председателя',
        paragraphs=(
            'Депутаты Архангельской городской думы избрали председателем Валентину Сыроватку.',
            'Кандидатуру предложила фракция «Единой России». За неё проголосовали 24 депутата, '
            'против выступил представитель КПРФ Александр Новиков.',
            'Глава города Дмитрий Морев поздравил нового спикера и пообещал тесную работу '
            'с депутатским корпусом.',
        ),
        published='2024-09-25', author='Анна Белова',
        names=('Архангельской городской думы', 'Валентину Сыроватку', 'Единой России', 'КПРФ',
               'Александр Новиков', 'Дмитрий Морев'),
        sidebar=(
            'Полиция задержала мошенников, обманувших пенсионера из Онеги',
            'Министр Антон Алиханов посетил верфь «Звёздочка»',
            'Роспотребнадзор предупредил о вспышке гриппа',
        ),
        boilerplate=('Антон Алиханов', 'Звёздочка', 'Роспотребнадзор', 'Сидоренко Павел Олегович',
                     'Медиахолдинг Полярная звезда'),
    ),
)


def url_of(story: Story, host: str = 'vestnik-sever.ru') -> str:
    return f'https://{host}/news/{story.published[:4]}/{story.slug}/'


def news_page(story: Story, host: str = 'vestnik-sever.ru', site: str = SITE, paragraphs=None,
              extra_sidebar: tuple[str, ...] = ()) -> str:
    """A whole news page around `story` (menus, sidebar, footer, Open Graph and JSON-LD)."""
    url = url_of(story, host)
    body = paragraphs if paragraphs is not None else story.paragraphs
    ld = json.dumps({
        '@context': 'https://schema.org', '@type': 'NewsArticle', 'headline': story.title,
        'datePublished': f'{story.published}T09:30:00+03:00',
        'author': {'@type': 'Person', 'name': story.author},
        'publisher': {'@type': 'Organization', 'name': site}, 'mainEntityOfPage': url,
    }, ensure_ascii=False)
    sidebar = ''.join(f'<li><a href="/news/{n}/">{escape(_)}</a></li>'
                      for n, _ in enumerate(story.sidebar + extra_sidebar))
    paragraphs_html = ''.join(f'<p>{escape(_)}</p>' for _ in body)
    return f'''<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8">
<title>{escape(story.title)} — {escape(site)}</title>
<link rel="canonical" href="{url}">
<meta property="og:type" content="article"><meta property="og:title" content="{escape(story.title)}">
<meta property="og:site_name" content="{escape(site)}"><meta property="og:url" content="{url}">
<meta property="article:published_time" content="{story.published}T09:30:00+03:00">
<meta name="author" content="{escape(story.author)}">
<script type="application/ld+json">{ld}</script>
<style>.menu{{display:flex}}</style></head>
<body>
<header><nav class="menu"><ul><li><a href="/">Главная</a></li><li><a href="/news/">Новости</a></li>
<li><a href="/economy/">Экономика</a></li><li><a href="/sport/">Спорт</a></li>
<li><a href="/map/">Карта сайта</a></li></ul></nav></header>
<div class="layout">
<main><article class="news-item">
<h1>{escape(story.title)}</h1>
<div class="meta"><span class="author">{escape(story.author)}</span>
<time datetime="{story.published}">{story.published}</time></div>
<div class="news-text">{paragraphs_html}</div>
<div class="tools"><a href="?print=1">Распечатать</a> <a href="#share">Поделиться</a></div>
</article></main>
<aside class="sidebar"><h3>Читайте также</h3><ul>{sidebar}</ul></aside>
</div>
<div class="cookies">Мы используем файлы cookie. Продолжая пользоваться сайтом, вы соглашаетесь с этим.</div>
<footer><p>© 2024 {escape(site)}. {escape(EDITOR)}</p>
<p>Свидетельство о регистрации СМИ ЭЛ № ФС77-12345. 16+</p></footer>
</body></html>'''


def body_text(story: Story, paragraphs=None) -> str:
    """The article alone: headline and paragraphs (what precision is measured against)."""
    return '\n\n'.join((story.title,) + tuple(paragraphs if paragraphs is not None else story.paragraphs))


def link_page() -> str:
    """A section page with only a list of links: no article in it."""
    links = ''.join(f'<li><a href="/news/{_.slug}/">{escape(_.title)}</a></li>' for _ in STORIES)
    return (f'<!DOCTYPE html><html lang="ru"><head><title>Новости — {SITE}</title></head>'
            f'<body><nav><a href="/">Главная</a></nav><ul>{links}</ul></body></html>')


ENGLISH_PAGE = '''<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Port of Arkhangelsk
extends its season</title></head><body><nav><a href="/">Home</a></nav><article><h1>Port of Arkhangelsk
extends its season</h1><p>The port of Arkhangelsk will stay open for icebreaker-escorted ships until the end
of January, the harbour master said on Tuesday. Shipping companies welcomed the decision, which follows
a record summer season for timber exports.</p><p>Local officials expect cargo volumes to grow by a tenth
next year as new berths are finished.</p></article><footer>Contact us</footer></body></html>'''


# --- WARC ---------------------------------------------------------------------------------------------

def http_response(body: bytes, content_type: str, status: str = '200 OK', extra=()) -> list[tuple[str, str]]:
    return [('Content-Type', content_type), ('Content-Length', str(len(body)))] + list(extra)


def write_warc(records, gz: bool = True) -> bytes:
    """A WARC archive of (uri, status, headers, body) responses (warcio's writer), with a request
    record and a warcinfo record as crawlers write them."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    stream = io.BytesIO()
    writer = WARCWriter(stream, gzip=gz)
    writer.write_record(writer.create_warcinfo_record('crawl.warc.gz', {'software': 'tests/webpages.py'}))
    for uri, status, headers, body in records:
        request = writer.create_warc_record(
            uri, 'request', http_headers=StatusAndHeaders(f'GET {uri} HTTP/1.1', [('Host', 'x')],
                                                          is_http_request=True))
        writer.write_record(request)
        http = StatusAndHeaders(status, headers, protocol='HTTP/1.1')
        writer.write_record(writer.create_warc_record(uri, 'response', payload=io.BytesIO(body),
                                                      http_headers=http))
    return stream.getvalue()


PNG = b'\x89PNG\r\n\x1a\n' + b'\x00' * 64


def crawl_records():
    """A crawl: a Russian article, an English article, an image, a redirect, a cp1251 page
    announced by its HTTP header, and the first article fetched again (its URI repeats)."""
    russian = news_page(STORIES[0]).encode('utf-8')
    cp1251 = news_page(STORIES[1], host='pomorie-news.ru', site='Поморье сегодня').replace(
        '<meta charset="utf-8">', '').encode('cp1251')
    return [
        (url_of(STORIES[0]), '200 OK', http_response(russian, 'text/html; charset=utf-8'), russian),
        ('https://barents-news.com/port', '200 OK',
         http_response(ENGLISH_PAGE.encode(), 'text/html; charset=UTF-8'), ENGLISH_PAGE.encode()),
        ('https://vestnik-sever.ru/logo.png', '200 OK', http_response(PNG, 'image/png'), PNG),
        ('https://vestnik-sever.ru/old', '301 Moved Permanently',
         http_response(b'', 'text/html', extra=[('Location', url_of(STORIES[0]))]), b''),
        (url_of(STORIES[1], 'pomorie-news.ru'), '200 OK',
         http_response(cp1251, 'text/html; charset=windows-1251'), cp1251),
        (url_of(STORIES[0]), '200 OK', http_response(russian, 'text/html; charset=utf-8'), russian),
    ]


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data)


# --- syndicated copies --------------------------------------------------------------------------------

COPY_SITES = (
    ('pomorie-news.ru', 'Поморье сегодня', 'Источник: пресс-служба правительства Архангельской области.',
     'Подписывайтесь на наш канал в Telegram, чтобы первыми узнавать новости Поморья.'),
    ('dvina29.ru', 'Двина-29', 'Фото: открытые источники. Перепечатка материалов разрешена со ссылкой.',
     'Если вы заметили ошибку, выделите текст и нажмите Ctrl+Enter.'),
)


def edited(paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    """The paragraphs with one sentence rewritten, as an editor of a copy does."""
    first, *rest = paragraphs
    return (first.replace('осмотрел в понедельник', 'в понедельник лично проверил')
            .replace('вложит два миллиарда рублей', 'направит около двух миллиардов рублей')
            .replace('избрали председателем', 'большинством голосов выбрали спикером'), *rest)


def syndicated(story: Story, days: int = 1):
    """The story and two copies on other sites, a day or more later, each with its own lines around the
    text and one edited sentence: (url, published, page) triples, the original first."""
    from datetime import date, timedelta

    pages = [(url_of(story), story.published, news_page(story))]
    for number, (host, site, before, after) in enumerate(COPY_SITES, 1):
        day = (date.fromisoformat(story.published) + timedelta(days=days * number)).isoformat()
        copy = Story(story.slug, story.title, story.paragraphs, day, story.author, story.names,
                     tuple(reversed(story.sidebar)), story.boilerplate)
        paragraphs = (before,) + edited(story.paragraphs) + (after,)
        pages.append((url_of(copy, host), day, news_page(copy, host=host, site=site, paragraphs=paragraphs)))
    return pages
