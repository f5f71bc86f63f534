"""``python -m nlp_coder``: the same as the ``nlp-coder`` command."""

from nlp_coder.cli import main

main()
