"""Declared schemas of the output tables (pandera), checked before any write.

Column names follow GOLD-GUIDE.md. Each column's description and example
feed the data dictionary in `output/README.md`.
"""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import pandera.pandas as pa
import pyarrow
from pandera.typing import Series

from pipeline.document import Level

TYPES = ['PER', 'ORG', 'LOC', 'DATE', 'NUMBER', 'MONEY']
Date = pd.ArrowDtype(pyarrow.date32())
Time = Annotated[pd.DatetimeTZDtype, 'us', 'UTC']


def field(description: str, example=None, **checks):
    """A column: its description and example value go to the data dictionary."""
    return pa.Field(description=description, metadata={'example': example}, **checks)


class Table(pa.DataFrameModel):
    class Config:
        strict = True     # no undeclared column is ever written
        coerce = True
        ordered = True


class Documents(Table):
    """One row per article."""
    doc_id: Series[pd.StringDtype] = field('article id: file stem, or `id` of a JSONL/CSV record',
                                           '001_d2cff9bcc8a02a88', unique=True)
    source: Series[pd.StringDtype] = field('where it was read: file path, or `file:line` for collections',
                                           'seeds/001_d2cff9bcc8a02a88.txt')
    title: Series[pd.StringDtype] = field('title given in the input metadata', None, nullable=True)
    published: Series[pd.StringDtype] = field('publication date, ISO 8601', '2024-08-23', nullable=True)
    published_source: Series[pd.StringDtype] = field(
        'where `published` came from: `metadata`, or `text` when printed in the article', 'text',
        nullable=True)
    url: Series[pd.StringDtype] = field('URL given in the input metadata, or the canonical URL of a web page',
                                        None, nullable=True)
    n_chars: Series[pd.Int64Dtype] = field('length of `text` in characters', 5963, ge=1)
    sha256: Series[pd.StringDtype] = field('SHA-256 of `text` (UTF-8), the key of incremental runs',
                                           '9f2c…', str_length={'min_value': 64, 'max_value': 64})
    text: Series[pd.StringDtype] = field('the decoded text; every offset refers to it',
                                         'Карта сайта…')
    # web pages and crawls (batch/web.py, batch/warc.py), language, syndicated copies: after `text`, so
    # the columns before it keep their places in CSV and Excel
    author: Series[pd.StringDtype] = field('author named by a web page', 'Мария Котова', nullable=True)
    site: Series[pd.StringDtype] = field('site name a web page declares', 'Северный вестник', nullable=True)
    fetched: Series[pd.StringDtype] = field('when a crawler fetched the page (WARC-Date), ISO 8601',
                                            '2024-08-23T10:00:00Z', nullable=True)
    charset: Series[pd.StringDtype] = field('charset announced by the HTTP header of a crawled page',
                                            'windows-1251', nullable=True)
    language: Series[pd.StringDtype] = field(
        'language detected from the text (ISO 639-1); only `--languages` go through the stages', 'ru',
        nullable=True)
    duplicate_of: Series[pd.StringDtype] = field(
        'doc_id of the earliest published copy of the same story (syndicated copies), else empty',
        None, nullable=True)


class Mentions(Table):
    """One row per mention found in an article."""
    doc_id: Series[pd.StringDtype] = field('article id (documents.doc_id)', '004_647e408614c3f80b')
    mention_id: Series[pd.StringDtype] = field('mention id, unique: `<doc_id>:m<n>`',
                                               '004_647e408614c3f80b:m3', unique=True)
    type: Series[pd.StringDtype] = field('PER, ORG, LOC, DATE, NUMBER or MONEY', 'PER', isin=TYPES)
    start: Series[pd.Int64Dtype] = field('start offset in documents.text (0-based)', 180, ge=0)
    stop: Series[pd.Int64Dtype] = field('stop offset in documents.text (exclusive)', 199, ge=1)
    text: Series[pd.StringDtype] = field('the text at [start:stop]', 'Дмитрия Разумовского',
                                         str_length={'min_value': 1})
    normal: Series[pd.StringDtype] = field('PER/ORG/LOC: nominative canonical form', 'Дмитрий Разумовский',
                                           nullable=True)
    value: Series[pd.StringDtype] = field(
        'DATE: ISO 8601 value; NUMBER/MONEY: the number, as GOLD-GUIDE.md writes it', None, nullable=True)
    entity_id: Series[pd.StringDtype] = field('PER/ORG/LOC: entities.entity_id', '004_647e408614c3f80b:e2',
                                              nullable=True)
    source: Series[pd.StringDtype] = field('the stage that found it: `ner`, `rule:dates`, …', 'ner')
    sentence: Series[pd.Int64Dtype] = field('index of the sentence in the article (0-based)', 4, ge=-1)


