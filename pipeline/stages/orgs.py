"""Organisations: whole names from the tagger's pieces and the words around them.

Reads the ORG/LOC/PER mentions of `ner` and `doc.tokens`; first repairs the
ORG/LOC spans (`rules/repair.py`), then builds organisations on them and
writes back every ORG/LOC mention (new and changed ones with
`source='rule:orgs'`). The grammar is token-level, over pymorphy3 readings
and the word lists of `rules/places.py`, and looks only at the words next to
mentions, quotes and descriptor words, so it costs little:

- a descriptor and a quoted name (GOLD-GUIDE.md: `технопарка «Кванториум»`,
  `ИТ-компании «Объединение когнитивных ассоциативных систем»`, `институт
  «Коллективное действие»`, `ООО «Алтек»`, `ГАУ ДО ТО "Дворец ... "Пионер"`),
  and the descriptor of a name the tagger found (`движения «Солидарность»`,
  `компании Harles und Jentzsch`, `Корпорация Google`); quotes around a name
  belong to its span (`«ОКАС»`);
- an organisation and what belongs to its name after it: a place in the
  genitive (`Конгресса США`, `Министерства сельского хозяйства Германии`,
  `МЧС России`), `при ...` (`Следственного комитета при прокуратуре`), `по
  ...` (`Бюро США по патентам и товарным знакам`), `в` + a place for a
  mission (`российского посольства в Токио`), `им.`/`имени` + a person;
- a body of a state and a place in the genitive (`мэрии Москвы`,
  `правительства Китая`, `МИД Грузии`, `ВВС США`, `власти Таиланда`), or an
  adjective of a place before it (`японское правительство`, `американскими
  властями`); the place stays a mention of its own (factRuEval nests them);
- a name and its abbreviation or original spelling in brackets are two
  mentions of one organisation (`Комитет защиты журналистов (КЗЖ)`,
  `Международная амнистия (Amnesty International)`, `ПАСЕ (Парламентской
  ассамблеи Совета Европы)`): each gets the start of the other in
  `links.same_as`, which `link` follows;
- an abbreviation or Latin name found once is a mention wherever else it
  stands (`ЕС`, `КЗЖ`, `WFC`).
"""

from __future__ import annotations

from pipeline.document import Document, LinkHints
from pipeline.lang import places
from pipeline.lang.morph import is_cyrillic
from pipeline.lang.places import fold
from pipeline.lang.spans import (
    QUOTE_CHARS,
    SOURCE,
    Span,
    Tokens,
    agrees,
    cases,
    covered,
    fixed,
    in_dictionary,
    is_abbreviation,
    is_latin,
    is_word,
    one_per_stretch,
    outer_quote,
    parses,
    person_spans,
    pos_set,
    to_mentions,
)
from pipeline.stages import repair

MAX_MODIFIERS = 4       # words between a descriptor and a quoted name: `центра для одаренных детей «Сириус»`
PREPOSITIONS_IN_NAMES = frozenset({'для', 'по', 'и'})
LATIN_GLUE = frozenset({'&', '.', ',', "'", '’', '-'})
# `по` + these is how a body acts, not part of its name (`МИД по телефону`)
NOT_TOPICS = frozenset('''телефон слово данные итог результат повод причина мнение сообщение приказ решение
    просьба инициатива случай адрес радио телевидение интернет почта оценка подсчёт подсчет информация
    словам данным требование заказ линия время факт вопрос поручение распоряжение отношение'''.split())
# bodies whose name goes on with `по` + a topic (`комиссия по атомной энергии`)
TOPIC_HEADS = frozenset('''комитет комиссия совет бюро агентство служба управление департамент сборная
    министерство ведомство центр институт федерация союз ассоциация группа организация фонд инспекция
    надзор палата суд отдел'''.split())
# what a body of a territory is named after (`комитет по образованию области`, `департамент ... города`)
TERRITORIES = places.TRAILING_KINDS | frozenset({'город', 'республика', 'регион', 'страна'})
MISSIONS = frozenset({'посольство', 'консульство', 'представительство', 'миссия', 'делегация'})
# heads that take a genitive phrase into their name (`министерства иностранных дел`)
GENITIVE_HEADS = frozenset({'министерство', 'комитет', 'комиссия', 'служба', 'управление', 'департамент',
                            'ведомство', 'отдел', 'совет', 'орган'})


