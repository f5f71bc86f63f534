"use strict";
// The treaty page: the text with its parts on the left, the 61 questions on the right, built from the JSON
// API (the same one scripts use). Treaty text, answers and comments only ever enter the page as text nodes.
// Offsets are those of the server: Unicode code points into the text as read.

const meta = (name) => document.querySelector(`meta[name="${name}"]`).content;
const TOKEN = meta("review-token");
const TREATY = meta("review-treaty");
const BLIND = meta("review-blind") === "1";
const CODER_KEY = "nlp-coder-review-coder";
const $ = (selector, root = document) => root.querySelector(selector);

const state = {
  treaty: null,
  codebook: null,
  answers: new Map(),
  selected: null,
  editing: null, // the question whose editor is open
  form: null, // the editor's values: {answer, codes, evidence, comment}
  selection: null, // the last passage selected in the text: {start, end}
  index: null, // code point -> UTF-16 offset, only for texts with characters outside the BMP
};

// --- small helpers -----------------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    credentials: "same-origin",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
  });
  let data = null;
  try {
    data = await response.json();
  } catch (_) {
    data = null;
  }
  if (!response.ok) {
    const error = new Error((data && data.detail) || `${response.status} ${response.statusText}`);
    error.status = response.status;
    error.data = data;
    throw error;
  }
  return data;
}

function notice(message, kind = "info") {
  const box = $("#notice");
  box.textContent = message;
  box.className = kind;
}

const short = (text, n = 110) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);
const coderName = () => $("#coder").value.trim();
const coderQuery = () => (BLIND && coderName() ? `?coder=${encodeURIComponent(coderName())}` : "");
const flagged = (a) => a.needs_review && a.status === "draft";
const question = (n) => state.codebook.questions[n - 1];

