"""The stages of the pipeline, one module each, and the helpers only they use (date values, span repair)."""
