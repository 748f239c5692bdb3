"""The cross-article registry: one global id per real-world entity, stable across runs."""

import shutil

import pandas as pd
import pytest

from pipeline import load_tables
from pipeline.batch.runner import run
from pipeline.store import registry

from .conftest import SEEDS


def frames(articles: dict[str, list[tuple]]):
    """Tables of articles given as {doc_id: [(type, name, first, last, [mention normals]), ...]}."""
    entities, persons, mentions, documents = [], [], [], []
    for number, (doc_id, items) in enumerate(articles.items()):
        documents.append(dict(doc_id=doc_id, sha256=f'{number:064d}', published=f'2024-01-{number + 1:02d}'))
        for index, (type, name, first, last, normals) in enumerate(items):
            entity_id = f'{doc_id}:e{index}'
            entities.append(dict(entity_id=entity_id, doc_id=doc_id, type=type, name=name,
                                 n_mentions=len(normals) or 1))
            if type == 'PER':
                persons.append(dict(entity_id=entity_id, first=first, middle=None, last=last))
            for normal in normals or [name]:
                mentions.append(dict(doc_id=doc_id, type=type, entity_id=entity_id, normal=normal))
    return (pd.DataFrame(entities), pd.DataFrame(persons, columns=['entity_id', 'first', 'middle', 'last']),
            pd.DataFrame(mentions), pd.DataFrame(documents))


def build(articles, state=None):
    table, links, state = registry.build(*frames(articles), state or registry.State.empty())
    ids = dict(zip(links['entity_id'], links['global_id']))
    return table, ids, state


def person(name, normals=None):
    words = name.split()
    first, last = (words[0], words[-1]) if len(words) > 1 else (None, words[0])
    return ('PER', name, first, last, normals or [name])


def test_registry_full_names_and_unambiguous_surname_merge():
    table, ids, _ = build({
        'a': [person('Владимир Путин', ['Владимир Путин', 'Путин'])],
        'b': [person('Путин')],
        'c': [('PER', 'Владимир Путин', 'Владимир', 'Путин', ['Владимир Владимирович Путин'])],
    })
    assert ids['a:e0'] == ids['b:e0'] == ids['c:e0']
    row = table.set_index('global_id').loc[ids['a:e0']]
    assert row['name'] == 'Владимир Путин' and row['n_articles'] == 3
    assert 'Путин' in row['aliases'] and 'Владимир Владимирович Путин' in row['aliases']
    assert (row['first_seen'], row['last_seen']) == ('2024-01-01', '2024-01-03')


def test_registry_ambiguous_surname_merges_with_neither():
    _, ids, _ = build({
        'a': [person('Сергей Иванов')],
        'b': [person('Пётр Иванов')],
        'c': [person('Иванов')],
        'd': [person('Иванов')],
    })
    assert len({ids['a:e0'], ids['b:e0'], ids['c:e0']}) == 3
    assert ids['c:e0'] == ids['d:e0']     # filed together under the ambiguous surname


def test_registry_initial_picks_the_matching_first_name():
    _, ids, _ = build({
        'a': [person('Сергей Иванов')],
        'b': [person('Пётр Иванов')],
        'c': [('PER', 'П. Иванов', 'П.', 'Иванов', ['П. Иванов'])],
    })
    assert ids['c:e0'] == ids['b:e0'] != ids['a:e0']


def test_registry_first_names_and_generic_organisations_never_merge_across_articles():
    _, ids, _ = build({
        'a': [('PER', 'Маша', 'Маша', None, ['Маша']),
              ('ORG', 'правительство', None, None, ['правительство'])],
        'b': [('PER', 'Маша', 'Маша', None, ['Маша']),
              ('ORG', 'правительство', None, None, ['правительство'])],
    })
    assert ids['a:e0'] != ids['b:e0'] and ids['a:e1'] != ids['b:e1']


def test_registry_places_by_gazetteer_and_organisations_by_alias():
    table, ids, _ = build({
        'a': [('LOC', 'РФ', None, None, ['РФ']),
              ('ORG', 'Движение против нелегальной иммиграции', None, None,
               ['Движение против нелегальной иммиграции', 'ДПНИ'])],
        'b': [('LOC', 'Российская Федерация', None, None, ['Российская Федерация']),
              ('ORG', 'ДПНИ', None, None, ['ДПНИ'])],
        'c': [('LOC', 'Россия', None, None, ['Россия', 'России'])],
    })
    assert ids['a:e0'] == ids['b:e0'] == ids['c:e0']
    assert ids['a:e1'] == ids['b:e1']
    names = table.set_index('global_id')['name']
    assert names[ids['a:e0']] == 'Россия'
    assert names[ids['a:e1']] == 'Движение против нелегальной иммиграции'
    assert table['global_id'].str.match(r'^[POL]\d{6}$').all()


