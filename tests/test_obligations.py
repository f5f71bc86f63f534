import pytest

from helpers import toy_treaty
from nlp_coder.codesheet.codebook import load_codebook
from nlp_coder.predictors.obligations import ObligationPredictor

FILLER = "The Parties shall maintain friendly relations and develop their cooperation."


@pytest.fixture(scope="module")
def predictor():
    return ObligationPredictor(load_codebook()).fit()


def types_of(predictor, *articles):
    answers = predictor.predict(toy_treaty(*articles, FILLER))
    return {k for k, v in answers[16].codes.items() if v and k != "active"}, answers


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        (
            "If either High Contracting Party is the object of an armed attack, the other Party shall immediately "
            "come to its assistance with all the military means at its disposal.",
            {"defense"},
        ),
        (
            "An armed attack against one of the Parties shall be considered an attack against them all.",
            {"defense"},
        ),
        (
            "Should one of the Parties be attacked by a third State, the other Party shall observe a benevolent "
            "neutrality for the duration of the conflict.",
            {"neutral"},
        ),
        (
            "Each Party undertakes to refrain from any act of aggression and from the threat or use of force "
            "against the other Party.",
            {"nonagg"},
        ),
        (
            "The Parties shall consult each other without delay whenever the security or territorial integrity of "
            "either of them is threatened.",
            {"consul"},
        ),
        (
            "The two Parties shall jointly declare war on the Kingdom of Ostmark and wage war together until "
            "victory.",
            {"offense"},
        ),
    ],
)
def test_each_obligation_type(predictor, snippet, expected):
    found, answers = types_of(predictor, snippet)
    assert found == expected
    assert answers[16].evidence and answers[16].evidence[0].quote.startswith(snippet[:20])
    assert answers[16].codes["active"] == int(bool(expected & {"defense", "offense"}))


@pytest.mark.parametrize(
    "snippet",
    [
        "The Parties shall consult each other on questions of trade, tariffs and customs cooperation.",
        "The Parties shall provide each other economic assistance in the event of natural disasters.",
        "The Parties believe in the inadmissibility of force in international relations.",
        "Neither Party shall take part in any coalition directed against the other Party.",
        "The Parties respect each other's sovereignty and territorial integrity.",
    ],
)
def test_near_misses_are_not_obligations(predictor, snippet):
    found, answers = types_of(predictor, snippet)
    assert found == set(), (snippet, found)
    assert answers[19].codes["conditio"] == 0


def test_obligations_in_the_preamble_do_not_count(predictor):
    treaty = toy_treaty(
        FILLER,
        preamble="Resolved that an armed attack against one of them shall be "
        "considered an attack against them all, the Parties have agreed as follows:",
    )
    assert predictor.predict(treaty)[16].codes["defense"] == 0


def test_location_condition_limits_the_defense_obligation(predictor):
    _, answers = types_of(
        predictor,
        "An armed attack against one of the Parties in Europe shall be considered "
        "an attack against them all, and each will assist the Party so attacked.",
    )
    assert answers[19].codes["conditio"] == 1 and answers[19].codes["defcon"] == 1
    assert "Specific location" in answers[19].answer
    assert answers[18].evidence


def test_a_region_named_as_the_subject_of_consultation_is_no_location_condition(predictor):
    _, answers = types_of(
        predictor,
        "The two Governments shall consult each other regularly on questions of security and development "
        "in the Pacific.",
    )
    assert answers[16].codes["consul"] == 1
    assert answers[19].codes["concon"] == 0 and answers[19].codes["conditio"] == 0
    _, answers = types_of(
        predictor,
        "Should the security of either Party be threatened in the Pacific, the two Governments "
        "shall consult each other at once.",
    )
    assert answers[16].codes["consul"] == 1 and answers[19].codes["concon"] == 1


def test_unfitted_predictor_refuses(predictor):
    with pytest.raises(RuntimeError, match="not fitted"):
        ObligationPredictor(load_codebook()).predict(toy_treaty(FILLER))


@pytest.mark.parametrize(
    ("snippet", "types", "condition_column", "condition"),
    [
        (
            "Should one of the High Contracting Parties, notwithstanding its peaceful attitude, be attacked by a "
            "third Power, the other High Contracting Party shall observe neutrality throughout the conflict.",
            {"neutral"},
            "neucon",
            "Nonprovocation of enemy",
        ),
        (
            "If either Party is the object of an attack by another State, the other Party shall remain neutral.",
            {"neutral"},
            "neucon",
            "Attack",
        ),
        (
            "The Parties shall consult each other on measures to safeguard their security at the request of either "
            "of them.",
            {"consul"},
            "concon",
            "At the request of a party",
        ),
    ],
)
def test_conditions_proper_to_an_obligation(predictor, snippet, types, condition_column, condition):
    found, answers = types_of(predictor, snippet)
    assert found == types
    assert answers[19].codes[condition_column] == 1 and answers[19].codes["conditio"] == 1
    assert condition in answers[19].answer


def test_renouncing_war_is_nonaggression(predictor):
    found, _ = types_of(
        predictor, "The High Contracting Parties undertake in no case to resort to war against one another."
    )
    assert found == {"nonagg"}


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        (
            "Should either Party become involved in hostilities with a third Power, the other Party shall stand "
            "aside from the conflict and shall withhold all military help from the adversary.",
            set(),  # a promise to abstain (the heads, not the cues, read it as neutrality)
        ),
        (
            "Each Party undertakes never to attack the other and in no case to send its armed forces into the "
            "territory of the other, whether alone or together with other Powers.",
            {"nonagg"},
        ),
        (
            "If either Party is attacked by a third State, the other Party shall remain neutral and shall refuse "
            "every form of aid to the attacker.",
            {"neutral"},
        ),
        (
            "Should either Party be attacked, the other shall not conclude a separate peace and shall come to its "
            "aid with all its forces.",
            {"defense"},
        ),
    ],
)
def test_a_promise_to_abstain_is_no_defense_promise(predictor, snippet, expected):
    """Attack, forces and aid in one sentence make a defence promise only when help is given, not withheld,
    and when an event calls for it (a promise never to attack names no such event)."""
    found, _ = types_of(predictor, snippet)
    assert found == expected


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        (
            "The two Kingdoms shall stand by each other with all their forces in every war, offensive or "
            "defensive, that either of them may wage.",
            {"defense", "offense"},
        ),
        (
            "In any war in which either Power may become engaged, no matter how the conflict began, the other "
            "shall join it with its army and its fleet.",
            {"defense", "offense"},
        ),
        (
            "Each Republic shall place its forces at the disposal of the other in every war, regardless of which "
            "side opened hostilities.",
            {"defense", "offense"},
        ),
        (
            "When the armistice expires, the Allied armies shall take the field together and carry the war into "
            "the provinces held by the Margrave.",
            {"offense"},
        ),
        (
            "Should either Republic be attacked, the other shall take up arms at its side without delay.",
            {"defense"},
        ),
    ],
)
def test_fighting_in_any_war_or_taking_the_field_together_is_offense(predictor, snippet, expected):
    """Offence: war made together, not only when a partner is attacked; a war of either kind is both."""
    found, _ = types_of(predictor, snippet)
    assert found == expected
