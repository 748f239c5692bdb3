"""Roles: who holds which position where, or does which job.

Reads the sentences, tokens, linked name mentions and entities; adds
`doc.roles` (`document.Role`). A position is a phrase headed by a noun of
`pipeline/data/positions.txt` (`директор`, `заместитель`, `министр`, …; kind
`position`) or of `occupations.txt` (`поэт`, `врач`, `хоккеист`; kind
`occupation`), with the adjectives before it (`генеральный директор`; not
praise such as `известный`, role_epithets.txt) and its dependants after it,
standing next to a person's mention in the same sentence:

- before the person: `заместитель губернатора Дмитрий Разумовский`,
  `директор по машинному обучению «ОКАС» Никита Логачев`, and each person
  of a list after a plural one (`игроки Максим Сопин и Михаил Тыняный`);
- after it, set off by a comma, a dash or a bracket: `Виталий Литке,
  министр образования и науки Челябинской области`;
- opening the sentence before a dash: `Министр транспорта — Андрей Соколов`;
- stated by a verb of `role_verbs.txt`: `назначен на должность главы`,
  `занимал пост министра`, `был избран председателем`, `стал тренером`,
  `назначил Петрова министром`, `Мэром избран Дэйв Бинг`, `возглавляет
  «Газпром»` (position `руководитель`);
- in the sentence before, naming a new holder: `Новый министр … . Сергей
  Петров заявил` (the next sentence opens with the full name).

The phrase runs over words, quotes and `и` only: a comma, a full stop, a
verb or another person ends it. The first organisation inside the phrase
(else the first place) is where the position is held; the position as
written stops where that name begins (`руководитель центра «IT-куб»
города Владикавказа` → position `руководитель центра`, organisation
`IT-куб`). `position_normal` puts the head and its adjectives in the
nominative (`заместителя губернатора` → `заместитель губернатора`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from pipeline.document import Document, Role
from pipeline.lang import morph
from pipeline.lang.text import DASH_MARKS, QUOTE_MARKS, fold_word, fold_yo
from pipeline.lang.words import words

MAX_WORDS = 12          # longest position phrase, in tokens
QUOTES = QUOTE_MARKS
DASHES = DASH_MARKS
JOINERS = {'и'}          # `министр образования и науки`
AGE = re.compile(r'\d+-(летн|лет)\w*')         # `75-летний`
INDECLINABLE_ENDS = set('еиоуэю')
STOP_WORDS = {'который', 'которая', 'которое', 'которые', 'это', 'как', 'что', 'также', 'а', 'но', 'или'}


@lru_cache(maxsize=1)
def occupations() -> frozenset[str]:
    """Heads whose roles are of kind `occupation` (`поэт`, `врач`): pipeline/data/occupations.txt."""
    return frozenset(fold_word(row[0]) for row in words('occupations'))


@lru_cache(maxsize=1)
def heads() -> frozenset[str]:
    return frozenset(fold_word(row[0]) for row in words('positions')) | occupations()


def kind_of(word: str) -> str:
    """`occupation` when the head `word` is one (`поэтом`), else `position`."""
    found = head_parse(word)
    lemma = found.normal_form if found not in (None, True) else word.lower()
    lemma = fold_word(lemma)
    for prefix in ('экс-', 'экс'):
        if lemma.startswith(prefix) and lemma[len(prefix):] in heads():
            lemma = lemma[len(prefix):]
    return 'occupation' if lemma in occupations() else 'position'


def head_parse(word: str):
    """The parse of `word` as a position noun, or None (`после` is no `посол`)."""
    folded = fold_word(word)
    if any(morph.attr(_.tag, 'POS') in ('PREP', 'CONJ', 'ADVB') for _ in morph.parses(word)):
        return None
    for prefix in ('экс-', 'экс'):                  # `Экс-председатель`: the position once held
        if folded.startswith(prefix) and len(folded) > len(prefix) + 3:
            return head_parse(word[len(prefix):])
    if folded in heads():
        found = morph.parses(word)
        noun = next((_ for _ in found if morph.attr(_.tag, 'POS') == 'NOUN'), None)
        return noun or (found[0] if found else None) or True
    for parsed in morph.parses(word):
        if morph.attr(parsed.tag, 'POS') == 'NOUN' and fold_yo(parsed.normal_form) in heads():
            return parsed
    return None


def is_adjective(word: str) -> bool:
    """`генеральный`, `первый`, `исполнительный`: may stand before a head (`наш`, `свой`, `её` may not)."""
    found = morph.parses(word)
    if not found or any('Apro' in _.tag or morph.attr(_.tag, 'POS') == 'NPRO' for _ in found):
        return False
    return morph.attr(found[0].tag, 'POS') in ('ADJF', 'NUMR')


@lru_cache(maxsize=1)
def epithets() -> frozenset[str]:
    return frozenset(row[0] for row in words('role_epithets'))


def is_epithet(word: str) -> bool:
    """`известный`, `легендарный`: describes the person, not the post (pipeline/data/role_epithets.txt)."""
    return any(_.normal_form in epithets() for _ in morph.parses(word) if morph.attr(_.tag, 'POS') == 'ADJF')


def adjective_only(word: str) -> bool:
    found = morph.parses(word)
    return bool(found) and all(morph.attr(_.tag, 'POS') in ('ADJF', 'PRTF') for _ in found)


def is_barrier(word: str) -> bool:
    """A token that ends a position phrase."""
    if word in QUOTES or word in JOINERS:
        return False
    if not any(_.isalnum() for _ in word):
        return word not in ('-',)
    if word.lower() in STOP_WORDS:
        return True
    found = morph.parses(word)
    return bool(found) and morph.attr(found[0].tag, 'POS') in ('VERB', 'INFN', 'GRND', 'PRTS', 'CONJ', 'PRCL')


def normal_phrase(tokens, text: str, head_index: int) -> str:
    """The phrase with the head and the adjectives before it in the nominative; the rest as written."""
    parts = []
    head = head_parse(tokens[head_index].text)
    gender = 'masc'
    if head is not True and head is not None:
        lemma_parse = next((_ for _ in morph.parses(head.normal_form)
                            if morph.attr(_.tag, 'POS') == 'NOUN'), None)
        gender = (morph.attr(lemma_parse.tag, 'gender') if lemma_parse else None) or 'masc'
    for index, token in enumerate(tokens):
        word = token.text
        if index < head_index:
            found = morph.parses(word)
            adjective = next((_ for _ in found if morph.attr(_.tag, 'POS') == 'ADJF'), None)
            if adjective is not None:
                word = morph.inflect_word(word, adjective,
                                          ('nomn', 'sing', gender if gender != 'Ms-f' else 'masc'))
        elif index == head_index and head is not True and head is not None:
            if morph.attr(head.tag, 'POS') in ('ADJF', 'PRTF'):      # `управляющего` → `управляющий`
                word = morph.inflect_word(word, head, ('nomn', 'sing'))
            elif 'Fixd' not in head.tag:
                prefix = word[:len(word) - len(head.word)] if word.lower().startswith('экс') else ''
                word = prefix + morph.restore_case(word[len(prefix):], morph.keep_yo(word, head.normal_form))
        if index == 0 and word[:1].isupper() and not word.isupper():
            # `Президента РФ` → `президент`, `Генеральный` → `генеральный`
            word = word[:1].lower() + word[1:]
        parts.append(word)
    out = ''
    for index, token in enumerate(tokens):
        if index:
            out += ' ' if tokens[index - 1].stop < token.start else ''
        out += parts[index]
    return out


def cases(word: str, heads_only: bool = False) -> set[str]:
    """The cases `word` may stand in (a position word: in its readings as a position)."""
    found = morph.parses(word)
    if heads_only:
        found = [_ for _ in found if fold_yo(_.normal_form) in heads()] or found
    if any('Fixd' in _.tag for _ in found) or not morph.is_cyrillic(word):
        return set()
    return {morph.attr(_.tag, 'case') for _ in found if morph.attr(_.tag, 'case')}


def in_dictionary(word: str) -> bool:
    """A word the dictionary knows as it is (`Хелле`, `Адзума` are only guessed from their endings)."""
    return any(morph.in_dictionary(_) and len(_.methods_stack) == 1 for _ in morph.parses(word))


def agrees(head_word: str, person_word: str) -> bool:
    """The position and the name stand in one case (`Помощник … Путина`, `представителями Путина` do not).
    A name out of the dictionary ending in a vowel (`Хелле`, `Пьеро`) may be indeclinable: any case."""
    head, person = cases(head_word, True), cases(person_word)
    if person_word[-1:].lower() in INDECLINABLE_ENDS and not in_dictionary(person_word):
        person = set()
    for case, alike in (('gent', 'gen2'), ('loct', 'loc2'), ('accs', 'acc2')):
        for found in (head, person):
            if alike in found:
                found.add(case)
    return not head or not person or bool(head & person)


def plural_here(head_word: str, person_word: str) -> bool:
    """The position reads as a plural in every case the name may stand in (`актрисы Сергей`: nominative
    plural, not genitive singular)."""
    person = cases(person_word)
    found = [_ for _ in morph.parses(head_word) if fold_word(_.normal_form) in heads()
             and morph.attr(_.tag, 'case') in person]
    return bool(found) and all(morph.attr(_.tag, 'number') == 'plur' for _ in found)


def listed(tokens, at: int, people: dict[int, int]) -> bool:
    """The person at token `at` opens a list of people (`игроки Максим Сопин и Михаил Тыняный`,
    `руководители «Кванториума» Светлана Макаренко, «IT-куба» Алла Калиниченко`)."""
    index = at
    while index + 1 < len(tokens) and people.get(tokens[index + 1].start) == people.get(tokens[at].start):
        index += 1
    return index + 1 < len(tokens) and tokens[index + 1].text in (',', 'и') \
        and any(_.start in people for _ in tokens[index + 2:index + 2 + MAX_WORDS])


def plural_only(word: str) -> bool:
    found = [_ for _ in morph.parses(word) if fold_yo(_.normal_form) in heads()]
    return bool(found) and all(morph.attr(_.tag, 'number') == 'plur' for _ in found)


def places_in(doc: Document, start: int, stop: int, person: int) -> list[int]:
    """Indexes of ORG/LOC mentions lying inside [start, stop)."""
    return [index for index, mention in enumerate(doc.mentions)
            if mention.type in ('ORG', 'LOC') and mention.entity is not None
            and start <= mention.start and mention.stop <= stop]


def make_role(doc: Document, tokens, head_index: int, person_entity: int,
              evidence: tuple[int, int]) -> Role | None:
    """A Role from the phrase tokens (adjectives, head, dependants)."""
    start, stop = tokens[0].start, tokens[-1].stop
    inside = places_in(doc, tokens[head_index].stop, stop, person_entity)
    orgs = [_ for _ in inside if doc.mentions[_].type == 'ORG']
    chosen = (orgs or inside or [None])[0]
    org = doc.mentions[chosen].entity if chosen is not None else None
    cut = len(tokens)
    if chosen is not None:
        first = min(doc.mentions[_].start for _ in inside)
        cut = next((index for index, token in enumerate(tokens) if token.stop > first), len(tokens))
        while cut > 0 and tokens[cut - 1].text in QUOTES:
            cut -= 1
    kept = list(tokens[:max(cut, head_index + 1)])
    while len(kept) > head_index + 1 and (kept[-1].text in QUOTES | JOINERS | DASHES
                                          or morph.has_tag(kept[-1].text, 'PREP')
                                          or (chosen is not None and len(kept) < len(tokens)
                                              and adjective_only(kept[-1].text))):
        kept.pop()   # `руководители владикавказского «Кванториума»`: the adjective goes with the name
    position = doc.text[kept[0].start:kept[-1].stop]
    return Role(person=person_entity, position=position,
                position_normal=normal_phrase(kept, doc.text, head_index),
                org=org, start=min(evidence[0], start), stop=max(evidence[1], stop),
                kind=kind_of(tokens[head_index].text))


def covered(doc: Document, kinds=('PER',)) -> dict[int, int]:
    """Token start offset → index of the mention of `kinds` covering it."""
    found = {}
    for index, mention in enumerate(doc.mentions):
        if mention.type in kinds:
            for token in doc.tokens_in(mention.start, mention.stop):
                found[token.start] = index
    return found


def before(doc: Document, tokens, at: int, people: dict[int, int], names: dict[int, int]):
    """The position phrase ending right before token `at`: (tokens, head index) or None."""
    head = None
    lo = at
    index = at - 1
    while index >= 0 and at - 1 - index < MAX_WORDS:
        token = tokens[index]
        if token.text == ')':       # `президент Международного олимпийского комитета (МОК) Томас Бах`
            opening = next((_ for _ in range(index - 1, max(-1, index - 4), -1) if tokens[_].text == '('),
                           None)
            if opening is None or index - opening < 2 or any(
                    _.start in people or not _.text[:1].isalnum() for _ in tokens[opening + 1:index]):
                break
            lo, index = opening, opening - 1
            continue
        if token.start in people or is_barrier(token.text):
            break
        if token.text in DASHES:
            break
        if head_parse(token.text) is not None and token.start not in names:
            head = index
        lo = index
        index -= 1
    if head is None or (head > 0 and tokens[head - 1].text.lower() in ('в', 'во')):
        return None
    if not agrees(tokens[head].text, tokens[at].text):
        return None
    if plural_here(tokens[head].text, tokens[at].text) and not listed(tokens, at, people):
        return None          # `муж актрисы Сергей Сенин`: `актрисы` names someone else
    start = head
    while start > 0 and start - 1 >= lo - 3 and not is_barrier(tokens[start - 1].text) \
            and tokens[start - 1].start not in people and tokens[start - 1].start not in names \
            and is_adjective(tokens[start - 1].text) and not is_epithet(tokens[start - 1].text) \
            and head_parse(tokens[start - 1].text) is None:
        start -= 1
    return tokens[start:at], head - start


def dash_before(doc: Document, tokens, at: int, people: dict[int, int], names: dict[int, int]):
    """`Министр обороны — Андрей Соколов`, `(режиссёр — Олег Смирнов)`: a position opening the sentence
    or a bracket, a dash, then the person at token `at`: (tokens, head index) or None."""
    if at < 2 or tokens[at - 1].text not in DASHES:
        return None
    found = before(doc, tokens, at - 1, people, names)
    if found is None:
        return None
    phrase, head = found
    start = next(index for index, token in enumerate(tokens) if token is phrase[0])
    if start and tokens[start - 1].text not in ('(', ':', ';'):
        return None
    if 'nomn' not in cases(phrase[head].text, True) or not agrees(phrase[head].text, tokens[at].text):
        return None
    return phrase, head


def after(doc: Document, tokens, at: int, people: dict[int, int]):
    """The position phrase right after the person's last token `at` (after `,`, `–` or `(`)."""
    index = at + 1
    if index >= len(tokens) or tokens[index].text not in {',', '('} | DASHES:
        return None
    index += 1
    start = index
    while index < len(tokens) and index - start < 3 and is_adjective(tokens[index].text) \
            and head_parse(tokens[index].text) is None:
        index += 1
    if index >= len(tokens) or head_parse(tokens[index].text) is None:
        return None
    head = index
    stop = head + 1
    while stop < len(tokens) and stop - start < MAX_WORDS and tokens[stop].start not in people \
            and not is_barrier(tokens[stop].text) and tokens[stop].text not in DASHES:
        stop += 1
    if stop < len(tokens) and tokens[stop].start in people:
        return None          # `Алексей Скляр, директор … Михаил Петров`: the position is the next person's
    first = next((_ for _ in range(at, -1, -1) if _ == 0 or tokens[_ - 1].start not in people), at)
    if not agrees(tokens[head].text, tokens[first].text) or plural_only(tokens[head].text):
        return None          # `Дмитрия Медведева, депутаты …`, `Хлопонин, представители …`
    return tokens[start:stop], head - start


