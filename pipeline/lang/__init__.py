"""Language knowledge: text folding, morphology, person names, the gazetteer, word lists, yargy helpers."""
