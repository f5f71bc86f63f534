"""Trade agreements make no alliance promises: the obligation cues must stay quiet on ToTA (slow; needs ../shared)."""

from collections import Counter
from pathlib import Path

import pytest

from conftest import ROOT, needs_shared

pytestmark = [pytest.mark.slow, needs_shared]


def test_obligation_types_rarely_fire_on_trade_agreements():
    from nlp_coder.codesheet.codebook import load_codebook
    from nlp_coder.learn.corpus import read_manifest
    from nlp_coder.predictors.obligations import ObligationPredictor
    from nlp_coder.text.treaty import load_treaty

    predictor = ObligationPredictor(load_codebook()).fit()
    entries = [e for e in read_manifest(Path(ROOT) / "corpora" / "tota.jsonl").entries if e.weak]
    fired: Counter = Counter()
    for entry in entries:
        codes = predictor.predict(load_treaty(entry.text))[16].codes
        fired.update(t for t in ("defense", "offense", "neutral", "nonagg", "consul") if codes.get(t))
    n = len(entries)
    assert fired["defense"] + fired["offense"] + fired["neutral"] <= 0.01 * n, fired
    assert fired["nonagg"] <= 0.01 * n, fired
    assert fired["consul"] <= 0.05 * n, fired
