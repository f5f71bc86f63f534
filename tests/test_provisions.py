"""The cue lexicon (configs/provisions.yaml): invented treaty sentences that must, or must not, signal a provision."""

from __future__ import annotations

import pytest

from nlp_coder.codesheet.codebook import load_codebook
from nlp_coder.predictors.provisions import ProvisionPredictor, load_provisions
from nlp_coder.text.treaty import treaty_from_text

FILLER = "The Parties shall maintain friendly relations."


def build_treaty(snippet: str, preamble: str = "") -> str:
    """A two-article toy treaty with ``snippet`` as Article 1 (and ``preamble`` before the enacting words)."""
    head = f"TREATY OF TEST\n\nThe Parties,\n\n{preamble}\n\n" if preamble else "TREATY OF TEST\n\n"
    return f"{head}The Parties have agreed as follows:\n\nArticle 1\n\n{snippet}\n\nArticle 2\n\n{FILLER}\n"


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


@pytest.fixture(scope="module")
def predictor(codebook):
    return ProvisionPredictor(codebook).fit()


@pytest.fixture(scope="module")
def answers_for(predictor):
    cache: dict[tuple[str, str], dict] = {}

    def run(snippet: str, preamble: str = "") -> dict:
        key = (snippet, preamble)
        if key not in cache:
            cache[key] = predictor.predict(treaty_from_text(build_treaty(snippet, preamble)))
        return cache[key]

    return run


