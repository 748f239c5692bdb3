"""Repair: tidy the tagger's ORG and LOC spans and types, add the places it missed.

Reads the ORG/LOC mentions of `ner` and `doc.tokens`; replaces them with
repaired ones (a new or changed mention gets `source='rule:orgs'`) and adds
places and organisations from the gazetteer (`rules/places.py`):

- a span is cut at list and bracket marks (`Монако • Намибия`,
  `Комитет защиты журналистов (КЗЖ)` → two mentions, linked later), loose
  marks at its edges are dropped (`Бенин) •`, `ПАСЕ (`);
- types from word lists: `Евросоюз`, `Кремль`, `ЕС` are organisations,
  `МКС` and a country named as an actor (`Россия заявила`) places, `СМИ` no
  name (`name_types.txt`, `org_names.txt`, `places.txt`);
- a name after a word of a craft, event or work is no organisation
  (`шаттл «Дискавери»`, `форум START`), and neither is the same name
  elsewhere in the article; after a word of a place it is a place
  (`аэропорту «Домодедово»`);
- no mention is a lone word that can be no name: a verb, adjective or
  pronoun (`Распечатать`, `Южная`, `Её`), a common noun opening a sentence
  (`Отчёт`, `Замглавы`), a bare descriptor (`ИТ-компании`, `Колледжа`), a
  web platform in a page's navigation (`Администрация Обнинска в Телеграме`);
- a place the tagger missed is found in the gazetteer (`чемпионом Европы`,
  `Голос Америки`), and so is an organisation known by its name (`ЕС`);
- a place's descriptor joins its span (`реки Славянки`, `лондонском районе
  Тоттенхэм`, `города Тюмени`).

Runs after `ner`; `rules.orgs` then builds organisations on these spans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.document import Document, Mention
from pipeline.lang import morph, places
from pipeline.lang.places import fold, lemmas
from pipeline.lang.spans import (
    NAME_TAGS,
    QUOTE_CHARS,
    SEPARATORS,
    SOURCE,
    Span,
    Tokens,
    agrees,
    cases,
    covered,
    fixed,
    has_name_tag,
    in_dictionary,
    is_abbreviation,
    is_latin,
    is_word,
    one_per_stretch,
    parses,
    person_spans,
    pieces,
    pos_set,
    quote_pairs,
    to_mentions,
    to_spans,
    words_of,
)

PRESS = frozenset({'пресс-служба', 'пресс-центр', 'пресс-секретарь'})
SEPARATOR_CHARS = frozenset(SEPARATORS)
# place descriptors that hold smaller places: the name after them is theirs
# only in the nominative (`района Отрадное`, not `района Москвы`)
CONTAINERS = frozenset({'район', 'округ', 'регион', 'штат', 'провинция', 'префектура', 'графство', 'кантон',
                        'квартал', 'микрорайон'})


def people_as_places(doc: Document, tokens: Tokens,
                     others: list[Mention]) -> tuple[list[Mention], list[Span]]:
    """A PER span that is only countries of the gazetteer is places (`Эль Сальвадор • Эфиопия`)."""
    kept, found = [], []
    for mention in others:
        if mention.type != 'PER' or not (SEPARATOR_CHARS & set(mention.text)
                                         or places.lookup(mention.text.split()) is not None):
            kept.append(mention)
            continue
        span = person_spans(doc, tokens, [mention])
        parts = pieces(tokens, span[0]) if span else []
        if parts and all((places.lookup(words_of(tokens, _)) or _NO_ENTRY).type == 'LOC' for _ in parts):
            found += [Span(_.first, _.last, 'LOC') for _ in parts]
        else:
            kept.append(mention)
    return kept, found


class _NoEntry:
    type = None


_NO_ENTRY = _NoEntry()


# ---------------------------------------------------------------- types

def listed_entry(tokens: Tokens, span: Span):
    return places.lookup(words_of(tokens, span))


def cut_at_preposition(tokens: Tokens, span: Span) -> None:
    for index in range(span.first + 1, span.last + 1):
        text = tokens.texts[index]
        if text.islower() and any(morph.attr(_.tag, 'POS') == 'PREP' for _ in parses(text)):
            span.last = index - 1
            span.source = SOURCE
            return


def listed_type(tokens: Tokens, span: Span) -> str | None:
    """ORG, LOC or `-` when a word list knows the name; None otherwise."""
    texts = words_of(tokens, span)
    table = places.name_types()
    for key in places.keys_of(texts):
        if key in table:
            return table[key]
    entry = places.lookup(texts)
    return entry.type if entry is not None else None


def descriptor_before(tokens: Tokens, span: Span, pairs: dict[int, int]) -> int | None:
    """Index of the word just before the span or before its opening quote."""
    index = span.first - 1
    if index >= 0 and tokens.texts[index] in QUOTE_CHARS and pairs.get(index, -1) >= span.last - 1:
        index -= 1
    elif tokens.texts[span.first] in QUOTE_CHARS:
        index = span.first - 1
    if index < 0 or not tokens.joined(index, index + 1) or not is_word(tokens.texts[index]):
        return None
    return index


def junk(tokens: Tokens, span: Span) -> bool:
    """A lone word that can be no name."""
    texts = words_of(tokens, span)
    if len(texts) != 1 or span.last != span.first:
        return False
    word = texts[0]
    if not morph.is_cyrillic(word) or is_abbreviation(word) or has_name_tag(word) or not in_dictionary(word):
        return False
    kinds = pos_set(word)
    if 'NOUN' not in kinds:
        return True                       # Распечатать, Южная, Её
    if places.descriptor(word, 'state'):
        return False                      # Правительство: rules.orgs decides
    return tokens.sentence_start(span.first)  # Отчёт, Замглавы, Почта opening a line


def bare_descriptor(tokens: Tokens, span: Span) -> bool:
    """`ИТ-компании`, `Колледжа`: only a generic word of an organisation, no name."""
    texts = [tokens.texts[_] for _ in range(span.first, span.last + 1)]
    if len(texts) > 1 or any(not morph.is_cyrillic(_) or is_abbreviation(_) for _ in texts):
        return False                      # `Футбольная ассоциация` opening a sentence may be a name
    head = texts[-1]
    return places.descriptor(head, 'org') and not places.descriptor(head, 'state') \
        and (in_dictionary(head) or '-' in head)


def person_noun(word: str) -> bool:
    """`Воспитанники`, `Замглавы`: a common noun of people (it opens no organisation's name)."""
    nouns = [_ for _ in parses(word) if morph.attr(_.tag, 'POS') == 'NOUN']
    return bool(nouns) and all('anim' in _.tag and morph.in_dictionary(_) and not any(
        tag in _.tag for tag in NAME_TAGS) for _ in nouns) and not places.descriptor(word, 'org')


def common_noun(word: str) -> bool:
    """`Доклад` (`Доклад КЗЖ опубликован`): a dictionary noun that names no organisation."""
    nouns = [_ for _ in parses(word) if morph.attr(_.tag, 'POS') == 'NOUN']
    return (bool(nouns)
            and all(morph.in_dictionary(_) and not any(tag in _.tag for tag in NAME_TAGS) for _ in nouns)
            and not any(places.descriptor(word, _) for _ in ('org', 'state', 'unit')))


def trim_heads(tokens: Tokens, span: Span) -> None:
    """`Воспитанники детского технопарка «Кванториум»` → `детского технопарка «Кванториум»`;
    `Пресс-служба Правительства Калужской области` → `Правительства Калужской области`."""
    while span.first < span.last:
        word = tokens.texts[span.first]
        following = tokens.texts[span.first + 1]
        if person_noun(word) or (places.noun_lemmas(word) & PRESS and following[:1].isupper()) or (
                tokens.sentence_start(span.first) and common_noun(word) and (
                    is_abbreviation(following) or is_latin(following) or following in QUOTE_CHARS)):
            span.first += 1
            span.source = SOURCE
            continue
        break


def navigation_line(tokens: Tokens, index: int) -> bool:
    """A short line with no sentence mark: a page's menu (`Администрация Обнинска в Телеграме`)."""
    line = tokens.lines[index]
    members = [i for i in range(max(0, index - 40), min(len(tokens), index + 40)) if tokens.lines[i] == line]
    return not any(tokens.texts[_] in '.!?' for _ in members)


def platform(tokens: Tokens, span: Span) -> bool:
    texts = words_of(tokens, span)
    return (len(texts) == 1 and bool(lemmas(texts[0]) & places.platforms())
            and navigation_line(tokens, span.first))


# ---------------------------------------------------------------- places

def extend_place(tokens: Tokens, span: Span, spans: list[Span]) -> None:
    """`реки Славянки`, `штата Аризона`, `лондонском районе Тоттенхэм`, `станция метро Московская`."""
    first = span.first
    if tokens.texts[first] in QUOTE_CHARS:
        return
    name_cases = cases(tokens.texts[first], ('NOUN', 'ADJF'))
    nominative = 'nomn' in name_cases or fixed(tokens.texts[first]) or not in_dictionary(tokens.texts[first])
    taken = 0
    index = first - 1
    while index >= 0 and taken < 2 and tokens.adjacent(index, index + 1):
        word = tokens.texts[index]
        if not places.place_descriptor(word) \
                or (tokens.capitalised(index) and not tokens.sentence_start(index)):
            break
        if covered(spans, index, index):
            break
        nouns = places.noun_lemmas(word)
        if nouns & CONTAINERS and not nominative:
            break
        if not any(morph.attr(_.tag, 'number') == 'sing' for _ in parses(word)
                   if fold(_.normal_form) in places.place_descriptors()) and word not in ('г.',):
            break                         # `городов Российской Федерации`: many places, not this one's kind
        if not nominative and not (cases(word) & name_cases) and word not in ('г.',):
            break
        first = index
        taken += 1
        index -= 1
    if first == span.first:
        return
    head = tokens.texts[first]
    index = first - 1
    while index >= 0 and tokens.adjacent(index, index + 1) and agrees(tokens.texts[index], head) \
            and place_adjective(tokens.texts[index]) and not covered(spans, index, index):
        first = index                     # `лондонском районе`, not `маленьком городке`
        index -= 1
    span.first = first
    span.source = SOURCE


def place_adjective(word: str) -> bool:
    """An adjective made from a name: `лондонском`, `голландском`, `столичном`, `Вашингтонском`."""
    if places.place_of_adjective(word) is not None or word[:1].isupper():
        return True
    return any(morph.attr(_.tag, 'POS') == 'ADJF' and _.normal_form.endswith(('ский', 'цкий', 'ской'))
               for _ in parses(word))


def gazetteer_spans(tokens: Tokens, spans: list[Span]) -> list[Span]:
    """Places and organisations of the gazetteer the tagger left untagged."""
    found = []
    index_of = places.first_words()
    places_or_people = {_ for span in spans if span.type != 'ORG' for _ in range(span.first, span.last + 1)}
    index = 0
    while index < len(tokens):
        text = tokens.texts[index]
        if not text[:1].isupper() or index in places_or_people or not places.may_name(text):
            index += 1
            continue
        match = None
        for lemma in lemmas(text):
            for key, entry in index_of.get(lemma, ()):
                last = index + len(key) - 1
                if last >= len(tokens) or (match and len(key) <= match[1] - index + 1):
                    continue
                inside = ('LOC', 'PER') if entry.type == 'LOC' else ('ORG', 'LOC', 'PER')
                if all(tokens.adjacent(_, _ + 1) for _ in range(index, last)) and all(
                        key[offset] in lemmas(tokens.texts[index + offset]) for offset in range(len(key))) \
                        and not covered(spans, index, last, inside):
                    match = (index, last, entry)
        if match and acceptable(tokens, *match):
            found.append(Span(match[0], match[1], match[2].type))
            index = match[1] + 1
            continue
        index += 1
    return found


def acceptable(tokens: Tokens, first: int, last: int, entry) -> bool:
    """Capitalised like a name, not a person's first name, not a common word opening a sentence (`Того`)."""
    word = tokens.texts[first]
    if first == last:
        if any('Name' in _.tag or 'Surn' in _.tag or 'Patr' in _.tag for _ in parses(word)) \
                and not any('Geox' in _.tag or 'Orgn' in _.tag for _ in parses(word)):
            return False
        if tokens.sentence_start(first) and not is_abbreviation(word) and any(
                morph.in_dictionary(_) and not ('Geox' in _.tag or 'Orgn' in _.tag or 'Abbr' in _.tag)
                for _ in parses(word)):
            return fold(word) in {fold(_) for _ in entry.names}
    doc_text = tokens.doc.text
    stop = tokens.items[last].stop
    if stop < len(doc_text) and doc_text[stop] == '-':        # `Интернет-страница`
        return False
    start = tokens.items[first].start
    return not (start and doc_text[start - 1] in '-.@/')


# ---------------------------------------------------------------- the stage

@dataclass
class Repaired:
    spans: list[Span]
    others: list[Mention]         # the mentions of other types, as they were
    tokens: Tokens
    pairs: dict[int, int]         # quote pairs
    not_orgs: set                 # names that are crafts, events or works here (`Дискавери`)


def repair(doc: Document) -> Repaired:
    """Repaired ORG/LOC spans (and the other mentions, the tokens, the quote pairs)."""
    tokens = Tokens(doc)
    spans, others = to_spans(doc, tokens)
    others, places_found = people_as_places(doc, tokens, others)
    spans += places_found
    pairs = quote_pairs(tokens) if any(_ in QUOTE_CHARS for _ in tokens.texts) else {}
    repaired: list[Span] = []
    not_orgs: set[str] = set()
    for span in spans:
        for piece in pieces(tokens, span):
            retype(tokens, piece, pairs, not_orgs)
            if piece.type:
                repaired.append(piece)
    repaired = [_ for _ in repaired if not (_.type == 'ORG' and name_key(tokens, _) in not_orgs)]
    people = person_spans(doc, tokens, others)
    for span in repaired:
        if span.type == 'LOC':
            extend_place(tokens, span, [_ for _ in repaired if _ is not span] + people)
    repaired += gazetteer_spans(tokens, repaired + people)
    repaired += domain_spans(tokens, repaired + people)
    repaired += nested_places(tokens, repaired)
    return Repaired(dedupe(repaired), others, tokens, pairs, not_orgs)


DOMAIN = re.compile(r'(?<![\w./@:-])[^\W_][\w-]*(?:\.[\w-]+)*'
                    r'\.(?:ru|com|net|org|info|su|ua|by|kz|eu|рф)(?![\w/@-])',
                    re.IGNORECASE)


def domain_spans(tokens: Tokens, spans: list[Span]) -> list[Span]:
    """A site named as a source is an organisation (`сообщает baltinfo.ru`, `Lenta.ru`); not in a URL."""
    text = tokens.doc.text
    if '.' not in text:
        return []
    found = []
    for match in DOMAIN.finditer(text):
        first = tokens.doc.token_index(match.start())
        last = first
        while last + 1 < len(tokens) and tokens.items[last + 1].stop <= match.end():
            last += 1
        if first >= len(tokens) or tokens.items[first].start != match.start() \
                or tokens.items[last].stop != match.end() or covered(spans + found, first, last):
            continue
        found.append(Span(first, last, 'ORG'))
    return found


def nested_places(tokens: Tokens, spans: list[Span]) -> list[Span]:
    """A place named inside an organisation's name is a mention too (`Администрация Обнинска`)."""
    found = []
    for span in spans:
        if span.type != 'ORG':
            continue
        for index in range(span.first + 1, span.last + 1):
            word = tokens.texts[index]
            if not word[:1].isupper() or covered(spans + found, index, index, ('LOC',)):
                continue
            nouns = [_ for _ in parses(word) if morph.attr(_.tag, 'POS') == 'NOUN']
            if nouns and all('Geox' in _.tag and morph.in_dictionary(_) for _ in nouns):
                found.append(Span(index, index, 'LOC'))
    return found


LOCATIVES = frozenset({'в', 'во', 'на', 'у', 'возле', 'около', 'из', 'над', 'перед', 'под'})


def name_key(tokens: Tokens, span: Span) -> tuple[str, ...]:
    """A name by its words, the last one as a lemma (`«Атлантиса»` and `Атлантис` are one name)."""
    texts = words_of(tokens, span)
    if not texts:
        return ()
    last = places.noun_lemmas(texts[-1])
    return tuple(fold(_) for _ in texts[:-1]) + (min(last) if last else fold(texts[-1]),)


def retype(tokens: Tokens, span: Span, pairs: dict[int, int], not_orgs: set) -> None:
    """Set the span's type from the word lists and its context (`-` or '' drops it)."""
    texts = words_of(tokens, span)
    if span.type == 'ORG' and len(texts) == 1 and texts[0] in places.legal_forms():
        span.type = ''                    # `ПАО` alone: a legal form with no name
        return
    start = tokens.items[span.first].start
    if start and tokens.doc.text[start - 1] in '.@' and not tokens.doc.text[start - 1:start + 1].isspace():
        span.type = ''                    # `в доменной зоне .РФ`
        return
    if span.type == 'LOC':
        cut_at_preposition(tokens, span)  # `США по патентам и товарным знакам`
        if span.first == span.last and tokens.texts[span.first].islower() \
                and places.place_descriptor(tokens.texts[span.first]):
            name = span.last + 1          # `мысе` + `Канаверал`
            while name < len(tokens) and tokens.adjacent(name - 1, name) and tokens.capitalised(name):
                name += 1
            if name == span.last + 1:
                span.type = ''
                return
            span.last = name - 1
            span.source = SOURCE
    listed = listed_type(tokens, span)
    if listed in ('-',):
        span.type = ''
        return
    if listed == 'ORG' and span.type != 'ORG' and span.first > 0 \
            and tokens.texts[span.first - 1].lower() in LOCATIVES \
            and 'building' in listed_entry(tokens, span).adjectives:
        listed = None                     # `в Белом доме`: the building, as the tagger says
    before = descriptor_before(tokens, span, pairs)
    if listed is None and before is not None:
        word = tokens.texts[before]
        quoted = before < span.first - 1 or tokens.texts[span.first] in QUOTE_CHARS
        if span.type == 'ORG' and places.not_org_descriptor(word) and (quoted or all(
                is_latin(_) for _ in words_of(tokens, span))):   # `шаттле «Дискавери»`, `форум START`
            not_orgs.add(name_key(tokens, span))
            span.type = ''
            return
        if span.type == 'ORG' and places.place_descriptor(word) and not places.descriptor(word, 'org'):
            span.type, span.source = 'LOC', SOURCE
    if listed in ('ORG', 'LOC'):
        if listed != span.type:
            span.type, span.source = listed, SOURCE
        return
    if span.type == 'ORG' and span.last > span.first:
        strip_platforms(tokens, span)     # `Вконтакте Администрация Обнинска`
        trim_heads(tokens, span)
    if junk(tokens, span) or (span.type == 'ORG' and bare_descriptor(tokens, span)) or platform(tokens, span):
        span.type = ''


def strip_platforms(tokens: Tokens, span: Span) -> None:
    for end in ('first', 'last'):
        index = getattr(span, end)
        if span.last > span.first and lemmas(tokens.texts[index]) & places.platforms() \
                and navigation_line(tokens, index):
            setattr(span, end, index + 1 if end == 'first' else index - 1)
            span.source = SOURCE


def dedupe(spans: list[Span]) -> list[Span]:
    """One span per stretch and type: the longer (then the earlier) wins."""
    return one_per_stretch(spans, lambda _: (-(_.last - _.first), _.first))


def run(doc: Document, res=None) -> Document:
    if not doc.tokens:
        return doc
    found = repair(doc)
    doc.mentions = found.others + to_mentions(doc, found.spans)
    return doc
