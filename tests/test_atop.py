import csv

from conftest import SHARED, needs_shared
from nlp_coder.codesheet.atop import load_atop, row_codes, sheet_from_atop
from nlp_coder.codesheet.codebook import load_codebook
from nlp_coder.codesheet.sheet import parse_sheet, read_sheet, render_sheet


def _write_row(path, **values):
    cb = load_codebook()
    columns = ["atopid", *[c for c in cb.columns if c not in ("atopid", "mem")], "mem1", "mem2", "mem3"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerow({c: values.get(c, 0) for c in columns})
    return path


def test_dataset_row_renders_as_a_sheet_that_parses_back_to_the_row(tmp_path):
    path = _write_row(
        tmp_path / "atop.csv",
        atopid=9001,
        begyr=1950,
        begmo=3,
        begday=7,
        mem1=200,
        mem2=220,
        mem3=0,
        defense=1,
        consul=1,
        active=1,
        proadd=2,
        speclgth=1,
        length=600,
        bilat=1,
        reflnun=2,
        estmode=1,
        source=1,
        ineffect=1,
    )
    row = load_atop(path)[9001]
    sheet = sheet_from_atop(row)
    text = render_sheet(sheet)
    assert "200 United Kingdom" in text and "220 France" in text
    assert "Defense Pact" in text
    parsed = parse_sheet(text).atop()
    expected = row_codes(row, load_codebook())
    assert {k: parsed[k] for k in expected if k in parsed} == {
        k: expected[k] for k in expected if k in parsed
    }
    assert parsed["proadd"] == 2 and parsed["length"] == 600 and parsed["mem2"] == 220


@needs_shared
def test_seed_sheet_agrees_with_dataset_row_4520():
    sheet = read_sheet(SHARED / "sheets" / "atop_4520_sheet.txt")
    row = load_atop(SHARED / "atop" / "atop5_1a.csv")[4520]
    gold = row_codes(row, load_codebook())
    implied = sheet.atop()
    both = sorted(set(implied) & set(gold))
    assert len(both) >= 55
    assert {k: implied[k] for k in both} == {k: gold[k] for k in both}
    for answer in sheet.answers.values():  # a Yes whose code the wording does not pin must be non-zero
        for column in answer.nonzero:
            assert gold.get(column), (answer.question, column)
