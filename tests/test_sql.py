"""SQL over the tables: every table a view by its name, read-only by construction."""

import csv
import hashlib
import io

import duckdb
import pytest

from pipeline import cli, load_tables
from pipeline.export import sql
from pipeline.export.dictionary import EXAMPLES
from pipeline.store.schemas import SCHEMAS

REFUSED = [
    "COPY mentions TO '/tmp/mentions.csv'",
    "ATTACH '/tmp/other.duckdb'",
    'DROP VIEW mentions',
    'CREATE TABLE copy AS SELECT * FROM mentions',
    "INSERT INTO mentions SELECT * FROM mentions",
    "UPDATE mentions SET text = 'x'",
    'SELECT 1; DROP VIEW mentions',
    'SET enable_external_access = true',
    'PRAGMA enable_profiling',
    'INSTALL httpfs',
    'LOAD httpfs',
    'CALL pragma_version()',
    "EXPORT DATABASE '/tmp/exported'",
    "SELECT * FROM read_text('/etc/passwd')",          # one SELECT, but it opens a file
    "SELECT * FROM read_csv('/etc/hostname')",
    'SELEC 1',
]


def snapshot(folder):
    return {path.relative_to(folder): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob('*')) if path.is_file()}


def test_sql_every_table_is_a_view_by_its_name(seed_output):
    names = set(sql.query('SHOW TABLES', seed_output)['name'])
    assert names == set(SCHEMAS)


def test_sql_counts_match_load_tables(seed_output):
    tables = load_tables(seed_output)
    for name, frame in tables.items():
        assert sql.query(f'SELECT count(*) AS n FROM {name}', seed_output)['n'][0] == len(frame)


def test_sql_columns_are_the_declared_ones(seed_output):
    for name, model in SCHEMAS.items():
        described = sql.query(f'DESCRIBE {name}', seed_output)
        assert list(described['column_name']) == list(model.to_schema().columns)


@pytest.mark.parametrize('query', REFUSED)
def test_sql_refuses_anything_but_reading(seed_output, query):
    before = snapshot(seed_output)
    with pytest.raises(sql.QueryError):
        sql.query(query, seed_output)
    assert snapshot(seed_output) == before


def test_sql_accepts_every_reading_form(seed_output):
    for query in ['SELECT 1 AS one', 'WITH t AS (SELECT 1 AS one) SELECT * FROM t', 'FROM documents',
                  'DESCRIBE mentions', 'SHOW TABLES', 'SUMMARIZE numbers', 'EXPLAIN SELECT * FROM dates']:
        sql.query(query, seed_output)


@pytest.mark.parametrize('title, query', EXAMPLES)
def test_sql_readme_examples_run(seed_output, title, query):
    result = sql.query(query, seed_output)
    assert len(result) > 0, title


def test_sql_cli_prints_a_table_or_csv(seed_output, capsys):
    query = "SELECT type, count(*) AS n FROM mentions GROUP BY type ORDER BY type"
    assert cli.main(['sql', query, '--tables', str(seed_output)]) == 0
    table = capsys.readouterr().out
    assert '│ PER' in table and '┌' in table
    assert cli.main(['sql', query, '--tables', str(seed_output), '--format', 'csv']) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {row['type'] for row in rows} == {'PER', 'ORG', 'LOC', 'DATE', 'NUMBER', 'MONEY'}


def test_sql_cli_refusal_is_an_error_line(seed_output, capsys):
    assert cli.main(['sql', 'DROP VIEW mentions', '--tables', str(seed_output)]) == 2
    assert capsys.readouterr().err.startswith('error: only SELECT')


def test_sql_missing_folder_is_an_error_not_empty_tables(tmp_path, capsys):
    assert cli.main(['sql', 'SELECT * FROM mentions', '--tables', str(tmp_path / 'nothing')]) == 2
    assert 'no output folder' in capsys.readouterr().err


def test_sql_database_file_holds_every_table(seed_output, tmp_path):
    file = sql.write_database(seed_output, tmp_path / 'bi' / 'tables.duckdb')
    assert sorted(_.name for _ in file.parent.iterdir()) == ['tables.duckdb']    # no temporary left
    tables = load_tables(seed_output)
    with duckdb.connect(str(file), read_only=True) as connection:
        for name, frame in tables.items():
            assert connection.execute(f'SELECT count(*) FROM {name}').fetchone()[0] == len(frame)
        comment = connection.execute("SELECT comment FROM duckdb_columns() "
                                 "WHERE table_name = 'mentions' AND column_name = 'start'").fetchone()[0]
    assert comment == SCHEMAS['mentions'].to_schema().columns['start'].description
