"""Data dictionary: output/README.md is generated from the declared schemas and cannot drift."""

import pytest

from pipeline.export import dictionary, sql
from pipeline.store.schemas import SCHEMAS

from .conftest import ROOT

README = ROOT / 'output' / 'README.md'


def test_dictionary_matches_committed_readme():
    assert README.read_text(encoding='utf-8') == dictionary.render(), (
        'output/README.md is stale: run `python -m pipeline dictionary > output/README.md`')


@pytest.mark.parametrize('name', list(SCHEMAS))
def test_dictionary_lists_every_column_with_description(name):
    text = dictionary.table_section(name)
    for column, declared in SCHEMAS[name].to_schema().columns.items():
        assert declared.description, f'{name}.{column} has no description'
        assert f'| `{column}` |' in text


@pytest.mark.parametrize('name', list(SCHEMAS))
def test_dictionary_sql_types_are_duckdbs(seed_output, name):
    """The type column says what DESCRIBE says about the tables of a real run."""
    described = sql.query(f'DESCRIBE {name}', seed_output).set_index('column_name')['column_type']
    for column, declared in SCHEMAS[name].to_schema().columns.items():
        assert dictionary.type_names(declared.dtype.type)[1] == described[column], f'{name}.{column}'


def test_dictionary_example_queries_paste_into_a_shell():
    for _, query in dictionary.EXAMPLES:
        assert not set('"$`\\!') & set(query)


@pytest.mark.parametrize('title, code', dictionary.READERS)
def test_dictionary_reading_snippets_give_the_live_rows(seed_output, title, code):
    """Each documented way to read the tables without this package reads what load_tables reads."""
    from pipeline import load_tables
    scope = {'OUT': str(seed_output)}
    exec(code, scope)
    mentions = scope['mentions']
    mentions = mentions.to_pandas() if hasattr(mentions, 'to_arrow') else mentions
    expected = load_tables(seed_output)['mentions']
    assert sorted(mentions['mention_id']) == sorted(expected['mention_id']), title
    assert list(mentions.columns) == list(expected.columns), title
