"""The command line: one --tables option for what a command reads, --out for what it writes, defaults
that follow --tables, help made from the table list, exit status (pipeline/cli.py)."""

import shutil
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.batch.ingest import SUFFIXES
from pipeline.store import layout, schemas

SEEDS = Path(__file__).resolve().parents[1] / 'seeds'


def commands() -> dict:
    return cli.parser()._subparsers._group_actions[0].choices


def test_cli_table_list_is_the_schemas():
    assert tuple(schemas.SCHEMAS) == layout.TABLES


def test_cli_sql_help_lists_every_view():
    text = ' '.join(commands()['sql'].format_help().split())
    assert all(name in text for name in schemas.SCHEMAS)


def test_cli_run_help_lists_every_input_suffix():
    text = commands()['run'].format_help()
    assert all(suffix in text for suffix in SUFFIXES) and '.html' in text


@pytest.mark.parametrize('command', ['run', 'compact', 'sql', 'report', 'xlsx', 'database'])
def test_cli_commands_reading_tables_take_tables(command):
    options = {_ for action in commands()[command]._actions for _ in action.option_strings}
    assert '--tables' in options


DEFAULT_CASES = [
    # (arguments, the file written by default)
    (['xlsx', '--tables', 'runs/x'], 'runs/x.xlsx'),
    (['xlsx'], 'output.xlsx'),
    (['database', '--tables', 'runs/x/'], 'runs/x.duckdb'),
    (['report', '--tables', 'x'], 'x.html'),
]


@pytest.mark.parametrize('argv, expected', DEFAULT_CASES)
def test_cli_derived_files_follow_tables(argv, expected):
    args = cli.parser().parse_args(argv)
    suffix = Path(expected).suffix
    assert args.out is None and Path(cli.beside(args.tables, suffix)) == Path(expected)
    assert not Path(expected).is_relative_to(Path(args.tables))   # never inside the tables folder


@pytest.mark.parametrize('command', ['run', 'compact'])
def test_cli_old_out_option_still_names_the_tables(command):
    argv = [command, '--out', 'somewhere'] + (['input'] if command == 'run' else [])
    assert cli.parser().parse_args(argv).tables == 'somewhere'


@pytest.mark.parametrize('value', ['-1', 'nan', '1e-9', '1e300', 'soon'])
def test_cli_refuses_bad_time_budget(value, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.parser().parse_args(['run', 'seeds', '--doc-timeout', value])
    assert stop.value.code == 2 and '--doc-timeout' in capsys.readouterr().err


def test_cli_exit_status_when_nothing_could_be_processed(tmp_path, capsys):
    (tmp_path / 'in').mkdir()
    (tmp_path / 'in' / 'empty.txt').write_text('', encoding='utf-8')
    assert cli.main(['run', str(tmp_path / 'in'), '--tables', str(tmp_path / 'out'), '--quiet']) == 1
    assert 'no input could be processed' in capsys.readouterr().err


def test_cli_strict_fails_on_any_error_row(tmp_path, res):
    folder = tmp_path / 'in'
    folder.mkdir()
    shutil.copy(SEEDS / '004_647e408614c3f80b.txt', folder)
    (folder / 'empty.txt').write_text('', encoding='utf-8')
    common = ['run', str(folder), '--quiet', '--workers', '1']
    assert cli.main([*common, '--tables', str(tmp_path / 'plain')]) == 0
    assert cli.main([*common, '--tables', str(tmp_path / 'strict'), '--strict']) == 1
