"""Person names: which word is the first name, patronymic or surname, and
each part in the nominative in the person's gender (pymorphy3, cached).

`Дмитрия Разумовского` → (`Дмитрий`, ``, `Разумовский`); `Никиты
Андреевича` → (`Никита`, `Андреевич`, ``); `Шинкаревой` → `Шинкарева`;
initials stay initials (`Н. Н. Петровой` → `Н. Н. Петрова`).
"""

from __future__ import annotations

import re

from . import morph

INITIAL = re.compile(r'^[A-ZА-ЯЁ]$')


NAME_ROLES = ('Name', 'Patr', 'Surn')


def singular(word: str, grammeme: str) -> bool:
    """`Никиты` can be a first name; `Златин` (a plural of `Златина`) cannot."""
    return any(grammeme in _.tag and morph.attr(_.tag, 'number') == 'sing' for _ in morph.parses(word))


def person_parts(words: list[str]) -> list[str]:
    """A role per word: first, middle, last or initial."""
    roles = []
    for index, word in enumerate(words):
        if INITIAL.match(word):
            roles.append('initial')
        elif singular(word, 'Patr') and 'first' in roles:
            roles.append('middle')
        elif singular(word, 'Name') and 'first' not in roles and (
                'last' not in roles or index == len(words) - 1) and not (
                len(words) > 1 and index == len(words) - 1 and 'first' not in roles
                and morph.has_tag(word, 'Surn')):
            roles.append('first')
        else:
            roles.append('last')
    return roles


def person_gender(words: list[str], roles: list[str]) -> str | None:
    for role in ('first', 'middle'):
        for word, word_role in zip(words, roles):
            if word_role != role:
                continue
            tag = 'Name' if role == 'first' else 'Patr'
            genders = {morph.attr(_.tag, 'gender') for _ in morph.parses(word) if tag in _.tag}
            if len(genders) == 1:
                return genders.pop()
    return None


def person_case(words: list[str], roles: list[str]) -> set[str]:
    """Cases possible for every part of the name at once."""
    cases = None
    for word, role in zip(words, roles):
        if role == 'initial':
            continue
        tag = {'first': 'Name', 'middle': 'Patr', 'last': 'Surn'}[role]
        found = {morph.attr(_.tag, 'case') for _ in morph.parses(word) if tag in _.tag or (
            role == 'last' and morph.attr(_.tag, 'POS') in ('NOUN', 'ADJF'))}
        if not found:
            continue
        cases = found if cases is None else (cases & found or cases)
    return cases or {'nomn'}


def normal_person_word(word: str, role: str, gender: str | None, cases: set[str]) -> str:
    if role == 'initial' or not morph.is_cyrillic(word):
        return word
    tag = {'first': 'Name', 'middle': 'Patr', 'last': 'Surn'}[role]
    candidates = [_ for _ in morph.parses(word) if tag in _.tag]
    if role == 'last' and not candidates:
        candidates = [_ for _ in morph.parses(word) if morph.attr(_.tag, 'POS') in ('NOUN', 'ADJF')
                      and 'Name' not in _.tag and 'Patr' not in _.tag]
    if gender:
        gendered = [_ for _ in candidates if morph.attr(_.tag, 'gender') in (gender, 'Ms-f', None)]
        candidates = gendered or candidates
    in_case = [_ for _ in candidates if morph.attr(_.tag, 'case') in cases]
    candidates = in_case or candidates
    if not candidates:
        return word
    parsed = candidates[0]
    if morph.attr(parsed.tag, 'case') == 'nomn' and morph.attr(parsed.tag, 'number') != 'plur':
        return word
    if 'Fixd' in parsed.tag:
        return word
    grammemes = ['nomn', 'sing']
    if gender in ('masc', 'femn') and role in ('last', 'first'):
        grammemes.append(gender)
    form = morph.inflect_word(word, parsed, tuple(grammemes))
    if form == word:
        form = morph.inflect_word(word, parsed, ('nomn', 'sing'))
    return form


def normal_person(words: list[str]) -> tuple[list[str], tuple[str, str, str]]:
    roles = person_parts(words)
    gender = person_gender(words, roles)
    cases = person_case(words, roles)
    result, parts = [], {'first': [], 'middle': [], 'last': []}
    for word, role in zip(words, roles):
        normal = normal_person_word(word, role, gender, cases)
        result.append(normal)
        if role == 'initial':
            # `Н. Н. Петрова`: the first initial is the first name, the second the middle
            parts['first' if not parts['first'] else 'middle'].append(normal + '.')
        else:
            parts[role].append(normal)
    return result, tuple(' '.join(parts[_]) for _ in ('first', 'middle', 'last'))
