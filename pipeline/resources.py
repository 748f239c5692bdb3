"""What is loaded once per process: slovnet NER, navec, pymorphy3, grammars."""

from __future__ import annotations

from functools import cached_property


class Resources:
    """Models and compiled grammars, loaded on first use and then kept."""

    @cached_property
    def ner(self):
        from natasha import NewsEmbedding, NewsNERTagger
        return NewsNERTagger(NewsEmbedding())

    @cached_property
    def morph(self):
        from . import morph
        return morph.analyzer()


_shared: Resources | None = None


def shared() -> Resources:
    """The process-wide resources (one set per worker process)."""
    global _shared
    if _shared is None:
        _shared = Resources()
    return _shared
