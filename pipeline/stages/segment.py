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

LINE = re.compile(r'[^\n\r\u2028\u2029\x0b\x0c\x85]+')

# Latin letters that look like Cyrillic ones (`Мocква` typed with a Latin o)
LOOKALIKE = str.maketrans('aceopxyABCEHKMOPTX', 'асеорхуАВСЕНКМОРТХ')
WORD = re.compile(r'[^\W\d_]+')
LATIN = re.compile('[a-zA-Z]')
CYRILLIC = re.compile('[а-яёА-ЯЁ]')


def fold_lookalikes(text: str) -> str:
    """`text` with Latin look-alike letters inside mixed Latin/Cyrillic words made Cyrillic.

    One character for one, so every offset stays valid: tokens (what NER and
    morphology read) carry the folded form, the stored text keeps the original
    and mentions are cut from it. Words of Latin letters only are left alone,
    and so are mixed words with a Latin letter that has no Cyrillic twin.
    """
    if not LATIN.search(text) or not CYRILLIC.search(text):
        return text

    def fold(match):
        word = match.group()
        if not (LATIN.search(word) and CYRILLIC.search(word)):
            return word
        folded = word.translate(LOOKALIKE)
        return word if LATIN.search(folded) else folded
    return WORD.sub(fold, text)


def lines(text: str):
    """(start, stop) of every non-blank line."""
    for match in LINE.finditer(text):
        if not match.group().isspace():
            yield match.start(), match.end()


def run(doc: Document, res=None) -> Document:
    sentences, tokens = [], []
    for line_start, line_stop in lines(doc.text):
        line = fold_lookalikes(doc.text[line_start:line_stop])
        for sent in sentenize(line):
            start = line_start + sent.start
            sentences.append(Sentence(start, line_start + sent.stop))
            for token in tokenize(sent.text):
                tokens.append(Token(start + token.start, start + token.stop, token.text))
    doc.sentences = sentences
    doc.tokens = tokens
    return doc
