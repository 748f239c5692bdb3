"""Segment: razdel sentences and tokens, never crossing a line break.

Reads `doc.text`; adds `doc.sentences` and `doc.tokens`. Lines are split
first, so a headline is never glued to the paragraph under it (natasha's
whole-text tagging yields `ГАУ ДО ТО "Дворец ..."⏎Образование⏎⏎Учащиеся
технопарка` as one ORG); razdel then splits each line into sentences and
tokens.
"""

from __future__ import annotations

import re

from razdel import sentenize, tokenize

from pipeline.document import Document, Sentence, Token
from pipeline.lang.text import fold_lookalikes

LINE = re.compile(r'[^\n\r\u2028\u2029\x0b\x0c\x85]+')

def lines(text: str):
    """(start, stop) of every non-blank line."""
    for match in LINE.finditer(text):
        if not match.group().isspace():
            yield match.start(), match.end()


def run(doc: Document, res=None) -> Document:
    sentences, tokens = [], []
    for line_start, line_stop in lines(doc.text):
        # tokens carry the look-alike-folded form (`Мocква` → `Москва`, offsets kept);
        # doc.text keeps the original, and mentions are cut from it
        line = fold_lookalikes(doc.text[line_start:line_stop])
        for sent in sentenize(line):
            start = line_start + sent.start
            sentences.append(Sentence(start, line_start + sent.stop))
            for token in tokenize(sent.text):
                tokens.append(Token(start + token.start, start + token.stop, token.text))
    doc.sentences = sentences
    doc.tokens = tokens
    return doc
