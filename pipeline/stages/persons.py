"""Persons: tidy the tagger's PER spans before they are normalised.

Reads the PER mentions and `doc.tokens`; replaces each PER mention with the
names it holds (same source) and adds nothing else:

- marks at either end are not part of a name (`• • Нисипяну` → `Нисипяну`,
  `Бернс (` → `Бернс`); a dot after an initial stays (`Петрова Н. Н.`); nor
  is a common noun that opens the sentence (`Астронавт Грегори Чамитофф`);
- a span holding several names between commas or brackets becomes one
  mention per name (`Овечкин, Фёдоров`; `Хитли (Гецлаф`; `Джошуа Вольфа
  (Joshua Wolf)` → `Джошуа Вольфа` and `Joshua Wolf`, which linking then
  puts together: factRuEval labels both);
- a span with digits is no person (`Формулы-1`), nor is a single word that
  can be no name: one that is not in the first-name lexicon, has no
  Name / Surn / Patr reading in pymorphy3, and is either no noun (`Подана`,
  `Если-же`, `Королёвских`), or only an inanimate plural (`Викиновостям`), or
  only the name of a place or an organisation (`Эфиопия`, `Царицыно`,
  `Феррари`);
- the surname or the first name of a person named in full elsewhere in the
  article is a mention wherever it stands alone and the tagger missed it
  (`Виктор Бут` … `Буту предъявлены обвинения`, `Виктором занимается суд`),
  source `rule:persons`; a first name only when it can be nothing else
  (not `Вера`, `Роман`);
- two PER spans with only a space between them that together make a
  Chinese, Korean or Vietnamese name are one name the tagger cut in two
  (`Хвана` `Чжан Епа` → `Хвана Чжан Епа`);
- the past-tense verb right after a name in the nominative, or right before
  it after a dash (`», — заявила Бут`), gives the person's gender; it is kept
  in `hints.gender` ('femn') for linking (`Бут рассказала` is Алла, not
  Виктор Бут);
- the word before a name suggests its case, kept in `hints.cases` as
  ((cases, weight), ...): a preposition (`к Лофнеру`), a relational noun
  (`по словам Лофнера`: the genitive) or a noun of a person beside it, in
  its case or the genitive (`блоггера Джошуа Вольфа`, `жена Бута`), also
  across the genitive words that qualify it (`премьер-министра Молдавии
  Влада Филата`) or a dash (`пилотов - Кими Райкконена`); a name joined by
  `и` or a comma to the name before takes that name's case (`Авраама и Абу
  Машара`); linking weighs the readings with it (`Вольфа` → `Вольф`);
- a lower-case particle right before a name is part of it (`ибн Эзра`); two
  Chinese or Korean names in one span are two (`отца Кима Чен Ира Ким Ир
  Сен`); a span that reads as no name loses the leading words that are no
  part of the name after them (`оператор Аль-Джазиры Сами аль-Хадж`); a
  place span that is a first name and a Russian surname is a person
  (`Ахмат-Хаджи Кадырова`).

Runs after `resolve` and before `normalise`.
"""

from __future__ import annotations

import re
from dataclasses import replace

from pipeline.document import Document, Mention, NameHints, Source
from pipeline.lang import morph, places
from pipeline.lang.names import (
    MARGIN,
    first_hyps,
    fold,
    is_cjk,
    is_first_name,
    is_patronymic,
    last_hyps,
    mention_readings,
    words_of,
)
from pipeline.lang.text import DASH_MARKS, QUOTE_MARKS

SEPARATORS = frozenset(',;()[]{}•·/|') | (QUOTE_MARKS - {"'"})     # not `'`: `О'Нил`
# the case a preposition before a name puts it in (`к Лофнеру`, `у Бута`, `с Обамой`)
PREPOSITIONS = {
    'gent': 'у от до для из без около после против среди кроме возле вокруг вместо ради из-за из-под',
    'datv': 'к ко благодаря согласно вопреки навстречу',
    'loct': 'о об обо при',
    'ablt': 'с со над перед между',
    'accs': 'про через сквозь',
}
CASE_OF_PREPOSITION = {word: case for case, words in PREPOSITIONS.items() for word in words.split()}
# nouns whose person stands in the genitive after them (`по словам Лофнера`)
GENITIVE_HEADS = frozenset('''словам слова мнению версии просьбе приказу указу инициативе заявлению
    заявлении заявления имени'''.split())
