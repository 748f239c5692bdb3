"""The gold set is well-formed: every record checks against its text and the guide."""

import json
import re

import pytest

from .conftest import GOLD, SEEDS

TYPES = {'PER', 'ORG', 'LOC', 'DATE', 'NUMBER', 'MONEY'}
QUALIFIERS = {'approx', 'gt', 'gte', 'lt', 'lte'}
ALLOWED = {'doc_id', 'type', 'start', 'stop', 'text', 'normal', 'value', 'value_max', 'unit',
           'qualifier', 'note', 'entity'}
# ISO 8601 as GOLD-GUIDE.md writes it: dates, --MM-DD, centuries/decades, times,
# ranges with `/` (open ends `..`), lists with `;`
ISO_PART = r'(\d{2,4}(-\d{2}(-\d{2}(T\d{2}:\d{2})?)?)?|--\d{2}-\d{2}|\.\.)'
ISO = re.compile(rf'^{ISO_PART}(/{ISO_PART})?(;{ISO_PART}(/{ISO_PART})?)*$')
CURRENCIES = {'RUB', 'USD', 'EUR', 'CNY', 'GBP', 'JPY', 'CHF', 'UAH', 'KZT', 'BYN', 'TRY', 'INR'}


def records():
    for path in sorted(GOLD.glob('*.jsonl')):
        for number, line in enumerate(path.read_text(encoding='utf-8').splitlines(), 1):
            yield path, number, json.loads(line)


def test_gold_covers_every_seed():
    assert {_.stem for _ in GOLD.glob('*.jsonl')} == {_.stem for _ in SEEDS.glob('*.txt')}
    assert 130 <= sum(1 for _ in records()) <= 180


ROLE_FIELDS = {'doc_id', 'type', 'start', 'stop', 'text', 'person', 'position', 'position_normal',
               'organisation', 'note'}


def mention_records():
    return [_ for _ in records() if _[2]['type'] != 'ROLE']


def role_records():
    return [_ for _ in records() if _[2]['type'] == 'ROLE']


@pytest.mark.parametrize('path, number, record', role_records(), ids=lambda _: '')
def test_gold_role_well_formed(path, number, record):
    """ROLE (gold/README.md): evidence span in the text, the person a gold PER inside it,
    the position in it."""
    where = f'{path.name}:{number}'
    assert set(record) <= ROLE_FIELDS and {'person', 'position', 'position_normal'} <= set(record), where
    assert record['doc_id'] == path.stem, where
    text = (SEEDS / f'{path.stem}.txt').read_text(encoding='utf-8')
    start, stop = record['start'], record['stop']
    assert isinstance(start, int) and isinstance(stop, int) and 0 <= start < stop <= len(text), where
    assert text[start:stop] == record['text'] and '\n' not in record['text'], where
    assert record['position'] in record['text'], where
    assert record['organisation'] is None or (isinstance(record['organisation'], str)
                                              and record['organisation'])
    people = [other for _path, _number, other in mention_records() if other['doc_id'] == record['doc_id']
              and other['type'] == 'PER' and start <= other['start'] and other['stop'] <= stop]
    assert any((_.get('entity') or _['normal']) == record['person'] for _ in people), where


def test_gold_has_roles():
    assert len(role_records()) >= 10


@pytest.mark.parametrize('path, number, record', mention_records(), ids=lambda _: '')
def test_gold_record_well_formed(path, number, record):
    where = f'{path.name}:{number}'
    assert set(record) <= ALLOWED, where
    assert record['doc_id'] == path.stem, where
    assert record['type'] in TYPES, where
    text = (SEEDS / f'{path.stem}.txt').read_text(encoding='utf-8')
    start, stop = record['start'], record['stop']
    assert isinstance(start, int) and isinstance(stop, int) and 0 <= start < stop <= len(text), where
    assert text[start:stop] == record['text'], where
    assert '\n' not in record['text'], where
    assert record['text'] == record['text'].strip(), where
    if record['type'] in ('PER', 'ORG', 'LOC'):
        assert isinstance(record.get('normal'), str) and record['normal'].strip(), where
        assert '\u2011' not in record['normal'] and not {'value', 'unit'} & set(record), where
    elif record['type'] == 'DATE':
        assert record['value'] is None or ISO.match(record['value']), where
    else:
        assert isinstance(record['value'], (int, float)), where
        if 'value_max' in record:
            assert record['value_max'] > record['value'], where
        assert record.get('qualifier') in QUALIFIERS | {None}, where
        if record['type'] == 'MONEY':
            assert record['unit'] in CURRENCIES, where
        else:
            assert isinstance(record['unit'], str) and record['unit'], where


def test_gold_no_duplicates_or_same_type_overlaps():
    spans = {}
    for path, number, record in mention_records():
        key = (record['doc_id'], record['type'])
        for start, stop in spans.get(key, []):
            assert not (record['start'] < stop and start < record['stop']), f'{path.name}:{number} overlaps'
        spans.setdefault(key, []).append((record['start'], record['stop']))


def test_factru_person_name_accepts_the_initial_with_its_dot():
    """factRuEval writes an initial as the bare letter; GOLD-GUIDE.md keeps its dot: both count."""
    from pipeline.evaluation.goldsets import factru_names
    assert factru_names('PER', {'firstname': ['Н'], 'lastname': ['Кан']}) == ['Н Кан', 'Н. Кан']
    assert factru_names('PER', {'firstname': ['Наото'], 'lastname': ['Кан']}) == ['Наото Кан']
    assert factru_names('PER', {'patronymic': ['Иосифовна']}) == ['Иосифовна']