def shared_role(doc: Document, tokens, by_start, at: int, shared: tuple, person: int, stop: int,
                people: dict[int, int]) -> Role | None:
    """`руководители владикавказского «Кванториума» Светлана Макаренко, моздокского «Кванториума» Мурад
    Джахаев и центра «IT-куб» Алла Калиниченко`: a plural position shared by a list of people, each
    with their own organisation between `,`/`и` and the name; with nothing but `,`/`и` between
    (`игроки Максим Сопин и Михаил Тыняный`), the first one's organisation."""
    role, previous_stop = shared
    gap = [_ for _ in tokens if previous_stop <= _.start and _.stop <= tokens[at].start]
    if not gap or gap[0].text not in (',', 'и') or len(gap) > MAX_WORDS:
        return None
    if all(_.text in (',', 'и') for _ in gap) and len(gap) <= 2:
        return replace(role, person=person, stop=stop)
    if any(_.start in people or (is_barrier(_.text) and _ is not gap[0]) for _ in gap):
        return None
    inside = places_in(doc, gap[0].stop, tokens[at].start, person)
    orgs = [_ for _ in inside if doc.mentions[_].type == 'ORG'] or inside
    if not orgs:
        return None
    return Role(person=person, position=role.position, position_normal=role.position_normal,
                org=doc.mentions[orgs[0]].entity, start=role.start, stop=stop, kind=role.kind)


