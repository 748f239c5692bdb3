"""The validator scores what GOLD-GUIDE.md (Scoring) says, and can fail."""

import json
import math
import random
import subprocess
import sys
from dataclasses import replace

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.evaluation import goldsets, scoring, validate
from pipeline.evaluation.goldsets import Annotations, Gold, Labelled, Named
from pipeline.evaluation.thresholds import load_thresholds
from pipeline.store import rows as tables
from pipeline.store import schemas
from pipeline.store.tables import write_tables as commit_tables

from .conftest import FACTRU, GOLD, NEREL, ROOT, SEEDS

# the finalised gold once it is there, the first annotation pass until then
SAMPLE_GOLD = GOLD if any(GOLD.glob('*.jsonl')) else GOLD / 'passes' / 'a'
TEXT = 'x' * 100


def mention(type, start, stop, **fields):
    return Labelled('d', type, start, stop, TEXT[start:stop], **fields)


def score(gold_mentions, pred_mentions, gold_entities=(), pred_entities=()):
    gold = Gold(mentions=list(gold_mentions), entities=list(gold_entities), texts={'d': TEXT})
    return validate.compare(gold, Annotations(list(pred_mentions), list(pred_entities)))


# ---------------------------------------------------------------- matching

# (gold spans, predicted spans, matched (gold, pred) index pairs)
MATCH_CASES = [
    ([(0, 10)], [(0, 10)], [(0, 0)]),
    ([(0, 10)], [(5, 15)], [(0, 0)]),
    ([(0, 10)], [(10, 20)], []),                                  # touching is not overlapping
    ([(0, 10), (12, 20)], [(5, 15), (14, 20)], [(0, 0), (1, 1)]),  # 6 > 5 > 3: greedy by overlap
    ([(0, 10), (12, 20)], [(2, 18)], [(0, 0)]),                   # one prediction matches one gold
    ([(2, 6)], [(0, 10), (2, 7)], [(0, 1)]),                      # overlap 4 both: the closer extent
    ([(0, 10), (8, 10)], [(8, 10)], [(1, 0)]),                    # overlap 2 both: the exact one
]


@pytest.mark.parametrize('gold, pred, pairs', MATCH_CASES)
def test_validate_match_greedy_by_largest_overlap(gold, pred, pairs):
    def spans(items):
        return [mention('ORG', a, b) for a, b in items]
    assert scoring.match(spans(gold), spans(pred)) == pairs


def test_validate_exact_versus_overlap():
    gold = [mention('LOC', 0, 10), mention('LOC', 20, 30), mention('LOC', 40, 50), mention('PER', 60, 70)]
    pred = [mention('LOC', 0, 10), mention('LOC', 22, 30), mention('LOC', 80, 90), mention('PER', 60, 70)]
    scores = score(gold, pred).scores
    loc = scores.loc['LOC']
    assert (loc['gold'], loc['pred'], loc['tp_overlap'], loc['tp_exact']) == (3, 3, 2, 1)
    assert loc['p_overlap'] == pytest.approx(2 / 3) and loc['r_overlap'] == pytest.approx(2 / 3)
    assert loc['f1_exact'] == pytest.approx(1 / 3)
    assert scores.loc['PER', 'f1_exact'] == 1.0
    assert scores.loc['all', 'tp_overlap'] == 3 and scores.loc['all', 'f1_overlap'] == pytest.approx(0.75)
    assert scores.loc['DATE', 'gold'] == 0 and math.isnan(scores.loc['DATE', 'f1_overlap'])


def test_validate_types_never_cross():
    scores = score([mention('ORG', 0, 10)], [mention('LOC', 0, 10)]).scores
    assert scores.loc['ORG', 'r_overlap'] == 0 and scores.loc['LOC', 'p_overlap'] == 0


# ---------------------------------------------------------------- normal, value, unit

# (gold normal, predicted normal, counted as right)
NORMAL_CASES = [
    ('Дмитрий Разумовский', 'Дмитрий Разумовский', True),
    ('Артём Зёрнов', 'Артем Зернов', True),         # ё folded
    ('Челябинская область', 'челябинская ОБЛАСТЬ', True),   # case folded
    ('Кванториум', 'Кванториумы', False),
    ('Кванториум', '«Кванториум»', False),           # mentions: only ё and case are folded
    ('Кванториум', None, False),
]


