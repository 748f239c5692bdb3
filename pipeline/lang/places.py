"""The word lists behind the organisation and place rules, read once.

Not a stage: `rules.repair`, `rules.orgs`, `normalise` and `link` look words
up here. Everything is keyed by folded lemmas (lower case, `ё` → `е`), so
`Китая`, `Китай` and `китайскому` all find their place:

- `gazetteer()`: places (`places.txt`) and organisations known by several
  names (`org_names.txt`), each name a tuple of lemma sets;
- `alias_key(type, name)`: the one key all names of a place or organisation
  share (`КНР`, `Поднебесная` → the key of `Китай`), for linking;
- `place_of_adjective(word)`: `японское` → `Япония`;
- descriptor words of organisations (`state`, `org`, `unit`), of places,
  of things that are no organisation (`шаттл`, `конкурс`), legal forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from pipeline.lang import morph
from pipeline.lang.spans import is_abbreviation
from pipeline.lang.text import drop_quotes, fold_word
from pipeline.lang.words import words

fold = fold_word     # the key of a word or lemma: `Китая` → `китая`, `Кот-д’Ивуар` → `кот-д'ивуар`


@lru_cache(maxsize=200_000)
def lemmas(word: str) -> frozenset[str]:
    """The folded word and every lemma pymorphy3 gives it (`Китая` → {китая, китай})."""
    found = {fold(word)}
    if any(_.isalpha() for _ in word):
        found.update(fold(_.normal_form) for _ in morph.parses(word))
    return frozenset(found)


@lru_cache(maxsize=200_000)
def noun_lemmas(word: str) -> frozenset[str]:
    """Lemmas of the word's noun readings; the last part of a hyphenated word
    counts too (`ИТ-компании` → {ит-компания, компания})."""
    found = {fold(_.normal_form) for _ in morph.parses(word) if morph.attr(_.tag, 'POS') == 'NOUN'}
    if '-' in word and not word.endswith('-'):
        found |= noun_lemmas(word.rsplit('-', 1)[1])
    if word.isupper() and len(word) > 1:
        found.add(fold(word))
    return frozenset(found)


def rows(name: str) -> list[str]:
    """Lines of a data file with `#` comments dropped, words joined by one space."""
    return [' '.join(_) for _ in words(name)]


# ---------------------------------------------------------------- gazetteer

@dataclass(frozen=True, slots=True)
class Entry:
    type: str                   # LOC or ORG
    name: str                   # the name entities are filed under
    names: tuple[str, ...]      # every name, as written in the list
    adjectives: tuple[str, ...]


@lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    found = []
    for type, name in (('LOC', 'places'), ('ORG', 'org_names')):
        for row in rows(name):
            names, _, adjectives = row.partition(';')
            names = tuple(_.strip() for _ in names.split('|') if _.strip())
            found.append(Entry(type, names[0], names, tuple(adjectives.split())))
    return tuple(found)


def name_key(name: str) -> tuple[str, ...]:
    """A name as the sequence of its words' lemmas (their first reading), quotes dropped."""
    parts = drop_quotes(name).split()
    return tuple(_lemma(_) for _ in parts)


def _lemma(word: str) -> str:
    if word.isupper() or not morph.is_cyrillic(word):
        return fold(word)
    parses = morph.parses(word)
    nouns = [_ for _ in parses if morph.attr(_.tag, 'POS') == 'NOUN' and ('Geox' in _.tag or 'Orgn' in _.tag)]
    return fold((nouns or parses)[0].normal_form) if parses else fold(word)


@lru_cache(maxsize=1)
def gazetteer() -> dict[tuple[str, ...], Entry]:
    """Lemma key of every name → its entry (`('китай',)`, `('поднебесный',)` → Китай)."""
    table = {}
    for entry in entries():
        for name in entry.names:
            table.setdefault(name_key(name), entry)
            table.setdefault(tuple(fold(_) for _ in drop_quotes(name).split()), entry)
    return table


