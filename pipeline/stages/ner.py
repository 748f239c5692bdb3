"""NER: slovnet's news tagger (via natasha) over the document's lines.

Reads `doc.tokens`; adds PER/ORG/LOC `Mention`s with `source='ner'`. Each
line (paragraph) is tagged as one sequence, straight from our tokens (slovnet
would otherwise re-tokenise the text), in length-sorted batches, so a mention
never crosses a line break. Lines give the tagger more context than single
sentences: on the factRuEval dev set, LOC F1 0.918 against 0.914 and overall
0.882 against 0.879 (validate, overlap).

`faster` swaps the tagger's convolution layers for the same arithmetic done
with less copying (see there); the tags come out the same.
"""

from __future__ import annotations

import numpy as np
from slovnet.shape import word_shape

from pipeline.document import Document, Mention, Source
from pipeline.stages.segment import lines

BATCH = 64          # lines per forward pass
MAX_WORDS = 512     # longer lines are tagged in windows of this many words


def line_tokens(doc: Document) -> list[list]:
    """Tokens of each line, long lines cut into windows."""
    groups = []
    for start, stop in lines(doc.text):
        tokens = doc.tokens_in(start, stop)
        for index in range(0, len(tokens), MAX_WORDS):
            groups.append(tokens[index:index + MAX_WORDS])
    return [_ for _ in groups if _]


def tag(tagger, word_lists: list[list[str]]) -> list[list[str]]:
    """BIO tags for each list of words, batched by length."""
    infer = tagger.infer
    encoder = infer.encoder
    order = sorted(range(len(word_lists)), key=lambda _: len(word_lists[_]))
    tags: list[list[str]] = [[] for _ in word_lists]
    for index in range(0, len(order), BATCH):
        chunk = order[index:index + BATCH]
        batch = encoder.input([word_ids(encoder, word_lists[_]) for _ in chunk])
        predicted = infer.decoder(infer.process([batch]))
        for position, sequence in zip(chunk, predicted):
            tags[position] = sequence
    return tags


WORD_IDS = 200_000   # words whose ids an encoder keeps (the cache is emptied when full)


def word_ids(encoder, words: list[str]) -> tuple[list[int], list[int]]:
    """`encoder.item(words)`: the (word ids, shape ids) of the words, each word's pair cached.

    slovnet computes a word's shape and looks up both ids in Python for every
    occurrence (36 ms of the 380 ms that tagging the 127 dev texts and seeds
    takes, 4 ms cached). The pair depends on the word alone (and the
    encoder's vocabularies), so it is kept per encoder.
    """
    cache = encoder.__dict__.get('_word_ids')
    if cache is None or len(cache) > WORD_IDS:
        cache = encoder.__dict__['_word_ids'] = {}
    words_vocab, shapes_vocab = encoder.words_vocab, encoder.shapes_vocab
    ids, shapes = [], []
    for word in words:
        pair = cache.get(word)
        if pair is None:
            pair = cache[word] = (words_vocab.encode(word.lower()), shapes_vocab.encode(word_shape(word)))
        ids.append(pair[0])
        shapes.append(pair[1])
    return ids, shapes


def bio_spans(tokens, tags):
    """(type, first token, last token) runs of a BIO sequence."""
    current = None
    for index, tag in enumerate(tags):
        prefix, _, type = tag.partition('-')
        if prefix == 'I' and current and current[0] == type:
            current[2] = index
            continue
        if current:
            yield tuple(current)
        current = [type, index, index] if prefix in ('B', 'I') else None
    if current:
        yield tuple(current)


def run(doc: Document, res) -> Document:
    return run_many([doc], res)[0]


def run_many(docs: list[Document], res) -> list[Document]:
    """Tag the lines of several documents in shared batches: a forward pass
    over many short lines costs little more than over a few (on factRuEval
    texts, a chunk at once takes about half the time of one text at a time)."""
    groups = [(doc, group) for doc in docs for group in line_tokens(doc)]
    tags = tag(res.ner, [[_.text for _ in group] for _, group in groups])
    for (doc, tokens), sequence in zip(groups, tags):
        for type, first, last in bio_spans(tokens, sequence):
            start, stop = tokens[first].start, tokens[last].stop
            doc.mentions.append(Mention(start, stop, type, doc.text[start:stop], source=Source.NER))
    return docs


def faster(tagger):
    """The tagger with its CNN encoder layers computed faster, in place; returns it.

    slovnet's Conv1d builds every window of the input as a copy (im2col, 3× the
    input) and its BatchNorm and ReLU each allocate a new array. Here one
    matmul of the input with all kernel taps side by side gives each tap's
    contribution, which are added at their shifts; ReLU and the batch norm
    (an affine map, `(x - mean) / std * weight + bias = x * scale + shift`)
    are applied in place. Same model, same weights, float32 rounding apart
    (differences under 1e-4 before the CRF): on the factRuEval dev texts the
    tags are identical, and the NER stage takes about a quarter less time.
    Only the layers of this tagger change (their class is swapped), so a plain
    natasha tagger in the same process (the benchmarks' baseline) is untouched.
    """
    from slovnet.exec import model

    class FastLayer(model.CNNEncoderLayer):
        def __call__(self, input):
            return encoder_layer(self, input)

    for layer in tagger.infer.model.encoder.layers:
        if type(layer) is model.CNNEncoderLayer and type(layer.conv) is model.Conv1d \
                and type(layer.norm) is model.BatchNorm1d and type(layer.relu) is model.ReLU:
            layer.__class__ = FastLayer
    return tagger


def encoder_layer(layer, input):
    """conv → ReLU → batch norm of one layer: input batch × channels × length,
    output batch × filters × length."""
    conv, norm = layer.conv, layer.norm
    cached = layer.__dict__.get('_fast')
    if cached is None:
        filters, channels, kernel = conv.weight.shape
        taps = np.concatenate([conv.weight.array[:, :, _].T for _ in range(kernel)], axis=1)
        scale = norm.weight.array / norm.std.array
        cached = (np.ascontiguousarray(taps), conv.bias.array, scale,
                  norm.bias.array - norm.mean.array * scale)
        layer.__dict__['_fast'] = cached
    taps, bias, scale, shift = cached
    batch, channels, length = input.shape
    filters, _, kernel = conv.weight.shape
    padding = conv.padding
    width = length + 2 * padding - kernel + 1
    flat = np.ascontiguousarray(input.swapaxes(1, 2)).reshape(batch * length, channels)
    each = (flat @ taps).reshape(batch, length, kernel, filters)
    out = np.empty((batch, width, filters), dtype=each.dtype)
    out[:] = bias
    for tap in range(kernel):
        shift_by = tap - padding            # out[t] += each[t + shift_by, tap]
        low, high = max(0, -shift_by), min(width, length - shift_by)
        if low < high:
            out[:, low:high] += each[:, low + shift_by:high + shift_by, tap]
    np.maximum(out, 0, out=out)
    out *= scale
    out += shift
    return out.swapaxes(2, 1)
