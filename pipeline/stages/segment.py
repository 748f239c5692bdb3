"""Segment: razdel sentences and tokens, never crossing a line break.

Reads `doc.text`; adds `doc.sentences` and `doc.tokens`. Lines are split
first, so a headline is never glued to the paragraph under it (natasha's
whole-text tagging yields `ГАУ ДО ТО "Дворец ..."⏎Образование⏎⏎Учащиеся
технопарка` as one ORG); razdel then splits each line into sentences and
tokens.
"""

from __future__ import annotations

import re

from razdel import sentenize
from razdel.segmenters.tokenize import ATOM, Atom, TokenSplit
from razdel.segmenters.tokenize import tokenize as razdel_tokenize

from pipeline.document import Document, Sentence, Token
from pipeline.lang.text import fold_lookalikes

LINE = re.compile(r'[^\n\r\u2028\u2029\x0b\x0c\x85]+')

def lines(text: str):
    """(start, stop) of every non-blank line."""
    for match in LINE.finditer(text):
        if not match.group().isspace():
            yield match.start(), match.end()


def tokenize(text: str) -> list[tuple[int, int, str]]:
    """razdel's tokens of `text`, as (start, stop, text), by razdel's own rules, with two steps saved:
    razdel builds a split (and its windows of atoms) between every two atoms and then never joins
    two that whitespace parts, so a split is built only where nothing parts them; and each token's
    offset is where its first atom starts, not searched for again in the text (`find_substrings`)."""
    atoms = [Atom(_.start(), _.end(), _.lastgroup, _.group()) for _ in ATOM.finditer(text)]
    if not atoms:
        return []
    window, join = razdel_tokenize.split.window, razdel_tokenize.join
    found, first, buffer = [], atoms[0], atoms[0].text
    for index in range(1, len(atoms)):
        atom, previous = atoms[index], atoms[index - 1]
        if previous.stop == atom.start:
            split = TokenSplit(atoms[max(0, index - window):index], '', atoms[index:index + window])
            split.buffer = buffer
            if join(split):
                buffer += atom.text
                continue
        found.append((first.start, previous.stop, buffer))
        first, buffer = atom, atom.text
    found.append((first.start, atoms[-1].stop, buffer))
    return found


def run(doc: Document, res=None) -> Document:
    sentences, tokens = [], []
    for line_start, line_stop in lines(doc.text):
        # tokens carry the look-alike-folded form (`Мocква` → `Москва`, offsets kept);
        # doc.text keeps the original, and mentions are cut from it
        line = fold_lookalikes(doc.text[line_start:line_stop])
        for sent in sentenize(line):
            start = line_start + sent.start
            sentences.append(Sentence(start, line_start + sent.stop))
            for token_start, token_stop, text in tokenize(sent.text):
                tokens.append(Token(start + token_start, start + token_stop, text))
    doc.sentences = sentences
    doc.tokens = tokens
    return doc