PREPOSITION_WEIGHT = 1.0
NOUN_WEIGHT = 0.7
SKIPPED = frozenset({'не', 'же', 'уже', 'ещё', 'еще', 'также', 'тоже', 'лично', 'сам', 'сама', 'и'})
DASHES = DASH_MARKS | {','}


def is_word(text: str) -> bool:
    return any(_.isalpha() for _ in text)


def is_initial(text: str) -> bool:
    return len(text) == 1 and text.isupper()


def names_in(doc: Document, mention: Mention) -> list[tuple[int, int]]:
    """(start, stop) of each name inside a PER span."""
    tokens = doc.tokens_in(mention.start, mention.stop)
    if not tokens:
        return [(mention.start, mention.stop)]
    runs, current = [], []
    for token in tokens:
        if token.text in SEPARATORS or all(_ in SEPARATORS for _ in token.text):
            runs.append(current)
            current = []
        else:
            current.append(token)
    runs.append(current)
    spans = []
    for run in runs:
        while run and not is_word(run[0].text):
            run = run[1:]
        while run and not is_word(run[-1].text) and not (
                run[-1].text == '.' and len(run) > 1 and is_initial(run[-2].text)):
            run = run[:-1]
        words = [_ for _ in run if is_word(_.text)]
        if len(words) > 1 and sentence_start(doc, words[0].start) and is_role_word(words[0].text):
            # `Астронавт Грегори Чамитофф` at the start of a sentence
            run = run[run.index(words[1]):]
        if run and any(is_word(_.text) and _.text[:1].isupper() for _ in run):
            spans.append((run[0].start, run[-1].stop))
    return spans


def sentence_start(doc: Document, offset: int) -> bool:
    sentence = doc.sentence_of(offset)
    return sentence >= 0 and doc.sentences[sentence].start == offset


def is_role_word(word: str) -> bool:
    """A common noun or adjective the tagger took into a name (`Астронавт`, `Президент`):
    a dictionary word with no name reading and not a first name."""
    parses = morph.parses(word)
    return bool(parses) and len(word) > 3 and morph.is_cyrillic(word) and not is_first_name(word) \
        and morph.attr(parses[0].tag, 'POS') in ('NOUN', 'ADJF') and all(
        morph.in_dictionary(_) and not any(tag in _.tag for tag in ('Name', 'Surn', 'Patr', 'Geox', 'Orgn'))
        for _ in parses)


def verb_gender(word: str) -> str | None:
    """`рассказала` → femn, `заявил` → masc; None when the word is not surely a past-tense verb."""
    parses = morph.parses(word)
    if not parses or morph.attr(parses[0].tag, 'POS') != 'VERB':
        return None
    genders = {morph.attr(_.tag, 'gender') for _ in parses
               if morph.attr(_.tag, 'POS') == 'VERB' and morph.attr(_.tag, 'tense') == 'past'
               and morph.attr(_.tag, 'number') == 'sing'}
    return genders.pop() if len(genders) == 1 and genders <= {'masc', 'femn'} else None


def predicate_gender(doc: Document, start: int, stop: int) -> str | None:
    """The gender a past-tense verb next to the name gives its person."""
    readings = mention_readings(doc.text[start:stop])
    if not readings:
        return None
    if readings[0].case != 'nomn' and not (
            # `Утром Александра Дмитриева пришла`: a nominative close behind, and no noun or adjective
            # before that may govern the name (`жена Александра Дмитриева пришла` is his wife, `под
            # руководством Вячеслава Быкова команда ...`)
            any(_.case == 'nomn' for _ in readings if _.score >= readings[0].score - MARGIN)
            and not noun_before(doc, start)):
        return None
    index = doc.token_index(stop)
    while index < len(doc.tokens) and doc.tokens[index].text.lower() in SKIPPED:
        index += 1
    if index < len(doc.tokens) and doc.sentence_of(doc.tokens[index].start) == doc.sentence_of(start):
        found = verb_gender(doc.tokens[index].text)
        if found:
            return found
    index = doc.token_index(start) - 1
    if index >= 1 and doc.tokens[index - 1].text in DASHES:
        return verb_gender(doc.tokens[index].text)
    return None