# ---------------------------------------------------------------- roles stated by a verb

# `назначен на пост главы`, `занимал должность министра`, `исполняет обязанности главы`, `ушёл с поста`
POSTS = {'пост', 'должность', 'обязанность'}
POST_PREPOSITIONS = {'на', 'с', 'со', 'в'}
VERB_PHRASE_ENDS = {'в', 'во', 'с', 'со', 'до', 'после', 'на', 'за', 'от', 'из', 'к', 'у', 'год', 'года'}
POSSESSIVES = {'свой', 'своим', 'своей', 'своего', 'своему', 'своём', 'своем', 'свою', 'своими',
               'его', 'её', 'ее', 'их'}
LEADS = 'руководитель'                  # `возглавляет «Газпром»`: the person leads it


@lru_cache(maxsize=1)
def role_verbs() -> dict[str, str]:
    return {row[0]: row[1] for row in words('role_verbs')}


@lru_cache(maxsize=20_000)
def role_verb(word: str) -> tuple[str, bool] | None:
    """(how, passive) of a verb of pipeline/data/role_verbs.txt (`назначен` → appoint, passive), or None."""
    for parsed in morph.parses(word):
        pos = morph.attr(parsed.tag, 'POS')
        if pos in ('VERB', 'PRTS') and parsed.normal_form in role_verbs():
            return role_verbs()[parsed.normal_form], pos == 'PRTS'
    return None