@lru_cache(maxsize=1)
def first_words() -> dict[str, list[tuple[tuple[str, ...], Entry]]]:
    """First lemma of a gazetteer name → (key, entry), longest names first."""
    index: dict[str, list] = {}
    for key, entry in gazetteer().items():
        index.setdefault(key[0], []).append((key, entry))
    for found in index.values():
        found.sort(key=lambda _: -len(_[0]))
    return index


@lru_cache(maxsize=1)
def name_prefixes() -> frozenset[str]:
    """First four letters of every form of every name's first word (`кита`, `сша`)."""
    firsts = frozenset(key[0] for key in gazetteer())
    return frozenset(_[:4] for _ in firsts | forms_of(firsts))


def may_name(word: str) -> bool:
    """Could a gazetteer name start with `word`? No parse needed."""
    return fold(word)[:4] in name_prefixes()


def lookup(texts: list[str]) -> Entry | None:
    """The gazetteer entry named by exactly these words, in any case form."""
    if not texts:
        return None
    table = gazetteer()
    direct = table.get(tuple(fold(_) for _ in texts))
    if direct is not None:
        return direct
    if not may_name(texts[0]):
        return None
    for key in keys_of(texts):
        if key in table:
            return table[key]
    return None


def keys_of(texts: list[str], limit: int = 16):
    """Lemma sequences the words may stand for (few: words have few readings)."""
    options = [sorted(lemmas(_)) for _ in texts]
    keys = [()]
    for option in options:
        keys = [key + (_,) for key in keys for _ in option][:limit]
    return keys


@lru_cache(maxsize=1)
def adjective_places() -> dict[str, Entry]:
    """Adjective lemma → the place it is made from (`японский` → Япония)."""
    table = {}
    for entry in entries():
        for adjective in entry.adjectives:
            table.setdefault(fold(adjective), entry)
    return table


@lru_cache(maxsize=50_000)
def place_of_adjective(word: str) -> Entry | None:
    """`японское`, `Американского` → the place; None for other words."""
    table = adjective_places()
    for parse in morph.parses(word):
        if morph.attr(parse.tag, 'POS') in ('ADJF', 'ADJS') and fold(parse.normal_form) in table:
            return table[fold(parse.normal_form)]
    return None


@lru_cache(maxsize=50_000)
def alias_key(type: str, name: str) -> str | None:
    """The key every name of a known place or organisation shares, else None."""
    entry = lookup(name.split())
    if entry is None or (entry.type != type):
        return None
    return f'{entry.type}:{entry.name}'


# ---------------------------------------------------------------- word classes

@lru_cache(maxsize=1)
def descriptor_classes() -> dict[str, frozenset[str]]:
    """Lemma of an organisation descriptor → its classes (`state`, `org`, `unit`)."""
    table: dict[str, set[str]] = {}
    for row in words('org_descriptors'):
        table.setdefault(fold(row[0]), set()).update(row[1:])
    return {word: frozenset(classes) for word, classes in table.items()}


@cache
def forms_of(lemmas: frozenset[str]) -> frozenset[str]:
    """Every surface form of these lemmas, folded."""
    return frozenset().union(*(morph.word_forms(_) for _ in lemmas)) if lemmas else frozenset()


def may_be(word: str, forms: frozenset[str]) -> bool:
    """Could `word` (or the last part of `ИТ-компании`) be one of `forms`? No parse needed."""
    folded = fold(word)
    return folded in forms or ('-' in folded and folded.rsplit('-', 1)[1] in forms)


@cache
def descriptor_forms(kind: str) -> frozenset[str]:
    return forms_of(frozenset(word for word, classes in descriptor_classes().items() if kind in classes))


@lru_cache(maxsize=200_000)
def descriptor(word: str, kind: str) -> bool:
    """`word` is an organisation descriptor of class `kind` in some reading."""
    if not may_be(word, descriptor_forms(kind)):
        return False      # most words: no pymorphy parse at all
    table = descriptor_classes()
    return any(kind in table.get(_, ()) for _ in noun_lemmas(word))


