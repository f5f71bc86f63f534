from nlp_coder.codesheet.answers import Evidence, SheetAnswer
from nlp_coder.codesheet.codebook import load_codebook
from nlp_coder.drafting.reconcile import reconcile


def answer(q, codes, confidence=0.95, evidence=True):
    ev = [Evidence("x", "Article 1", 0, 1)] if evidence else []
    return SheetAnswer(q, "Yes", "yes", dict(codes), evidence=ev, confidence=confidence, source="text")


def test_no_condition_without_its_obligation():
    answers = {
        16: answer(16, {"defense": 0, "offense": 0, "neutral": 0, "nonagg": 1, "consul": 0}),
        19: answer(19, {"conditio": 1, "defcon": 1, "offcon": 0, "neucon": 0, "concon": 0}),
    }
    reconcile(answers, load_codebook())
    assert answers[19].codes["defcon"] == 0 and answers[19].codes["conditio"] == 0
    assert answers[19].needs_review and answers[19].confidence < 0.95
    assert answers[16].codes["active"] == 0


def test_active_follows_defense_and_offense():
    answers = {
        16: answer(16, {"defense": 1, "offense": 0, "neutral": 0, "nonagg": 0, "consul": 0, "active": 0})
    }
    reconcile(answers, load_codebook())
    assert answers[16].codes["active"] == 1


def test_terms_only_with_their_provision():
    answers = {10: answer(10, {"speclgth": 3, "length": 120}), 12: answer(12, {"proren": 0, "renewlgt": 60})}
    reconcile(answers, load_codebook())
    assert answers[10].codes["length"] == 0 and answers[12].codes["renewlgt"] == 0
    assert answers[10].needs_review and answers[12].needs_review


def test_bilat_from_members_and_review_flags():
    answers = {
        4: answer(4, {"mem1": 200, "mem2": 220, "mem3": 230}),
        8: answer(8, {"proadd": 0}, confidence=0.95, evidence=False),
    }
    reconcile(answers, load_codebook())
    assert answers[4].codes["bilat"] == 0
    assert answers[8].confidence <= 0.89 and answers[8].needs_review  # no evidence: never above 0.9
