"""Publication date (pipeline.stages.published): from metadata or the article's own lines."""

import pytest

from pipeline.document import Document
from pipeline.stages import dates, published, segment

BODY = 'Текст новости о работе центров цифрового образования в регионе.\n'
LONG_BODY = BODY * 30

CASES = [
    # text, metadata published, expected published, expected source
    ('Заголовок\n\n' + BODY + '\nДата публикации: 23.08.2024\nРаспечатать\n', None, '2024-08-23', 'text'),
    ('Заголовок\n' + LONG_BODY + 'Дата публикации: 23.08.2024\n', None, '2024-08-23', 'text'),
    ('Опубликовано: 5 марта 2023 года\n' + BODY, None, '2023-03-05', 'text'),
    ('Госуслуги\n\nЗаголовок\n\n15 июля 2020 года 07:29\n\n' + LONG_BODY + '\nобновлено 17.11.2024 22:13',
     None, '2020-07-15T07:29', 'text'),
    ('Заголовок\n\n' + LONG_BODY + '\n23 августа 2022 / 17:31', None, '2022-08-23T17:31', 'text'),
    ('Заголовок\n\n' + LONG_BODY + '\nобновлено 17.11.2024 22:13', None, '2024-11-17T22:13', 'text'),
    ('Заголовок\nпонедельник, 14 июля 2025\n' + BODY, None, '2025-07-14', 'text'),
    ('Заголовок\n23.08.2024 17:31\n' + BODY, None, '2024-08-23T17:31', 'text'),
    # no publication line
    ('20 мая 2025 года в Колледже подписано соглашение.\n' + BODY, None, None, None),
    ('Заголовок\n' + BODY, None, None, None),
    ('Заголовок\nСегодня, 14:30\n' + BODY, None, None, None),               # relative: no anchor of its own
    ('Заголовок\n14 июля\n' + BODY, None, None, None),                       # no year
    ('Заголовок\n' + BODY * 15 + '15 июля 2020 года\n' + BODY * 15, None, None, None),   # mid-article
    # metadata wins and is normalised
    ('Заголовок\nДата публикации: 23.08.2024\n', '2024-09-01', '2024-09-01', 'metadata'),
    (BODY, '2024-08-23T10:00:00+03:00', '2024-08-23T10:00+03:00', 'metadata'),
    (BODY, '2024-08-23', '2024-08-23', 'metadata'),
    (BODY, '23.08.2024', '2024-08-23', 'metadata'),
    (BODY, '23.08.2024 10:15', '2024-08-23T10:15', 'metadata'),
    (BODY, 'Fri, 23 Aug 2024 10:00:00 +0300', '2024-08-23T10:00+03:00', 'metadata'),
    (BODY, '23 августа 2024 года', '2024-08-23', 'metadata'),
    (BODY, 'вчера', 'вчера', 'metadata'),                                     # kept as given
]


@pytest.mark.parametrize('text, metadata, expected, source', CASES)
def test_published_found(res, text, metadata, expected, source):
    doc = published.run(segment.run(Document('test', text, published=metadata)), res)
    assert (doc.published, doc.published_source) == (expected, source)


def test_published_anchors_relative_dates(res):
    text = 'Заголовок\n15 июля 2020 года 07:29\nВчера и 14 июля прошли встречи, а в прошлом году — съезд.\n'
    doc = segment.run(Document('test', text))
    for stage in (published, dates):
        doc = stage.run(doc, res)
    values = [(_.text, _.value) for _ in doc.mentions if _.type == 'DATE']
    assert values == [('15 июля 2020 года 07:29', '2020-07-15T07:29'), ('Вчера', '2020-07-14'),
                      ('14 июля', '2020-07-14'), ('в прошлом году', '2019')]


def test_published_stage_order():
    from pipeline.batch.runner import STAGES
    names = [_.name for _ in STAGES]
    order = ['segment', 'rules.published', 'ner', 'rules.dates', 'rules.money', 'rules.numbers', 'resolve']
    assert [_ for _ in names if _ in order] == order      # other stages (rules.orgs) may stand between