def is_post(word: str) -> bool:
    return any(_.normal_form in POSTS for _ in morph.parses(word) if morph.attr(_.tag, 'POS') == 'NOUN')


def verb_phrase(tokens, start: int, people: dict[int, int], case: str):
    """The position from token `start` on, its head in `case`: `новым главным тренером «Зенита»`
    (ablt after `стал`), `министра финансов` (gent after `пост`): (tokens, head index) or None."""
    while start < len(tokens) and (is_epithet(tokens[start].text)
                                   or tokens[start].text.lower() in POSSESSIVES):
        start += 1          # `назначил своим советником`: the position is `советник`
    index = start
    while index < len(tokens) and index - start < 3 and tokens[index].start not in people \
            and is_adjective(tokens[index].text) and head_parse(tokens[index].text) is None:
        index += 1
    if index >= len(tokens) or tokens[index].start in people or head_parse(tokens[index].text) is None:
        return None
    if case not in cases(tokens[index].text, True):
        return None
    head, stop = index, index + 1
    while stop < len(tokens) and stop - start < MAX_WORDS and tokens[stop].start not in people \
            and not is_barrier(tokens[stop].text) and tokens[stop].text not in DASHES \
            and tokens[stop].text.lower() not in VERB_PHRASE_ENDS and not tokens[stop].text[:1].isdigit():
        stop += 1
    return tokens[start:stop], head - start


