"""Imported once by each process that will run chunks (`engines.PRELOAD`): the fork server that pool
workers are forked from, a spawned worker, a Dask worker. It loads the models and compiles the
grammars, so that every worker starts with them."""

from pipeline.batch.runner import warm

warm()
