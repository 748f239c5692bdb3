"""Text folding (pipeline.lang.text): one case per rule and per spelling the news write."""

import pytest

from pipeline.lang import text

CASES = [
    # (function, input, expected)
    ('fold_yo', 'Королёв', 'Королев'),
    ('fold_yo', 'ЁЛКИ', 'ЕЛКИ'),
    ('fold_case', 'Ребёнок', 'ребенок'),
    ('fold_case', 'ЁЖ', 'еж'),
    ('fold_case', 'Straße', 'straße'),                  # lower, not casefold: one character for one
    ('fold_hyphens', 'IT\u2011куб', 'IT-куб'),           # non-breaking hyphen
    ('fold_hyphens', 'Северо\u2010Запад', 'Северо-Запад'),
    ('fold_hyphens', 'Санкт–Петербург', 'Санкт-Петербург'),  # en dash inside a word: a hyphen
    ('fold_hyphens', 'Москва – столица', 'Москва – столица'),  # en dash between spaces: a dash
    ('fold_hyphens', '2021–2023', '2021-2023'),
    ('fold_hyphens', 'Иванов — глава', 'Иванов — глава'),      # em dash: punctuation
    ('fold_hyphens', 'Моск\u00adва', 'Москва'),                # soft hyphen: dropped
    ('dashes_as_spaces', 'IT-куб', 'IT куб'),
    ('dashes_as_spaces', 'А—Б–В\u2212Г', 'А Б В Г'),
    ('dashes_as_spaces', 'Моск\u00adва', 'Москва'),
    ('fold_apostrophes', 'Кот-д’Ивуар', "Кот-д'Ивуар"),
    ('fold_apostrophes', 'Д`Артаньян', "Д'Артаньян"),
    ('fold_apostrophes', '’Ромашка’', '’Ромашка’'),           # not between letters: a quote
    ('drop_quotes', 'ООО «Ромашка»', 'ООО  Ромашка '),
    ('drop_quotes', 'ООО«Ромашка»', 'ООО Ромашка '),          # a quote separates words
    ('drop_quotes', '„Лютик“', ' Лютик '),
    ('drop_quotes', '"Пионер"', ' Пионер '),
    ('drop_quotes', "'Пионер'", ' Пионер '),
    ('drop_quotes', '‘Пионер’', ' Пионер '),
    ('drop_quotes', 'О’Нил', "О'Нил"),
    ('fold_spaces', ' Газпром\u00a0\u202fнефть \u200b ', 'Газпром нефть'),
    ('fold_spaces', 'Сергей\n\tСобянин', 'Сергей Собянин'),
    ('fold_word', 'Кот-д’Ивуар', "кот-д'ивуар"),
    ('fold_word', 'Экс–председатель', 'экс-председатель'),
    ('fold_word', 'Фёдор', 'федор'),
    ('fold_key', '«Газпром  нефть»', 'газпром нефть'),
    ('fold_key', 'Санкт–Петербург', 'санкт-петербург'),
    ('fold_key', 'ООО"Ромашка"', 'ооо ромашка'),
    ('fold_key', 'О’Нил', "о'нил"),
    ('fold_name', '«IT‑куб»', 'it куб'),
    ('fold_name', 'Ростов-на-Дону', 'ростов на дону'),
    ('fold_name', '“Ёлки–Палки”', 'елки палки'),
    ('fold_lookalikes', 'Мocква', 'Москва'),                   # Latin o
    ('fold_lookalikes', 'cпециалистов', 'специалистов'),       # Latin c
    ('fold_lookalikes', 'BЕЛАРУСЬ', 'ВЕЛАРУСЬ'),               # Latin B has a Cyrillic twin
    ('fold_lookalikes', 'iPhone', 'iPhone'),                   # Latin only
    ('fold_lookalikes', 'МГУ-Moscow', 'МГУ-Moscow'),           # each word on its own
    ('fold_lookalikes', 'Пqрот', 'Пqрот'),                     # q has no twin: left alone
    ('fold_lookalikes', '', ''),
]


@pytest.mark.parametrize('name, given, expected', CASES)
def test_text_folding(name, given, expected):
    assert getattr(text, name)(given) == expected


def test_text_lookalikes_keep_offsets():
    given = 'Мocква, Пqрот и cпециалисты'
    assert len(text.fold_lookalikes(given)) == len(given)


QUOTE_ROLES = [
    ('«', 'open'), ('„', 'open'), ('»', 'close'), ('”', 'close'),
    ('"', 'ambiguous'), ('“', 'ambiguous'), ("'", 'ambiguous'),
]


@pytest.mark.parametrize('mark, role', QUOTE_ROLES)
def test_text_quote_marks(mark, role):
    sets = {'open': text.OPENING_QUOTES, 'close': text.CLOSING_QUOTES, 'ambiguous': text.AMBIGUOUS_QUOTES}
    assert [name for name, marks in sets.items() if mark in marks] == [role]
    assert mark in text.QUOTE_MARKS and mark in text.QUOTES


@pytest.mark.parametrize('mark', ['‘', '’', '`'])
def test_text_apostrophe_like_marks_are_no_quote_tokens(mark):
    assert mark in text.QUOTES and mark not in text.QUOTE_MARKS


@pytest.mark.parametrize('mark', sorted(text.DASH_MARKS))
def test_text_dash_tokens_fold_to_a_space_in_names(mark):
    assert text.fold_name(f'А{mark}Б') == 'а б'


HAND_FOLDING = [
    # (what a copy of a folding rule looks like, the rule it copies)
    (r"""\.replace\(['"]ё""", '`ё` → `е`: text.fold_yo / fold_case'),
    (r"""\.replace\(['"][«»"]""", 'quotes dropped: text.drop_quotes / fold_key'),
    (r'\\u2010|\u2010', 'hyphen look-alikes: text.fold_hyphens / HYPHENS'),
    (r"maketrans\(['\"]aceop", 'look-alike letters: text.fold_lookalikes'),
    (r"""^\s*(?:QUOTES|HYPHENS|DASHES|\w*LOOKALIKES?|HOMOGLYPHS)\s*=\s*(?:re\.compile|set|frozenset|\{|['"])""",
     'a quote, hyphen or look-alike set: pipeline.lang.text'),
]


@pytest.mark.parametrize('pattern, rule', HAND_FOLDING)
def test_text_folding_has_one_home(pattern, rule):
    """No module but pipeline/lang/text.py writes a folding rule of its own."""
    import re
    from pathlib import Path
    package = Path(text.__file__).resolve().parent.parent
    found = [f'{path.relative_to(package)}:{number}'
             for path in sorted(package.rglob('*.py')) if path != Path(text.__file__).resolve()
             for number, line in enumerate(path.read_text(encoding='utf-8').splitlines(), 1)
             if re.search(pattern, line)]
    assert found == [], f'{rule}, written again in {found}'