def phrase_before_verb(tokens, verb: int, people: dict[int, int]):
    """`Мэром Детройта избран …`, `Новым главкомом назначен …`: the position in the instrumental
    right before the verb: (tokens, head index) or None."""
    lo = verb
    while lo > 0 and verb - lo < MAX_WORDS and tokens[lo - 1].start not in people \
            and not is_barrier(tokens[lo - 1].text) and tokens[lo - 1].text not in DASHES:
        lo -= 1
    for index in range(lo, verb):
        if head_parse(tokens[index].text) is not None and 'ablt' in cases(tokens[index].text, True):
            start = index
            while start > lo and is_adjective(tokens[start - 1].text) \
                    and not is_epithet(tokens[start - 1].text):
                start -= 1
            return tokens[start:verb], index - start
    return None


def stated_position(tokens, at: int, how: str, people: dict[int, int]):
    """The position a verb states from token `at` on: `министром`, `на пост главы`, `пост министра`,
    `на посту главы`, `в качестве тренера`."""
    index = at + (1 if at < len(tokens) and tokens[at].text.lower() in POST_PREPOSITIONS else 0)
    if index < len(tokens) and is_post(tokens[index].text):
        return verb_phrase(tokens, index + 1, people, 'gent')
    if index == at + 1 and tokens[at].text.lower() == 'в' and tokens[index].text.lower() == 'качестве':
        return verb_phrase(tokens, index + 1, people, 'gent')
    if how == 'hold' or index != at:
        return None
    return verb_phrase(tokens, at, people, 'ablt')


