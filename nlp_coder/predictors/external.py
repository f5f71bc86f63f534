"""Questions a treaty's text cannot answer: left blank for the coder, never guessed."""

from __future__ import annotations

from nlp_coder.codesheet.answers import SheetAnswer
from nlp_coder.predictors.base import RulePredictor
from nlp_coder.text.treaty import Treaty

SOURCE_NOTE = (
    "Drafted by nlp-coder from the treaty text only; to be checked against the treaty and secondary sources."
)


class ExternalPredictor(RulePredictor):
    """Marks every question that is not answerable from the text as ``external``; Q58 states the source."""

    name = "external.v1"

    @property
    def questions(self) -> tuple[int, ...]:  # type: ignore[override]
        return tuple(q.number for q in self.codebook.questions if not q.from_text)

    def predict(self, treaty: Treaty) -> dict[int, SheetAnswer]:
        answers = {}
        for number in self.questions:
            if number == 58:
                answers[58] = SheetAnswer(
                    58, SOURCE_NOTE, codes={"source": 1}, confidence=1.0, needs_review=False, source="text"
                )
            else:
                answers[number] = SheetAnswer(
                    number, "", confidence=0.0, needs_review=True, source="external"
                )
        return answers
