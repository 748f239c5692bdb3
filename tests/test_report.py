"""HTML report: mentions highlighted by type, entity index, and nothing from an article ever runs.

The browser tests drive the system's Chromium (Debian's `chromium` package)
through Playwright's Python package; no browser is downloaded. They skip, and
say why, only where no Chromium is installed.
"""

import contextlib
import os
import re
import shutil

import pytest

from pipeline import cli, process_text
from pipeline.export import report
from pipeline.export.report import Span, nest
from pipeline.store import rows as tables
from pipeline.store import schemas

TYPES = ['PER', 'ORG', 'LOC', 'DATE', 'NUMBER', 'MONEY']
SCRIPT = '<script>alert(1)</script>'
IMAGE = '"><img src=x onerror=alert(2)>'
EVIL_TEXT = (f'Мэр Москвы Сергей Собянин 1 сентября 2024 года открыл в Москве школу на 1200 учеников '
             f'за 2 млрд рублей. Читатель написал: {SCRIPT} и ещё {IMAGE}, но ничего не случилось.')
EVIL_ID = '0"><script>alert(5)</script>'     # sorts first: at the top of the page
EVIL_TITLE = '<script>alert(3)</script>'
EVIL_NORMAL = '"><img src=x onerror=alert(4)>'

CHROMIUM = next((_ for _ in ('/usr/bin/chromium', '/usr/lib/chromium/chromium') if os.path.exists(_)), None)
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']

# (text, spans as (start, stop, type), expected markup with titles and ids left out)
NESTING = [
    ('в мэрии Москвы', [(2, 14, 'ORG'), (8, 14, 'LOC')],
     'в <ORG>мэрии <LOC>Москвы</LOC></ORG>'),
    ('Москва и Петербург', [(0, 6, 'LOC'), (9, 18, 'LOC')],
     '<LOC>Москва</LOC> и <LOC>Петербург</LOC>'),
    ('abcdef', [(0, 4, 'ORG'), (2, 6, 'PER')],                       # crossing: PER closed and reopened
     '<ORG>ab<PER>cd</PER></ORG><PER+>ef</PER>'),
    ('abcdef', [(0, 6, 'ORG'), (0, 6, 'LOC')],                       # same stretch: both, first outside
     '<ORG><LOC>abcdef</LOC></ORG>'),
    ('a<b>&"', [(1, 4, 'DATE')],
     'a<DATE>&lt;b&gt;</DATE>&amp;&quot;'),
    ('abc', [(2, 9, 'PER'), (-1, 1, 'ORG')],                         # outside the text: left out
     'abc'),
]


def simplify(markup: str) -> str:
    """`<mark class="m t-ORG" id=… title=…>` → `<ORG>`; a reopened mark → `<ORG+>`."""
    markup = re.sub(r'<mark class="m t-(\w+)( cont)?"[^>]*>', lambda m: f'<{m[1]}{"+" if m[2] else ""}>',
                    markup)
    out, stack = [], []
    for piece in re.split(r'(<\w+\+?>|</mark>)', markup):
        if piece == '</mark>':
            out.append(f'</{stack.pop()}>')
        else:
            if re.fullmatch(r'<\w+\+?>', piece):
                stack.append(piece[1:-1].rstrip('+'))
            out.append(piece)
    return ''.join(out)


@pytest.mark.parametrize('text, spans, expected', NESTING)
def test_report_nests_overlapping_mentions(text, spans, expected):
    spans = [Span(start, stop, kind, kind, f'm{n}') for n, (start, stop, kind) in enumerate(spans)]
    assert simplify(nest(text, spans)) == expected


@pytest.fixture(scope='module')
def evil_tables(seed_docs, res):
    """The seeds plus a hostile article, its title, id and one normal form carrying markup."""
    evil = process_text(EVIL_TEXT, doc_id=EVIL_ID, res=res)
    frames = tables.build([*seed_docs.values(), evil])
    frames['documents'].loc[frames['documents']['doc_id'] == EVIL_ID, 'title'] = EVIL_TITLE
    mentions = frames['mentions']
    person = mentions.index[(mentions['doc_id'] == EVIL_ID) & (mentions['type'] == 'PER')][0]
    mentions.loc[person, 'normal'] = EVIL_NORMAL
    return {name: schemas.check(name, frame) for name, frame in frames.items()}