def nominative(tokens, first: int) -> bool:
    found = cases(tokens[first].text)
    return not found or 'nomn' in found


def subject_before(tokens, verb: int, spans: list[tuple[int, int, int]]) -> tuple[int, int, int] | None:
    """The person right before the verb (`Иван Петров был назначен`, `Петров в 2010 году занимал`): up to
    four words between, `быть` or words that end no clause (no comma, verb, conjunction, other subject)."""
    for first, last, mention in sorted(spans, key=lambda _: -_[1]):
        if last >= verb:
            continue
        between = tokens[last + 1:verb]
        if len(between) <= 4 and nominative(tokens, first) and all(
                morph.lemma(_.text) == 'быть' or (not is_barrier(_.text) and _.text not in QUOTES | DASHES
                and (not _.text.isalpha() or 'nomn' not in cases(_.text) or 'accs' in cases(_.text)))
                for _ in between):
            return first, last, mention
        return None
    return None


def person_after(tokens, at: int, spans: list[tuple[int, int, int]], case: str):
    """The person a few words after token `at` (`избран легендарный баскетболист Дэйв Бинг`, `стал лидер
    консерваторов Дэвид Кэмерон`): adjectives, ages, position nouns and their genitives between."""
    for first, last, mention in sorted(spans):
        if first < at:
            continue
        between = tokens[at:first]
        if len(between) <= 4 and all(is_adjective(_.text) or head_parse(_.text) is not None
                                     or AGE.fullmatch(_.text) or (index and 'gent' in cases(_.text)
                                     and head_parse(between[index - 1].text) is not None)
                                     for index, _ in enumerate(between)):
            found = cases(tokens[first].text) if in_dictionary(tokens[first].text) else set()
            if not found or case in found:      # a foreign name out of the dictionary: any case
                return first, last, mention
        return None
    return None


def verb_roles(doc: Document, tokens, spans: list[tuple[int, int, int]],
               people: dict[int, int]) -> list[Role]:
    """Roles a verb states in one sentence: `Иван Петров назначен на должность главы`, `занимал пост
    министра`, `был избран председателем`, `стал тренером`, `Мэром избран Дэйв Бинг`, `назначил Петрова
    министром`, `возглавляет «Газпром»`. `spans` are the sentence's people as (first, last token, mention)."""
    roles = []
    for verb, token in enumerate(tokens):
        found = role_verb(token.text)
        if found is None:
            continue
        how, passive = found
        if how == 'lead':
            who = subject_before(tokens, verb, spans)
            orgs = [index for index, mention in enumerate(doc.mentions) if mention.type == 'ORG'
                    and mention.entity is not None and token.stop < mention.start
                    and len(doc.tokens_in(token.stop, mention.start)) <= 2]
            if who is not None and orgs:
                mention = doc.mentions[who[2]]
                org = doc.mentions[orgs[0]]
                roles.append(Role(person=mention.entity, position=token.text, position_normal=LEADS,
                                  org=org.entity, start=mention.start, stop=org.stop))
            continue
        if how == 'appoint' and not passive:          # `назначил Петрова министром`: the object holds it
            who = person_after(tokens, verb + 1, spans, 'accs')
            phrase = stated_position(tokens, who[1] + 1, how, people) if who else None
            if phrase is None:                          # `назначил министром генерала Петрова`
                phrase = stated_position(tokens, verb + 1, how, people)
                who = person_after(tokens, verb + 1 + len(phrase[0]), spans, 'accs') if phrase else None
        else:
            phrase = stated_position(tokens, verb + 1, how, people)
            who = subject_before(tokens, verb, spans)
            if phrase is None and how in ('appoint', 'become'):
                phrase = phrase_before_verb(tokens, verb, people)
                who = person_after(tokens, verb + 1, spans, 'nomn') if phrase else None
            elif who is None and phrase is not None:
                who = person_after(tokens, verb + 1 + len(phrase[0]), spans, 'nomn')
        if who is None or phrase is None:
            continue
        mention = doc.mentions[who[2]]
        role = make_role(doc, phrase[0], phrase[1], mention.entity, (mention.start, mention.stop))
        if role is not None:
            roles.append(role)
    return roles