// Code points (the server's offsets) and UTF-16 units (the browser's).
function buildIndex(text) {
  if (!/[\uD800-\uDFFF]/.test(text)) return null;
  const map = [];
  let unit = 0;
  for (const ch of text) {
    map.push(unit);
    unit += ch.length;
  }
  map.push(unit);
  return map;
}
const toUnit = (point) => (state.index ? state.index[point] : point);
function toPoint(unit) {
  const map = state.index;
  if (!map) return unit;
  let lo = 0;
  let hi = map.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (map[mid] <= unit) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
const slice = (start, end) => state.treaty.text.slice(toUnit(start), toUnit(end));
const textLength = () => (state.index ? state.index.length - 1 : state.treaty.text.length);

function column(name) {
  const member = /^mem\d+$/.test(name);
  return state.codebook.columns[member ? "mem" : name];
}

function valueLabel(name, value) {
  const col = column(name);
  if (!col || value === undefined || value === null) return "";
  if (col.kind === "cow") return state.codebook.states[value] || col.codes[value] || "";
  return col.codes[value] || "";
}

function partLabel(offset) {
  let best = null;
  for (const part of state.treaty.parts) {
    if (part.start <= offset && offset < part.end && (!best || part.end - part.start < best.end - best.start)) {
      best = part;
    }
  }
  return best ? best.label : null;
}

// --- the text ----------------------------------------------------------------------------------------

function renderText() {
  const pane = $("#text");
  pane.replaceChildren();
  const chunk = (start, end, cls) =>
    el("div", { class: `chunk ${cls}`, dataset: { s: start, e: end } }, slice(start, end));
  const gap = (start, end) => {
    if (end > start && slice(start, end).trim()) pane.append(chunk(start, end, "gap"));
  };
  const top = state.treaty.parts.filter((p) => p.parent === null).sort((x, y) => x.start - y.start);
  let at = 0;
  for (const part of top) {
    if (part.start < at) continue;
    gap(at, part.start);
    const said = slice(part.start, part.end).trimStart().toLowerCase().startsWith(part.label.toLowerCase());
    pane.append(
      el(
        "section",
        { class: `part ${part.kind}`, id: `part-${part.start}` },
        said ? null : el("div", { class: "part-label", text: part.label }),
        chunk(part.start, part.end, "body"),
      ),
    );
    at = part.end;
  }
  gap(at, textLength());
}

// Mark passages ({start, end, cls}) in the text; overlapping passages are split where they meet.
function paint(ranges) {
  for (const node of document.querySelectorAll("#text .chunk")) {
    const cs = Number(node.dataset.s);
    const ce = Number(node.dataset.e);
    const mine = ranges.filter((r) => r.start < ce && r.end > cs);
    if (!mine.length) {
      if (node.dataset.painted) {
        node.textContent = slice(cs, ce);
        delete node.dataset.painted;
      }
      continue;
    }
    const cuts = [cs, ce];
    for (const r of mine) cuts.push(Math.max(r.start, cs), Math.min(r.end, ce));
    const points = [...new Set(cuts)].sort((x, y) => x - y);
    const pieces = [];
    for (let i = 0; i + 1 < points.length; i++) {
      const [a, b] = [points[i], points[i + 1]];
      const over = mine.filter((r) => r.start <= a && r.end >= b);
      const text = slice(a, b);
      pieces.push(over.length ? el("mark", { class: over.map((r) => r.cls).join(" ") }, text) : text);
    }
    node.replaceChildren(...pieces);
    node.dataset.painted = "1";
  }
}

function evidenceShown(q) {
  if (state.editing === q && state.form) return state.form.evidence;
  const a = state.answers.get(q);
  return a && !a.hidden ? a.evidence : [];
}

function showEvidence(q, current = 0) {
  const evidence = evidenceShown(q);
  paint(evidence.map((e, i) => ({ start: e.start, end: e.end, cls: i === current ? "ev current" : "ev" })));
  const target = $("#text mark.current");
  if (target) target.scrollIntoView({ block: "center" });
}

// Where a selection's boundary falls in the text, as a code point offset (null outside the text).
function boundary(node, offset, isEnd) {
  const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  const chunk = element && element.closest(".chunk");
  if (chunk) {
    const range = document.createRange();
    range.setStart(chunk, 0);
    range.setEnd(node, offset);
    return toPoint(toUnit(Number(chunk.dataset.s)) + range.toString().length);
  }
  const chunks = [...document.querySelectorAll("#text .chunk")];
  const probe = document.createRange();
  probe.setStart(node, offset);
  if (!isEnd) {
    const next = chunks.find((c) => probe.comparePoint(c, 0) >= 0);
    return next ? Number(next.dataset.s) : null;
  }
  const before = chunks.reverse().find((c) => probe.comparePoint(c, c.childNodes.length) <= 0);
  return before ? Number(before.dataset.e) : null;
}

function rememberSelection() {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
  const range = selection.getRangeAt(0);
  if (!$("#text").contains(range.commonAncestorContainer)) return;
  let start = boundary(range.startContainer, range.startOffset, false);
  let end = boundary(range.endContainer, range.endOffset, true);
  if (start === null || end === null) return;
  while (start < end && /\s/.test(slice(start, start + 1))) start++;
  while (end > start && /\s/.test(slice(end - 1, end))) end--;
  if (end > start) state.selection = { start, end };
}

// --- the questions -----------------------------------------------------------------------------------

function renderQuestions() {
  const box = $("#questions");
  box.replaceChildren();
  for (const q of state.codebook.questions) box.append(card(q));
  applyFilter();
  updateProgress();
}

function card(q) {
  const node = el("article", {
    class: "q",
    id: `q${q.number}`,
    tabindex: "-1",
    dataset: { q: q.number, section: q.section },
    onclick: (event) => {
      if (!event.target.closest("button, textarea, input, select, form")) select(q.number, { scroll: false });
    },
  });
  fillCard(node, q);
  return node;
}

function fillCard(node, q) {
  const a = state.answers.get(q.number);
  node.classList.toggle("reviewed", a.status === "reviewed");
  node.classList.toggle("flagged", flagged(a));
  node.classList.toggle("hidden-answer", Boolean(a.hidden));
  const status = a.status === "reviewed" ? `reviewed by ${a.coder} · v${a.version}` : `draft · v${a.version}`;
  const head = el(
    "header",
    {},
    el("span", { class: "num", text: `${q.number}.` }),
    el("span", { class: "qtext", text: q.text }),
    el(
      "span",
      { class: "badges" },
      el("span", { class: `status ${a.status}`, text: status }),
      flagged(a) ? el("span", { class: "flag", text: "needs review" }) : null,
      a.confidence !== null && a.confidence !== undefined && q.from_text
        ? el("span", { class: "confidence", text: `confidence ${a.confidence.toFixed(2)}` })
        : null,
      q.from_text ? null : el("span", { class: "external", text: "outside the text" }),
    ),
  );
  node.replaceChildren(head, answerView(q, a));
  if (state.editing === q.number) node.append(editor(q, a));
}

function codesList(codes) {
  const entries = Object.entries(codes);
  if (!entries.length) return null;
  return el(
    "ul",
    { class: "codes" },
    ...entries.map(([name, value]) =>
      el(
        "li",
        { title: column(name) ? column(name).label : name },
        el("code", { text: name }),
        ` = ${value}`,
        valueLabel(name, value) ? el("span", { class: "value", text: ` ${valueLabel(name, value)}` }) : null,
      ),
    ),
  );
}

function answerView(q, a) {
  const box = el("div", { class: "view" });
  if (a.hidden) {
    box.append(el("p", { class: "answer muted", text: "Hidden until you answer (blind review)." }));
  } else {
    const empty = q.from_text ? "(no answer)" : "(blank: the coder fills it in from outside the text)";
    box.append(el("p", { class: a.answer ? "answer" : "answer muted", text: a.answer || empty }));
    box.append(codesList(a.codes) || "");
    if (a.evidence.length) {
      box.append(
        el(
          "ul",
          { class: "evidence" },
          ...a.evidence.map((e, i) =>
            el(
              "li",
              {},
              el(
                "button",
                {
                  type: "button",
                  class: "ev-link",
                  onclick: () => {
                    select(q.number, { scroll: false, evidence: false });
                    showEvidence(q.number, i);
                  },
                },
                e.part || `@${e.start}`,
              ),
              el("span", { class: "quote", text: ` “${short(e.quote)}”` }),
            ),
          ),
        ),
      );
    }
    if (a.comment) box.append(el("p", { class: "comment", text: `Comment: ${a.comment}` }));
    const draft = a.draft;
    if (draft && a.status === "reviewed" && JSON.stringify([draft.answer, draft.codes]) !== JSON.stringify([a.answer, a.codes])) {
      box.append(el("p", { class: "draft-was", text: `The draft said: ${draft.answer || "(blank)"}` }));
    }
  }
  box.append(
    el(
      "div",
      { class: "card-actions" },
      el("button", { type: "button", class: "edit", onclick: () => openEditor(q.number) }, "Edit (e)"),
      a.hidden ? null : el("button", { type: "button", class: "accept", onclick: () => accept(q.number) }, "Accept (a)"),
    ),
  );
  return box;
}

function select(n, { scroll = true, evidence = true } = {}) {
  state.selected = n;
  for (const node of document.querySelectorAll("#questions .q.selected")) node.classList.remove("selected");
  const node = $(`#q${n}`);
  if (!node) return;
  node.classList.add("selected");
  if (scroll) node.scrollIntoView({ block: "nearest" });
  if (evidence) showEvidence(n, 0);
}

function move(step) {
  const cards = [...document.querySelectorAll("#questions .q:not([hidden])")];
  if (!cards.length) return;
  const at = cards.findIndex((c) => Number(c.dataset.q) === state.selected);
  const next = at < 0 ? 0 : Math.min(cards.length - 1, Math.max(0, at + step));
  select(Number(cards[next].dataset.q));
}

function applyFilter() {
  const mode = $("#filter").value;
  const box = $("#questions");
  const cards = state.codebook.questions.map((q) => $(`#q${q.number}`));
  for (const node of box.querySelectorAll("h2.section")) node.remove();
  const ordered = mode === "flagged"
    ? [...cards.filter((c) => c.classList.contains("flagged")), ...cards.filter((c) => !c.classList.contains("flagged"))]
    : cards;
  let section = null;
  for (const node of ordered) {
    node.hidden = mode === "left" && node.classList.contains("reviewed");
    if (mode !== "flagged" && node.dataset.section !== section) {
      section = node.dataset.section;
      box.append(el("h2", { class: "section", text: `${section}. ${state.codebook.sections[section]}` }));
    }
    box.append(node);
  }
}

function updateProgress() {
  const answers = [...state.answers.values()];
  const reviewed = answers.filter((a) => a.status === "reviewed").length;
  const left = answers.filter(flagged).length;
  $("#progress").textContent = `${reviewed} of ${answers.length} reviewed · ${left} flagged left`;
}

// --- editing -----------------------------------------------------------------------------------------

function openEditor(n) {
  const a = state.answers.get(n);
  if (state.editing !== n) {
    state.editing = n;
    state.form = {
      answer: a.answer,
      codes: { ...a.codes },
      evidence: a.evidence.map((e) => ({ ...e })),
      comment: a.comment,
    };
  }
  for (const q of state.codebook.questions) {
    const node = $(`#q${q.number}`);
    if (node.querySelector("form.editor") && q.number !== n) fillCard(node, q);
  }
  select(n, { scroll: false });
  fillCard($(`#q${n}`), question(n));
  const area = $(`#q${n} textarea[name=answer]`);
  if (area) area.focus();
}

function closeEditor() {
  const n = state.editing;
  state.editing = null;
  state.form = null;
  if (n !== null) {
    fillCard($(`#q${n}`), question(n));
    showEvidence(n, 0);
  }
}

function refreshEditor() {
  const n = state.editing;
  fillCard($(`#q${n}`), question(n));
}

function editor(q, a) {
  const form = state.form;
  const node = el("form", {
    class: "editor",
    onsubmit: (event) => {
      event.preventDefault();
      save();
    },
  });
  const answer = el("textarea", { name: "answer", rows: 3 });
  answer.value = form.answer;
  answer.addEventListener("input", () => (form.answer = answer.value));
  node.append(el("label", { class: "field" }, el("span", { text: "Answer" }), answer));
  node.append(codesEditor(q, form), evidenceEditor(q, form));
  const comment = el("textarea", { name: "comment", rows: 2, placeholder: "Why, for the next coder" });
  comment.value = form.comment;
  comment.addEventListener("input", () => (form.comment = comment.value));
  node.append(el("label", { class: "field" }, el("span", { text: "Comment" }), comment));
  node.append(el("p", { class: "error", role: "alert" }));
  const draft = a.draft;
  node.append(
    el(
      "div",
      { class: "actions" },
      el("button", { type: "submit", class: "primary save" }, "Save (Ctrl+Enter)"),
      draft
        ? el(
            "button",
            {
              type: "button",
              onclick: () => {
                Object.assign(form, {
                  answer: draft.answer,
                  codes: { ...draft.codes },
                  evidence: draft.evidence.map((e) => ({ ...e })),
                });
                refreshEditor();
                showEvidence(q.number, 0);
              },
            },
            "Back to the draft",
          )
        : null,
      el("button", { type: "button", onclick: closeEditor }, "Cancel (Esc)"),
    ),
  );
  return node;
}

function codesEditor(q, form) {
  const box = el("fieldset", { class: "codes-editor" }, el("legend", { text: "ATOP codes" }));
  const members = Object.keys(form.codes)
    .filter((name) => /^mem\d+$/.test(name))
    .sort((x, y) => Number(x.slice(3)) - Number(y.slice(3)));
  for (const name of [...q.columns.filter((c) => c !== "mem"), ...members]) box.append(codeRow(name, form));
  if (q.columns.includes("mem")) {
    box.append(
      el(
        "button",
        {
          type: "button",
          onclick: () => {
            let k = 1;
            while (`mem${k}` in form.codes) k++;
            form.codes[`mem${k}`] = 2;
            refreshEditor();
          },
        },
        "Add a member",
      ),
    );
  }
  if (!q.columns.length) box.append(el("p", { class: "muted", text: "This question sets no ATOP column." }));
  return box;
}

function codeRow(name, form) {
  const col = column(name);
  const options = Object.entries(col.codes);
  let input;
  if (options.length && col.kind !== "cow") {
    input = el(
      "select",
      { name: `code-${name}` },
      el("option", { value: "" }, "— not set"),
      ...options.map(([value, label]) => el("option", { value }, `${value} · ${label}`)),
    );
  } else {
    input = el("input", { type: "number", step: "1", name: `code-${name}` });
  }
  input.value = name in form.codes ? String(form.codes[name]) : "";
  const hint = el("span", { class: "value", text: valueLabel(name, form.codes[name]) });
  input.addEventListener("change", () => {
    if (input.value === "") delete form.codes[name];
    else form.codes[name] = Number(input.value);
    hint.textContent = valueLabel(name, form.codes[name]);
  });
  return el(
    "div",
    { class: "code-row" },
    el("code", { text: name, title: col.label }),
    el("span", { class: "col-label", text: col.label }),
    input,
    hint,
  );
}

function evidenceEditor(q, form) {
  const box = el("fieldset", { class: "evidence-editor" }, el("legend", { text: "Evidence" }));
  const list = el("ol");
  form.evidence.forEach((e, i) => {
    list.append(
      el(
        "li",
        {},
        el("button", { type: "button", class: "ev-link", onclick: () => showEvidence(q.number, i) }, e.part || `@${e.start}`),
        el("span", { class: "quote", text: ` “${short(e.quote)}” ` }),
        el(
          "button",
          {
            type: "button",
            class: "remove",
            title: "Remove this passage",
            onclick: () => {
              form.evidence.splice(i, 1);
              refreshEditor();
              showEvidence(q.number, 0);
            },
          },
          "×",
        ),
      ),
    );
  });
  box.append(list);
  box.append(el("button", { type: "button", class: "add-evidence", onclick: addSelection }, "Add the selected text"));
  box.append(el("span", { class: "muted", text: " select a passage in the treaty first" }));
  return box;
}

function addSelection() {
  rememberSelection();
  const picked = state.selection;
  if (!picked) {
    notice("Select a passage of the treaty (left) first, then add it.", "warn");
    return;
  }
  const form = state.form;
  if (!form.evidence.some((e) => e.start === picked.start && e.end === picked.end)) {
    form.evidence.push({
      start: picked.start,
      end: picked.end,
      quote: slice(picked.start, picked.end),
      part: partLabel(picked.start),
    });
  }
  state.selection = null;
  window.getSelection().removeAllRanges();
  refreshEditor();
  showEvidence(state.editing, form.evidence.length - 1);
}

function needCoder() {
  if (coderName()) return false;
  notice("Type your name in “Coder” (top right) first: every change is recorded with its coder.", "warn");
  $("#coder").focus();
  return true;
}

async function put(n, values) {
  const a = state.answers.get(n);
  const body = {
    answer: values.answer,
    codes: values.codes,
    evidence: values.evidence.map((e) => ({ start: e.start, end: e.end, quote: e.quote })),
    comment: values.comment,
    coder: coderName(),
    version: a.version,
  };
  return api(`/api/treaties/${TREATY}/answers/${n}`, { method: "PUT", body: JSON.stringify(body) });
}

function stored(n, answer) {
  state.answers.set(n, answer);
  fillCard($(`#q${n}`), question(n));
  updateProgress();
  loadHistory();
}

async function save() {
  const n = state.editing;
  if (n === null || needCoder()) return;
  const errorBox = $(`#q${n} form.editor .error`);
  try {
    const answer = await put(n, state.form);
    state.editing = null;
    state.form = null;
    stored(n, answer);
    if (BLIND) await reloadAnswer(n);
    showEvidence(n, 0);
    notice(`Saved question ${n} (version ${answer.version}).`);
  } catch (error) {
    if (error.status === 409 && error.data && error.data.current) {
      state.answers.set(n, error.data.current);
      refreshEditor();
      $(`#q${n} form.editor .error`).textContent =
        `${error.message}. Their answer is shown above; your edit is kept here: save again to replace theirs.`;
    } else if (errorBox) {
      errorBox.textContent = error.message;
    } else {
      notice(error.message, "error");
    }
  }
}

async function accept(n) {
  if (n === null || n === undefined || needCoder()) return;
  const a = state.answers.get(n);
  if (a.hidden) {
    notice("Blind review: answer it yourself (e) before you see the draft.", "warn");
    return;
  }
  try {
    stored(n, await put(n, a));
    notice(`Accepted question ${n} (version ${state.answers.get(n).version}).`);
    move(1);
  } catch (error) {
    if (error.status === 409 && error.data && error.data.current) stored(n, error.data.current);
    notice(error.message, "error");
  }
}

async function reloadAnswer(n) {
  const treaty = await api(`/api/treaties/${TREATY}${coderQuery()}`);
  const fresh = treaty.answers.find((a) => a.question === n);
  if (fresh) stored(n, fresh);
}

// --- history -----------------------------------------------------------------------------------------

function stateView(s) {
  const codes = Object.entries(s.codes).map(([k, v]) => `${k}=${v}`).join(" ");
  return el(
    "div",
    { class: "state" },
    el("div", { class: s.answer ? "" : "muted", text: s.answer || "(blank)" }),
    codes ? el("div", { class: "codes-line", text: codes }) : null,
    s.evidence.length ? el("div", { class: "muted", text: `${s.evidence.length} passage(s) of evidence` }) : null,
  );
}

async function loadHistory() {
  const box = $("#history");
  let rows;
  try {
    rows = await api(`/api/treaties/${TREATY}/history${coderQuery()}`);
  } catch (error) {
    box.replaceChildren(el("p", { class: "error", text: error.message }));
    return;
  }
  if (!rows.length) {
    box.replaceChildren(el("p", { class: "muted", text: "No changes yet." }));
    return;
  }
  const head = el("tr", {}, ...["When (UTC)", "Coder", "Q", "Before", "After", "Comment"].map((h) => el("th", { text: h })));
  const body = el("tbody");
  for (const h of [...rows].reverse()) {
    body.append(
      el(
        "tr",
        { dataset: { q: h.question } },
        el("td", { class: "when", text: h.at.replace("T", " ").replace("Z", "") }),
        el("td", { text: h.coder + (h.blind ? " (blind)" : "") }),
        el(
          "td",
          {},
          el(
            "button",
            {
              type: "button",
              class: "ev-link",
              onclick: () => {
                showTab("questions");
                select(h.question);
              },
            },
            String(h.question),
          ),
        ),
        el("td", {}, stateView(h.before)),
        el("td", {}, stateView(h.after)),
        el("td", { text: h.comment }),
      ),
    );
  }
  box.replaceChildren(el("table", { class: "history-table" }, el("thead", {}, head), body));
}

function showTab(name) {
  $("#questions").hidden = name !== "questions";
  $("#history").hidden = name !== "history";
  $("#tab-questions").classList.toggle("active", name === "questions");
  $("#tab-history").classList.toggle("active", name === "history");
}

// --- keys and start ----------------------------------------------------------------------------------

function onKey(event) {
  const typing = event.target.closest && event.target.closest("input, textarea, select");
  if (typing) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && state.editing !== null) {
      event.preventDefault();
      save();
    } else if (event.key === "Escape") {
      event.target.blur();
      closeEditor();
    }
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const keys = {
    j: () => move(1),
    ArrowDown: () => move(1),
    k: () => move(-1),
    ArrowUp: () => move(-1),
    a: () => accept(state.selected),
    e: () => state.selected !== null && openEditor(state.selected),
    Enter: () => state.selected !== null && openEditor(state.selected),
    Escape: closeEditor,
    f: () => {
      $("#filter").value = $("#filter").value === "flagged" ? "all" : "flagged";
      applyFilter();
    },
    h: () => showTab($("#history").hidden ? "history" : "questions"),
    "?": () => ($("#help").hidden = !$("#help").hidden),
  };
  if (!(event.key in keys)) return;
  event.preventDefault();
  keys[event.key]();
}