class Entities(Table):
    """One row per person, organisation or place of one article."""
    entity_id: Series[pd.StringDtype] = field('entity id, unique: `<doc_id>:e<n>`', '004_647e408614c3f80b:e2',
                                              unique=True)
    doc_id: Series[pd.StringDtype] = field('article id', '004_647e408614c3f80b')
    type: Series[pd.StringDtype] = field('PER, ORG or LOC', 'PER', isin=['PER', 'ORG', 'LOC'])
    name: Series[pd.StringDtype] = field('canonical name', 'Дмитрий Разумовский', str_length={'min_value': 1})
    n_mentions: Series[pd.Int64Dtype] = field('mentions of it in the article', 6, ge=1)
    first_start: Series[pd.Int64Dtype] = field('offset of its first mention', 180, ge=0)


class Persons(Table):
    """Name parts of PER entities."""
    entity_id: Series[pd.StringDtype] = field('entities.entity_id', '004_647e408614c3f80b:e2', unique=True)
    doc_id: Series[pd.StringDtype] = field('article id', '004_647e408614c3f80b')
    first: Series[pd.StringDtype] = field('first name (or initial)', 'Дмитрий', nullable=True)
    middle: Series[pd.StringDtype] = field('patronymic (or initial)', None, nullable=True)
    last: Series[pd.StringDtype] = field('surname', 'Разумовский', nullable=True)


class Organisations(Table):
    """ORG entities with their generic descriptor."""
    entity_id: Series[pd.StringDtype] = field('entities.entity_id', '000_4a2895e8857254f7:e5', unique=True)
    doc_id: Series[pd.StringDtype] = field('article id', '000_4a2895e8857254f7')
    name: Series[pd.StringDtype] = field('canonical name', 'ОКАС')
    kind: Series[pd.StringDtype] = field('generic descriptor', 'ит-компания', nullable=True)


class Places(Table):
    """LOC entities with their generic descriptor."""
    entity_id: Series[pd.StringDtype] = field('entities.entity_id', '001_d2cff9bcc8a02a88:e3', unique=True)
    doc_id: Series[pd.StringDtype] = field('article id', '001_d2cff9bcc8a02a88')
    name: Series[pd.StringDtype] = field('canonical name', 'Челябинская область')
    kind: Series[pd.StringDtype] = field('generic descriptor', 'область', nullable=True)


class Dates(Table):
    """DATE mentions resolved to calendar bounds."""
    mention_id: Series[pd.StringDtype] = field('mentions.mention_id', '001_d2cff9bcc8a02a88:m7', unique=True)
    doc_id: Series[pd.StringDtype] = field('article id', '001_d2cff9bcc8a02a88')
    value: Series[pd.StringDtype] = field('ISO 8601 value as in GOLD-GUIDE.md', '2024-08-20;2024-08-21',
                                          nullable=True)
    date_start: Series[Date] = field('first day covered', '2024-08-20', nullable=True)
    date_end: Series[Date] = field('last day covered', '2024-08-21', nullable=True)
    granularity: Series[pd.StringDtype] = field(
        'day, month, season, year, decade or century', 'day', nullable=True)
    is_relative: Series[pd.BooleanDtype] = field('read relative to `anchor` (`вчера`)', False)
    anchor: Series[pd.StringDtype] = field('the date a relative date was resolved against', None,
                                           nullable=True)


