"""Language: each document's language is detected; only `--languages` go through the Russian stages."""

import pytest

from pipeline.batch.runner import run
from pipeline.lang import language
from pipeline.store.tables import load_tables

RUSSIAN = 'Губернатор Тюменской области Александр Моор посетил технопарк «Кванториум» в Тюмени.'
UKRAINIAN = 'Президент України Володимир Зеленський провів нараду з урядом у Києві.'
ENGLISH = 'The governor of the Tyumen region, Alexander Moor, visited the Kvantorium technopark in Tyumen.'

CASES = [
    (RUSSIAN, 'ru'),
    ('ООО «Ромашка»: выручка выросла до 12 млрд руб., сообщил директор.', 'ru'),
    ('Президент України Володимир Зеленський провів нараду з урядом у Києві.', 'uk'),
    ('Прэзідэнт Беларусі правёў нараду з урадам у Мінску.', 'be'),
    (ENGLISH, 'en'),
    ('Der Bürgermeister hat heute in Berlin die neue Schule eröffnet.', 'de'),
    ('12 345 678 — 2024', None),
    # short Russian lines that trigrams alone give to Bulgarian or Serbian
    ('Администрация Обнинска в Телеграме', 'ru'),
    ('Стадион построят в Лужниках.', 'ru'),
    ('Президентът на България Румен Радев проведе среща с министрите в София.', 'bg'),
    ('Председник Србије Александар Вучић састао се са министрима у Београду.', 'sr'),
    ('Стадион построят в Лужниках к осени.', 'ru'),
    ('Администрация города открыла новый мост.', 'ru'),
    ('Проект моста подготовил архитектор Ирина Волкова.', 'ru'),
    ('Мостът беше открит от кмета на София вчера сутринта, съобщиха от общината, '
     'която отговаря за ремонта на пътя между двата квартала на града. ' * 4, 'bg'),
]


@pytest.mark.parametrize('text, expected', CASES)
def test_language_detect(text, expected):
    assert language.detect(text) == expected


@pytest.mark.parametrize('value, expected', [
    ('ru', {'ru'}), ('ru, UK', {'ru', 'uk'}), ('all', set()), ('', set()),
])
def test_language_parse_languages(value, expected):
    assert language.parse_languages(value) == expected


def write_inputs(folder):
    folder.mkdir()
    (folder / 'ru1.txt').write_text(RUSSIAN, encoding='utf-8')
    (folder / 'en1.txt').write_text(ENGLISH, encoding='utf-8')
    (folder / 'uk1.txt').write_text(UKRAINIAN, encoding='utf-8')
    return folder


def test_language_foreign_documents_kept_but_not_processed(res, tmp_path):
    summary = run([write_inputs(tmp_path / 'in')], tmp_path / 'out', progress=False, workers=1,
                  languages='ru')
    frames = load_tables(tmp_path / 'out')
    languages = dict(zip(frames['documents']['doc_id'], frames['documents']['language']))
    assert languages == {'ru1': 'ru', 'en1': 'en', 'uk1': 'uk'}
    assert set(frames['mentions']['doc_id']) == {'ru1'}   # Ukrainian names read as Russian would be noise
    assert len(frames['errors']) == 0 and summary.errors == 0
    assert summary.languages == {'en': 1, 'uk': 1}
    assert summary.line().endswith('; skipped: language en 1; skipped: language uk 1')


@pytest.mark.parametrize('languages, processed, skipped', [
    ('ru,uk', {'ru1', 'uk1'}, {'en': 1}),
    ('all', {'ru1', 'uk1'}, {}),   # the English one too, where the Russian NER finds nothing
])
def test_language_asked_for_are_processed(res, tmp_path,
                                          languages, processed, skipped):
    summary = run([write_inputs(tmp_path / 'in')], tmp_path / 'out', progress=False, workers=1,
                  languages=languages)
    frames = load_tables(tmp_path / 'out')
    assert set(frames['mentions']['doc_id']) == processed
    assert summary.languages == skipped