def test_registry_ids_never_change():
    first = {'a': [person('Путин')], 'b': [person('Иван Петров')], 'c': [('ORG', 'Газпром', None, None, [])]}
    _, before, state = build(first)
    later = dict(first, d=[person('Владимир Путин')], e=[person('Пётр Петров')], f=[person('Петров')],
                 g=[('ORG', 'Газпром', None, None, [])])
    _, after, state = build(later, state)
    assert all(after[_] == before[_] for _ in before)
    assert after['d:e0'] == before['a:e0']          # the surname that stood alone now has its full name
    assert after['g:e0'] == before['c:e0']
    assert after['e:e0'] != after['b:e0'] and after['f:e0'] not in (after['b:e0'], after['e:e0'])
    # an article edited (new sha256) gets its entities again, by the same keys
    entities, persons, mentions, documents = frames(later)
    documents.loc[documents['doc_id'] == 'b', 'sha256'] = 'f' * 64
    _, links, _ = registry.build(entities, persons, mentions, documents, state)
    assert dict(zip(links['entity_id'], links['global_id']))['b:e0'] == before['b:e0']


def test_registry_order_of_articles_within_a_build_does_not_matter():
    articles = {'a': [person('Иванов')], 'b': [person('Сергей Иванов')], 'c': [person('Сергей Иванов')]}
    _, ids, _ = build(articles)
    _, reverse, _ = build(dict(reversed(list(articles.items()))))
    assert ids == reverse and ids['a:e0'] == ids['b:e0']


@pytest.fixture(scope='module')
def two_runs(res, tmp_path_factory):
    """The seeds run in two incremental runs (three articles, then all five), and a rerun."""
    base = tmp_path_factory.mktemp('registry')
    inputs = base / 'in'
    inputs.mkdir()
    seeds = sorted(SEEDS.glob('*.txt'))
    for file in seeds[:3]:
        shutil.copy(file, inputs / file.name)
    run([inputs], base / 'out', progress=False, workers=1)
    first = load_tables(base / 'out')
    for file in seeds[3:]:
        shutil.copy(file, inputs / file.name)
    run([inputs], base / 'out', progress=False, workers=1)
    second = load_tables(base / 'out')
    run([inputs], base / 'out', progress=False, workers=1)
    return first, second, load_tables(base / 'out')


def test_registry_ids_stable_across_incremental_runs(two_runs):
    first, second, third = two_runs
    before = dict(zip(first['registry_entities']['entity_id'], first['registry_entities']['global_id']))
    after = dict(zip(second['registry_entities']['entity_id'], second['registry_entities']['global_id']))
    assert before and all(after[_] == before[_] for _ in before)
    pd.testing.assert_frame_equal(second['registry'], third['registry'])
    assert set(second['registry_entities']['entity_id']) == set(second['entities']['entity_id'])
    assert set(second['registry_entities']['global_id']) == set(second['registry']['global_id'])


def test_registry_seeds_merge_across_articles(two_runs):
    _, tables, _ = two_runs
    found = tables['registry'].set_index('name')
    assert found.loc['IT-куб', 'n_articles'] >= 2       # seeds 002 and 004 both name the centre
    assert found.loc['Россия', 'type'] == 'LOC'            # `РФ` and `России` of different articles
    assert 'РФ' in found.loc['Россия', 'aliases']
    assert tables['registry']['n_articles'].sum() == tables['registry_entities'].shape[0] - (
        tables['registry_entities'].merge(tables['entities'])
        .groupby(['global_id', 'doc_id']).size().sub(1).sum())


def test_registry_place_read_with_its_adjective_and_foreign_spellings():
    _, ids, _ = build({
        'a': [('ORG', 'японское правительство', None, None, []), person('Сэйдзи Маэхара')],
        'b': [('ORG', 'Правительство Японии', None, None, []), person('Сейдзи Маэхара')],
        'c': [('ORG', 'Правительство Кипра', None, None, [])],
    })
    assert ids['a:e0'] == ids['b:e0'] != ids['c:e0']
    assert ids['a:e1'] == ids['b:e1']