# (question, snippet, codes the answer must carry)
POSITIVE = [
    (
        6,
        "The present Treaty shall be ratified and the instruments of ratification shall be exchanged "
        "at the capital of the first Party as soon as possible.",
        {"estmode": 1},
    ),
    (
        6,
        "This Treaty shall enter into force when both Parties have completed the procedures required "
        "by their constitutional processes.",
        {"estmode": 1},
    ),
    (6, "This Agreement shall enter into force on the date of its signature.", {"estmode": 0}),
    (
        7,
        "The present Protocol shall remain secret and shall not be communicated to any other Power "
        "without the consent of both Parties.",
        {"pubsecr": 1},
    ),
    (
        7,
        "The High Contracting Parties undertake that the present Treaty shall be kept strictly secret.",
        {"pubsecr": 2, "secrart": 8},
    ),
    (
        8,
        "Any other State may accede to this Treaty by depositing an instrument of accession with the "
        "Government of the first Party.",
        {"proadd": 3},
    ),
    (
        8,
        "The Parties may, by unanimous agreement, invite any other European State to accede to this Treaty.",
        {"proadd": 2},
    ),
    (
        9,
        "The Parties may, by unanimous agreement, invite any other European State to accede to this Treaty.",
        {"futmem": 2},
    ),
    (
        9,
        "Any other State may accede to this Treaty by depositing an instrument of accession with the "
        "Government of the first Party.",
        {"futmem": 3},
    ),
    (9, "The two Governments shall jointly invite Norway to accede to the present Treaty.", {"futmem": 1}),
    (
        9,
        "Other States or territories of the Andean region may apply to become Associate Members and shall be "
        "admitted by decision of the Council.",
        {"futmem": 2},
    ),
    (
        8,
        "Any State which shares the purposes of the Union may apply for membership; the Council shall decide "
        "on the application unanimously.",
        {"proadd": 2},
    ),
    (
        32,
        "The two Governments shall pool the output of their arsenals of munitions and naval stores so as to "
        "secure the fullest reciprocal aid.",
        {"milaid": 3},
    ),
    (
        56,
        "Should a Party face an armed rebellion, the other Parties shall assist it within its own territory "
        "at the request of its lawful government.",
        {"interv": 2},
    ),
    (
        11,
        "Either Party may denounce the present Treaty by giving one year's notice in writing to the "
        "other Party.",
        {"renounce": 1},
    ),
    (
        11,
        "Once this Pact has been in force for ten years, each Party may withdraw from it by giving the "
        "others twelve months' written notice.",
        {"renounce": 3},
    ),
    (
        11,
        "Should either High Contracting Party commit an act of aggression against a third Power, the "
        "other Party may denounce this Treaty without notice.",
        {"renounce": 2},
    ),
    (
        11,
        "Neither High Contracting Party may denounce the present Treaty while it is in force.",
        {"renounce": 4},
    ),
    (
        21,
        "Each Party undertakes not to permit on its territory the activities of any organisations or "
        "groups directed against the security of the other Party.",
        {"notaiden": 3},
    ),
    (
        21,
        "Neither Party shall permit a third State to use its territory for an attack on the other Party.",
        {"notaiden": 2, "terrres": 0},
    ),
    (
        21,
        "In the event of such an attack the other Party shall break off diplomatic relations with the "
        "aggressor.",
        {"dipaid": 1},
    ),
    (
        21,
        "Each Party shall place its ports, airfields and railways at the disposal of the armed forces "
        "of the other Party for the duration of the hostilities.",
        {"terrres": 1},
    ),
    (22, "Nothing in this Treaty shall be construed as obliging either Party to take military action.", {}),
    (
        23,
        "The present alliance is directed to the common prosecution of the present war until final victory.",
        {"specthrt": 4},
    ),
    (
        23,
        "The Parties shall act together against terrorism, separatism and extremism wherever these "
        "threaten the security of either of them.",
        {"specthrt": 5},
    ),
    (25, "The High Contracting Parties undertake not to conclude a separate peace.", {"seppeace": 1}),
    (
        25,
        "Neither Party shall conclude an armistice or peace without the consent of the other.",
        {"seppeace": 2},
    ),
    (
        25,
        "The Parties shall consult each other on the terms of any armistice or peace treaty.",
        {"seppeace": 3},
    ),
    (
        26,
        "Neither Party shall enter into any agreement with a third State concerning the region without "
        "prior consultation with the other Party.",
        {"thirdcom": 1},
    ),
    (
        27,
        "Each Party undertakes not to join any coalition or bloc directed against the other Party.",
        {"noothall": 1},
    ),
    (
        29,
        "The question of the frontier between the two countries shall be settled by a mixed commission.",
        {"conwtin": 2},
    ),
    (29, "The Parties undertake to settle all disputes between them by peaceful means.", {"conwtin": 1}),
    (
        29,
        "Any dispute concerning the interpretation or application of this Treaty shall be settled by "
        "negotiation.",
        {"conwtin": 3},
    ),
    (30, "Disputes which cannot be settled by diplomacy shall be submitted to arbitration.", {"medarb": 1}),
    (
        31,
        "In the event of war the General Staffs of the two armies shall concert the conduct of operations.",
        {"milcon": 1},
    ),
    (
        31,
        "The general staffs of the Parties shall hold regular consultations in time of peace.",
        {"milcon": 2},
    ),
    (
        31,
        "The Parties shall pursue a common defence policy and shall harmonise their military doctrines.",
        {"milcon": 3},
    ),
    (
        32,
        "The first Party shall grant the second Party loans for the purchase of military equipment and "
        "shall train its officers.",
        {"milaid": 4},
    ),
    (
        32,
        "The first Party shall provide training for officers of the armed forces of the second Party.",
        {"milaid": 3},
    ),
    (
        33,
        "The armed forces assigned to the alliance shall be placed under an integrated command in "
        "peace as in war.",
        {"intcom": 1},
    ),
    (
        34,
        "In time of war the forces of both Parties shall be placed under the command of the "
        "Commander-in-Chief of the army of the first Party.",
        {"subord": 1},
    ),
    (
        34,
        "In case of joint operations, supreme command shall belong to the Party on whose territory the "
        "operations take place.",
        {"subord": 2},
    ),
    (
        35,
        "A Permanent Council composed of the Ministers of Defence shall meet twice a year.",
        {"organ1": 2, "orgpurp1": 1},
    ),
    (35, "A permanent Secretariat shall be established at the seat of the Organisation.", {"organ1": 3}),
    (
        36,
        "The second Party grants the first Party the right to station its troops in the territory of "
        "the second Party.",
        {"base": 3},
    ),
    (
        36,
        "Each Party may station units of its armed forces on the territory of the other Party.",
        {"base": 2},
    ),
    (37, "Each Party shall furnish a contingent of not less than 20,000 men.", {"contrib": 1}),
    (
        38,
        "The Parties undertake not to manufacture or possess chemical or bacteriological weapons.",
        {"armred": 1},
    ),
    (39, "The allies declare that they seek no territorial aggrandizement.", {"acqterr": 2}),
    (
        40,
        "The territories conquered in the course of the war shall be divided between the allies in "
        "equal parts.",
        {"divgains": 1},
    ),
    (
        41,
        "Upon the conclusion of peace the auxiliary troops shall be withdrawn from the territory of "
        "the allied Party within three months.",
        {"demwith": 1},
    ),
    (42, "The Parties shall exchange military intelligence and conduct joint exercises.", {}),
    (44, "The Treaty of Alliance signed between the Parties on 3 May 1921 is hereby abrogated.", {}),
    (
        45,
        "Article 4 of the Treaty of Friendship concluded between the Parties in 1950 is hereby amended "
        "to read as follows.",
        {},
    ),
    (46, "The Treaty of Guarantee signed at the same place in 1925 shall remain in force.", {}),
    (
        47,
        "The Parties shall act in accordance with Article 16 of the Covenant of the League of Nations.",
        {"reflnun": 1},
    ),
    (
        47,
        "The Parties shall report the measures taken to the Security Council and shall inform the "
        "Organization for Security and Co-operation in Europe.",
        {"reflnun": 2, "refothio": 1},
    ),
    (
        48,
        "The obligations under this Treaty are consistent with the obligations of the Parties under "
        "the North Atlantic Treaty.",
        {"natrefal": 1},
    ),
    (
        49,
        "The military convention signed on the same day forms an integral part of the present Treaty.",
        {"compag": 1},
    ),
    (50, "The Parties shall develop their economic, scientific and cultural cooperation.", {"nomicoop": 1}),
    (
        51,
        "The frontier between the two States shall run along the middle of the main channel of the river.",
        {"conres": 1},
    ),
    (
        52,
        "The Parties will use their good offices to bring about a settlement of the conflict between "
        "Lindmark and Carathia.",
        {"conres": 2},
    ),
    (
        53,
        "The Parties shall conclude, within six months, an agreement on trade and payments.",
        {"agprois": 2},
    ),
    (
        54,
        "The questions still pending between the two Governments shall be settled by subsequent "
        "negotiations.",
        {"conmen": 1},
    ),
    (
        55,
        "The Parties shall grant each other most-favoured-nation treatment in all matters of trade.",
        {"ecaid": 3},
    ),
    (
        56,
        "The Parties shall refrain from any interference in the internal affairs of each other.",
        {"interv": 1},
    ),
    (
        56,
        "Each Party shall, at the request of the other, assist it in suppressing any armed rebellion "
        "against its lawful government.",
        {"interv": 2},
    ),
]