def next_sentence_role(doc: Document, number: int, people: dict[int, int]) -> Role | None:
    """`Новый министр … . Сергей Петров заявил`: a sentence without people naming a new holder of a
    position, and the next sentence opening with a person's full name."""
    if number + 1 >= len(doc.sentences):
        return None
    tokens = doc.tokens_in(doc.sentences[number].start, doc.sentences[number].stop)
    following = doc.tokens_in(doc.sentences[number + 1].start, doc.sentences[number + 1].stop)
    if not following or following[0].start not in people or any(_.start in people for _ in tokens):
        return None
    mention = doc.mentions[people[following[0].start]]
    if mention.entity is None or len(doc.tokens_in(mention.start, mention.stop)) < 2:
        return None
    for index, token in enumerate(tokens[:-1]):
        if morph.lemma(token.text) == 'новый' and 'nomn' in cases(token.text):
            phrase = verb_phrase(tokens, index + 1, {}, 'nomn')
            if phrase is not None:
                return make_role(doc, phrase[0], phrase[1], mention.entity, (mention.start, mention.stop))
    return None


def run(doc: Document, res=None) -> Document:
    people, names = covered(doc), covered(doc, ('ORG', 'LOC'))
    roles: list[Role] = []
    seen = set()
    shared = None     # (role with a plural head, where its last person ends): `руководители A X, B Y и C Z`
    by_sentence: dict[int, list] = {}
    for mention in sorted(doc.mentions, key=lambda _: _.start):
        if mention.type == 'PER' and mention.entity is not None:
            by_sentence.setdefault(doc.sentence_of(mention.start), []).append(mention)
    for number, sentence in enumerate(doc.sentences):
        if number not in by_sentence:
            continue
        tokens = doc.tokens_in(sentence.start, sentence.stop)
        if not tokens:
            continue
        by_start = {token.start: index for index, token in enumerate(tokens)}
        for mention in by_sentence[number]:
            inside = [by_start[_.start] for _ in doc.tokens_in(mention.start, mention.stop)
                      if _.start in by_start]
            if not inside:
                continue
            first, last = inside[0], inside[-1]
            added = False
            for found, evidence in ((before(doc, tokens, first, people, names),
                                     (mention.start, mention.stop)),
                                    (after(doc, tokens, last, people), (mention.start, mention.stop)),
                                    (dash_before(doc, tokens, first, people, names),
                                     (mention.start, mention.stop))):
                if found is None:
                    continue
                phrase, head = found
                role = make_role(doc, phrase, head, mention.entity, evidence)
                if role is not None and (role.person, role.start) not in seen:
                    seen.add((role.person, role.start))
                    roles.append(role)
                    added = True
                    if plural_only(phrase[head].text) and role.stop == mention.stop:
                        shared = (role, mention.stop)
            if not added and shared is not None and sentence.start <= shared[0].start:
                role = shared_role(doc, tokens, by_start, first, shared, mention.entity, mention.stop, people)
                if role is not None:
                    roles.append(role)
                    shared = (shared[0], mention.stop)
        spans = []      # (first token, last token, mention index) of the sentence's people
        for mention in by_sentence[number]:
            own = doc.tokens_in(mention.start, mention.stop)
            inside = [by_start[_.start] for _ in own if _.start in by_start]
            if inside:
                spans.append((inside[0], inside[-1], people[own[0].start]))
        for role in verb_roles(doc, tokens, spans, people):
            if not any(_.person == role.person and _.start <= role.stop and role.start <= _.stop
                       and _.position_normal == role.position_normal for _ in roles):
                roles.append(role)
    for number in range(len(doc.sentences) - 1):
        if number + 1 in by_sentence and number not in by_sentence:
            role = next_sentence_role(doc, number, people)
            if role is not None:
                roles.append(role)
    doc.roles = sorted(roles, key=lambda _: (_.start, _.stop))
    return doc