def test_registry_failure_keeps_the_tables_and_the_last_build(res, tmp_path, monkeypatch, capsys):
    inputs = tmp_path / 'in'
    inputs.mkdir()
    seeds = sorted(SEEDS.glob('*.txt'))
    shutil.copy(seeds[0], inputs / seeds[0].name)
    run([inputs], tmp_path / 'out', progress=False, workers=1)
    before = load_tables(tmp_path / 'out')['registry']

    def broken(*args, **kwargs):
        raise MemoryError('no room')
    monkeypatch.setattr(registry, 'build', broken)
    shutil.copy(seeds[1], inputs / seeds[1].name)
    summary = run([inputs], tmp_path / 'out', progress=False, workers=1)
    assert summary.added == 1 and 'registry was not rebuilt (MemoryError: no room)' in capsys.readouterr().err
    tables = load_tables(tmp_path / 'out')
    assert len(tables['documents']) == 2 and tables['runs']['status'].tolist() == ['finished', 'finished']
    pd.testing.assert_frame_equal(tables['registry'], before)
    monkeypatch.undo()
    run([inputs], tmp_path / 'out', progress=False, workers=1)     # nothing new, but the registry is behind
    assert set(load_tables(tmp_path / 'out')['registry_entities']['doc_id']) == {seeds[0].stem, seeds[1].stem}


@pytest.mark.parametrize('literals', [500, 1])
def test_registry_incremental_rows_equal_a_whole_build(tmp_path, monkeypatch, literals):
    """The registry a run updates for what it changed (store/registry_tables.py) has the rows that a build
    over every live article computes from scratch, after articles were added and one was cut down; with
    lists of ids too long for one Delta predicate too (`literals`: the longest the store puts in one)."""
    from pipeline.store import registry_tables
    from pipeline.store import tables as store
    monkeypatch.setattr(store, 'LITERALS', literals)
    monkeypatch.setattr(registry_tables, 'LITERALS', literals)
    inputs = tmp_path / 'in'
    inputs.mkdir()
    seeds = sorted(SEEDS.glob('*.txt'))
    for file in seeds[:3]:
        shutil.copy(file, inputs / file.name)
    run([inputs], tmp_path / 'out', progress=False, workers=1)
    for file in seeds[3:]:
        shutil.copy(file, inputs / file.name)
    run([inputs], tmp_path / 'out', progress=False, workers=1)
    edited = inputs / seeds[0].name     # its people and places leave; Казань and Путин come
    edited.write_text('Владимир Путин посетил Казань 5 марта 2019 года.\n', encoding='utf-8')
    run([inputs], tmp_path / 'out', progress=False, workers=1)
    tables = load_tables(tmp_path / 'out')
    links = tables['registry_entities'].merge(tables['documents'][['doc_id', 'sha256']])
    state = registry.State(links[['entity_id', 'doc_id', 'sha256', 'global_id']].astype('string'), {})
    mentions = tables['mentions'][['entity_id', 'normal']].dropna()
    expected, _, _ = registry.build(tables['entities'], tables['persons'], mentions, tables['documents'],
                                    state)
    found = tables['registry'].sort_values('global_id', ignore_index=True)
    pd.testing.assert_frame_equal(found, expected.sort_values('global_id', ignore_index=True))


def test_registry_update_stopped_halfway_is_finished_by_the_next_run(tmp_path, monkeypatch, capsys):
    """An update stopped after its counts and rows, before the members (as a kill would): the next run
    finishes it without counting the articles twice (the counts carry the update's Delta transaction)."""
    from pipeline.store import registry_tables
    inputs = tmp_path / 'in'
    inputs.mkdir()
    seeds = sorted(SEEDS.glob('*.txt'))
    shutil.copy(seeds[0], inputs / seeds[0].name)
    run([inputs], tmp_path / 'out', progress=False, workers=1)
    replace = registry_tables.replace

    def stopped(store, name, *args):
        if name == registry_tables.MEMBERS:
            raise RuntimeError('stopped here')
        return replace(store, name, *args)
    monkeypatch.setattr(registry_tables, 'replace', stopped)
    for file in seeds[1:]:
        shutil.copy(file, inputs / file.name)
    run([inputs], tmp_path / 'out', progress=False, workers=1)
    assert 'stopped here' in capsys.readouterr().err
    monkeypatch.undo()
    run([inputs], tmp_path / 'out', progress=False, workers=1)
    tables = load_tables(tmp_path / 'out')
    links = tables['registry_entities'].merge(tables['documents'][['doc_id', 'sha256']])
    assert set(links['entity_id']) == set(tables['entities']['entity_id'])
    state = registry.State(links[['entity_id', 'doc_id', 'sha256', 'global_id']].astype('string'), {})
    mentions = tables['mentions'][['entity_id', 'normal']].dropna()
    expected, _, _ = registry.build(tables['entities'], tables['persons'], mentions, tables['documents'],
                                    state)
    pd.testing.assert_frame_equal(tables['registry'].sort_values('global_id', ignore_index=True),
                                  expected.sort_values('global_id', ignore_index=True))