@pytest.mark.parametrize('gold, pred, right', NORMAL_CASES)
def test_validate_normal_accuracy_folds_yo_and_case(gold, pred, right):
    report = score([mention('ORG', 0, 10, normal=gold)], [mention('ORG', 2, 10, normal=pred)])
    assert report.scores.loc['ORG', 'normal_accuracy'] == (1.0 if right else 0.0)
    assert ('wrong_normal' in set(report.errors['kind_of_error'])) is not right


# (type, gold value, gold unit, predicted value, predicted unit, value right, unit right)
VALUE_CASES = [
    ('NUMBER', 250000, 'ребёнок', 250000.0, 'ребенок', True, True),
    ('NUMBER', 250000, 'ребёнок', '250000', 'ребёнок', True, True),     # as the mentions table writes it
    ('NUMBER', 20, 'подросток', 25.0, 'подросток', False, True),
    ('NUMBER', 15, '%', 15.0, None, True, False),
    ('MONEY', 10000, 'RUB', 10000.0, 'rub', True, True),
    ('MONEY', 10000, 'RUB', 10000.5, 'RUB', False, True),
    ('DATE', '2024-08-23', None, '2024-08-23', None, True, None),
    ('DATE', '2024-08', None, '2024-08-01', None, False, None),
    ('DATE', '2021/..', None, '2021', None, False, None),
    ('DATE', None, None, None, None, True, None),       # `вчера` with no article date: null both sides
]


@pytest.mark.parametrize('type, gold_value, gold_unit, pred_value, pred_unit, value_right, unit_right',
                         VALUE_CASES)
def test_validate_value_and_unit_accuracy(type, gold_value, gold_unit, pred_value, pred_unit, value_right,
                                          unit_right):
    report = score([mention(type, 0, 10, value=gold_value, unit=gold_unit)],
                   [mention(type, 0, 10, value=pred_value, unit=pred_unit)])
    row = report.scores.loc[type]
    assert row['value_accuracy'] == (1.0 if value_right else 0.0)
    if unit_right is None:
        assert row['unit_n'] == 0 and math.isnan(row['unit_accuracy'])
    else:
        assert row['unit_accuracy'] == (1.0 if unit_right else 0.0)


def test_validate_accuracy_counts_matched_pairs_only():
    gold = [mention('PER', 0, 10, normal='Никита Логачев'), mention('PER', 20, 30, normal='Владимир Путин')]
    pred = [mention('PER', 0, 10, normal='Никита Логачёв')]
    row = score(gold, pred).scores.loc['PER']
    assert (row['normal_correct'], row['normal_n'], row['r_overlap']) == (1, 1, 0.5)


# ---------------------------------------------------------------- entities

# (type, gold name, predicted name, matched)
ENTITY_CASES = [
    ('PER', 'Дмитрий Разумовский', 'Дмитрий Разумовский', True),
    ('PER', 'Никита Андреевич Златин', 'Никита Златин', True),        # first + last
    ('PER', 'Н. Н. Петрова', 'Н. Петрова', True),
    ('ORG', '«IT-куб»', 'IT‑куб', True),                               # quotes and hyphens folded
    ('LOC', 'Санкт-Петербург', 'санкт петербург', True),
    ('ORG', 'Кванториум', 'Пионер', False),
]


@pytest.mark.parametrize('type, gold, pred, matched', ENTITY_CASES)
def test_validate_entities_match_by_type_and_folded_name(type, gold, pred, matched):
    report = score([], [], [Named('d', type, gold)], [Named('d', type, pred), Named('d', 'LOC', 'Тюмень')])
    row = report.entities.loc[type]
    assert row['matched'] == int(matched)
    assert report.entities.loc['LOC', 'pred'] >= 1


def test_validate_entities_accept_aliases():
    gold = [Named('d', 'ORG', 'движение общежитий Москвы', aliases=('движение',))]
    assert score([], [], gold, [Named('d', 'ORG', 'Движение')]).entities.loc['ORG', 'f1'] == 1.0


# ---------------------------------------------------------------- damaged predictions

@pytest.fixture(scope='module')
def sample_gold():
    if not any(SAMPLE_GOLD.glob('*.jsonl')):
        pytest.skip(f'no sample gold in {SAMPLE_GOLD}')
    return goldsets.read_gold_jsonl(SAMPLE_GOLD, SEEDS)


