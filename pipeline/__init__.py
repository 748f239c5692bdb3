"""Facts from Russian news: people, organisations, places, dates and numbers as tables.

The names below are imported on first use (PEP 562), so that `python -m pipeline run`
can start its worker processes before this process imports pandas and the models.
"""

from importlib import import_module

__version__ = '0.1.0'

_HOMES = {
    'STAGES': 'batch.runner', 'Stage': 'batch.runner', 'Pipeline': 'batch.runner',
    'process': 'batch.runner', 'process_text': 'batch.runner', 'run': 'batch.runner',
    'Document': 'document', 'Entity': 'document', 'Mention': 'document', 'Problem': 'document',
    'Sentence': 'document', 'Token': 'document',
    'Resources': 'batch.resources', 'load_tables': 'store.tables',
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name in _HOMES:
        value = getattr(import_module(f'.{_HOMES[name]}', __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


def __dir__():
    return sorted(list(globals()) + __all__)
