"""Facts from Russian news: people, organisations, places, dates and numbers as tables."""

from .batch import STAGES, process, process_text, run
from .document import Document, Entity, Mention, Problem, Sentence, Token
from .resources import Resources
from .tables import load_tables

__version__ = '0.1.0'

__all__ = [
    'STAGES', 'Document', 'Entity', 'Mention', 'Problem', 'Resources', 'Sentence', 'Token',
    'load_tables', 'process', 'process_text', 'run',
]
