"""Linking mentions of one thing within one article."""

import pytest

from pipeline import process_text
from pipeline.document import LinkHints, Mention
from pipeline.stages.link import thing_entities


def entities_of(doc):
    return {doc.mentions[i].text: doc.entities[m.entity].name
            for i, m in enumerate(doc.mentions) if m.entity is not None}


def test_link_seed_person(seed_docs):
    doc = seed_docs['004_647e408614c3f80b']
    names = {doc.entities[m.entity].name for m in doc.mentions if m.type == 'PER'
             and 'Разумовск' in m.text}
    assert names == {'Дмитрий Разумовский'}


def test_link_surname_and_first_name(res):
    doc = process_text('Директор колледжа Никита Златин рассказал о планах. '
                       'По словам Никиты Андреевича, работа идёт. Златин добавил, что всё готово.', res=res)
    people = [doc.entities[m.entity] for m in doc.mentions if m.type == 'PER']
    assert len({id(_) for _ in people}) == 1
    assert people[0].first == 'Никита' and people[0].last == 'Златин' and people[0].middle == 'Андреевич'


def test_link_ambiguous_surname_stays_apart(res):
    doc = process_text('Встретились Иван Петров и Мария Петрова. Петров выступил первым.', res=res)
    per = [m for m in doc.mentions if m.type == 'PER']
    assert len(per) == 3
    assert len({m.entity for m in per}) >= 2


def test_link_college_short_form(seed_docs):
    doc = seed_docs['003_79bae74c32e136b4']
    college = {m.entity for m in doc.mentions if m.type == 'ORG' and m.text.startswith('Колледж')}
    assert len(college) == 1
    assert doc.entities[college.pop()].name == 'Колледж автоматизации производства'


def test_link_abbreviation_joins_full_name():
    from pipeline.stages.link import abbreviation
    assert abbreviation('Объединение когнитивных ассоциативных систем') == 'ОКАС'


SAME_AS = [      # the first mention's `links.same_as`, then how many organisations the three names make
    ((), 3),
    ((24,), 2),
    ((24, 48), 1),                   # several targets: each is followed, not only the first
    ((48, 24), 1),
    ((99,), 3),                      # a start that is no mention joins nothing
]


@pytest.mark.parametrize('same_as, expected', SAME_AS)
def test_link_follows_every_same_as(same_as, expected):
    names = [(0, 'Северный альянс'), (24, 'Alpha Group'), (48, 'Бета')]
    mentions = [(index, Mention(start, start + len(name), 'ORG', name, normal=name,
                                links=LinkHints(same_as=same_as) if index == 0 else None))
                for index, (start, name) in enumerate(names)]
    assert len(thing_entities('ORG', mentions)) == expected