class Numbers(Table):
    """NUMBER and MONEY mentions as values that can be sorted and summed."""
    mention_id: Series[pd.StringDtype] = field('mentions.mention_id', '001_d2cff9bcc8a02a88:m12', unique=True)
    doc_id: Series[pd.StringDtype] = field('article id', '001_d2cff9bcc8a02a88')
    value: Series[pd.Float64Dtype] = field('the number (lower bound of a range)', 250000.0, nullable=True)
    value_max: Series[pd.Float64Dtype] = field('upper bound of a range', None, nullable=True)
    unit: Series[pd.StringDtype] = field('counted noun lemma, `%`, or ISO 4217 currency', 'ребёнок',
                                         nullable=True)
    qualifier: Series[pd.StringDtype] = field('approx, gt, gte, lt or lte; empty when exact', 'gt',
                                              nullable=True, isin=['approx', 'gt', 'gte', 'lt', 'lte'])
    kind: Series[pd.StringDtype] = field('number, money or percent', 'number',
                                         isin=['number', 'money', 'percent'])


class Roles(Table):
    # the docstring is the table's description in the data dictionary and SQL comments: one line
    """One row per person holding a position, read from one sentence (pipeline/rules/roles.py); reads without joins."""  # noqa: E501
    role_id: Series[pd.StringDtype] = field('role id, unique: `<doc_id>:r<n>`', '004_647e408614c3f80b:r0',
                                            unique=True)
    doc_id: Series[pd.StringDtype] = field('article id', '004_647e408614c3f80b')
    person_entity_id: Series[pd.StringDtype] = field('the person: entities.entity_id',
                                                     '004_647e408614c3f80b:e2')
    person: Series[pd.StringDtype] = field('the person\'s canonical name', 'Дмитрий Разумовский',
                                           str_length={'min_value': 1})
    position: Series[pd.StringDtype] = field('the position as written, without the organisation',
                                             'заместителя губернатора', str_length={'min_value': 1})
    position_normal: Series[pd.StringDtype] = field('the position in the nominative',
                                                    'заместитель губернатора', str_length={'min_value': 1})
    kind: Series[pd.StringDtype] = field('position (a post held) or occupation '
                                         '(what the person does: поэт, врач)',
                                         'position', isin=['position', 'occupation'])
    org_entity_id: Series[pd.StringDtype] = field('where it is held: entities.entity_id of an ORG or LOC',
                                                  None, nullable=True)
    organisation: Series[pd.StringDtype] = field('canonical name of that organisation or place',
                                                 None, nullable=True)
    start: Series[pd.Int64Dtype] = field('start offset of the evidence (position and person) '
                                         'in documents.text',
                                         180, ge=0)
    stop: Series[pd.Int64Dtype] = field('stop offset of the evidence (exclusive)', 222, ge=1)


class Errors(Table):
    """Inputs or documents that could not be processed, and why."""
    source: Series[pd.StringDtype] = field('file (or `file:line`) concerned', 'in/broken.txt')
    doc_id: Series[pd.StringDtype] = field('article id, when known', 'broken', nullable=True)
    stage: Series[pd.StringDtype] = field('stage that refused it: ingest, ner, tables, …', 'ingest')
    message: Series[pd.StringDtype] = field('what went wrong, for a person to read',
                                            'in/broken.txt is a PNG image, not text')
    level: Series[pd.StringDtype] = field('`error` (not processed) or `warning` (processed, with loss)',
                                          'error', isin=[_.value for _ in Level])


class Runs(Table):
    """One row per run into the output folder (pipeline/store/tables.py)."""
    run_id: Series[pd.Int64Dtype] = field('run number in this output folder, from 1', 3, unique=True, ge=1)
    status: Series[pd.StringDtype] = field(
        '`finished`; `interrupted` (Ctrl-C); `failed` (stopped by an error); `killed` (stopped without a '
        'word, e.g. kill -9 or power loss: found by the next run); `running`', 'finished',
        isin=['running', 'finished', 'interrupted', 'failed', 'killed'])
    started: Series[Time] = field('when it started (UTC)', '2024-08-23 10:15:02+00:00')
    finished: Series[Time] = field('when it ended (UTC); empty when it never closed its record', None,
                                   nullable=True)
    documents_added: Series[pd.Int64Dtype] = field('documents with a new doc_id, processed and written', 1990,
                                                   ge=0)
    documents_replaced: Series[pd.Int64Dtype] = field(
        'known doc_ids whose text changed (new sha256): reprocessed, their old rows replaced', 10, ge=0)
    documents_skipped: Series[pd.Int64Dtype] = field(
        'documents already in the tables with the same sha256: not processed again', 0, ge=0)
    documents_failed: Series[pd.Int64Dtype] = field(
        'inputs or documents that could not be processed (`error` rows; they are retried by every run)',
        2, ge=0)
    errors: Series[pd.Int64Dtype] = field(
        'rows this run added to the errors table (a problem already recorded is not repeated)', 2, ge=0)
    pipeline_version: Series[pd.StringDtype] = field('pipeline.__version__ of the run', '0.1.0')
    engine: Series[pd.StringDtype] = field('`local` or `dask`', 'local', isin=['local', 'dask'])
    workers: Series[pd.Int64Dtype] = field('worker processes asked for', 2, ge=1)
    inputs: Series[pd.StringDtype] = field('the INPUT arguments, as a JSON list', '["seeds"]')