def noun_before(doc: Document, start: int) -> bool:
    """The word right before `start`, in its sentence, may be a noun, adjective or numeral."""
    index = doc.token_index(start) - 1
    if index < 0 or doc.sentence_of(doc.tokens[index].start) != doc.sentence_of(start):
        return False
    word = as_lower(doc, index)
    return (any(_.isalpha() for _ in word) and any(
        morph.attr(_.tag, 'POS') in ('NOUN', 'ADJF', 'PRTF', 'NUMR') for _ in morph.parses(word)[:1])) \
        or word[:1].isdigit()


def case_context(doc: Document, start: int) -> tuple:
    """(cases, weight) the words before a name suggest: a preposition governs it (`к Лофнеру`),
    a relational noun takes it in the genitive (`жена Бута`), a noun of a person stands beside
    it in its own case (`блоггера Джошуа Вольфа`), also across the genitive words that qualify
    that noun (`премьер-министра Молдавии Влада Филата`, `директора Международного института
    политической экспертизы Евгения Минченко`) or a dash (`преследователей - Кими Райкконена`)."""
    index = doc.token_index(start) - 1
    if index < 0 or doc.sentence_of(doc.tokens[index].start) != doc.sentence_of(start):
        return ()
    word = doc.tokens[index].text
    low = word.lower()
    if low in CASE_OF_PREPOSITION:
        case = CASE_OF_PREPOSITION[low]
        return ((frozenset({case, 'gent'} if low in ('с', 'со') else {case}), PREPOSITION_WEIGHT),)
    if low in GENITIVE_HEADS:
        return ((frozenset({'gent'}), NOUN_WEIGHT),)
    if word in APPOSITION_DASHES and index >= 1 and doc.tokens[index - 1].stop < doc.tokens[index].start:
        return person_noun_case(doc.tokens[index - 1].text)
    for back in range(index, max(index - QUALIFIERS - 1, -1), -1):
        word = as_lower(doc, back)
        if (doc.sentence_of(doc.tokens[back].start) != doc.sentence_of(start)
                or not word.replace('-', '').isalpha()):
            return ()
        if word.islower() and back < index and word in CASE_OF_PREPOSITION:
            return ()
        found = person_noun_case(word) if word.islower() else ()
        if found or not genitive_qualifier(word):
            return found
    return ()


def as_lower(doc: Document, index: int) -> str:
    """A token as written, in lower case when it opens its sentence (`Жена Бута`)."""
    token = doc.tokens[index]
    return token.text.lower() if token.text[:1].isupper() and token.text[1:].islower() \
        and sentence_start(doc, token.start) else token.text


APPOSITION_DASHES = DASH_MARKS
# genitive words between a person's noun and the name: `директора Международного института …`
QUALIFIERS = 5


def person_noun_case(word: str) -> tuple:
    """(cases, weight) of a name standing beside `word`, a lower-case noun of a person:
    `блоггера` → its case; `жена`, `мать`: or the genitive (`жена Бута`)."""
    if not word.islower() or not word.replace('-', '').isalpha():
        return ()
    parses = morph.parses(word)
    nouns = [_ for _ in parses if morph.attr(_.tag, 'POS') == 'NOUN']
    if not nouns or morph.attr(parses[0].tag, 'POS') != 'NOUN':
        return ()
    if all('anim' in _.tag and 'Name' not in _.tag and 'Surn' not in _.tag for _ in nouns):
        return ((frozenset(morph.attr(_.tag, 'case') for _ in nouns) | {'gent'}, NOUN_WEIGHT),)
    return ()


def genitive_qualifier(word: str) -> bool:
    """A word that can qualify a noun from after it in the genitive: `Молдавии`, `института`,
    `политической`, `США` (an abbreviation does not decline)."""
    if word.isupper() and len(word) > 1:
        return True
    return any(morph.attr(_.tag, 'case') == 'gent' and morph.attr(_.tag, 'POS') in ('NOUN', 'ADJF')
               for _ in morph.parses(word))


NOT_NOUNS = frozenset({'CONJ', 'PRCL', 'PRTS', 'PRTF', 'VERB', 'INFN', 'ADVB', 'PREP', 'INTJ', 'GRND',
                       'ADJS'})