# (question, sentence that must leave the question at its "absent" answer)
NEAR_MISS = [
    (
        7,
        "Classified information exchanged under this Agreement shall not be communicated to any third "
        "party without the consent of the originating Party.",
    ),
    (8, "His Majesty's accession to the throne shall not affect the present Treaty."),
    (9, "Any State Party may propose amendments to this Treaty."),
    (
        11,
        "The Treaty shall be extended automatically for further periods of five years unless either "
        "Party gives notice of termination six months before the expiry of the current period.",
    ),
    (11, "Either Party may withdraw its forces from the territory of the other upon six months' notice."),
    (21, "The Parties shall establish diplomatic relations at the level of embassies."),
    (
        22,
        "This Treaty shall be approved and shall enter into force in accordance with their respective "
        "constitutional processes.",
    ),
    (23, "The Parties shall work together to strengthen stability in the region."),
    (
        23,
        "Each Government shall be represented on every body planning the armistice that is to end the present "
        "hostilities.",
    ),
    (25, "The Parties shall consult each other on measures to preserve peace in the region."),
    (26, "The Parties shall consult each other on matters of trade."),
    (27, "Neither Party shall take part in any armed action directed against the other."),
    (29, "The Parties shall help to settle disputes between third States by peaceful means."),
    (29, "Each Party shall settle by peaceful means any international dispute to which it may become a party."),
    (
        29,
        "Installations built in wartime by any Power on land under the control of another Power shall give "
        "rise to no territorial claim.",
    ),
    (30, "The Parties shall settle all disputes between them by peaceful means."),
    (
        31,
        "The Parties shall notify each other in advance of military exercises involving more than "
        "10,000 troops, as a confidence-building measure.",
    ),
    (32, "Should either Party be attacked, the other shall render it all military assistance in its power."),
    (33, "In the event of war the combined forces shall be placed under a single command."),
    (34, "The Joint Commission shall report to the two Governments."),
    (35, "The Parties shall inform the Security Council of the United Nations of any measures taken."),
    (35, "The Parties shall respect the frontier as it was fixed by the boundary commission of 1904."),
    (36, "Neither Party shall allow foreign military bases on its territory."),
    (
        37,
        "The Parties shall notify each other in advance of military exercises involving more than "
        "10,000 troops, as a confidence-building measure.",
    ),
    (38, "The Parties shall contribute to the goal of general and complete disarmament."),
    (39, "The Parties shall respect each other's sovereignty and territorial integrity."),
    (40, "The Parties shall share information on threats to their security."),
    (41, "Either Party may withdraw from this Treaty on one year's notice."),
    (42, "The Parties shall develop their economic cooperation."),
    (44, "The present Treaty shall cease to be in force one year after notice of termination."),
    (45, "This Treaty may be amended by agreement between the Parties."),
    (46, "The military convention signed on the same day forms an integral part of the present Treaty."),
    (47, "A National Security Council shall be set up in each country."),
    (
        50,
        "The Parties shall cooperate closely in military matters and in the training of their armed forces.",
    ),
    (50, "The other Party shall apply economic sanctions against the aggressor."),
    (52, "The Parties shall settle their mutual disputes by negotiation."),
    (53, "The Parties may conclude other agreements as necessary to implement this Treaty."),
    (54, "Any dispute which may arise between the Parties shall be settled peacefully."),
    (55, "The Parties shall impose economic sanctions on any aggressor."),
    (56, "The Parties shall respect each other's sovereignty and territorial integrity."),
    (
        56,
        "At the request of the Government of the receiving Party, the other Party shall send experts to help "
        "survey the harbours in its territory.",
    ),
    (32, "The Parties shall extend mutual aid in customs matters and in the prevention of smuggling."),
]


