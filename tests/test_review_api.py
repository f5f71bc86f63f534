"""The review app in-process: every endpoint of the JSON API, its errors, the token, the pages, escaping and the
security headers."""

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import EXAMPLE
from nlp_coder.review.app import create_app
from nlp_coder.review.intake import add_treaty
from nlp_coder.review.store import open_store
from nlp_coder.text.treaty import load_treaty

TOKEN = "test-token-1234"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

# A treaty of our own whose title and text carry markup: it must show as text, never run.
SCRIPT_TREATY = """AGREEMENT <script>alert("title")</script> ON MUTUAL CONSULTATION

The Parties, wishing to keep the peace between them, have agreed as follows:

Article 1

The Parties shall consult each other without delay whenever either of them considers that its security is \
threatened <img src=x onerror="alert('text')"> by any other state.

Article 2

This Agreement shall enter into force on the day of its signature and remain in force for ten years.

Done at Eastport on the fourth day of May 1961.
"""


def review_db(folder: Path) -> Path:
    """A review database with the example treaty (1) and the markup treaty (2), drafted by the rules alone
    (the app does not depend on the model)."""
    markup = folder / "markup_treaty.txt"
    markup.write_text(SCRIPT_TREATY)
    db = folder / "review.sqlite"
    with open_store(db, create=True) as store:
        for path in (EXAMPLE, markup):
            add_treaty(store, path)
    return db


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return review_db(tmp_path_factory.mktemp("review"))  # drafted once for the module


@pytest.fixture
def db(built, tmp_path):
    copy = tmp_path / "review.sqlite"
    shutil.copy(built, copy)
    return copy


@pytest.fixture
def client(db):
    return TestClient(create_app(db, TOKEN), headers=AUTH)


def answer_of(client, treaty_id, question):
    return next(
        a for a in client.get(f"/api/treaties/{treaty_id}").json()["answers"] if a["question"] == question
    )


def put(client, question, treaty_id=1, **body):
    current = answer_of(client, treaty_id, question)
    payload = {
        "answer": current["answer"],
        "codes": current["codes"],
        "evidence": current["evidence"],
        "comment": "",
        "coder": "ana",
        "version": current["version"],
    }
    payload.update(body)
    return client.put(f"/api/treaties/{treaty_id}/answers/{question}", json=payload)


# --- the token ------------------------------------------------------------------------------------------


def test_every_request_needs_the_token(db):
    bare = TestClient(create_app(db, TOKEN))
    wrong = TestClient(create_app(db, TOKEN), headers={"Authorization": "Bearer nope"})
    paths = ["/", "/treaties/1", "/static/review.js", "/api/codebook", "/api/treaties", "/api/treaties/1"]
    for path in [*paths, "/api/treaties/1/history"]:
        for client in (bare, wrong):
            response = client.get(path)
            assert response.status_code == 401, path
    response = bare.put("/api/treaties/1/answers/8", json={})
    assert response.status_code == 401 and "token" in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