def as_predictions(gold: Gold, mentions=None) -> Annotations:
    """The gold itself as predictions: mentions and entities."""
    mentions = gold.mentions if mentions is None else mentions
    return Annotations(mentions=list(mentions), entities=list(gold.entities))


def test_validate_gold_as_predictions_is_perfect(sample_gold):
    report = validate.compare(sample_gold, as_predictions(sample_gold))
    scored = report.scores[report.scores['gold'] > 0]
    assert set(scored.index) == {'PER', 'ORG', 'LOC', 'DATE', 'NUMBER', 'MONEY', 'all'}
    for column in ('f1_overlap', 'f1_exact', 'normal_accuracy', 'value_accuracy', 'unit_accuracy'):
        figures = scored[column].dropna()
        assert len(figures) and (figures == 1.0).all(), column
    assert (report.entities['f1'] == 1.0).all()
    assert report.errors.empty


def test_validate_missing_type_scores_zero(sample_gold):
    kept = [_ for _ in sample_gold.mentions if _.type != 'DATE']
    report = validate.compare(sample_gold, as_predictions(sample_gold, kept))
    assert report.scores.loc['DATE', 'r_overlap'] == 0 and report.scores.loc['DATE', 'f1_overlap'] == 0
    assert report.scores.loc['PER', 'f1_overlap'] == 1.0
    missed = report.errors[report.errors['kind_of_error'] == 'false_negative']
    assert (missed['type'] == 'DATE').all() and len(missed) == report.scores.loc['DATE', 'gold']


def test_validate_shifted_offsets_fail_exact_spans(sample_gold):
    shifted = [replace(_, start=_.start + 1, stop=_.stop + 1) for _ in sample_gold.mentions]
    report = validate.compare(sample_gold, as_predictions(sample_gold, shifted))
    assert (report.scores['f1_exact'].dropna() == 0).all()
    # every span is 2+ characters, so shifted by one it still overlaps its own gold span
    assert report.scores.loc['all', 'f1_overlap'] > 0.9
    assert 'wrong_span' in set(report.errors['kind_of_error'])


def write_tables(gold: Gold, mentions: list[Labelled], out) -> None:
    """Output tables (as a run writes them) holding `mentions` as predictions."""
    rows = {_: [] for _ in tables.TABLES}
    for doc_id, text in gold.texts.items():
        rows['documents'].append(dict(doc_id=doc_id, source=f'{doc_id}.txt', n_chars=len(text),
                                      sha256=tables.sha256(text), text=text))
    for number, item in enumerate(mentions):
        mention_id = f'{item.doc_id}:m{number}'
        rows['mentions'].append(dict(doc_id=item.doc_id, mention_id=mention_id, type=item.type,
                                     start=item.start, stop=item.stop, text=item.text, normal=item.normal,
                                     value=goldsets.show(item.value), source='gold', sentence=0))
        if item.type in ('NUMBER', 'MONEY'):
            rows['numbers'].append(dict(mention_id=mention_id, doc_id=item.doc_id, value=item.value,
                                        value_max=item.value_max, unit=item.unit, qualifier=item.qualifier,
                                        kind='money' if item.type == 'MONEY' else 'number'))
    for number, entity in enumerate(gold.entities):
        rows['entities'].append(dict(entity_id=f'{entity.doc_id}:e{number}', doc_id=entity.doc_id,
                                     type=entity.type, name=entity.name, n_mentions=1,
                                     first_start=entity.start))
    commit_tables({name: schemas.frame(name, rows[name]) for name in tables.TABLES}, out)


def test_validate_thresholds_make_the_command_fail(sample_gold, tmp_path, capsys):
    kept = [_ for _ in sample_gold.mentions if _.type != 'DATE']
    write_tables(sample_gold, kept, tmp_path / 'tables')
    thresholds = tmp_path / 'thresholds.toml'
    thresholds.write_text('[PER]\nf1_overlap = 0.9\n\n[DATE]\nf1_overlap = 0.5  # below\n', encoding='utf-8')
    command = ['validate', '--gold', str(SAMPLE_GOLD), '--texts', str(SEEDS),
               '--tables', str(tmp_path / 'tables'), '--report', str(tmp_path / 'report.md'),
               '--thresholds', str(thresholds)]
    assert main(command) == 1
    out = capsys.readouterr().out
    assert 'below: DATE f1_overlap 0.000 < 0.500' in out and 'below: PER' not in out
    assert 'DATE f1_overlap 0.000 < 0.500' in (tmp_path / 'report.md').read_text(encoding='utf-8')
    errors = pd.read_csv(tmp_path / 'report-errors.csv', encoding='utf-8-sig')
    assert list(errors.columns) == validate.ERROR_COLUMNS
    assert set(errors['kind_of_error']) == {'false_negative'}
    thresholds.write_text('[PER]\nf1_overlap = 0.9\n', encoding='utf-8')
    assert main(command) == 0


