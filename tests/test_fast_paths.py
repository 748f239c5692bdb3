"""Speed-ups that must not change a result: each fast path against the plain code it replaced.

`token_lines` finds the line breaks once and bisects, instead of one regex
search per token; `fold_word` and `fold_key` are cached. Each is compared
with the straightforward version on table cases and on random texts.
"""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.document import Document, Token
from pipeline.lang import text as folding
from pipeline.lang.grammar import LINE_BREAK, token_lines
from pipeline.stages import ner, segment

from .conftest import SEEDS


def plain_token_lines(doc: Document) -> list[int]:
    """The per-token regex search `token_lines` replaced."""
    lines, line, previous = [], 0, None
    for token in doc.tokens:
        if previous is not None and LINE_BREAK.search(doc.text, previous, token.start):
            line += 1
        lines.append(line)
        previous = token.stop
    return lines


def words(text: str) -> Document:
    return Document('t', text,
                    tokens=[Token(_.start(), _.end(), _.group()) for _ in re.finditer(r'\S+', text)])


LINE_CASES = [
    # (text, expected line of each token)
    ('Мэр Москвы', [0, 0]),
    ('Заголовок\nТекст статьи', [0, 1, 1]),
    ('Заголовок\n\n\nТекст', [0, 1]),                    # several breaks: one new line
    ('а\r\nб\u2028в\x0bг\x0cд\x85е', [0, 1, 2, 3, 4, 5]),
    ('\n\nначало', [0]),                                  # breaks before the first token count for nothing
    ('конец\n\n', [0]),
    ('', []),
]


@pytest.mark.parametrize('text, expected', LINE_CASES)
def test_token_lines(text, expected):
    doc = words(text)
    assert token_lines(doc) == expected == plain_token_lines(doc)


def test_token_lines_of_odd_tokens():
    """Tokens out of order, overlapping or past the text: as the plain search, and no crash."""
    doc = Document('t', 'а\nб\nв', tokens=[Token(4, 5, 'в'), Token(0, 1, 'а'), Token(0, 5, 'а\nб\nв'),
                                            Token(2, 3, 'б'), Token(9, 12, '???')])
    assert token_lines(doc) == plain_token_lines(doc)


TEXTS = st.text(alphabet=st.sampled_from(list('аб1 .,-\n\r\u2028\x85«»’–\u00ad')), max_size=80)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=TEXTS)
def test_token_lines_as_plain_search(text):
    for doc in (words(text), segment.run(Document('t', text))):
        assert token_lines(doc) == plain_token_lines(doc)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=TEXTS)
def test_cached_folds_as_uncached(text):
    word = folding.fold_case(folding.fold_hyphens(folding.fold_apostrophes(text)))
    assert folding.fold_word(text) == word == folding.fold_word.__wrapped__(text)
    key = folding.fold_key.__wrapped__(text)
    assert folding.fold_key(text) == key == folding.fold_spaces(word_of(folding.drop_quotes(text)))


def word_of(text: str) -> str:
    return folding.fold_case(folding.fold_hyphens(folding.fold_apostrophes(text)))


WORDS = st.text(alphabet=st.sampled_from(list('аАёЁzZ19-.«»’—_ ')), min_size=1, max_size=12)


def test_ner_word_ids_as_slovnet(res):
    """The cached (word id, shape id) pairs are slovnet's own `encoder.item`, first time and cached."""
    encoder = res.ner.infer.encoder
    words = []
    for file in sorted(SEEDS.glob('*.txt')):
        words += [_.text for _ in segment.run(Document(file.stem, file.read_text(encoding='utf-8'))).tokens]
    words += ['Москва', 'МОСКВА', 'москва', 'Ёлки', 'ёлки', 'iPhone', 'ЦСКА-2', '1,5', 'x' * 60]
    assert ner.word_ids(encoder, words) == encoder.item(words)
    assert ner.word_ids(encoder, words) == encoder.item(words)     # from the cache


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(words=st.lists(WORDS, max_size=20))
def test_ner_word_ids_as_slovnet_on_any_words(res, words):
    encoder = res.ner.infer.encoder
    assert ner.word_ids(encoder, words) == encoder.item(words)


def test_ner_word_ids_cache_stays_bounded(res, monkeypatch):
    encoder = res.ner.infer.encoder
    monkeypatch.setattr(ner, 'WORD_IDS', 5)
    words = [f'слово{_}' for _ in range(40)]
    assert ner.word_ids(encoder, words) == encoder.item(words)
    assert len(encoder.__dict__['_word_ids']) <= 40
    ner.word_ids(encoder, ['ещё'])
    assert len(encoder.__dict__['_word_ids']) == 1


