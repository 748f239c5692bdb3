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
        np.testing.assert_allclose(found, expected, rtol=1e-4, atol=1e-4)