# (TOML text, what load_thresholds reads; None: a GoldError naming the file)
THRESHOLD_FILES = [
    ('[PER]\nf1_overlap = 0.8\n', {'PER': {'f1_overlap': 0.8}}),
    ('[entities.PER]\nf1 = 0.7 # x\n', {'entities': {'PER': {'f1': 0.7}}}),
    ('[roles."person+org"]\nrecall = 0.5\n', {'roles': {'person+org': {'recall': 0.5}}}),
    ('[PER]\nf1_overlap = \n', None),
    ('[PER\n', None),
]


@pytest.mark.parametrize('text, expected', THRESHOLD_FILES)
def test_validate_thresholds_file(tmp_path, text, expected):
    path = tmp_path / 'limits.toml'
    path.write_text(text, encoding='utf-8')
    if expected is None:
        with pytest.raises(goldsets.GoldError, match=r'limits\.toml'):
            load_thresholds(path)
    else:
        assert load_thresholds(path) == expected


def test_validate_thresholds_missing_file(tmp_path):
    with pytest.raises(goldsets.GoldError, match='does not exist'):
        load_thresholds(tmp_path / 'none.toml')
    assert load_thresholds(None) == {}


def test_validate_role_thresholds_are_checked(seed_output):
    report = validate.validate(ROOT / 'gold', tables=seed_output)
    assert report.check({'roles': {'person': {'precision': 0.5}}}) == []
    failures = report.check({'roles': {'person+org': {'recall': 0.999}}})
    assert len(failures) == 1 and failures[0].startswith('roles person+org recall')
    with pytest.raises(goldsets.GoldError, match=r'roles\.people'):
        report.check({'roles': {'people': {'recall': 0.5}}})


def test_validate_unknown_threshold_is_an_error(sample_gold):
    report = validate.compare(sample_gold, as_predictions(sample_gold))
    with pytest.raises(goldsets.GoldError, match='f1_overlapp'):
        report.check({'PER': {'f1_overlapp': 0.8}})


# ---------------------------------------------------------------- readers

def test_validate_jsonl_reader(tmp_path):
    text = 'Учащиеся технопарка «Кванториум» из Тюмени.'
    assert text[9:32] == 'технопарка «Кванториум»' and text[36:42] == 'Тюмени'
    (tmp_path / 'a.txt').write_text(text, encoding='utf-8')
    (tmp_path / 'empty.txt').write_text('Ничего.', encoding='utf-8')
    (tmp_path / 'empty.jsonl').write_text('', encoding='utf-8')
    records = [dict(doc_id='a', type='ORG', start=9, stop=32, text='технопарка «Кванториум»',
                    normal='Кванториум'),
               dict(doc_id='a', type='LOC', start=36, stop=42, text='Тюмени', normal='Тюмень'),
               # wrong offsets
               dict(doc_id='a', type='LOC', start=35, stop=41, text='Тюмени', normal='Тюмень')]
    (tmp_path / 'a.jsonl').write_text('\n'.join(json.dumps(_, ensure_ascii=False) for _ in records),
                                      encoding='utf-8')
    gold = goldsets.read_gold_jsonl(tmp_path)
    assert set(gold.texts) == {'a', 'empty'}
    assert [(_.type, _.start, _.stop, _.normal) for _ in gold.mentions][:2] == [
        ('ORG', 9, 32, 'Кванториум'), ('LOC', 36, 42, 'Тюмень')]
    assert [(_.type, _.name) for _ in gold.entities] == [('ORG', 'Кванториум'), ('LOC', 'Тюмень')]
    assert len(gold.warnings) == 1 and '35:41' in gold.warnings[0]


def test_validate_missing_texts_are_an_error(tmp_path):
    (tmp_path / 'a.jsonl').write_text(json.dumps(dict(doc_id='a', type='LOC', start=0, stop=1, text='x')),
                                      encoding='utf-8')
    with pytest.raises(goldsets.GoldError, match='no text for 1 gold document'):
        goldsets.read_gold_jsonl(tmp_path, tmp_path / 'nowhere')


