"""Virtual evaluations: published studies' designs run in the model (``experiments/evidence/``)."""
