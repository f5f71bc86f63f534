"""Drafting: run the predictors on a treaty, reconcile their answers under the codebook, render the draft."""