def factru_counts(stem):
    """Mentions per type in book_N.objects, read plainly (LocOrg counts as LOC; Project is not counted)."""
    kinds = {'Person': 'PER', 'Org': 'ORG', 'Location': 'LOC', 'LocOrg': 'LOC'}
    counts = {'PER': 0, 'ORG': 0, 'LOC': 0}
    for line in stem.with_suffix('.objects').read_text(encoding='utf-8').splitlines():
        fields = line.split('#')[0].split()
        if fields and fields[1] in kinds:
            counts[kinds[fields[1]]] += 1
    return counts


@pytest.mark.factru
def test_validate_factru_reader_book_100():
    if not (FACTRU / 'book_100.objects').exists():
        pytest.skip(f'factRuEval dev set not found at {FACTRU}')
    gold = goldsets.read_factru(FACTRU)
    assert len(gold.texts) == len(list(FACTRU.glob('*.objects'))) and gold.types == ('PER', 'ORG', 'LOC')
    mentions = [_ for _ in gold.mentions if _.doc_id == 'book_100']
    expected = factru_counts(FACTRU / 'book_100')
    assert {t: sum(1 for _ in mentions if _.type == t) for t in ('PER', 'ORG', 'LOC')} == expected
    text = gold.texts['book_100']
    found = {(_.type, _.text): _ for _ in mentions}
    # 10433 Org 22763 22764 # Москвы мэрии — extent is the union of both spans
    assert ('ORG', 'мэрии Москвы') in found
    # 10443 Location, three spans: памятника Юрию Долгорукому
    assert ('LOC', 'памятника Юрию Долгорукому') in found
    luzhkov = found['PER', 'Юрия Лужкова']
    assert text[luzhkov.start:luzhkov.stop] == 'Юрия Лужкова' and luzhkov.normal == 'Юрий Лужков'
    assert found['ORG', 'Мосгордумы'].normal == 'Мосгордума'
    moscow = [_ for _ in mentions if _.normal == 'Москва']       # coref 47: 10436 10437 10547
    assert len(moscow) == 3 and len({_.entity for _ in moscow}) == 1 and {_.type for _ in moscow} == {'LOC'}
    names = {(_.type, _.name) for _ in gold.entities if _.doc_id == 'book_100'}
    assert {('PER', 'Юрий Лужков'), ('PER', 'zyalt'), ('LOC', 'Москва'), ('ORG', 'Солидарность')} <= names


# ---------------------------------------------------------------- end to end

# a brat article written for these tests: nested places, a lower-case body, a profession with a workplace,
# an occupation without one, a second mention of a person in another case
NEREL_TEXT = ('Мэр Тулы Иван Соколов встретился с поэтом Анной Лаптевой. Полиция Тулы молчит. '
              'Соколова ждут 5%.')


def nerel_ann(text: str) -> str:
    def span(n, type, words, nth=0):
        start = -1
        for _ in range(nth + 1):
            start = text.index(words, start + 1)
        return f'T{n}\t{type} {start} {start + len(words)}\t{words}'
    return '\n'.join([
        span(1, 'PROFESSION', 'Мэр Тулы'), span(2, 'CITY', 'Тулы'), span(3, 'PERSON', 'Иван Соколов'),
        span(4, 'PROFESSION', 'поэтом'), span(5, 'PERSON', 'Анной Лаптевой'),
        span(6, 'ORGANIZATION', 'Полиция Тулы'), span(7, 'CITY', 'Тулы', 1), span(8, 'PERSON', 'Соколова'),
        span(9, 'PERCENT', '5%'), span(10, 'ORGANIZATION', 'олиция'), span(11, 'NATIONALITY', 'Тулы'),
        'R1\tWORKS_AS Arg1:T3 Arg2:T1\t', 'R2\tWORKPLACE Arg1:T1 Arg2:T2\t', 'R3\tWORKS_AS Arg1:T5 Arg2:T4\t',
        'R4\tWORKPLACE Arg1:T8 Arg2:T6\t', 'N1\tReference T3 Wikidata:Q1\tСоколов, Иван', ''])