def test_config_codes_are_valid(codebook):
    """Every code the lexicon sets belongs to one of the question's columns and is a code of that column."""
    config = load_provisions()
    for number, qc in config.questions.items():
        question = codebook.question(number)
        for codes in [qc.absent.codes, *(cue.codes for cue in qc.cues)]:
            for column, value in codes.items():
                assert column in question.columns, (number, column)
                labels = codebook.column(column).codes
                assert labels is None or value in labels, (number, column, value)
        assert len({cue.id for cue in qc.cues}) == len(qc.cues), f"Q{number}: duplicate cue ids"
        for column, rule in qc.combine.items():
            labels = codebook.column(column).codes
            assert column in question.columns, (number, column)
            for value in [*rule.alone, *(c for t in rule.together for c in (*t.codes, t.code))]:
                assert labels is None or value in labels, (number, column, value)


@pytest.mark.parametrize("name", ["provisions.yaml", "obligations.yaml"])
def test_every_shipped_pattern_compiles(name, tmp_path):
    """The shipped cue configs are read without compiling every pattern (each is compiled when a treaty first
    needs it); this is where all of them are checked, as they would be in a user's copy."""
    from nlp_coder.paths import CONFIG_DIR

    copy = tmp_path / name
    copy.write_bytes((CONFIG_DIR / name).read_bytes())
    checked, shipped = load_provisions(copy), load_provisions(CONFIG_DIR / name)
    assert checked == shipped and sum(len(q.cues) for q in checked.questions.values()) >= 9


def test_a_broken_pattern_in_a_shipped_config_is_a_config_error():
    from nlp_coder.errors import ConfigError
    from nlp_coder.predictors.provisions import Cue, _CompiledCue

    cue = Cue.model_validate(
        {"id": "x", "summary": "x", "any": ["attack"], "none": ["("]}, context={"shipped": True}
    )
    with pytest.raises(ConfigError, match="pattern '\\(' is not a valid regular expression"):
        _CompiledCue(cue).matches("an armed attack")


