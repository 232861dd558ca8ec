"""Pattern-oriented validation: the source studies' findings as checks the model must pass."""