def no_name(text: str) -> bool:
    """A single word that cannot be a person's name: `Подана`, `Эфиопия`, `Рыбохраны`."""
    if (not text.isalpha() and not text.replace('-', '').isalpha()) or not morph.is_cyrillic(text):
        return False
    if is_first_name(text):
        return False
    parses = morph.parses(text)
    if not parses or any(_ in parse.tag for parse in parses for _ in ('Name', 'Surn', 'Patr')):
        return False
    nouns = [_ for _ in parses if morph.attr(_.tag, 'POS') == 'NOUN']
    if not nouns:     # `Подана`, `Если-же`; `Королёвских` (an adjective, and plural)
        return all(morph.attr(_.tag, 'POS') in NOT_NOUNS or (
            morph.attr(_.tag, 'POS') == 'ADJF' and morph.attr(_.tag, 'number') == 'plur') for _ in parses)
    if all('inan' in _.tag and morph.attr(_.tag, 'number') == 'plur' for _ in nouns):
        return True   # `Викиновостям`
    # a place or an organisation in the nominative (`Тифензее` is only an odd oblique `тифензея`)
    return all(morph.in_dictionary(_) and ('Geox' in _.tag or 'Orgn' in _.tag) for _ in nouns) and any(
        morph.attr(_.tag, 'case') == 'nomn' for _ in nouns)