def test_pymorphy_reads_its_dictionaries_with_the_c_dawg():
    """pyproject asks for pymorphy3[fast]: without DAWG2 every new word is parsed by the
    pure-Python reader."""
    from pymorphy3 import dawg
    assert dawg.EXTENSION_AVAILABLE


# ---------------------------------------------------------------- the Earley chart

def chart_texts() -> list[str]:
    """Sentences of the seeds, and phrases of the grammars' kinds."""
    texts = ['с 17 по 20 августа 2024 года', 'более 250 тысяч', 'около 1,5 млрд рублей', '5, 6 и 7 мая',
             'в 2011 — уже 30 %', 'двух-трёх месяцев', '']
    for file in sorted(SEEDS.glob('*.txt')):
        doc = segment.run(Document(file.stem, file.read_text(encoding='utf-8')))
        texts += [doc.text[_.start:_.stop] for _ in doc.sentences if _.stop - _.start < 300]
    return texts


@pytest.fixture(scope='module')
def grammar_parsers(res):
    return [res.date_parser, res.money_parser, res.number_parser]


def check_chart(parser, text):
    """Two shortcuts of `earley.Parser`: states predicted at dot 0 go into a column unchecked (a rule is
    predicted once per column, and every other state is past dot 0), and `matches` reads the completed
    states of the start rule kept as the chart is built. Against the plain ways: no two states of a
    column alike, and the same matches, in the same order, as a scan of every state."""
    chart = parser.chart(text)
    for column in chart.columns:
        keys = [(id(_.rule), id(_.production), _.dot_index, _.start_column.index, _.children)
                for _ in column.states]
        assert len(keys) == len(set(keys))
    plain = list(chart.matches(parser.rule))
    assert [_ for column in chart.columns for _ in column.done] == plain       # the same states, in order
    fast = [(_.range, id(_.production), _.rank, _.dot_index) for _ in parser.matches(text)]
    assert fast == [(_.range, id(_.production), _.rank, _.dot_index) for _ in plain]
    last = parser.chart(text, all=False).last_column
    assert list(last.done) == list(last.matches(parser.rule))


def test_earley_chart_as_plain_scan(grammar_parsers):
    for text in chart_texts():
        for parser in grammar_parsers:
            check_chart(parser, text)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(words=st.lists(st.sampled_from(['1', '2', '20', ',', '-', 'и', 'по', 'с', 'мая', 'года', 'тысяч',
                                         'рублей', 'более', '%', 'млрд', 'в', '.']), max_size=12))
def test_earley_chart_as_plain_scan_on_any_phrase(grammar_parsers, words):
    text = ' '.join(words)
    for parser in grammar_parsers:
        check_chart(parser, text)


# ---------------------------------------------------------------- razdel tokens

def razdel_tokens(text: str) -> list[tuple[int, int, str]]:
    """The plain razdel call `segment.tokenize` replaced."""
    from razdel import tokenize
    return [(_.start, _.stop, _.text) for _ in tokenize(text)]


TOKEN_CASES = [
    'Мэр Москвы Сергей Собянин 1 сентября 2024 года открыл школу на 1200 учеников за 2 млрд рублей.',
    'в 2011—2012 гг. рост составил 3,5% (по данным Росстата), т.е. почти 1/3…',
    'ООО «Ромашка-2» и Yahoo! News: e-mail user_name@mail.ru, 12:30, 1.5, -7, +7 (495) 123-45-67',
    'Ну и ну!!! :) ;-) «ДА» — «НЕТ»...  ?!',
    '', '   ', 'а', '5', '-',
]


@pytest.mark.parametrize('text', TOKEN_CASES)
def test_segment_tokenize_as_razdel(text):
    assert segment.tokenize(text) == razdel_tokens(text)


def test_segment_tokenize_as_razdel_on_seeds():
    for file in sorted(SEEDS.glob('*.txt')):
        text = file.read_text(encoding='utf-8')
        for start, stop in segment.lines(text):
            assert segment.tokenize(text[start:stop]) == razdel_tokens(text[start:stop])


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(alphabet=st.sampled_from(list('аБzY19 -–—_.,:/!?()«»"\'%№…\u00a0\t')), max_size=40))
def test_segment_tokenize_as_razdel_on_any_text(text):
    assert segment.tokenize(text) == razdel_tokens(text)


def test_earley_findall_leaves_no_cycles(grammar_parsers):
    """`findall` clears its chart, so reference counting frees it: nothing is left for the cyclic
    collector (a chart left whole is a web of cycles, states ↔ columns)."""
    import gc
    text = 'с 17 по 20 августа 2024 года, более 250 тысяч рублей, а также 1,5 млрд'
    for parser in grammar_parsers:
        list(parser.findall(text))
    gc.collect()
    gc.disable()
    try:
        found = [[_.fact for _ in parser.findall(text)] for parser in grammar_parsers]
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert all(found)
