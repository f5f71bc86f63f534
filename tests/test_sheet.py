import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import TREATIES
from nlp_coder.codesheet.answers import Evidence, Sheet, SheetAnswer
from nlp_coder.codesheet.sheet import parse_sheet, render_sheet
from nlp_coder.errors import SheetError

FRAGMENT = (TREATIES / "sheet_fragment.txt").read_text(encoding="utf-8")


def test_fragment_questions_answers_and_codes():
    sheet = parse_sheet(FRAGMENT)
    assert sorted(sheet.answers) == [6, 7, 8, 10, 11, 16, 18, 19, 27, 47]
    a = sheet.answers
    assert a[6].codes == {"estmode": 1}
    assert a[7].codes == {"pubsecr": 0, "secrart": 0}
    assert a[8].yes_no == "no" and a[8].codes == {"proadd": 0}
    assert a[10].yes_no == "yes" and a[10].answer.startswith("Yes. Twenty years")
    assert a[11].yes_no == "no"  # answered on the question's own line
    assert {k for k, v in a[16].codes.items() if v} == {"defense", "consul", "nonagg", "active"}
    assert a[27].yes_no == "yes" and a[27].codes == {"noothall": 1}  # a bare quote answers yes
    assert a[47].codes.get("reflnun") == 2


def test_quotes_become_evidence_and_stray_lines_are_dropped():
    sheet = parse_sheet(FRAGMENT)
    assert sheet.answers[18].evidence and sheet.answers[27].evidence
    for answer in sheet.answers.values():
        assert "SECTION" not in answer.answer
        assert answer.answer.strip() != "12"
    assert all("\n" not in ev.quote for ev in sheet.answers[27].evidence)


def test_atop_codes_gather_with_derived_columns():
    codes = parse_sheet(FRAGMENT).atop()
    assert codes["active"] == 1 and codes["defense"] == 1 and codes["offense"] == 0
    # Q19 names a condition but not the obligation: it applies to the treaty's obligations
    assert codes["conditio"] == 1 and codes["defcon"] == 1 and codes["concon"] == 1
    assert codes["offcon"] == 0


def test_parse_render_parse_is_stable():
    first = parse_sheet(FRAGMENT)
    again = parse_sheet(render_sheet(first))
    assert again.to_dict() == first.to_dict()


def test_draft_markers_round_trip():
    ev = Evidence("The Parties shall consult", "Article 4", 120, 145)
    answer = SheetAnswer(
        26,
        "Yes. Article 4 requires consultation.",
        "yes",
        {"thirdcom": 1},
        evidence=[ev],
        confidence=0.87,
        needs_review=True,
        source="text",
    )
    sheet = Sheet({26: answer})
    text = render_sheet(sheet)
    assert "[nlp-coder] confidence 0.87; needs review; source text; codes thirdcom=1" in text
    back = parse_sheet(text).answers[26]
    assert back.confidence == 0.87 and back.needs_review and back.source == "text"
    assert back.evidence[0].to_dict() == {
        "part": "Article 4",
        "start": 120,
        "end": 145,
        "quote": "The Parties shall consult",
    }
    assert back.answer == answer.answer and back.codes == {"thirdcom": 1}


def test_wrapped_question_with_page_break_and_trailer():
    text = (
        "SECTION III:  INSTITUTIONALIZATION OF THE ALLIANCE\n\n"
        "32. Does the treaty include provisions for military aid?  (e.g., grants, loans, transfer of\n"
        "technology, training)  (Yes, No)  If Yes, \n\n\n\n   7   \n\ndescribe these provisions. \n\n"
        "Yes. The stronger party will provide training for officers of the other.\n\n"
        "61. Coder: A. Person\n\nV2 – Q32 revised after review\n"
    )
    sheet = parse_sheet(text)
    assert (
        sheet.answers[32].answer == "Yes. The stronger party will provide training for officers of the other."
    )
    assert sheet.answers[32].codes == {"milaid": 3}
    assert sheet.answers[61].answer == "A. Person" and "revised" in sheet.trailer


def test_no_questions_is_an_error():
    with pytest.raises(SheetError, match="no recognisable"):
        parse_sheet("Dear colleague,\n\nplease find the treaty attached.\n")


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=300)
    | st.lists(
        st.sampled_from(
            [
                "8. Are there provisions for adding",
                "\n",
                "Yes",
                "No",
                "“q",
                "”",
                "16. Type of alliance",
                " 12 ",
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_parser_never_crashes(text):
    try:
        sheet = parse_sheet(text)
    except SheetError:
        return
    assert all(1 <= n <= 61 for n in sheet.answers)