def test_validate_nerel_reader(tmp_path):
    (tmp_path / 'a.txt').write_text(NEREL_TEXT, encoding='utf-8')
    (tmp_path / 'a.ann').write_text(nerel_ann(NEREL_TEXT), encoding='utf-8')
    gold = goldsets.read_gold(tmp_path, 'nerel')
    found = sorted((_.type, _.text, _.unit) for _ in gold.mentions)
    assert found == [('LOC', 'Тулы', None), ('LOC', 'Тулы', None), ('NUMBER', '5%', '%'),
                     ('ORG', 'Полиция Тулы', None), ('PER', 'Анной Лаптевой', None),
                     ('PER', 'Иван Соколов', None), ('PER', 'Соколова', None)]
    roles = sorted((_.person, _.position, _.organisation, len(_.person_spans)) for _ in gold.roles)
    assert roles == [('Анной Лаптевой', 'поэтом', None, 1), ('Иван Соколов', 'Мэр Тулы', 'Тулы', 2)]
    assert gold.facets == () and gold.entities == []


# (gold spans only: a NEREL-like gold whose mentions carry no normal or value)
def test_validate_nerel_scores_spans_not_values():
    gold = Gold(mentions=[mention('DATE', 0, 5), mention('PER', 10, 20)], texts={'d': TEXT}, facets=())
    report = validate.compare(gold, Annotations([mention('DATE', 0, 5, value='2020'),
                                                 mention('PER', 10, 20, normal='x')]))
    assert report.scores.loc['all', 'tp_exact'] == 2 and report.scores.loc['DATE', 'value_n'] == 0
    assert report.entities.loc['all', 'pred'] == 0


@pytest.mark.parametrize('first, second, same', [
    ('Рахимов', 'Рахимовым', True), ('Ольга Петрова', 'Петровой', True), ('Петров', 'Петренко', False),
    ('Ли', 'Ли', True), ('Ли', 'Лин', False), ('Сергей', 'Сергея', True),
])
def test_validate_nerel_same_name(first, second, same):
    assert goldsets.same_name(first, second) is same


# (gold labels bare occupations, predicted role kind, organisation, counted among the predictions)
BARE_OCCUPATION_CASES = [
    (True, 'occupation', None, True),
    (False, 'occupation', None, False),       # factRuEval: an occupation held nowhere is not labelled
    (False, 'occupation', 'Спартак', True),
    (False, 'position', None, True),
]


@pytest.mark.parametrize('labelled, kind, organisation, counted', BARE_OCCUPATION_CASES)
def test_validate_bare_occupations(labelled, kind, organisation, counted):
    gold = Gold(texts={'d': TEXT}, bare_occupations=labelled,
                roles=[goldsets.RoleRecord('d', 'Иван Петров', None, 'министр', start=0, stop=5)])
    pred = Annotations(roles=[goldsets.RoleRecord('d', 'Олег Смирнов', organisation, 'врач', kind=kind,
                                                  start=10, stop=15)])
    table, _ = scoring.score_roles(gold, pred)
    assert table.loc['person', 'pred'] == int(counted) and table.loc['person', 'matched'] == 0


def test_validate_nerel_holdout_is_fixed():
    """100 held-out articles, all in the set; nothing else about them is looked at."""
    if not NEREL.is_dir():
        pytest.skip(f'NEREL train not found at {NEREL}')
    held = goldsets.read_list(ROOT / 'benchmarks' / 'nerel-holdout.txt')
    names = sorted(_.stem for _ in NEREL.glob('*.txt'))
    assert len(held) == len(set(held)) == 100 and set(held) <= set(names)
    shuffled = names[:]
    random.Random(19).shuffle(shuffled)
    assert held == sorted(shuffled[:100])


def test_validate_runs_the_pipeline_on_gold_texts(sample_gold):
    report = validate.validate(SAMPLE_GOLD, texts=SEEDS, docs='001_*')
    assert report.documents == 1
    assert report.scores.loc['LOC', 'pred'] > 0 and report.scores.loc['LOC', 'f1_overlap'] > 0.5
    assert set(report.errors['doc_id']) <= {'001_d2cff9bcc8a02a88'}


def test_validate_cli_help():
    result = subprocess.run([sys.executable, '-m', 'pipeline', 'validate', '--help'], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0
    for option in ('--gold', '--texts', '--tables', '--format', '--system', '--report', '--errors',
                   '--thresholds', '--docs', '--exclude'):
        assert option in result.stdout