def merged(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """A Korean or Chinese name the tagger cut in two joined again: `Хвана` + `Чжан Епа`."""
    result: list[Mention] = []
    for mention in mentions:
        previous = result[-1] if result else None
        if previous is not None and previous.type == mention.type == 'PER' and mention.start > previous.stop \
                and doc.text[previous.stop:mention.start] == ' ' \
                and is_cjk(list(words_of(doc.text[previous.start:mention.stop]))):
            result[-1] = replace(previous, stop=mention.stop, text=doc.text[previous.start:mention.stop])
        else:
            result.append(mention)
    return result


def with_context(doc: Document, mention: Mention) -> Mention:
    """The mention with the gender and case hints of the words around it in `hints` (hints it
    already has are kept)."""
    old = mention.hints or NameHints()
    gender = old.gender or predicate_gender(doc, mention.start, mention.stop)
    context = old.cases or case_context(doc, mention.start)
    return replace(mention, hints=NameHints(gender, context) if gender or context else None)


def run(doc: Document, res=None) -> Document:
    mentions = []
    for mention in merged(doc, sorted(doc.mentions, key=lambda _: (_.start, _.stop))):
        if mention.type == 'LOC' and person_as_place(mention.text):
            mention = replace(mention, type='PER', source=Source.PERSONS)
        if mention.type != 'PER':
            mentions.append(mention)
            continue
        if any(_.isdigit() for _ in mention.text) or no_name(mention.text):
            continue
        for start, stop in (piece for span in names_in(doc, mention) for piece in cjk_pieces(doc, *span)):
            start = with_particle(doc, readable_start(doc, start, stop))
            mentions.append(with_context(doc, replace(mention, start=start, stop=stop,
                                                      text=doc.text[start:stop])))
    mentions += [with_context(doc, _) for _ in missed_surnames(doc, [_ for _ in mentions if _.type == 'PER'])]
    mentions.sort(key=lambda _: (_.start, _.stop, _.type))
    doc.mentions = coordinated(doc, mentions)
    return doc


RUSSIAN_SURNAME = re.compile(r'(?:ов|ев|ёв|ин|ын)(?:а|у|ым|ой|е)?$|(?:ский|ского|скому|ским|ском)$')


def person_as_place(text: str) -> bool:
    """A place span that is a person's first name and Russian surname (`президента [Ахмат-Хаджи
    Кадырова]`); not a place the gazetteer knows."""
    words = words_of(text)
    if len(words) not in (2, 3) or not all(_[:1].isupper() for _ in words) or places.lookup(list(words)):
        return False
    return is_first_name(words[0].split('-')[0]) and bool(RUSSIAN_SURNAME.search(fold(words[-1]))) and (
        len(words) == 2 or is_patronymic(words[1]))


def readable_start(doc: Document, start: int, stop: int) -> int:
    """Where a name begins when the span as a whole reads as no name but its last words read as
    a first name and surname: `оператор [Аль-Джазиры] [Сами аль-Хадж]`."""
    tokens = doc.tokens_in(start, stop)
    if len(tokens) < 3 or mention_readings(doc.text[start:stop]):
        return start
    for cut in (1, 2):
        if len(tokens) - cut >= 2 and tokens[cut].text[:1].isupper():
            found = mention_readings(doc.text[tokens[cut].start:stop])
            if found and all(found[0].parts[_] for _ in (0, 2)):
                return tokens[cut].start
    return start


def cjk_pieces(doc: Document, start: int, stop: int) -> list[tuple[int, int]]:
    """Two Chinese, Korean or Vietnamese names the tagger took as one are two:
    `отец [Кима Чен Ира] [Ким Ир Сен]`."""
    tokens = doc.tokens_in(start, stop)
    if len(tokens) < 4 or not all(_.text.isalpha() for _ in tokens):
        return [(start, stop)]
    words = [_.text for _ in tokens]
    for cut in range(2, len(words) - 1):
        if is_cjk(words[:cut]) and is_cjk(words[cut:]):
            return [(start, tokens[cut - 1].stop), (tokens[cut].start, stop)]
    return [(start, stop)]


# lower-case particles the tagger leaves out of a name (`ибн Эзра`, `фон Брауна`); not `да`, `де`,
# `ла`, which are also Russian or French words
LEFT_PARTICLES = frozenset('ибн бин бен фон ван аль эль дю'.split())


def with_particle(doc: Document, start: int) -> int:
    """The start of a name with the particle right before it: `работах [ибн Эзра]`."""
    index = doc.token_index(start) - 1
    if index >= 0 and doc.tokens[index].text in LEFT_PARTICLES and doc.tokens[index].stop == start - 1 \
            and doc.text[start - 1] == ' ':
        return doc.tokens[index].start
    return start


COORDINATION = re.compile(r'\s*(?:,|,?\s*(?:и|или|а также))\s+', re.IGNORECASE)


def coordinated(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """A name joined to the name before it by `и`, `или` or a comma stands in its case
    (`работах ибн Эзра, Авраама и Абу Машара`: `Машара` is `Машар`): it takes the case
    hint of that name, or the oblique case that name is surely in."""
    result, previous = [], None
    for mention in mentions:
        if mention.type == 'PER':
            if previous is not None and not case_hint(mention) \
                    and COORDINATION.fullmatch(doc.text[previous.stop:mention.start]):
                context = case_hint(previous)
                if not context:
                    readings = mention_readings(previous.text)
                    if readings and readings[0].case != 'nomn' and not any(
                            _.case == 'nomn' and _.score > readings[0].score - 1.0 for _ in readings):
                        context = ((frozenset({readings[0].case}), NOUN_WEIGHT),)
                if context:
                    mention = replace(mention, hints=replace(mention.hints or NameHints(), cases=context))
            previous = mention
        result.append(mention)
    return result


def case_hint(mention: Mention) -> tuple:
    """The ((cases, weight), ...) the words before the mention suggest; () when none."""
    return mention.hints.cases if mention.hints else ()


def missed_surnames(doc: Document, persons: list[Mention]) -> list[Mention]:
    """Surnames of the article's full names standing alone where the tagger saw no person."""
    surnames, firsts = set(), set()
    for mention in persons:
        readings = mention_readings(mention.text)
        if readings and readings[0].parts[0] and readings[0].parts[2] and ' ' not in readings[0].parts[2]:
            surnames.add(fold(readings[0].parts[2]))
            if not readings[0].parts[0].endswith('.'):
                firsts.add(fold(readings[0].parts[0]))
    if not surnames:
        return []
    taken = [(_.start, _.stop) for _ in persons]
    stems = {_[:3] for _ in surnames | firsts}     # cheap test first: `Буту` starts as `Бут`
    found = []
    for token in doc.tokens:
        word = token.text
        if len(word) < 3 or fold(word[:3]) not in stems or not word[0].isupper() or not word[1:].islower() \
                or not morph.is_cyrillic(word) \
                or any(start < token.stop and token.start < stop for start, stop in taken):
            continue
        if any(fold(_.normal) in surnames and _.trust >= 0.8 and not _.plural for _ in last_hyps(word)) or (
                any(fold(_.normal) in firsts and _.trust >= 2.5 for _ in first_hyps(word))
                and all('Name' in _.tag for _ in morph.parses(word))):
            found.append(Mention(token.start, token.stop, 'PER', word, source=Source.PERSONS))
    return found