def test_the_url_token_sets_a_cookie_that_reads_but_never_writes(db):
    client = TestClient(create_app(db, TOKEN))
    assert client.get("/?token=wrong", follow_redirects=False).status_code == 401
    response = client.get(f"/treaties/1?token={TOKEN}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/treaties/1"
    cookie = response.headers["set-cookie"]
    assert (
        f"nlp_coder_review={TOKEN}" in cookie and "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    )
    assert client.get("/").status_code == 200  # the cookie now opens pages ...
    assert client.get("/api/treaties").status_code == 200  # ... and reads
    answer = client.get("/api/treaties/1").json()["answers"][7]
    body = {**{k: answer[k] for k in ("answer", "codes", "evidence", "version")}, "coder": "ana"}
    refused = client.put("/api/treaties/1/answers/8", json=body)
    assert refused.status_code == 401 and "Authorization: Bearer" in refused.json()["detail"]
    assert client.put("/api/treaties/1/answers/8", json=body, headers=AUTH).status_code == 200


# --- reading ---------------------------------------------------------------------------------------------


def test_treaty_list(client):
    treaties = client.get("/api/treaties").json()
    assert [set(t) for t in treaties] == [{"id", "title", "path", "reviewed", "flagged", "members"}] * 2
    assert [t["flagged"] for t in treaties] == sorted((t["flagged"] for t in treaties), reverse=True)
    example = next(t for t in treaties if t["id"] == 1)
    assert example["title"].startswith("TREATY OF FRIENDSHIP") and example["reviewed"] == 0
    assert example["path"] == str(EXAMPLE.resolve()) and example["flagged"] > 0


def test_treaty_answers_in_codesheet_order(client):
    treaty = client.get("/api/treaties/1").json()
    assert {"id", "title", "text", "answers"} <= set(treaty)
    read = load_treaty(EXAMPLE)
    assert (treaty["text"], treaty["text_sha256"]) == (read.text, read.sha256)
    assert treaty["parts"] == [p.to_dict() for p in read.parts]
    keys = {
        "question",
        "answer",
        "codes",
        "confidence",
        "needs_review",
        "evidence",
        "status",
        "version",
        "comment",
    }
    assert [a["question"] for a in treaty["answers"]] == list(range(1, 62))
    for a in treaty["answers"]:
        assert keys <= set(a) and a["status"] == "draft" and a["version"] == 1
        for e in a["evidence"]:
            assert treaty["text"][e["start"] : e["end"]] == e["quote"]
    q16 = treaty["answers"][15]
    assert q16["codes"]["defense"] == 1 and q16["evidence"]


def test_codebook_for_the_page(client):
    cb = client.get("/api/codebook").json()
    assert len(cb["questions"]) == 61
    q16 = cb["questions"][15]
    assert {"defense", "offense", "neutral", "nonagg", "consul"} <= set(q16["columns"])
    assert cb["columns"]["defense"]["codes"] == {"0": "no", "1": "yes"}
    assert cb["states"]["2"] and "mem" in cb["questions"][3]["columns"]


# --- writing ---------------------------------------------------------------------------------------------


def test_a_correction_is_stored_with_a_new_version_and_history(client):
    treaty = client.get("/api/treaties/1").json()
    start = treaty["text"].index("Should either High Contracting Party")
    end = treaty["text"].index("military assistance included.") + len("military assistance included.")
    response = put(
        client,
        16,
        answer="Defense Pact, Consultation Pact (Article 3(1), Article 4)",
        codes={"defense": 1, "consul": 1, "nonagg": 0, "offense": 0, "neutral": 0},
        evidence=[{"start": start, "end": end}],
        comment="Article 2 settles disputes peacefully: not a nonaggression pledge",
    )
    assert response.status_code == 200, response.text
    stored = response.json()
    assert (stored["version"], stored["status"], stored["coder"]) == (2, "reviewed", "ana")
    assert stored["codes"]["nonagg"] == 0 and stored["evidence"][0]["part"] == "Article 3(1)"
    assert stored["evidence"][0]["quote"] == treaty["text"][start:end]
    assert answer_of(client, 1, 16) == stored
    (change,) = client.get("/api/treaties/1/history").json()
    assert {"question", "coder", "at", "before", "after", "comment"} <= set(change)
    assert (change["question"], change["coder"], change["comment"]) == (16, "ana", stored["comment"])
    assert change["before"]["codes"]["nonagg"] == 1 and change["after"]["codes"]["nonagg"] == 0
    assert change["at"].endswith("Z")
    assert next(t for t in client.get("/api/treaties").json() if t["id"] == 1)["reviewed"] == 1


def test_a_stale_version_gets_409_and_changes_nothing(client):
    first = put(client, 8, answer="Yes", codes={"proadd": 1}, version=1)
    second = put(client, 8, answer="No", codes={"proadd": 0}, coder="ben", version=1)
    assert first.status_code == 200 and second.status_code == 409
    body = second.json()
    assert "version 2, not 1" in body["detail"] and body["current"]["answer"] == "Yes"
    assert (
        answer_of(client, 1, 8)["answer"] == "Yes" and len(client.get("/api/treaties/1/history").json()) == 1
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"codes": {"proadd": 9}}, "not a code of proadd"),
        ({"codes": {"defense": 1}}, "not an ATOP column of question 8"),
        ({"evidence": [{"start": 10, "end": 10**6}]}, "not a passage of the text"),
        ({"evidence": [{"start": 0, "end": 6, "quote": "Pact"}]}, "not the quote given"),
        ({"answer": "No", "codes": {}}, "implies proadd = 0"),
        ({"coder": ""}, "coder"),
        ({"version": "1"}, "version"),
        ({"codes": [1, 2]}, "codes"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_edits_get_400_with_a_message(client, body, message):
    response = put(client, 8, **body)
    assert response.status_code == 400, response.text
    assert message in response.json()["detail"]
    assert answer_of(client, 1, 8)["version"] == 1 and client.get("/api/treaties/1/history").json() == []


def test_a_body_without_required_fields_gets_400(client):
    response = client.put("/api/treaties/1/answers/8", json={"answer": "No"})
    assert response.status_code == 400 and "Field required" in response.json()["detail"]


def test_unknown_treaty_or_question_gets_404(client):
    assert client.get("/api/treaties/99").status_code == 404
    assert client.get("/api/treaties/99/history").status_code == 404
    assert client.get("/treaties/99").status_code == 404
    body = {"answer": "", "codes": {}, "evidence": [], "coder": "ana", "version": 1}
    assert client.put("/api/treaties/1/answers/62", json=body).status_code == 404
    assert client.put("/api/treaties/99/answers/8", json=body).status_code == 404


def test_request_bodies_are_capped(client):
    response = put(client, 8, comment="x" * 300_000)
    assert response.status_code == 413
    assert answer_of(client, 1, 8)["version"] == 1


# --- safety ----------------------------------------------------------------------------------------------


def test_markup_in_a_treaty_is_escaped_on_the_pages(client):
    page = client.get("/").text
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in page
    assert "<script>" not in page
    treaty_page = client.get("/treaties/2").text
    assert "&lt;script&gt;" in treaty_page and "<script>alert" not in treaty_page
    assert (
        treaty_page.count("<script") == 1 and '<script src="/static/review.js" defer></script>' in treaty_page
    )
    text = client.get("/api/treaties/2").json()["text"]
    assert "<img src=x" in text  # the API gives the text as it is; the page inserts it as text only


def test_security_headers_and_no_cors(client):
    for response in (
        client.get("/"),
        client.get("/api/treaties", headers={"Origin": "http://evil.example"}),
        TestClient(client.app).get("/api/treaties"),  # a refusal too
    ):
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "access-control-allow-origin" not in response.headers
    preflight = client.options(
        "/api/treaties/1/answers/8",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "PUT"},
    )
    assert preflight.status_code >= 400 and "access-control-allow-origin" not in preflight.headers


def test_pages_carry_what_the_script_needs(client):
    listing = client.get("/").text
    assert 'href="/treaties/1"' in listing and "TREATY OF FRIENDSHIP" in listing
    page = client.get("/treaties/1").text
    assert f'<meta name="review-token" content="{TOKEN}">' in page
    assert '<meta name="review-treaty" content="1">' in page
    assert client.get("/static/review.js").status_code == 200


# --- blind review ----------------------------------------------------------------------------------------


def test_blind_review_hides_the_draft_until_the_coder_answers(db):
    client = TestClient(create_app(db, TOKEN, blind=True), headers=AUTH)
    hidden = client.get("/api/treaties/1?coder=ana").json()["answers"]
    assert all(a.get("hidden") and a["answer"] == "" and a["draft"] is None for a in hidden)
    assert hidden[7]["version"] == 1  # the version is there, to answer with
    body = {"answer": "Yes", "codes": {"proadd": 1}, "evidence": [], "coder": "ana", "version": 1}
    assert client.put("/api/treaties/1/answers/8", json=body).status_code == 200
    seen = client.get("/api/treaties/1?coder=ana").json()["answers"]
    assert seen[7]["answer"] == "Yes" and seen[7]["draft"]["answer"] == "No" and seen[8].get("hidden")
    assert client.get("/api/treaties/1?coder=ben").json()["answers"][7].get("hidden")
    assert client.get("/api/treaties/1/history?coder=ben").json() == []
    (change,) = client.get("/api/treaties/1/history?coder=ana").json()
    assert change["blind"] is True
