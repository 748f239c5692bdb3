"""Organisations and people that news confuses: one table per class (issue 19), sentences written for it.

Each case is (sentence, mentions): the whole pipeline (`process_text`) runs over the sentence, and the
PER/ORG/LOC mentions that overlap any expected one must be exactly the expected (type, text, normal)
records: a band's name read as a place or a person, a span one word short, or a normal with its quote
marks all fail. Mentions elsewhere in the sentence are not looked at.
"""

import pytest

from pipeline import process_text

NAME_TYPES = ('PER', 'ORG', 'LOC')

# Latin names in double apostrophes (`''Vogue''`, as many Russian sites write quotes) or in plain
# single quotes: an organisation, its descriptor in the span, the name alone as its normal
LATIN_QUOTED = [
    ("На фестивале выступила группа ''Arctic Monkeys''.",
     [('ORG', "группа ''Arctic Monkeys''", 'Arctic Monkeys')]),
    ("Интервью опубликовал журнал ''Vogue''.", [('ORG', "журнал ''Vogue''", 'Vogue')]),
    ("Фильм показал телеканал ''Discovery''.", [('ORG', "телеканал ''Discovery''", 'Discovery')]),
    ("Новый номер выпустил журнал ''Esquire''.", [('ORG', "журнал ''Esquire''", 'Esquire')]),
    ("Концерт дала группа 'Muse' из Великобритании.", [('ORG', "группа 'Muse'", 'Muse')]),
    ("Статья вышла в журнале 'Forbes' в среду.", [('ORG', "журнале 'Forbes'", 'Forbes')]),
]

# bands, stage names and websites: a band with a place's name is no place, a performer known by one
# name is a person, a site named by its address is an organisation with `сайт` in its span
STAGE_NAMES_AND_SITES = [
    ('Песню записала группа «Ленинград».', [('ORG', 'группа «Ленинград»', 'Ленинград')]),
    ('На концерте группы «Ленинград» было много людей.', [('ORG', 'группы «Ленинград»', 'Ленинград')]),
    ('Вышел клип группы «Мумий Тролль».', [('ORG', 'группы «Мумий Тролль»', 'Мумий Тролль')]),
    ('Об этом сообщил сайт Lenta.ru.', [('ORG', 'сайт Lenta.ru', 'Lenta.ru')]),
    ('Новость опубликовал портал Gazeta.ru.', [('ORG', 'портал Gazeta.ru', 'Gazeta.ru')]),
    ('На концерте выступил рэпер Тимати.', [('PER', 'Тимати', 'Тимати')]),
    ('Рэпер Баста выпустил новый альбом.', [('PER', 'Баста', 'Баста')]),
    ('Певица Земфира дала концерт.', [('PER', 'Земфира', 'Земфира')]),
]

# a state body named by its lower-case descriptor, a qualifier and the territory it serves: the whole
# phrase is the organisation (a place named in it stays a mention of its own)
TERRITORIAL_BODIES = [
    ('Об этом сообщил комитет по образованию области.',
     [('ORG', 'комитет по образованию области', 'комитет по образованию области')]),
    ('Депутаты обсудили работу комитета по культуре края.',
     [('ORG', 'комитета по культуре края', 'комитет по культуре края')]),
    ('Проверку провело министерство здравоохранения края.',
     [('ORG', 'министерство здравоохранения края', 'министерство здравоохранения края')]),
    ('Сообщение опубликовало министерство финансов республики.',
     [('ORG', 'министерство финансов республики', 'министерство финансов республики')]),
    ('Конкурс объявил департамент транспорта города.',
     [('ORG', 'департамент транспорта города', 'департамент транспорта города')]),
    ('Сведения предоставило управление Росреестра по Москве.',
     [('ORG', 'управление Росреестра по Москве', 'управление Росреестра по Москве'),
      ('LOC', 'Москве', 'Москва')]),
    ('Решение принял комитет по образованию Ленинградской области.',
     [('ORG', 'комитет по образованию Ленинградской области', 'комитет по образованию Ленинградской области'),
      ('LOC', 'Ленинградской области', 'Ленинградская область')]),
]

# a place inside an organisation's name: the organisation spans it, and the place is a mention of its
# own as factRuEval labels it (GOLD-GUIDE.md says nothing against nesting); a quoted name that is
# exactly a place's name (`группа «Ленинград»`, above) is no place
PLACE_IN_ORG_NAME = [
    ('Указ поддержало правительство Москвы.',
     [('ORG', 'правительство Москвы', 'правительство Москвы'), ('LOC', 'Москвы', 'Москва')]),
    ('В правительстве Москвы заявили, что проект продлят.',
     [('ORG', 'правительстве Москвы', 'правительство Москвы'), ('LOC', 'Москвы', 'Москва')]),
    ('Мэрия Санкт-Петербурга объявила тендер.',
     [('ORG', 'Мэрия Санкт-Петербурга', 'Мэрия Санкт-Петербурга'),
      ('LOC', 'Санкт-Петербурга', 'Санкт-Петербург')]),
    ('Администрация Краснодарского края выделила средства.',
     [('ORG', 'Администрация Краснодарского края', 'Администрация Краснодарского края'),
      ('LOC', 'Краснодарского края', 'Краснодарский край')]),
    ('Заявление сделал МИД России.', [('ORG', 'МИД России', 'МИД России'), ('LOC', 'России', 'Россия')]),
]

# a descriptor alone names nothing; `сайте Facebook` is Facebook, not a site's address
NOT_NAMES = [
    ('Об этом сообщил комитет.', 'комитет'),
    ('Решение приняло министерство.', 'министерство'),
    ('Фото появилось на сайте Facebook.', 'сайте Facebook'),
]


def found_near(text: str, expected: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The PER/ORG/LOC mentions overlapping any expected one, as (type, text, normal)."""
    doc = process_text(text)
    spans = []
    for _type, surface, _normal in expected:
        start = text.index(surface)
        spans.append((start, start + len(surface)))
    return sorted((m.type, m.text, m.normal) for m in doc.mentions if m.type in NAME_TYPES
                  and any(m.start < stop and start < m.stop for start, stop in spans))


@pytest.mark.parametrize('text, expected', LATIN_QUOTED)
def test_classes_latin_name_in_apostrophes_is_an_organisation(text, expected):
    assert found_near(text, expected) == sorted(expected)


@pytest.mark.parametrize('text, expected', STAGE_NAMES_AND_SITES)
def test_classes_bands_stage_names_and_sites(text, expected):
    assert found_near(text, expected) == sorted(expected)


@pytest.mark.parametrize('text, expected', TERRITORIAL_BODIES)
def test_classes_body_of_a_territory_is_one_organisation(text, expected):
    assert found_near(text, expected) == sorted(expected)


@pytest.mark.parametrize('text, expected', PLACE_IN_ORG_NAME)
def test_classes_place_inside_an_organisation_name(text, expected):
    assert found_near(text, expected) == sorted(expected)


@pytest.mark.parametrize('text, surface', NOT_NAMES)
def test_classes_descriptor_alone_is_no_name(text, surface):
    doc = process_text(text)
    assert surface not in {m.text for m in doc.mentions if m.type in NAME_TYPES}


def test_classes_tables_large_enough():
    tables = (LATIN_QUOTED, STAGE_NAMES_AND_SITES, TERRITORIAL_BODIES, PLACE_IN_ORG_NAME)
    assert all(len(_) >= 5 for _ in tables)
