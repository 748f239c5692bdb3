"""Text folding: one home for each rule that makes two spellings of a word compare equal.

Every stage, the gazetteer, the name reader, the registry and the scorer fold
through these functions, so that a rule changed here changes everywhere (two
copies drift, and the drift shows up only as a score that moved).

- quotes: `OPENING_QUOTES`, `CLOSING_QUOTES`, `AMBIGUOUS_QUOTES` are the marks
  read as quote tokens (`QUOTE_MARKS`); `QUOTES` adds the single curly quotes
  and the backtick, and is what a key drops (each as a space), except that
  between two letters `’`, `ʼ`, `'` and the backtick are one apostrophe, `'`
  (`Кот-д’Ивуар`, `О'Нил`);
- hyphens: `HYPHENS` are the characters typed for a hyphen (U+2010-2012,
  U+2043), folded to `-`, and so is an en dash inside a word (`Санкт–Петербург`,
  Word's autocorrect); an en dash between spaces is a dash and stays, as does
  the em dash; the soft hyphen is a line-break hint and is dropped. The dash
  tokens the grammars read are `DASH_MARKS` (`17–20 августа`, `Иванов — глава`);
- `ё` → `е` and case (`lower`, not `casefold`: one character for one);
- look-alike letters: a word mixing Cyrillic with Latin letters that have a
  Cyrillic twin is made Cyrillic (`Мocква` with a Latin o);
- whitespace: any run of spaces (no-break, thin, zero-width) is one space.
"""

from __future__ import annotations

import re
from functools import lru_cache

OPENING_QUOTES = frozenset('«„')
CLOSING_QUOTES = frozenset('»”')
AMBIGUOUS_QUOTES = frozenset('"“\'')                  # open or close by the spaces around them
QUOTE_MARKS = OPENING_QUOTES | CLOSING_QUOTES | AMBIGUOUS_QUOTES
QUOTES = QUOTE_MARKS | frozenset('‘’‚`')

HYPHENS = '\u2010\u2011\u2012\u2043'                  # ‐ ‑ ‒ ⁃ , and – inside a word: Санкт–Петербург
SOFT_HYPHEN = '\u00ad'
DASH_MARKS = frozenset('-–—')                          # dash tokens: 17–20 августа, 2021-2023, Иванов — глава
ALL_DASHES = '-' + HYPHENS + '\u2013\u2014\u2015\u2212'  # every dash-like mark, for `dashes_as_spaces`

LOOKALIKES = str.maketrans('aceopxyABCEHKMOPTX', 'асеорхуАВСЕНКМОРТХ')

HYPHEN = re.compile(f'[{HYPHENS}]')
EN_DASH_IN_WORD = re.compile('(?<=\\S)\u2013(?=\\S)')
DASH_MARK = re.compile('[' + re.escape(''.join(sorted(DASH_MARKS))) + ']')
ANY_DASH = re.compile(f'[{re.escape(ALL_DASHES)}{SOFT_HYPHEN}]')
APOSTROPHES = frozenset("’ʼ`")                 # besides `'`: written as `'` between letters
APOSTROPHE = re.compile(r"(?<=[^\W\d_])['’ʼ`](?=[^\W\d_])")
QUOTE = re.compile(f"(?P<apostrophe>{APOSTROPHE.pattern})|[{re.escape(''.join(sorted(QUOTES)))}]")
SPACES = re.compile(r'[\s\u200b]+')
LATIN = re.compile('[a-zA-Z]')
CYRILLIC = re.compile('[а-яёА-ЯЁ]')
WORD = re.compile(r'[^\W\d_]+')


def fold_yo(text: str) -> str:
    """`ё` written as `е`, case kept: `Королёв` → `Королев`."""
    return text.replace('ё', 'е').replace('Ё', 'Е')


def fold_apostrophes(text: str) -> str:
    """An apostrophe between letters written `'`: `Кот-д’Ивуар` → `Кот-д'Ивуар`."""
    if APOSTROPHES.isdisjoint(text):
        return text                                # the common case, without a regex
    return APOSTROPHE.sub("'", text)


def fold_case(text: str) -> str:
    """Lower case and `ё` as `е`: `Ребёнок` → `ребенок`."""
    return text.lower().replace('ё', 'е')


def fold_hyphens(text: str) -> str:
    """Hyphen look-alikes as `-`, soft hyphens dropped: `IT‑куб` → `IT-куб`, `Моск\\xadва` → `Москва`."""
    text = HYPHEN.sub('-', text)
    if SOFT_HYPHEN in text:
        text = text.replace(SOFT_HYPHEN, '')
    return EN_DASH_IN_WORD.sub('-', text) if '\u2013' in text else text


def dashes_as_spaces(text: str) -> str:
    """Every hyphen and dash as a space (soft hyphens dropped): `IT-куб` → `IT куб`."""
    return ANY_DASH.sub(lambda match: '' if match.group() == SOFT_HYPHEN else ' ', text)


def drop_quotes(text: str) -> str:
    """Each quote mark as a space, apostrophes inside a word kept as `'`:
    `ООО«Ромашка»` → `ООО Ромашка `, `«Кот-д’Ивуар»` → ` Кот-д'Ивуар `."""
    if QUOTES.isdisjoint(text):
        return text
    return QUOTE.sub(lambda match: "'" if match.group('apostrophe') else ' ', text)


def fold_spaces(text: str) -> str:
    """Runs of spaces as one space, none at the ends."""
    return SPACES.sub(' ', text).strip()


@lru_cache(maxsize=100_000)
def fold_word(text: str) -> str:
    """The key of a word or a lemma: hyphens, apostrophes, case and `ё` folded
    (`Королёв` → `королев`, `Кот-д’Ивуар` → `кот-д'ивуар`).

    Cached: the name stages fold the same words over and over (a few hundred
    thousand calls per thousand articles, most of them repeats)."""
    return fold_case(fold_hyphens(fold_apostrophes(text)))


@lru_cache(maxsize=100_000)
def fold_key(text: str) -> str:
    """A name as a key: quotes dropped, then as `fold_word`, spaces folded:
    `«Газпром нефть»` → `газпром нефть`, `Санкт–Петербург` → `санкт-петербург`."""
    return fold_spaces(fold_word(drop_quotes(text)))


def fold_name(text: str) -> str:
    """A name as the scorer compares it: `fold_key` with every dash as a space
    (`«IT‑куб»` → `it куб`), so `IT-куб` and `IT куб` are one name."""
    return fold_spaces(dashes_as_spaces(fold_key(text)))


def fold_lookalikes(text: str) -> str:
    """`text` with Latin look-alike letters inside mixed Latin/Cyrillic words made Cyrillic.

    One character for one, so every offset stays valid. Words of Latin letters
    only are left alone (`iPhone`), and so are mixed words with a Latin letter
    that has no Cyrillic twin (`Пqрот`).
    """
    if not LATIN.search(text) or not CYRILLIC.search(text):
        return text

    def fold(match):
        word = match.group()
        if not (LATIN.search(word) and CYRILLIC.search(word)):
            return word
        folded = word.translate(LOOKALIKES)
        return word if LATIN.search(folded) else folded
    return WORD.sub(fold, text)