@lru_cache(maxsize=1)
def legal_forms() -> frozenset[str]:
    return frozenset(_[0] for _ in words('legal_forms'))


# generic words that end the name of a place and give its kind (`Челябинская область`)
TRAILING_KINDS = frozenset('область край округ район улус волость'.split())


def trailing_kind(word: str) -> str:
    """`области` → `область`: the kind the last word of a place's name gives, if any."""
    found = sorted(_ for _ in noun_lemmas(word) if _ in TRAILING_KINDS)
    return found[0] if found else ''


def kind_of(words: list[str]) -> str:
    """The `kind` of an organisation or place from its descriptor's words: abbreviations as written
    (`ФГАНУ`, `ГАУ ДО ТО`), else the head noun's lemma (`города` → `город`, `отеля` → `отель`,
    `ИТ-компании` → `ит-компания`, `лондонском районе` → `район`)."""
    words = [_ for _ in words if any(c.isalpha() for c in _)]
    if not words:
        return ''
    if all(is_abbreviation(_) for _ in words):
        return ' '.join(words)
    head = words[-1]
    if is_abbreviation(head):
        return head
    table = descriptor_classes()
    known = sorted(_ for _ in noun_lemmas(head) if _ in table or _ in place_descriptors())
    if known:
        return known[0]
    nouns = [_ for _ in morph.parses(head) if morph.attr(_.tag, 'POS') == 'NOUN']
    return fold(nouns[0].normal_form) if nouns else fold(head)


@lru_cache(maxsize=1)
def place_descriptors() -> frozenset[str]:
    return frozenset(fold(_) for _ in rows('place_descriptors'))


@lru_cache(maxsize=100_000)
def place_descriptor(word: str) -> bool:
    table = place_descriptors()
    if fold(word) in table:
        return True
    return may_be(word, forms_of(table)) and any(_ in table for _ in noun_lemmas(word))


@lru_cache(maxsize=1)
def not_org_descriptors() -> frozenset[str]:
    return frozenset(fold(_[0]) for _ in words('not_org_descriptors'))


@lru_cache(maxsize=100_000)
def not_org_descriptor(word: str) -> bool:
    table = not_org_descriptors()
    return may_be(word, forms_of(table)) and any(_ in table for _ in noun_lemmas(word))


@lru_cache(maxsize=1)
def locating_adjectives() -> frozenset[str]:
    return frozenset(fold(_[0]) for _ in words('locating_adjectives'))


@lru_cache(maxsize=100_000)
def locating_adjective(word: str) -> bool:
    """`городском`, `владикавказского`-like adjectives of known places."""
    if place_of_adjective(word) is not None:
        return True
    table = locating_adjectives()
    return any(fold(_.normal_form) in table for _ in morph.parses(word))


@lru_cache(maxsize=1)
def platforms() -> frozenset[str]:
    return frozenset(fold(_[0]) for _ in words('platforms'))


@lru_cache(maxsize=1)
def name_types() -> dict[tuple[str, ...], str]:
    """Lemma key → the type the name has (`('мкс',)` → LOC; `('сми',)` → `-`)."""
    table = {}
    for row in words('name_types'):
        table[tuple(fold(_) for _ in row[:-1])] = row[-1]
    return table


DOMAIN = re.compile(r'[\w-]+(?:\.[\w-]+)*\.[a-zа-я]{2,}', re.IGNORECASE)
SITE_WORDS = frozenset({'сайт', 'веб-сайт', 'интернет-сайт'})


def is_site(words: list[str]) -> bool:
    """`сайт Lenta.ru`, `сайте Roem.ru`: the word `сайт` and a site's address (`сайте Facebook` is not)."""
    return len(words) > 1 and bool(noun_lemmas(words[0]) & SITE_WORDS) and bool(
        DOMAIN.fullmatch(''.join(words[1:])))
