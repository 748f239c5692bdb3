"""What is loaded once per process: slovnet NER with navec embeddings, and the compiled grammars.

The pymorphy3 analyser is not here: `lang.morph` keeps its own, cached per process.
"""

from __future__ import annotations

from functools import cached_property


class Resources:
    """Models and compiled grammars, loaded on first use and then kept."""

    @cached_property
    def ner(self):
        from natasha import NewsEmbedding, NewsNERTagger

        from pipeline.stages.ner import faster
        return faster(NewsNERTagger(NewsEmbedding()))

    @cached_property
    def date_parser(self):
        from pipeline.stages import dates
        return dates.date_parser()

    @cached_property
    def money_parser(self):
        from pipeline.stages import money
        return money.money_parser()

    @cached_property
    def number_parser(self):
        from pipeline.stages import numbers
        return numbers.number_parser()


_shared: Resources | None = None


def shared() -> Resources:
    """The process-wide resources (one set per worker process)."""
    global _shared
    if _shared is None:
        _shared = Resources()
    return _shared