class Builder:
    """The ORG/LOC spans of one document while the rules change them."""

    def __init__(self, tokens: Tokens, spans: list[Span], people: list[Span], pairs: dict[int, int],
                 not_orgs: set = frozenset()):
        self.tokens = tokens
        self.spans = spans
        self.people = people
        self.pairs = pairs
        self.not_orgs = not_orgs

    # ---------------------------------------------------------------- bookkeeping

    def of_type(self, type: str) -> list[Span]:
        return [_ for _ in self.spans if _.type == type]

    def at(self, index: int, type: str) -> Span | None:
        return next((_ for _ in self.spans if _.type == type and _.first == index), None)

    def add(self, span: Span) -> Span:
        """Add a rule-made span; same-type spans inside it go (it holds them)."""
        self.spans = [_ for _ in self.spans if not (_.type == span.type and span.first <= _.first
                                                    and _.last <= span.last)]
        self.spans.append(span)
        return span

    def grow(self, span: Span, first: int, last: int) -> None:
        if (first, last) == (span.first, span.last):
            return
        span.first, span.last = min(first, span.first), max(last, span.last)
        span.source = SOURCE
        self.spans = [_ for _ in self.spans if _ is span or not (
            _.type == span.type and span.first <= _.first and _.last <= span.last)]

    def taken(self, first: int, last: int, types=('ORG', 'PER')) -> bool:
        return covered(self.spans + self.people, first, last, types)

    # ---------------------------------------------------------------- descriptors

    def word(self, index: int) -> str:
        return self.tokens.texts[index]

    def lowercase_or_first(self, index: int) -> bool:
        text = self.word(index).rsplit('-', 1)[-1]      # `ИТ-компании`
        return text[:1].islower() or self.tokens.sentence_start(index) or is_abbreviation(text)

    def descriptor_phrase(self, index: int, place: bool = False,
                          immediate: bool = False) -> tuple[int, int] | None:
        """(first token, descriptor token) of a descriptor phrase ending just before `index`:
        `технопарка`, `детского технопарка`, `центров цифрового развития`, `ОАО`, `ГАУ ДО ТО`."""
        tokens = self.tokens
        position = index - 1
        if position < 0 or not tokens.joined(position, index):
            return None
        legal = places.legal_forms()
        if self.word(position) in legal:
            first = position
            while first > 0 and self.word(first - 1) in legal and tokens.adjacent(first - 1, first):
                first -= 1
            return first, position
        modifiers = 0
        while position >= 0 and modifiers <= MAX_MODIFIERS:
            text = self.word(position)
            if not morph_word(text) or self.taken(position, position, ('LOC', 'PER')) or any(
                    _.type == 'ORG' and _.first <= position <= _.last
                    and (_.first, _.last) != (position, position)
                    for _ in self.spans):
                return None               # a descriptor the tagger took alone (`ИТ-компании`) is ours
            if (places.place_descriptor(text) if place else places.descriptor(text, 'org')
                    and not (fold(text) in places.place_descriptors()
                             or places.lemmas(text) & places.place_descriptors())) \
                    and self.lowercase_or_first(position):
                return self.adjectives_before(position, locating=place), position
            if immediate or not text[:1].islower() or not modifier(text):
                return None
            modifiers += 1
            if position == 0 or not tokens.adjacent(position - 1, position):
                return None
            position -= 1
        return None

    def adjectives_before(self, head: int, locating: bool = False) -> int:
        """The first of the adjectives agreeing with the noun at `head` just before it."""
        first = head
        while first > 0 and self.tokens.adjacent(first - 1, first):
            text = self.word(first - 1)
            if not agrees(text, self.word(head)) or self.taken(first - 1, first - 1, ('ORG', 'PER')) \
                    or not adjective_first(text):
                break
            if not locating and places.locating_adjective(text):
                break
            first -= 1
        return first

    # ---------------------------------------------------------------- rules

    def quoted_names(self) -> None:
        """Descriptor + quoted name: `технопарка «Кванториум»`, `аэропорту «Домодедово»`."""
        for opening, closing in sorted(self.pairs.items()):
            if closing - opening < 2 or not starts_name(self.word(opening + 1)):
                continue
            if self.taken(opening, closing, ('PER',)):
                continue
            # `журнал ''Vogue''`: the span takes both apostrophes of each mark
            inner_open, inner_close = opening, closing
            opening, closing = outer_quote(self.tokens, opening), outer_quote(self.tokens, closing)
            found = self.descriptor_phrase(opening)
            place = None
            if found is None:
                place = self.descriptor_phrase(opening, place=True)
            if found is not None:
                head = self.word(found[1])
                if places.not_org_descriptor(head):
                    continue
                # `группа «Ленинград»` is no place; «Путь Грузии» has one
                for span in self.of_type('LOC'):
                    if (span.first, span.last) == (inner_open + 1, inner_close - 1):
                        self.spans.remove(span)
                self.add(Span(found[0], closing, 'ORG', kind=places.kind_of(
                    [self.word(_) for _ in range(found[0], found[1] + 1)]), hints=LinkHints(described=True)))
                continue
            if place is not None:
                for span in self.of_type('ORG'):
                    if opening <= span.first and span.last <= closing:
                        self.spans.remove(span)
                self.add(Span(place[0], closing, 'LOC'))
                continue
            inside = next((_ for _ in self.of_type('ORG') if _.first == opening + 1 and _.last >= closing - 1
                           and _.last <= closing), None)
            if inside is not None:
                self.grow(inside, opening, closing)

    def extend_left(self, span: Span) -> None:
        """Quotes around the name, then its descriptor: `движения «Солидарность»`, `Корпорация Google`."""
        first, last = span.first, span.last
        opening = first - 1
        if opening >= 0 and opening in self.pairs and self.tokens.adjacent(opening, first):
            closing = self.pairs[opening]
            if last <= closing <= last + 6 and all(is_word(self.word(_)) or _ == closing
                                                  for _ in range(last + 1, closing + 1)):
                first, last = opening, closing
        elif last + 1 < len(self.tokens) and self.word(last + 1) in QUOTE_CHARS:
            opening = next((o for o, c in self.pairs.items() if c == last + 1 and first <= o < last), None)
            if opening is not None:
                last += 1
        if span.hints.described or any(
                is_cyrillic(self.word(_)) and not is_abbreviation(self.word(_)) and self.word(_)[:1].isupper()
                and any(places.descriptor(self.word(_), k) for k in ('org', 'state', 'unit'))
                for _ in range(span.first, span.last + 1)):
            self.grow(span, first, last)      # the name has its head: `лабораторий [Центра ...]` stays apart
            return
        found = self.descriptor_phrase(first, immediate=True)
        if found is not None and not places.not_org_descriptor(self.word(found[1])):
            first = found[0]
        elif first > 0 and self.tokens.adjacent(first - 1, first) and places.is_site(
                [self.word(_) for _ in range(first - 1, last + 1)]):
            first -= 1          # `сайт Lenta.ru`, `сайте Roem.ru`; not `сайте Facebook`
        self.grow(span, first, last)

    def extend_right(self, span: Span, places_after: bool = True) -> None:
        """What follows an organisation's name and belongs to it (see the module's docstring)."""
        for _ in range(4):
            if not self.step_right(span, places_after):
                return

    def step_right(self, span: Span, places_after: bool = True) -> bool:
        tokens = self.tokens
        after = span.last + 1
        if after >= len(tokens) or not tokens.adjacent(span.last, after):
            return False
        heads = self.heads(span)
        text = self.word(after)
        place = self.at(after, 'LOC')
        last_word = self.word(span.last)
        if places_after and place is not None and (heads or is_abbreviation(last_word)) \
                and morph_word(last_word) and is_cyrillic(last_word) and genitive(self.word(place.first)):
            self.grow(span, span.first, place.last)
            return True
        lower = text.lower()
        if heads & (GENITIVE_HEADS | TOPIC_HEADS) and text.islower() and 'gent' in cases(text, ('NOUN',)) \
                and places.noun_lemmas(text) & TERRITORIES and self.at(after, 'LOC') is None and not (
                after + 1 < len(tokens) and tokens.adjacent(after, after + 1)
                and self.word(after + 1)[:1].isupper()):      # not `центра «IT-куб»` + `города Владикавказа`
            self.grow(span, span.first, after)       # `Департамент транспорта` + `города`
            return False
        if lower == 'при' and heads:
            stop = self.noun_phrase(after + 1, ('loct', 'datv', 'ablt'))
            if stop is not None:
                stop = self.genitive_tail(stop)
                self.grow(span, span.first, stop)
                return True
        if lower in ('по', 'против') and heads & TOPIC_HEADS:
            stop = self.topic(after + 1, 'datv' if lower == 'по' else 'gent')
            if stop is not None:
                self.grow(span, span.first, stop)
                return True
        if lower == 'в' and heads & MISSIONS:
            place = self.at(after + 1, 'LOC')
            if place is not None and tokens.adjacent(after, after + 1):
                self.grow(span, span.first, place.last)
                return True
        if self.word(span.last).lower() in ('им.', 'имени') or (self.word(span.last) == '.' and span.last > 0
                                                             and self.word(span.last - 1).lower() == 'им'):
            person = next((_ for _ in self.people if _.first == after), None)
            if person is not None:          # `Театра им.` + `Йозефа Бойса`
                self.grow(span, span.first, person.last)
                return True
        if lower in ('им.', 'им', 'имени') and heads:
            index = after + 1 if lower != 'им' else after + 2
            if lower == 'им' and (index - 1 >= len(tokens) or self.word(index - 1) != '.'):
                return False
            person = next((_ for _ in self.people if _.first == index), None)
            if person is not None:
                self.grow(span, span.first, person.last)
                return True
        return False

    def heads(self, span: Span) -> set[str]:
        """Descriptor lemmas among the span's words (`Министерства сельского хозяйства` → {министерство})."""
        found = set()
        table = places.descriptor_classes()
        for index in range(span.first, span.last + 1):
            for lemma in places.noun_lemmas(self.word(index)):
                if lemma in table:
                    found.add(lemma)
        return found

    def noun_phrase(self, index: int, wanted: tuple[str, ...]) -> int | None:
        """Last token of `adjectives* noun` at `index` with the noun in one of the `wanted` cases."""
        tokens = self.tokens
        position = index
        while position < len(tokens) and tokens.joined(position - 1, position):
            text = self.word(position)
            if not morph_word(text) or 'PREP' in pos_set(text) or 'CONJ' in pos_set(text):
                return None
            if cases(text) & set(wanted) and not (pos_set(text) & {'ADJF', 'PRTF'}
                                                  and position + 1 < len(tokens)
                                                  and agrees(text, self.word(position + 1))):
                return position
            if not (pos_set(text) & {'ADJF', 'PRTF'}):
                return None
            position += 1
        return None

    def genitive_tail(self, stop: int, limit: int = 3, names: bool = True) -> int:
        """Up to `limit` lower-case genitive phrases after `stop`, and with `names` a place or organisation
        among them: `при главном архитекторе Москвы`; `министерства иностранных дел` (names=False)."""
        tokens = self.tokens
        for _ in range(limit):
            after = stop + 1
            if after >= len(tokens) or not tokens.adjacent(stop, after):
                break
            place = (self.at(after, 'LOC') or self.at(after, 'ORG')) if names else None
            if place is not None:
                stop = place.last
                continue
            if not self.word(after)[:1].islower():
                break
            found = self.noun_phrase(after, ('gent',))
            if found is None:
                break
            stop = found
        return stop

    def topic(self, index: int, case: str) -> int | None:
        """`по развитию информационного общества`, `по патентам и товарным знакам`, `по Санкт-Петербургу`."""
        tokens = self.tokens
        if index >= len(tokens) or not tokens.adjacent(index - 1, index):
            return None
        stop = None
        position = index
        while True:
            place = self.at(position, 'LOC')
            if place is not None:
                stop = place.last
            else:
                found = self.noun_phrase(position, (case,))
                if (found is None or self.word(found)[:1].isupper()
                        or places.lemmas(self.word(found)) & NOT_TOPICS):
                    break
                stop = self.genitive_tail(found)
            nxt = stop + 1
            if nxt + 1 < len(tokens) and self.word(nxt) == 'и' and tokens.adjacent(stop, nxt):
                position = nxt + 1
                continue
            break
        return stop

    def state_bodies(self) -> None:
        """`мэрии Москвы`, `правительства Китая`, `министерство внутренних дел Пакистана`; the place stays."""
        tokens = self.tokens
        for place in list(self.of_type('LOC')):
            position = place.first - 1
            if (position < 0 or not tokens.adjacent(position, place.first)
                    or not genitive(self.word(place.first))):
                continue
            steps = 0
            while position > 0 and steps < 3 and not places.descriptor(self.word(position), 'state') \
                    and not (steps and places.descriptor(self.word(position), 'unit')) \
                    and self.word(position)[:1].islower() and tokens.adjacent(position - 1, position) \
                    and 'gent' in cases(self.word(position), ('NOUN', 'ADJF', 'PRTF')):
                position -= 1
                steps += 1
            word = self.word(position)
            if self.taken(position, position, ('ORG', 'PER', 'LOC')):
                continue
            if not (places.descriptor(word, 'state') or (steps and places.descriptor(word, 'unit'))):
                continue                  # `мэрии Москвы`; `отдела образования Петроградского района`
            if steps and not places.noun_lemmas(word) & GENITIVE_HEADS:
                continue
            first = self.adjectives_before(position, locating=True)
            span = self.add(Span(first, place.last, 'ORG', kind=places.kind_of([word])))
            self.extend_right(span, places_after=False)

    def territorial_bodies(self) -> None:
        """A body named by its lower-case descriptor, a qualifier and the territory it serves:
        `комитет по образованию области`, `министерство здравоохранения края`, `департамент
        транспорта города`, `управление Росреестра по Москве`; the descriptor alone is no name."""
        tokens = self.tokens
        for index in range(len(tokens) - 2):
            word = self.word(index)
            heads = places.noun_lemmas(word) & (GENITIVE_HEADS | TOPIC_HEADS)
            if not word[:1].islower() or not heads or not places.descriptor(word, 'state') \
                    or self.taken(index, index, ('ORG', 'PER', 'LOC')):
                continue
            after = index + 1
            if self.word(after) == 'по' and heads & TOPIC_HEADS:
                stop = self.topic(after + 1, 'datv')
            else:
                stop = self.genitive_tail(index, limit=3, names=False) if heads & GENITIVE_HEADS else None
            if stop is None or stop == index:
                continue
            stop = self.territory_after(stop) or stop
            if not self.ends_in_territory(index + 1, stop):
                continue
            self.add(Span(index, stop, 'ORG', kind=places.kind_of([word])))

    def territory_after(self, stop: int) -> int | None:
        """The last token of a territory right after `stop`: `области`, `Московской области`, `по Москве`."""
        after = stop + 1
        if after >= len(self.tokens) or not self.tokens.adjacent(stop, after):
            return None
        if self.word(after) == 'по':
            place = self.at(after + 1, 'LOC')
            return place.last if place is not None and self.tokens.adjacent(after, after + 1) else None
        place = self.at(after, 'LOC')
        if place is not None and genitive(self.word(place.first)):
            return place.last
        word = self.word(after)
        if places.noun_lemmas(word) & TERRITORIES and 'gent' in cases(word, ('NOUN',)):
            return after
        return None

    def ends_in_territory(self, first: int, stop: int) -> bool:
        """The phrase `first..stop` ends with a territory: a place, or a word such as `области`."""
        place = self.at(stop, 'LOC')
        return (place is not None and place.last == stop and place.first >= first) or bool(
            places.noun_lemmas(self.word(stop)) & TERRITORIES)

    def place_adjective_bodies(self) -> None:
        """`японское правительство`, `американского министерства иностранных дел`."""
        tokens = self.tokens
        for index in range(1, len(tokens)):
            text = self.word(index)
            if len(text) < 3 or not text[:1].isalpha() or not places.descriptor(text, 'geo') \
                    or (not places.place_of_adjective(self.word(index - 1))
                        and not agrees_any(self.word(index - 1))) \
                    or self.taken(index, index, ('PER',)):
                continue
            existing = next((_ for _ in self.of_type('ORG') if _.first <= index <= _.last), None)
            if existing is not None and existing.first != index:
                continue
            first = self.adjectives_before(index, locating=True)
            if first == index or not any(places.place_of_adjective(self.word(_))
                                         for _ in range(first, index)):
                continue
            if existing is not None:          # `японского` + `МИДа`
                self.grow(existing, first, existing.last)
                existing.kind = existing.kind or places.kind_of([text])
                continue
            last = index
            if places.noun_lemmas(text) & GENITIVE_HEADS:
                last = self.genitive_tail(index, limit=2, names=False)   # `министерства иностранных дел`
            for span in self.of_type('LOC'):
                if first <= span.first and span.last < index:
                    self.spans.remove(span)
            span = self.add(Span(first, last, 'ORG', kind=places.kind_of([text])))
            self.extend_right(span)

    def brackets(self) -> None:
        """`Комитет защиты журналистов (КЗЖ)`, `Amnesty International`, `ПАСЕ (Парламентской ...)`."""
        tokens = self.tokens
        queue = sorted(self.spans, key=lambda _: _.first)
        while queue:
            span = queue.pop(0)
            if span.type not in ('ORG', 'LOC') or span not in self.spans:
                continue
            opening = span.last + 1
            if opening + 1 < len(tokens) and self.word(opening) == ')' and self.word(opening + 1) == '(' \
                    and span.links:
                # `Комитет защиты журналистов (КЗЖ) (Committee to Protect Journalists)`
                opening += 1
            if opening >= len(tokens) or self.word(opening) != '(' or not tokens.joined(opening - 1, opening):
                continue
            closing = next((_ for _ in range(opening + 1, min(opening + 12, len(tokens)))
                            if self.word(_) == ')'), None)
            if closing is None or closing == opening + 1 or tokens.lines[closing] != tokens.lines[opening]:
                continue
            inner = list(range(opening + 1, closing))
            words = [self.word(_) for _ in inner if is_word(self.word(_))]
            before = next((_ for _ in self.of_type('ORG') if _.last == span.first - 1
                           and tokens.adjacent(_.last, span.first)), None)
            if before is not None and span.first == span.last and is_abbreviation(self.word(span.first)):
                span = before             # `организации ООН (ФАО)`: the bracket names the longer one
            other = None
            listed = places.lookup(words)
            if span.type == 'ORG' and len(words) == 1 and is_abbreviation(words[0]) \
                    and (listed is None or listed.type == 'ORG'):
                other = Span(inner[0], inner[-1], 'ORG')                       # (КЗЖ), («ОКАС»)
            elif words and all(is_latin(_) or _[:1].isdigit() or _ in LATIN_GLUE for _ in words) \
                    and (span.type == 'ORG' or len(words) <= 3):
                other = Span(inner[0], inner[-1], span.type)                   # (Amnesty International)
            elif span.type == 'ORG' and span.first == span.last and is_abbreviation(self.word(span.first)) \
                    and words and starts_name(words[0]) and is_cyrillic(words[0]):
                other = next((_ for _ in self.of_type('ORG') if _.first == opening + 1), None) \
                    or Span(inner[0], inner[-1], 'ORG')                        # ПАСЕ (Парламентской ...)
            if other is None:
                continue
            for existing in list(self.spans):
                if existing is not other and existing.type in ('ORG', 'LOC') \
                        and existing.first <= other.last and other.first <= existing.last \
                        and existing.type != other.type:
                    self.spans.remove(existing)
            if other not in self.spans:
                self.add(other)
            for same in [span] + span.links:
                if same is not other and same not in other.links:
                    same.links.append(other)
                    other.links.append(same)
            queue.insert(0, other)

    def propagate(self) -> None:
        """An abbreviation or Latin name found once is a mention wherever it stands untagged,
        and so is a quoted name (`центров «IT-куб»` … `Новые «IT-кубы»`)."""
        if self.not_orgs:                       # `шаттле «Дискавери»` … `старта «Дискавери»`
            self.spans = [_ for _ in self.spans if not (_.type == 'ORG' and repair.name_key(self.tokens, _)
                                                        in self.not_orgs)]
        self.propagate_quoted()
        known = {}
        for span in self.spans:
            if span.first == span.last and (is_abbreviation(self.word(span.first))
                                            or is_latin(self.word(span.first))):
                known.setdefault(self.word(span.first), span.type)
        if not known:
            return
        text = self.tokens.doc.text
        for index, word in enumerate(self.tokens.texts):
            if word not in known or self.taken(index, index, ('ORG', 'LOC', 'PER')):
                continue
            if known[word] == 'ORG' and (fold(word),) in self.not_orgs:
                continue
            token = self.tokens.items[index]
            if ((token.start and text[token.start - 1] in '-./@')
                    or text[token.stop:token.stop + 1] in ('-', '@')):
                continue
            self.spans.append(Span(index, index, known[word]))

    def quoted_key(self, opening: int, closing: int) -> tuple | None:
        words = [self.word(_) for _ in range(opening + 1, closing) if is_word(self.word(_))]
        if not words or len(words) > 6:
            return None
        return tuple(fold(_) for _ in words[:-1]) + (min(places.noun_lemmas(words[-1]) or {fold(words[-1])}),)

    def propagate_quoted(self) -> None:
        if not self.pairs:
            return
        known = set()
        for span in self.of_type('ORG'):
            for opening, closing in self.pairs.items():
                if span.first <= opening and closing <= span.last:
                    key = self.quoted_key(opening, closing)
                    if key:
                        known.add(key)
        if not known:
            return
        for opening, closing in self.pairs.items():
            if self.taken(opening, closing, ('ORG', 'LOC', 'PER')):
                continue
            key = self.quoted_key(opening, closing)
            if key in known and key not in self.not_orgs:
                self.spans.append(Span(opening, closing, 'ORG'))

    def finish(self) -> list[Span]:
        """One span per stretch and type: rule-made first, then the longer."""
        return one_per_stretch(self.spans, lambda _: (_.source != SOURCE, -(_.last - _.first), _.first))