def test_enough_questions_are_tested():
    assert len({q for q, _, _ in POSITIVE} & {q for q, _ in NEAR_MISS}) >= 25


@pytest.mark.parametrize(("question", "snippet", "expected"), POSITIVE)
def test_cue_fires(answers_for, question, snippet, expected):
    answer = answers_for(snippet)[question]
    assert answer.evidence, f"Q{question}: no cue matched"
    assert snippet[:40] in " ".join(answer.evidence[0].quote.split())
    assert expected.items() <= answer.codes.items(), answer.codes
    if answer.yes_no is not None:
        assert answer.yes_no == "yes"


@pytest.mark.parametrize(("question", "snippet"), NEAR_MISS)
def test_near_miss_does_not_fire(answers_for, question, snippet):
    answer = answers_for(snippet)[question]
    absent = load_provisions().questions[question].absent
    assert not answer.evidence, f"Q{question} matched: {answer.answer}"
    assert answer.codes == absent.codes


def test_choice_answers(answers_for):
    assert answers_for(POSITIVE[0][1])[6].answer.startswith("Treaty")
    assert answers_for(FILLER)[6].answer == "Executive Agreement"
    assert answers_for(POSITIVE[3][1])[7].answer.startswith("Public with secret articles")
    assert answers_for(POSITIVE[4][1])[7].answer.startswith("Secret")
    assert answers_for(FILLER)[7].answer == "Public"
    not_ratified = (
        "This Agreement shall not be subject to ratification and shall enter into force upon signature."
    )
    assert answers_for(not_ratified)[6].codes == {"estmode": 0}


def test_binding_cues_skip_the_preamble(answers_for):
    answers = answers_for(FILLER, preamble="Desiring to develop their economic and cultural cooperation,")
    assert not answers[50].evidence
    answers = answers_for(FILLER, preamble="Recalling the purposes of the Charter of the United Nations,")
    assert answers[47].codes["reflnun"] == 2


def test_all_mode_keeps_the_highest_code(answers_for):
    text = (
        "In the event of such an attack the other Party shall break off diplomatic relations with the "
        "aggressor.\n\nEach Party undertakes not to permit on its territory the activities of any "
        "organisations or groups directed against the security of the other Party."
    )
    codes = answers_for(text)[21].codes
    assert codes == {"notaiden": 3, "dipaid": 1, "terrres": 0}


@pytest.mark.parametrize(
    ("text", "purpose"),
    [
        # a military body and an economic one, in different articles: a body of several purposes
        (
            "A Joint Defence Board composed of the Chiefs of Staff of the Parties is hereby established.\n\n"
            "Article 3\n\nA Mixed Commission on trade and finance shall meet once a year.",
            4,
        ),
        # a military council beside a conciliation commission: the military purpose is the first
        (
            "A Council of the Ministers of Defence shall meet twice a year.\n\nArticle 3\n\nA "
            "Conciliation Commission shall be set up to settle any dispute between the Parties.",
            1,
        ),
        # only a body for disputes
        ("A Conciliation Commission shall be set up to settle any dispute between the Parties.", 5),
        # political and economic, no military: the highest code, as before
        (
            "The Ministers of Foreign Affairs shall meet once a year.\n\nArticle 3\n\nA Mixed Commission "
            "on trade and finance is hereby established.",
            3,
        ),
    ],
)
def test_organisation_purposes_combine_as_the_codebook_says(answers_for, text, purpose):
    assert answers_for(text)[35].codes["orgpurp1"] == purpose


def test_combine_needs_mode_all():
    from pydantic import ValidationError

    from nlp_coder.predictors.provisions import QuestionCues

    cue = {"id": "x", "summary": "x", "any": ["council"], "codes": {"orgpurp1": 1}}
    rule = {"orgpurp1": {"alone": [5]}}
    assert QuestionCues.model_validate({"mode": "all", "cues": [cue], "combine": rule}).combine
    with pytest.raises(ValidationError, match="mode all only"):
        QuestionCues.model_validate({"mode": "first", "cues": [cue], "combine": rule})


def test_filler_treaty_says_no(answers_for):
    answers = answers_for(FILLER)
    yes = [q for q, a in answers.items() if a.evidence]
    assert yes == []