def test_registry_bare_surname_joins_the_named_person_of_an_earlier_run(tmp_path):
    """The persons with a full name are kept between runs (store/registry_tables.py): a later article's
    bare surname finds the one registered person with it, as in a whole build."""
    inputs = tmp_path / 'in'
    inputs.mkdir()
    (inputs / 'a.txt').write_text('Губернатор Тюменской области Александр Моор открыл новую школу.\n',
                                  encoding='utf-8')
    run([inputs], tmp_path / 'out', progress=False, workers=1)
    (inputs / 'b.txt').write_text('Вчера Моор посетил больницу в Тобольске.\n', encoding='utf-8')
    run([inputs], tmp_path / 'out', progress=False, workers=1)
    tables = load_tables(tmp_path / 'out')
    people = tables['entities'].query("type == 'PER'").merge(tables['registry_entities'])
    assert set(people['doc_id']) == {'a', 'b'}
    assert people['global_id'].nunique() == 1, people[['doc_id', 'name', 'global_id']]


def test_registry_counts_a_story_once_when_its_earliest_copy_arrives_last(res, tmp_path):
    """Three copies of one story over two runs, the earliest in the second: `n_articles` counts the story
    once for the entities all copies name, `n_documents` counts the three; every row agrees with the
    stories of its documents and with a build over all articles."""
    from tests.webpages import STORIES, syndicated
    folder = tmp_path / 'in'
    folder.mkdir()
    pages = syndicated(STORIES[0])
    for number, (_url, _published, page) in list(enumerate(pages))[1:]:
        (folder / f'{number}.html').write_text(page, encoding='utf-8')
    run([folder], tmp_path / 'out', progress=False, workers=1)
    before = load_tables(tmp_path / 'out')['registry'].set_index('global_id')
    (folder / '0.html').write_text(pages[0][2], encoding='utf-8')
    run([folder], tmp_path / 'out', progress=False, workers=1)
    tables = load_tables(tmp_path / 'out')
    documents = tables['documents']
    story = dict(zip(documents['doc_id'], documents['duplicate_of'].fillna(documents['doc_id'])))
    links = tables['registry_entities']
    held = links.groupby('global_id')['doc_id'].agg(lambda _: sorted(set(_)))
    found = tables['registry'].set_index('global_id')
    assert (found['n_documents'] == held.map(len).reindex(found.index)).all()
    assert (found['n_articles'] == held.map(lambda _: len({story[d] for d in _})).reindex(found.index)).all()
    everywhere = [_ for _, docs in held.items() if len(docs) == 3]
    assert everywhere and all(found.loc[_, 'n_articles'] == 1 and found.loc[_, 'n_documents'] == 3
                              for _ in everywhere)
    assert set(before.index) <= set(found.index)   # ids stay
    state = registry.State(links.merge(documents[['doc_id', 'sha256']])[
        ['entity_id', 'doc_id', 'sha256', 'global_id']].astype('string'), {})
    mentions = tables['mentions'][['entity_id', 'normal']].dropna()
    expected, _, _ = registry.build(tables['entities'], tables['persons'], mentions, documents, state)
    pd.testing.assert_frame_equal(found.reset_index().sort_values('global_id', ignore_index=True),
                                  expected.sort_values('global_id', ignore_index=True))


def test_registry_of_the_layout_before_stories_is_refused_with_a_message(res, tmp_path, capsys):
    """A registry whose marker has no `story` (written before copies counted once) is not updated half-way:
    the run keeps its tables and says how to rebuild the folder."""
    import pyarrow as pa
    from deltalake import write_deltalake

    from pipeline.store import registry_tables
    inputs = tmp_path / 'in'
    inputs.mkdir()
    seeds = sorted(SEEDS.glob('*.txt'))
    shutil.copy(seeds[0], inputs / seeds[0].name)
    run([inputs], tmp_path / 'out', progress=False, workers=1)
    marker = tmp_path / 'out' / registry_tables.DOCUMENTS
    old = pa.table({'doc_id': [seeds[0].stem], 'sha256': ['0' * 64]})
    write_deltalake(str(marker), old, mode='overwrite', schema_mode='overwrite')
    shutil.copy(seeds[1], inputs / seeds[1].name)
    run([inputs], tmp_path / 'out', progress=False, workers=1)
    assert 'counts articles, not stories' in capsys.readouterr().err
    assert set(load_tables(tmp_path / 'out')['documents']['doc_id']) == {seeds[0].stem, seeds[1].stem}
