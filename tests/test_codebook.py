from pathlib import Path

import pytest
import yaml

from nlp_coder.codesheet.codebook import DEFAULT_CODEBOOK, load_codebook
from nlp_coder.errors import ConfigError


def test_codebook_has_all_61_questions_in_order():
    cb = load_codebook()
    assert [q.number for q in cb.questions] == list(range(1, 62))
    assert {q.section for q in cb.questions} == {"I", "II", "III", "IV", "V"}


def test_every_mapped_column_is_defined_with_codes():
    cb = load_codebook()
    for q in cb.questions:
        for name in q.columns:
            assert name in cb.columns, (q.number, name)
    assert cb.column("proadd").codes[2] == "unanimous agreement"
    assert cb.column("defense").codes == {0: "no", 1: "yes"}


def test_text_and_external_questions_are_marked():
    cb = load_codebook()
    assert cb.question(16).from_text and cb.question(16).kind == "types"
    assert not cb.question(1).from_text  # the ATOP ID is not in a treaty
    assert not cb.question(14).from_text  # nor is the termination date
    assert "defense" in cb.text_columns() and "atopid" not in cb.text_columns()


def _broken(tmp_path: Path, mutate) -> Path:
    raw = yaml.safe_load(DEFAULT_CODEBOOK.read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_unknown_column_names_file_and_question(tmp_path):
    path = _broken(tmp_path, lambda raw: raw["questions"][7]["columns"].append("no_such_column"))
    with pytest.raises(ConfigError) as err:
        load_codebook(path)
    assert str(path) in str(err.value) and "question 8" in str(err.value)
    assert "no_such_column" in str(err.value)


def test_wrong_kind_names_the_question(tmp_path):
    def mutate(raw):
        raw["questions"][15]["kind"] = "poem"

    with pytest.raises(ConfigError, match="question 16"):
        load_codebook(_broken(tmp_path, mutate))


def test_bad_regex_and_bad_yaml_are_reported(tmp_path):
    def mutate(raw):
        raw["questions"][7]["implies"]["rules"] = [{"pattern": "([", "codes": {"proadd": 2}}]

    with pytest.raises(ConfigError, match="question 8"):
        load_codebook(_broken(tmp_path, mutate))
    bad = tmp_path / "bad.yaml"
    bad.write_text("questions: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_codebook(bad)
    with pytest.raises(ConfigError, match="cannot read"):
        load_codebook(tmp_path / "missing.yaml")