def agrees_any(text: str) -> bool:
    """May be an adjective (`японского`, `дипломатического`)."""
    return bool(pos_set(text) & {'ADJF', 'PRTF'})


def adjective_first(text: str) -> bool:
    """`детского`, `Верховный`: most likely an adjective, and not a pronoun (`все`, `самого`, `главой`)."""
    found = parses(text)
    return bool(found) and morph_attr(found[0], 'POS') in ('ADJF', 'PRTF') and not any(
        'Apro' in _.tag for _ in found)


def morph_attr(parse, name: str):
    from pipeline.lang import morph
    return morph.attr(parse.tag, name)


def morph_word(text: str) -> bool:
    return text[:1].isalpha() and any(_.isalpha() for _ in text)


def modifier(text: str) -> bool:
    """A word that may stand between a descriptor and its name: genitive phrases, `для`, `по`."""
    if text in PREPOSITIONS_IN_NAMES:
        return True
    kinds = pos_set(text)
    return (bool(kinds & {'NOUN', 'ADJF', 'PRTF'})
            and not kinds & {'VERB', 'INFN', 'GRND', 'PRTS', 'ADVB', 'NPRO'})


def starts_name(text: str) -> bool:
    """A quoted name starts with a capital, a digit or a Latin letter (`«IT-куб»`, `«5 мыслей»`)."""
    return bool(text) and (text[0].isupper() or text[0].isdigit() or is_latin(text))


def genitive(word: str) -> bool:
    """`Москвы`, `США`, `Бангладеша`: may be a genitive (or does not decline)."""
    return fixed(word) or 'gent' in cases(word, ('NOUN', 'ADJF')) or not in_dictionary(word)


def run(doc: Document, res=None) -> Document:
    if not doc.tokens:
        return doc
    found = repair.repair(doc)
    tokens, others = found.tokens, found.others
    builder = Builder(tokens, found.spans, person_spans(doc, tokens, others), found.pairs, found.not_orgs)
    if builder.pairs:
        builder.quoted_names()
    for span in builder.of_type('ORG'):
        if span in builder.spans:
            builder.extend_left(span)
    for span in builder.of_type('ORG'):
        if span in builder.spans:
            builder.extend_right(span)
    builder.state_bodies()
    builder.territorial_bodies()
    builder.place_adjective_bodies()
    builder.brackets()
    builder.propagate()
    kept = builder.finish()
    doc.mentions = others + to_mentions(doc, kept)
    return doc
