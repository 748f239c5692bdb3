"""Evaluation against hand-labelled gold: gold readers, scoring, thresholds, the natasha baseline."""