async function loadTreaty() {
  state.treaty = await api(`/api/treaties/${TREATY}${coderQuery()}`);
  state.index = buildIndex(state.treaty.text);
  state.answers = new Map(state.treaty.answers.map((a) => [a.question, a]));
}

async function start() {
  $("#coder").value = localStorage.getItem(CODER_KEY) || "";
  try {
    const [codebook] = await Promise.all([api("/api/codebook"), loadTreaty()]);
    state.codebook = codebook;
  } catch (error) {
    $("#text").replaceChildren(el("p", { class: "error", text: error.message }));
    return;
  }
  renderText();
  renderQuestions();
  loadHistory();
  $("#filter").addEventListener("change", applyFilter);
  $("#coder").addEventListener("change", async () => {
    localStorage.setItem(CODER_KEY, coderName());
    if (BLIND) {
      await loadTreaty();
      renderQuestions();
      loadHistory();
    }
  });
  $("#tab-questions").addEventListener("click", () => showTab("questions"));
  $("#tab-history").addEventListener("click", () => showTab("history"));
  $("#help-button").addEventListener("click", () => ($("#help").hidden = !$("#help").hidden));
  document.addEventListener("keydown", onKey);
  document.addEventListener("selectionchange", rememberSelection);
  if (BLIND && !coderName()) notice("Blind review: type your name in “Coder” to see your own answers.", "warn");
  const wanted = /^#q(\d+)$/.exec(window.location.hash);
  select(wanted ? Number(wanted[1]) : 1, { scroll: Boolean(wanted) });
  document.body.dataset.ready = "1";
  performance.mark("review-ready"); // for scripts/bench_review.py
}

document.addEventListener("DOMContentLoaded", start);
