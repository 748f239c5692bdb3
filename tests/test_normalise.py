"""Normal forms and name parts (GOLD-GUIDE.md: Names)."""

import pytest

from pipeline import process_text
from pipeline.document import Document, Mention
from pipeline.stages import normalise, segment

NAME_CASES = [
    # (type, text as found, normal)
    ('PER', 'Дмитрия Разумовского', 'Дмитрий Разумовский'),
    ('PER', 'Шинкаревой', 'Шинкарева'),
    ('PER', 'Марии Шинкаревой', 'Мария Шинкарева'),
    ('PER', 'Никиты Андреевича', 'Никита Андреевич'),
    ('PER', 'Владимира Путина', 'Владимир Путин'),
    ('PER', 'Аллой Калиниченко', 'Алла Калиниченко'),
    ('PER', 'Виталием Литке', 'Виталий Литке'),
    ('PER', 'Н. Н. Петровой', 'Н. Н. Петрова'),
    ('PER', 'Светланы Макаренко', 'Светлана Макаренко'),
    ('PER', 'Алексею Скляру', 'Алексей Скляр'),
    ('ORG', 'Цифровом прорыве-2020', 'Цифровой прорыв-2020'),
    ('ORG', 'Кванториумов', 'Кванториум'),
    ('ORG', 'Колледжа автоматизации производства', 'Колледж автоматизации производства'),
    ('ORG', 'Колледже автоматизации производства', 'Колледж автоматизации производства'),
    ('ORG', 'Счетной палаты', 'Счетная палата'),
    ('ORG', 'Дагестанского государственного университета народного хозяйства',
     'Дагестанский государственный университет народного хозяйства'),
    ('ORG', 'Информационно-методическим центром', 'Информационно-методический центр'),
    ('ORG', 'ФГАНУ «ФИЦТО»', 'ФИЦТО'),
    ('ORG', 'технопарка «Кванториум»', 'Кванториум'),
    ('ORG', 'ИТ-компании «Объединение когнитивных ассоциативных систем»',
     'Объединение когнитивных ассоциативных систем'),
    ('ORG', 'Комитет по образованию Санкт\u2011Петербурга', 'Комитет по образованию Санкт-Петербурга'),
    ('LOC', 'Санкт\u2011Петербурга', 'Санкт-Петербург'),
    ('LOC', 'Челябинской области', 'Челябинская область'),
    ('LOC', 'Петроградском районе', 'Петроградский район'),
    ('LOC', 'Северную Осетию', 'Северная Осетия'),
    ('LOC', 'Российской Федерации', 'Российская Федерация'),
    ('LOC', 'Лужниках', 'Лужники'),
    ('LOC', 'Нидерландах', 'Нидерланды'),
    ('LOC', 'Тюмени', 'Тюмень'),
    ('LOC', 'РФ', 'РФ'),
    ('LOC', 'Махачкале', 'Махачкала'),
]


def normalised(type, text):
    doc = segment.run(Document('t', text))
    doc.mentions = [Mention(0, len(text), type, text)]
    return normalise.run(doc).mentions[0]


@pytest.mark.parametrize('type, text, normal', NAME_CASES)
def test_normalise_names(type, text, normal):
    assert normalised(type, text).normal == normal


PARTS_CASES = [
    ('Дмитрия Разумовского', ('Дмитрий', '', 'Разумовский')),
    ('Никиты Андреевича', ('Никита', 'Андреевич', '')),
    ('Разумовского', ('', '', 'Разумовский')),
    ('Н. Н. Петровой', ('Н.', 'Н.', 'Петрова')),
    ('Марии Шинкаревой', ('Мария', '', 'Шинкарева')),
    ('Алексей Николаевич Скляр', ('Алексей', 'Николаевич', 'Скляр')),
]


@pytest.mark.parametrize('text, parts', PARTS_CASES)
def test_normalise_person_parts(text, parts):
    assert normalised('PER', text).parts == parts


def test_normalise_quoted_kind():
    mention = normalised('ORG', 'ФГАНУ «ФИЦТО»')
    assert (mention.normal, mention.kind) == ('ФИЦТО', 'ФГАНУ')


def test_normalise_keeps_e_spelling():
    # pymorphy3 writes `логачёв`; the article wrote `Логачев`
    assert normalised('PER', 'Никиты Логачева').normal == 'Никита Логачев'


def test_kind_is_the_descriptor_in_the_nominative(res):
    """`kind` of organisations and places: the head noun's lemma, abbreviations as written."""
    doc = process_text('В отеле «Radisson Blu» прошла встреча. Сотрудники ФГАНУ «ФИЦТО» и ГАУ ДО ТО '
                       '«Пионер» приехали из города Тюмени и Челябинской области.', res=res)
    kinds = {m.normal: m.kind for m in doc.mentions if m.type in ('ORG', 'LOC')}
    assert kinds.get('Radisson Blu') == 'отель', kinds
    assert kinds.get('ФИЦТО') == 'ФГАНУ' and kinds.get('Пионер') == 'ГАУ ДО ТО', kinds
    assert kinds.get('Тюмень') == 'город' and kinds.get('Челябинская область') == 'область', kinds
