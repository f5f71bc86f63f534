"""Review: coders check drafts against the treaty in a browser; every change is kept, and the corrected
sheets become gold for training.

- ``store``: the review database (one SQLite file): treaties, their drafts, the answers as reviewed, and an
  append-only history of every change; schema migrations; versioned writes.
- ``edits``: what a coder may write: answer text the sheet layout keeps, codes the codebook knows, evidence
  that slices the text.
- ``intake``: read and draft treaties into the database (``nlp-coder review add``).
- ``app`` and ``server``: the local web app and its JSON API (``nlp-coder review serve``).
- ``export``: reviewed sheets, their JSON, an ATOP-layout CSV and a corpus manifest ``train`` reads.
- ``agreement``: percent agreement, Cohen's kappa and Gwet's AC1 between coders, and of the draft with each.
"""
