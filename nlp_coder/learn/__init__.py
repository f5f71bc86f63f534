"""Learning beside the pipeline: corpora and their gold, training, cross-validation, evaluation and reports."""
