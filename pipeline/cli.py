"""Command line: `python -m pipeline run|compact|validate ...` (thin over the library)."""

from __future__ import annotations

import argparse
import os
import sys


def command_run(args) -> int:
    from pipeline.batch import engines, ingest
    from pipeline.store import layout
    try:
        engine = engines.start(args.engine or ('dask' if args.scheduler else 'local'),
                               args.workers or engines.cores(), args.scheduler)
    except engines.EngineError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    if args.doc_timeout is not None:   # read by worker processes when they start
        os.environ['PIPELINE_DOC_TIMEOUT'] = str(float(args.doc_timeout))
    if isinstance(engine, engines.Local) and \
            ingest.estimate(args.inputs) - (0 if args.reprocess_older else layout.documents_held(args.out)) \
            >= 2 * args.chunk_size:
        engine.start()    # workers load their models while this process imports pandas and reads the input
    from pipeline.batch.runner import run
    from pipeline.store.tables import StoreError
    try:
        summary = run(args.inputs, args.out, progress=None if not args.quiet else False, workers=args.workers,
                      chunk_size=args.chunk_size, engine=engine, doc_timeout=args.doc_timeout,
                      reprocess_older=args.reprocess_older)
    except KeyboardInterrupt:
        print('interrupted: the chunks committed so far are kept; the same command finishes the job',
              file=sys.stderr)
        return 130
    except (engines.EngineError, StoreError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    finally:
        engine.close()
    print(summary.line())
    return 0


def command_compact(args) -> int:
    from pipeline.store.tables import StoreError, compact
    try:
        before, after = compact(args.out, args.retention_hours)
    except StoreError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(f'{args.out}: {before} data files before, {after} after (files older than '
          f'{args.retention_hours:g} hours that no current row needs deleted)')
    return 0


def command_export(args) -> int:
    from pipeline.store.tables import StoreError
    try:
        if args.format == 'csv':
            from pipeline.export.csvtables import write_folder
            out = write_folder(args.tables, args.out)[0].parent
        elif args.format == 'xlsx':
            from pipeline.export.excel import ExcelError, write_xlsx
            try:
                out = write_xlsx(args.tables, args.out)
            except ExcelError as error:
                raise StoreError(str(error)) from None
        else:
            from pipeline.export.sql import write_database
            out = write_database(args.tables, args.out)
    except (StoreError, FileNotFoundError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(f'{args.format}: {out}')
    return 0


def tables_option(parser) -> None:
    parser.add_argument('--tables', default='output', metavar='DIR',
                        help='output folder of a run, or s3://bucket/path (default: output)')


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'{text} is not a positive number')
    return value


def command_validate(args) -> int:
    from pipeline.evaluation import goldsets, validate
    try:
        report = validate.validate(args.gold, texts=args.texts, tables=args.tables, fmt=args.format,
                                   system=args.system, exclude=goldsets.read_list(args.exclude),
                                   docs=','.join(goldsets.read_list(args.only)) if args.only else args.docs)
        thresholds = args.thresholds or validate.default_thresholds(args.gold, args.format)
        failures = report.check(validate.load_thresholds(thresholds), thresholds)
    except goldsets.GoldError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(report.text())
    report_file, errors_file = report.write(args.report, args.errors)
    print(f'\nreport: {report_file}; errors: {errors_file} ({len(report.errors)} rows)')
    return 1 if failures else 0


def command_sql(args) -> int:
    from pipeline.export.sql import QueryError, show
    try:
        sys.stdout.write(show(args.query, args.tables, fmt=args.format, max_rows=args.max_rows))
    except (QueryError, FileNotFoundError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    return 0


def command_report(args) -> int:
    from pipeline.export.report import write
    try:
        out = write(args.tables, args.out, doc_ids=args.doc, limit=args.docs)
    except (KeyError, FileNotFoundError) as error:
        print(f'error: {error.args[0]}', file=sys.stderr)
        return 2
    print(f'report: {out}')
    return 0


def command_dictionary(args) -> int:
    from pipeline.export.dictionary import render
    sys.stdout.write(render())
    return 0


def command_xlsx(args) -> int:
    from pipeline.export.excel import ExcelError, write_xlsx
    try:
        out = write_xlsx(args.tables, args.out)
    except (ExcelError, FileNotFoundError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(f'workbook: {out}')
    return 0


def command_database(args) -> int:
    from pipeline.export.sql import write_database
    try:
        out = write_database(args.tables, args.out)
    except FileNotFoundError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(f'database: {out}')
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog='python -m pipeline',
        description='Extract people, organisations, places, dates and numbers from Russian news into tables.',
    )
    commands = top.add_subparsers(dest='command', required=True, metavar='COMMAND')

    run = commands.add_parser('run', help='process articles into tables',
                              description='Process .txt files, folders of them, or .jsonl/.csv collections '
                                          'into Parquet and CSV tables.')
    run.add_argument('inputs', nargs='+', metavar='INPUT', help='files or folders (searched recursively)')
    run.add_argument('--out', default='output', help='output folder, or s3://bucket/path (default: output)')
    run.add_argument('--quiet', action='store_true', help='no progress bar')
    run.add_argument('--workers', type=positive, metavar='N',
                     help='worker processes, each loading the models once (default: the number of cores)')
    run.add_argument('--chunk-size', type=positive, default=128, metavar='N',
                     help='documents per chunk, the unit sent to a worker and committed (default 128); '
                          'memory grows with it, not with the corpus')
    run.add_argument('--engine', choices=('local', 'dask'),
                     help='local (this machine; default) or dask (a dask.distributed cluster)')
    run.add_argument('--scheduler', metavar='ADDRESS',
                     help='Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --engine dask; without it, '
                          '--engine dask starts a local cluster of --workers processes)')
    run.add_argument('--doc-timeout', type=float, default=None, metavar='SECONDS',
                     help='time budget per document, all stages together (default 30; 0: no limit); a document '
                          'that runs past it is an errors row naming the stage, and the batch goes on')
    run.add_argument('--reprocess-older', action='store_true',
                     help='also process again the documents that another pipeline version wrote (after an '
                          'upgrade), replacing their rows; by default unchanged texts are skipped')
    run.epilog = ('Runs are incremental: documents already in --out with the same text (sha256) are skipped, an '
                  'edited one replaces its old rows, and a killed run leaves whole documents only; running the '
                  'same command again finishes the job. Each run is a row of the runs table.')
    run.set_defaults(handler=command_run)

    compact = commands.add_parser(
        'compact', help='merge the small files of the tables and delete those no longer needed',
        description='Delta Lake optimize (small files merged into larger ones) and vacuum (files that no '
                    'version younger than the retention needs are deleted) for every table of an output '
                    'folder; the tables read the same before and after.')
    compact.add_argument('--out', default='output', help='output folder or s3://bucket/path (default: output)')
    compact.add_argument('--retention-hours', type=float, default=168, metavar='HOURS',
                         help='keep the files that versions of the last HOURS need (default 168, a week: '
                              'a reader that started before may still read them; 0 deletes them at once)')
    compact.set_defaults(handler=command_compact)

    export = commands.add_parser(
        'export', help='write the tables as CSV files, an Excel workbook or a DuckDB database',
        description='Write the live rows of every table on demand: csv (a folder of <table>.csv, UTF-8 with '
                    'BOM, formula-looking cells neutralised with a leading apostrophe), xlsx (one sheet per '
                    'table) or duckdb (a database file for BI tools).',
        epilog='example: python -m pipeline export csv --tables output --out output/csv')
    export.add_argument('format', choices=('csv', 'xlsx', 'duckdb'), help='what to write')
    tables_option(export)
    export.add_argument('--out', required=True, metavar='PATH',
                        help='csv: a folder; xlsx, duckdb: the file to write')
    export.set_defaults(handler=command_export)

    check = commands.add_parser(
        'validate', help='score the pipeline against hand-labelled gold',
        description='Score the pipeline (or the natasha baseline) against gold: P/R/F1 per type on overlapping '
                    'and on exact spans, accuracy of normal/value/unit, entity-level P/R/F1 (GOLD-GUIDE.md, '
                    'Scoring). Prints the tables, writes a Markdown report and a CSV of every error, and exits '
                    'with 1 when a figure is below its threshold.',
        epilog='examples: python -m pipeline validate --gold gold; '
               'python -m pipeline validate --gold ../shared/factru-devset --format factru --system natasha')
    check.add_argument('--gold', required=True, metavar='DIR',
                       help='gold folder: *.jsonl as GOLD-GUIDE.md describes (default format), or factRuEval files')
    check.add_argument('--texts', metavar='DIR',
                       help='where <doc_id>.txt are when not beside the gold files (default: seeds)')
    check.add_argument('--tables', metavar='DIR',
                       help='score the tables of an earlier run in DIR instead of running the pipeline')
    check.add_argument('--format', choices=('jsonl', 'factru'), default='jsonl',
                       help='gold layout: jsonl (GOLD-GUIDE.md) or factru (factRuEval-2016); default jsonl')
    check.add_argument('--system', choices=('ours', 'natasha'), default='ours',
                       help='ours (the pipeline) or natasha (the plain natasha baseline); default ours')
    check.add_argument('--report', default='output/validate/report.md', metavar='FILE',
                       help='Markdown report (default: output/validate/report.md)')
    check.add_argument('--errors', metavar='FILE',
                       help='CSV of every false positive/negative, boundary and wrong normal/value/unit, with '
                            'context (default: <report>-errors.csv beside the report)')
    check.add_argument('--thresholds', metavar='FILE',
                       help='TOML of minimum figures, e.g. [PER] f1_overlap = 0.8 (default: thresholds.toml in '
                            'a jsonl gold folder, when present)')
    which = check.add_mutually_exclusive_group()
    which.add_argument('--docs', metavar='PATTERN',
                       help='score only documents whose id matches these glob patterns (comma-separated)')
    which.add_argument('--exclude', metavar='FILE', help='leave out the document ids listed in FILE, one a line')
    which.add_argument('--only', metavar='FILE', help='score only the document ids listed in FILE, one a line')
    check.set_defaults(handler=command_validate)

    sql = commands.add_parser(
        'sql', help='run a read-only SQL query over the tables (DuckDB)',
        description='Run one SELECT (or WITH, DESCRIBE, SHOW, EXPLAIN) query with DuckDB over the tables, each a '
                    'view by its own name (documents, mentions, entities, persons, organisations, places, dates, '
                    'numbers, errors, runs), and print the result. The tables are read, never written; '
                    'DuckDB cannot open any file while the query runs.',
        epilog='example: python -m pipeline sql "SELECT type, count(*) FROM mentions GROUP BY type"; '
               'output/README.md has more, and every column')
    sql.add_argument('query', metavar='QUERY', help='one SQL statement')
    tables_option(sql)
    sql.add_argument('--format', choices=('table', 'csv'), default='table',
                     help='table (boxed, for people; long results are cut) or csv (every row, for scripts)')
    sql.add_argument('--max-rows', type=positive, default=200, metavar='N',
                     help='rows shown by --format table (default 200)')
    sql.set_defaults(handler=command_sql)

    report = commands.add_parser(
        'report', help='write an HTML page of the articles with their mentions highlighted',
        description='Write one self-contained HTML page: each article with its mentions highlighted by type '
                    '(hover for the normal form or value) and an index of entities linking to their mentions. '
                    'Everything from the articles is escaped; the page runs no script.')
    tables_option(report)
    report.add_argument('--out', required=True, metavar='FILE', help='the .html file to write')
    which_docs = report.add_mutually_exclusive_group()
    which_docs.add_argument('--docs', type=positive, metavar='N', help='only the first N articles (by doc_id)')
    which_docs.add_argument('--doc', action='append', metavar='ID', help='only this article (repeat for more)')
    report.set_defaults(handler=command_report)

    dictionary = commands.add_parser(
        'dictionary', help='print the data dictionary (output/README.md) from the declared schemas',
        description='Print output/README.md generated from pipeline/schemas.py: every table and column with its '
                    'type, rules, description and an example value, and example SQL queries.',
        epilog='usage: python -m pipeline dictionary > output/README.md')
    dictionary.set_defaults(handler=command_dictionary)

    xlsx = commands.add_parser(
        'xlsx', help='write the tables as an Excel workbook, one sheet per table',
        description='Write every table as one sheet of an .xlsx workbook, which Excel opens with Cyrillic intact '
                    'in any locale. Text is never turned into formulas; cells are cut at Excel\'s 32,767 '
                    'characters, with a note.')
    tables_option(xlsx)
    xlsx.add_argument('--out', default='output/tables.xlsx', metavar='FILE',
                      help='workbook to write (default: output/tables.xlsx)')
    xlsx.set_defaults(handler=command_xlsx)

    database = commands.add_parser(
        'database', help='write the tables into a DuckDB database file for BI tools',
        description='Write every table into a DuckDB database file (tables by their own names, column '
                    'descriptions as comments) for BI tools and notebooks; written whole or not at all.')
    tables_option(database)
    database.add_argument('--out', default='output/tables.duckdb', metavar='FILE',
                          help='database file to write (default: output/tables.duckdb)')
    database.set_defaults(handler=command_database)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.handler(args)


if __name__ == '__main__':
    sys.exit(main())