def test_report_escapes_everything_from_the_tables(evil_tables):
    page = report.render(evil_tables)
    for evil in (SCRIPT, IMAGE, EVIL_TITLE, EVIL_NORMAL, EVIL_ID):
        assert evil not in page
    assert '&lt;script&gt;alert(' in page and '&quot;&gt;&lt;img src=x onerror=alert(' in page
    assert '<script' not in page and '<img' not in page


def test_report_is_self_contained(evil_tables):
    """No file, font or style from elsewhere: every link points into the page itself."""
    page = report.render(evil_tables)
    assert all(_.startswith('#') for _ in re.findall(r'(?:href|src)="([^"]*)"', page))
    assert '<link' not in page and 'url(' not in page and '@import' not in page
    assert "default-src 'none'" in page


def test_report_cli_writes_chosen_articles(seed_output, tmp_path, capsys):
    out = tmp_path / 'report.html'
    assert cli.main(['report', '--tables', str(seed_output), '--out', str(out), '--docs', '2']) == 0
    page = out.read_text(encoding='utf-8')
    assert page.count('<article ') == 2
    assert cli.main(['report', '--tables', str(seed_output), '--out', str(out),
                     '--doc', '004_647e408614c3f80b']) == 0
    assert out.read_text(encoding='utf-8').count('<article ') == 1
    assert cli.main(['report', '--tables', str(seed_output), '--out', str(out), '--doc', 'nope']) == 2
    assert 'no document with id nope' in capsys.readouterr().err


@pytest.fixture(scope='module')
def browser():
    if CHROMIUM is None:
        pytest.skip('no Chromium here (/usr/bin/chromium is missing): `apt-get install chromium` brings it, '
                    'and .ci/run does so wherever apt-get can')
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


def open_page(browser, url: str):
    page = browser.new_page(viewport={'width': 1100, 'height': 1400})
    dialogs, errors = [], []
    page.on('dialog', lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on('pageerror', lambda error: errors.append(str(error)))
    page.goto(url)
    return page, dialogs, errors


def test_report_browser_notices_a_script_that_runs(browser, tmp_path):
    """The control: the same harness does see an alert when a page runs one."""
    control = tmp_path / 'control.html'
    control.write_text(f'<!DOCTYPE html><p>control</p>{SCRIPT}', encoding='utf-8')
    page, dialogs, _ = open_page(browser, control.as_uri())
    page.wait_for_timeout(100)
    assert dialogs == ['1']
    page.close()


def test_report_browser_highlights_every_type_and_runs_nothing(browser, evil_tables, tmp_path):
    out = report.write(evil_tables, tmp_path / 'report.html')
    page, dialogs, errors = open_page(browser, out.as_uri())
    page.wait_for_timeout(200)
    for kind in TYPES:
        assert page.locator(f'article mark.t-{kind}').count() > 0, f'no highlighted {kind}'

    assert dialogs == [] and errors == []
    assert page.locator('script').count() == 0 and page.locator('img').count() == 0
    evil = page.locator('article', has_text='Читатель написал')
    assert SCRIPT in evil.locator('.text').inner_text() and IMAGE in evil.locator('.text').inner_text()
    assert EVIL_TITLE in evil.locator('h2').inner_text() and EVIL_ID in evil.locator('h2').inner_text()
    person = evil.locator('mark.t-PER').first
    assert person.inner_text() == 'Сергей Собянин'
    assert person.get_attribute('title') == f'PER · {EVIL_NORMAL}'
    assert evil.locator('mark.t-MONEY').first.get_attribute('title') == 'MONEY · 2000000000 RUB'

    links = page.locator('nav.index a[href^="#m"]')
    assert links.count() > 0
    dangling = page.evaluate("""() => [...document.querySelectorAll('nav.index a')]
        .map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))""")
    assert dangling == []
    page.locator('nav.index li', has_text='Дмитрий Разумовский').locator('a[href^="#m"]').first.click()
    assert page.locator('mark:target').inner_text() in ('Дмитрий Разумовский', 'Дмитрия Разумовского')

    page.set_viewport_size({'width': 1100, 'height': 1700})
    page.evaluate('window.scrollTo(0, 0)')
    page.screenshot(path=tmp_path / 'report.png')          # legend, index, the hostile article first
    evil.screenshot(path=tmp_path / 'report-evil.png')
    for name in ('report.png', 'report-evil.png'):          # for a person to look at
        with contextlib.suppress(OSError):
            shutil.copy(tmp_path / name, f'/tmp/{name}')
    page.close()