class Registry(Table):
    """One row per real-world person, organisation or place across all articles (pipeline/registry.py)."""
    global_id: Series[pd.StringDtype] = field(
        'global id, stable across runs: P (person), O (organisation) or L (place) and a number', 'P000012',
        unique=True, str_matches=r'^[POL]\d{6,}$')
    type: Series[pd.StringDtype] = field('PER, ORG or LOC', 'PER', isin=['PER', 'ORG', 'LOC'])
    name: Series[pd.StringDtype] = field('canonical name: the full name most articles use; a known place by '
                                         'its gazetteer name', 'Владимир Путин', str_length={'min_value': 1})
    aliases: Series[pd.StringDtype] = field('other names it goes by, commonest first, ` | ` between them',
                                            'Путин | Владимир Владимирович Путин', nullable=True)
    n_articles: Series[pd.Int64Dtype] = field('stories that mention it: syndicated copies '
                                              '(documents.duplicate_of) count once', 2, ge=1)
    n_documents: Series[pd.Int64Dtype] = field('articles that mention it, each copy counted', 3, ge=1)
    n_mentions: Series[pd.Int64Dtype] = field('mentions of it in all articles', 5, ge=1)
    first_seen: Series[pd.StringDtype] = field('earliest `published` date of those articles', '2024-08-20',
                                               nullable=True)
    last_seen: Series[pd.StringDtype] = field('latest `published` date of those articles', '2024-08-23',
                                              nullable=True)


class RegistryEntities(Table):
    """Which global id each article's entity belongs to: entities.entity_id → registry.global_id."""
    entity_id: Series[pd.StringDtype] = field('entities.entity_id', '000_4a2895e8857254f7:e11', unique=True)
    doc_id: Series[pd.StringDtype] = field('article id', '000_4a2895e8857254f7')
    global_id: Series[pd.StringDtype] = field('registry.global_id', 'P000012')


SCHEMAS: dict[str, type[Table]] = {
    'documents': Documents,
    'mentions': Mentions,
    'entities': Entities,
    'persons': Persons,
    'organisations': Organisations,
    'places': Places,
    'dates': Dates,
    'numbers': Numbers,
    'roles': Roles,
    'errors': Errors,
    'registry': Registry,
    'registry_entities': RegistryEntities,
    'runs': Runs,
}


class TableError(Exception):
    """A table broke its schema; `failures` holds the failing rows."""

    def __init__(self, name: str, failures: pd.DataFrame):
        self.name = name
        self.failures = failures
        shown = failures.head(20).to_string()
        super().__init__(f'table {name!r} breaks its schema in {len(failures)} place(s):\n{shown}')


def columns(name: str) -> list[str]:
    return list(SCHEMAS[name].to_schema().columns)


def frame(name: str, rows: list[dict]) -> pd.DataFrame:
    """A DataFrame of `rows` with the table's columns, in order."""
    return pd.DataFrame(rows, columns=columns(name))


def check(name: str, table: pd.DataFrame) -> pd.DataFrame:
    """The table coerced to its schema; raises TableError with the failing rows."""
    try:
        return SCHEMAS[name].validate(table, lazy=True)
    except pa.errors.SchemaErrors as error:
        raise TableError(name, error.failure_cases) from None
