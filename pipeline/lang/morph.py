"""pymorphy3, created once per process, with cached parses and inflections.

Uncached, pymorphy3 manages about 6 k words/s; news vocabulary repeats a lot,
so an LRU cache on `parse` and `inflect` makes normal forms nearly free.
"""

from __future__ import annotations

from functools import lru_cache

import pymorphy3

from pipeline.lang.text import fold_case, fold_yo

_analyzer: pymorphy3.MorphAnalyzer | None = None


def analyzer() -> pymorphy3.MorphAnalyzer:
    global _analyzer
    if _analyzer is None:
        _analyzer = pymorphy3.MorphAnalyzer()
    return _analyzer


@lru_cache(maxsize=200_000)
def parse(word: str) -> tuple:
    """All pymorphy3 parses of a word (lower-cased key), most likely first."""
    try:
        return tuple(analyzer().parse(word))
    except ValueError:
        # pymorphy3 asks unicodedata.name() of every letter, which has none for some
        # (Tangut U+17000, found by tests/test_properties.py): such letters are not Latin
        import unicodedata

        from pymorphy3 import shapes
        for char in word:
            if char.isalpha() and not unicodedata.name(char, ''):
                shapes._latin_letters_cache[char] = False
        return tuple(analyzer().parse(word))


def parses(word: str) -> tuple:
    return parse(word.lower())


@lru_cache(maxsize=200_000)
def _inflect(parsed, grammemes: frozenset) -> str | None:
    form = parsed.inflect(set(grammemes))
    return form.word if form else None


def inflect(parsed, *grammemes: str) -> str | None:
    """The word form of `parsed` with `grammemes`, or None if it has none."""
    return _inflect(parsed, frozenset(grammemes))


def has_tag(word: str, grammeme: str) -> bool:
    return any(grammeme in _.tag for _ in parses(word))


def lemma(word: str) -> str:
    found = parses(word)
    return found[0].normal_form if found else word.lower()


def restore_case(template: str, word: str) -> str:
    """Give `word` the letter case of `template`: `РФ`, `Санкт-Петербург`."""
    if len(template) > 1 and template.isupper():
        return word.upper()
    return ''.join(
        char.upper() if index < len(template) and template[index].isupper() else char
        for index, char in enumerate(word)
    )


def keep_yo(template: str, word: str) -> str:
    """pymorphy writes `ё`; keep the article's spelling when it wrote `е`."""
    if 'ё' not in template.lower():
        return fold_yo(word)
    return word


def attr(tag, name: str) -> str | None:
    """A tag attribute (`case`, `number`, `gender`, `POS`) as a plain string.

    pymorphy3's own grammeme values raise on comparison with an invalid
    grammeme (`tag.gender == 'Ms-f'`), which makes ordinary code fragile."""
    value = getattr(tag, name)
    return None if value is None else str(value)


def is_cyrillic(text: str) -> bool:
    return any('а' <= _ <= 'я' or _ == 'ё' for _ in text.lower())


def inflect_word(word: str, parsed, grammemes: tuple[str, ...]) -> str:
    """`word` inflected via `parsed`, letter case and `е`/`ё` as written."""
    if parsed is None:
        return word
    form = inflect(parsed, *grammemes)
    if form is None:
        return word
    return restore_case(word, keep_yo(word, form))


def in_dictionary(parsed) -> bool:
    """A parse from the OpenCorpora dictionary itself, not guessed from the word's ending
    (`Гиффордс` is guessed to be a first name; `Виктор` is one in the dictionary)."""
    return type(parsed.methods_stack[0][0]).__name__ == 'DictionaryAnalyzer'


@lru_cache(maxsize=20_000)
def word_forms(lemma: str) -> frozenset[str]:
    """Every form of the dictionary words with this lemma, lower case, `ё` as `е`
    (`область` → области, областью, …): a cheap test before any parse."""
    folded = fold_case(lemma)
    found = {folded}
    for parsed in parses(lemma):
        if fold_yo(parsed.normal_form) == folded:
            found.update(fold_yo(_.word) for _ in parsed.lexeme)
    return frozenset(found)
