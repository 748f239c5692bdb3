"""Imported once by the server process that worker processes are forked from
(`engines.worker_context`): it loads the models, so that every worker starts with them."""

from pipeline.batch.engines import warm

warm()
