"""ner.faster: the tagger's CNN layers computed with less copying give the same tags as slovnet's own."""

import random

import numpy as np

from pipeline.document import Document
from pipeline.stages import ner, segment

from .conftest import SEEDS


def test_faster_layers_tag_as_slovnet_does(res):
    from natasha import NewsEmbedding, NewsNERTagger
    from slovnet.exec import model
    plain = NewsNERTagger(NewsEmbedding())
    fast = res.ner
    assert all(type(_) is not model.CNNEncoderLayer for _ in fast.infer.model.encoder.layers)
    assert all(type(_) is model.CNNEncoderLayer for _ in plain.infer.model.encoder.layers)   # untouched
    words = []
    for file in sorted(SEEDS.glob('*.txt')):
        doc = segment.run(Document(doc_id=file.stem, text=file.read_text(encoding='utf-8'), source=str(file)))
        words += [[_.text for _ in group] for group in ner.line_tokens(doc)]
    rng = random.Random(0)
    vocabulary = [word for line in words for word in line]
    words += [[rng.choice(vocabulary) for _ in range(rng.randint(1, 80))] for _ in range(100)]
    assert ner.tag(fast, words) == ner.tag(plain, words)


UNIT_ROUNDOFF = 2.0 ** -24   # float32
CONFIDENCE = 8               # lambda of the probabilistic bound below


def rounding_bound(layer, data: np.ndarray) -> np.ndarray:
    """How far two float32 computations of conv -> relu -> norm may honestly differ, element by element.

    Why not a fixed rtol/atol: BLAS kernels (OpenBLAS DYNAMIC_ARCH picks one per CPU) and our layer sum
    the n = in_channels * kernel + 1 terms of each output in different orders, so the results differ
    by rounding, in proportion to the sum of |terms|, not to the output: a fixed 1e-4 failed on another
    x86 machine for one element near zero (off by 5.6e-4) while allowing far more than rounding for
    large ones. The bound: each sum is within lambda * sqrt(n) * u * sum|w_i x_i| of the exact value
    (probabilistic rounding error analysis, Higham and Mary 2019; lambda = 8 makes a false failure
    vanishingly unlikely; the worst case n * u is 30 times looser), so the two are within twice that;
    ReLU does not widen the gap, the norm scales it by |weight / std| and adds a few roundings of its own.
    """
    weight, bias = np.abs(layer.conv.weight.array), np.abs(layer.conv.bias.array)[None, :, None]
    padding, kernel = layer.conv.padding, weight.shape[2]
    padded = np.pad(np.abs(data), ((0, 0), (0, 0), (padding, padding)))
    length = padded.shape[2] - kernel + 1
    total = sum(np.einsum('oi,bil->bol', weight[:, :, k], padded[:, :, k:k + length]) for k in range(kernel))
    terms = weight.shape[1] * kernel + 1
    gamma = CONFIDENCE * np.sqrt(terms) * UNIT_ROUNDOFF
    norm = layer.norm
    scale = np.abs(norm.weight.array / norm.std.array)[None, :, None]
    shift = np.abs(norm.mean.array)[None, :, None] * scale + np.abs(norm.bias.array)[None, :, None]
    return 2 * gamma * (total + bias) * scale + 8 * UNIT_ROUNDOFF * ((total + bias) * scale + shift)


def test_faster_layer_output_matches_slovnet(res):
    from slovnet.exec import model
    layer = res.ner.infer.model.encoder.layers[0]
    reference = model.CNNEncoderLayer(layer.conv, layer.relu, layer.norm)
    rng = np.random.default_rng(0)
    for batch, length in ((1, 1), (3, 7), (64, 39)):
        data = rng.standard_normal((batch, layer.conv.weight.shape[1], length)).astype('float32')
        expected = reference(data.copy())
        found = layer(data.copy())
        assert found.shape == expected.shape
        gap = np.abs(found.astype('float64') - expected)
        bound = rounding_bound(layer, data.astype('float64'))
        assert (gap <= bound).all(), f'{batch}x{length}: {(gap / bound).max():.2f} times the rounding bound'
        if length > 1:   # the bound is tight enough to see a real bug: outputs one position off
            assert (np.abs(np.roll(found, 1, axis=2) - expected) > bound).any()
