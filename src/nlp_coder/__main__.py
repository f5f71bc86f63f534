"""``python -m nlp_coder``: the same as the ``nlp-coder`` command."""

from .cli import main

main()
