"""The validity battery: constructed systems that are right or wrong in known ways.

    python validity/battery.py build    # write validity/systems/*.jsonl from the gold
    python validity/battery.py score    # score every system, write the table into README.md

Every system is a predictions file over the five documents, built from the gold
(``dataset/``), the hand-written rewordings (``paraphrases.yaml``) and the source texts,
by the rules below; nothing here is a model. Each carries a ``kind`` — ``right`` (a score
should be high), ``wrong`` (a score should be low) — and the field it tests. The tests in
``tests/test_validity.py`` assert the orderings a valid score must show; ``score`` writes
every score of every system into the README, so the evidence stays in the repository.

Directive systems (date, presider and summary left empty):

* right — ``gold``: the gold directives verbatim; ``paraphrase``: each reworded by hand,
  keeping the policy's named objects; ``free paraphrase``: each reworded throughout (shown,
  not asserted: see README); ``source clause``: the evidence quotes of each, joined: the
  source's own words, as an extractive system would return them.
* wrong — ``fragment``: the first four words of each; ``negation``: each prefixed with
  "Do not" (odd documents) or "Stop efforts to" (even); ``antonym``: the first verb with an
  opposite in :data:`OPPOSITES` replaced by that opposite; ``object swap``: the first
  object word after the verb replaced by a policy noun the document never mentions;
  ``boilerplate``: ten lines that fit any such meeting; ``other meeting``: the gold
  directives of the next document; ``non-directive``: the source's sentences that no
  directive's evidence touches (praise, background, attendance); ``every sentence`` and
  ``every clause`` of the source; ``halves``: each directive cut in two; ``merged pairs``:
  consecutive directives joined two by two.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
SYSTEMS = HERE / "systems"
sys.path.insert(0, str(ROOT))

from baselines._text import body, clauses, paragraphs, sentences  # noqa: E402
from harness.dataset import load_gold  # noqa: E402
from harness.schema import GoldRecord  # noqa: E402

#: Opposite verbs of the genre, used to reverse a directive (and by the matcher's list).
OPPOSITES = {
    "expand": "reduce", "increase": "decrease", "strengthen": "weaken", "promote": "hinder",
    "support": "restrict", "improve": "worsen", "accelerate": "slow down", "speed": "slow",
    "deepen": "halt", "protect": "undermine", "build": "dismantle", "create": "abolish",
    "implement": "abandon", "uphold": "abandon", "stimulate": "suppress", "boost": "depress",
    "cultivate": "neglect", "prevent": "allow", "guarantee": "neglect", "ensure": "neglect",
    "attract": "deter", "raise": "lower", "restore": "run down", "push": "hold back",
    "organise": "cancel", "carry": "call off", "focus": "neglect",
    "study": "ignore", "combine": "separate", "remove": "add", "stabilize": "destabilize",
    "tighten": "loosen", "keep": "abandon", "advance": "stall", "conduct": "suspend",
    "plan": "abandon", "give": "withhold", "judge": "ignore", "do": "neglect",
    "go": "hold back", "pay": "withhold", "prepare": "neglect", "use": "abandon",
    "treat": "mistreat", "guide": "misguide", "let": "stop", "secure": "neglect",
}  # fmt: skip
#: Nouns no seed's directives mention, to put where a directive's object was.
FOREIGN_OBJECTS = ["tariffs", "casinos", "fisheries", "lotteries", "quarries", "yachts", "tobacco", "mortgages"]
_NOT_OBJECTS = {
    "the", "a", "an", "and", "of", "to", "in", "on", "for", "by", "with", "its", "all", "every", "more",
    "effective", "high-quality", "high-level", "new", "healthy", "full", "fully", "solid", "major",
    "close", "good", "strong", "varied", "first-class", "comprehensive", "detail", "out", "up",
    "one", "two", "three", "six", "twenty", "job", "efforts", "everything",
}  # fmt: skip
BOILERPLATE = [
    "Strengthen the Party's leadership.",
    "Implement the decisions of the Central Committee.",
    "Promote high-quality development.",
    "Improve people's livelihood.",
    "Maintain social stability.",
    "Deepen reform and opening up.",
    "Strengthen the work style of cadres.",
    "Ensure that all tasks are carried out.",
    "Study the spirit of the important speech.",
    "Make solid progress in all areas of work.",
]


@dataclass(frozen=True)
class System:
    name: str
    kind: str  # "right", "wrong", or "shown" (reported, no ordering asserted)
    field: str  # which score it tests
    make: Callable[[GoldRecord, list[GoldRecord], dict], dict]
    note: str


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def negate(text: str, i: int) -> str:
    return ("Do not " if i % 2 else "Stop efforts to ") + _lower_first(text)


_LEAD_IN = re.compile(
    r"^(?:(?:Go all out|Do everything possible|Make every effort|Spare no effort) to |"
    r"(?:Firmly|Resolutely|Vigorously|Strictly|Fully|Further) )",
    re.IGNORECASE,
)


def reverse(text: str) -> str | None:
    """The directive with its action verb, and one joined to it by "and", replaced by
    their opposites ("Study and implement" -> "Ignore and abandon"), after any lead-in
    ("Go all out to expand" -> "Go all out to reduce"); None if the verb has no opposite
    in :data:`OPPOSITES`."""
    lead = _LEAD_IN.match(text)
    prefix, rest = (text[: lead.end()], text[lead.end() :]) if lead else ("", text)
    if rest.lower().startswith("carry out "):
        return prefix + ("Call off " if not prefix else "call off ") + rest[len("carry out ") :]
    words = rest.split()
    keys = [w.lower().strip(",.;:") for w in words]
    if not keys or keys[0] not in OPPOSITES:
        return None
    i = 0
    while i < len(words) and keys[i] in OPPOSITES:
        opposite = OPPOSITES[keys[i]]
        words[i] = opposite[:1].upper() + opposite[1:] if i == 0 and not prefix else opposite
        if i + 2 < len(words) and keys[i + 1] == "and" and keys[i + 2] in OPPOSITES:
            i += 2
        else:
            break
    return prefix + " ".join(words)


_NP_ENDS = {"of", "and", "to", "by", "in", "for", "with", "that", "so", "as", "on", "through", "at"}


def swap_object(text: str, foreign: str) -> str:
    """The directive with the head of its first object replaced by ``foreign``: the last
    word before the first preposition, conjunction or punctuation after the verb (and
    after a second verb joined by "and"): "Expand exports and ..." -> "Expand tariffs and ..."."""
    words = text.split()
    start = 1
    if len(words) > 2 and words[1].lower() == "and":
        start = 3
    for i in range(start, len(words)):
        bare = words[i].lower().strip(",.;:\"'()")
        ends_here = words[i][-1:] in ",.;:" or (i + 1 < len(words) and words[i + 1].lower() in _NP_ENDS)
        if ends_here and bare not in _NOT_OBJECTS and re.fullmatch(r"[a-z-]+", bare):
            words[i] = words[i].lower().replace(bare, foreign)
            return " ".join(words)
    return text


def _directives(record: GoldRecord) -> list[str]:
    return [d.text for d in record.directives]


def _sentences(record: GoldRecord) -> list[str]:
    return [s for p in paragraphs(body(record.text, record.title)) for s in sentences(p)]


def _evidence_spans(record: GoldRecord) -> list[tuple[int, int]]:
    return [(s.start, s.end) for d in record.directives for s in d.evidence]


def non_directive_sentences(record: GoldRecord) -> list[str]:
    """Sentences of the source that no gold directive's evidence overlaps."""
    spans = _evidence_spans(record)
    out = []
    for sentence in _sentences(record):
        start = record.text.find(sentence[: min(40, len(sentence))])
        end = start + len(sentence)
        if start != -1 and not any(s < end and start < e for s, e in spans):
            out.append(sentence)
    return out


def _halves(text: str) -> list[str]:
    words = text.rstrip(".").split()
    middle = len(words) // 2
    return [" ".join(words[:middle]) + ".", " ".join(words[middle:]) + "."] if middle else [text]


def _pairs(texts: list[str]) -> list[str]:
    return ["; ".join(t.rstrip(".") for t in texts[i : i + 2]) + "." for i in range(0, len(texts), 2)]


def _all_clauses(record: GoldRecord) -> list[str]:
    return [c.strip() for s in _sentences(record) for c in clauses(s) for c in c.split(",") if c.strip()]


def directives_only(make: Callable[[GoldRecord, list[GoldRecord], dict], list[str]]):
    def prediction(record: GoldRecord, others: list[GoldRecord], paraphrases: dict) -> dict:
        return {"doc_id": record.doc_id, "directives": make(record, others, paraphrases)}

    return prediction


def _next(record: GoldRecord, records: list[GoldRecord]) -> GoldRecord:
    ids = [r.doc_id for r in records]
    return records[(ids.index(record.doc_id) + 1) % len(records)]


# ---------------------------------------------------------------------------- summaries

#: A fluent summary that fits any such meeting; constructed for the battery.
GENERIC_SUMMARY = (
    "The provincial party committee held a meeting to study the spirit of recent important speeches and "
    "instructions. The meeting stressed the need to strengthen the Party's leadership, promote high-quality "
    "development, deepen reform and opening up, improve people's livelihood, prevent and resolve risks, and "
    "ensure that all tasks are carried out so that the revitalization achieves new progress."
)
#: Who presides over the swapped-facts summaries: an invented name, in no seed.
INVENTED_PRESIDER = "Zhou Mingyuan"
_MONTHS = "January February March April May June July August September October November December".split()
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}}) ({'|'.join(_MONTHS)}) (\d{{4}})\b")


def swap_facts(summary: str, record: GoldRecord) -> str:
    """The summary with its facts changed and its wording kept: the presider renamed, the
    date moved (a day later, a year earlier), and Liaoning made Jilin."""
    out = summary
    if record.presider:
        for name in (record.presider.name, *record.presider.aliases):
            out = out.replace(name, INVENTED_PRESIDER)
    out = _DAY_MONTH_YEAR.sub(lambda m: f"{int(m[1]) % 28 + 1} {m[2]} {int(m[3]) - 1}", out)
    return out.replace("Liaoning", "Jilin")


#: Words of OPPOSITES that a summary mostly uses as nouns ("the action plan", "study activities").
_NOUNS_TOO = {"plan", "study", "focus", "use", "keep", "pay", "go", "do", "give", "judge", "treat", "let", "make"}
_INFLECTED = re.compile(r"\b([A-Za-z]+?)(ing|s)?\b")


def reverse_summary(summary: str) -> str:
    """The summary with every verb of :data:`OPPOSITES` turned into its opposite, in any of
    the forms a summary uses ("expand", "expands", "expanding"): the decisions reversed."""

    def turn(m: re.Match[str]) -> str:
        base, ending = m[1], m[2] or ""
        key = base.lower()
        candidates = [key, key + "e"] if ending == "ing" else [key]
        for k in candidates:
            if k in OPPOSITES and " " not in OPPOSITES[k] and k not in _NOUNS_TOO:
                opposite = OPPOSITES[k]
                if ending == "ing":
                    opposite = (opposite[:-1] if opposite.endswith("e") else opposite) + "ing"
                elif ending:
                    opposite += ending
                return opposite.capitalize() if base[0].isupper() else opposite
        return m[0]

    return _INFLECTED.sub(turn, summary)


def second_summaries() -> dict[str, str]:
    """The second annotator's summary of each document (annotations/annotator_b/)."""
    from harness.annotations import load_yaml

    folder = ROOT / "annotations" / "annotator_b"
    return {p.stem: load_yaml(p.read_text(encoding="utf-8"))[0]["summary"] for p in sorted(folder.glob("*.yaml"))}


def lead(record: GoldRecord, words: int = 80) -> str:
    return " ".join(" ".join(_sentences(record)).split()[:words])


def summary_only(make: Callable[[GoldRecord, list[GoldRecord]], str]):
    def prediction(record: GoldRecord, others: list[GoldRecord], paraphrases: dict) -> dict:
        return {"doc_id": record.doc_id, "summary": make(record, others)}

    return prediction


def full(record: GoldRecord, directives: list[str], summary: str, date: bool, presider: bool) -> dict:
    return {
        "doc_id": record.doc_id,
        "meeting_date": record.meeting_date if date else None,
        "presider": record.presider.name if presider and record.presider else None,
        "directives": directives,
        "summary": summary,
    }


def _quotes(record: GoldRecord) -> list[list[str]]:
    return [[s.quote for s in d.evidence] for d in record.directives]


def _sentence_around(text: str, start: int, end: int) -> str:
    """The whole sentence (or line) of the source that holds ``text[start:end]``."""
    left = max(text.rfind(".", 0, start), text.rfind("\n", 0, start)) + 1
    ends = [i for i in (text.find(".", end), text.find("\n", end)) if i >= 0]
    return text[left : min(ends) if ends else len(text)].strip()


def with_evidence(texts: list[str], quotes: list[list[str]]) -> list[dict]:
    return [{"text": t, "evidence": q} for t, q in zip(texts, quotes, strict=True)]


def honest(record: GoldRecord, paraphrases: dict) -> list[str]:
    return [e["paraphrase"] for e in paraphrases["honest"][record.doc_id]]


def whole_sentences(record: GoldRecord) -> list[list[str]]:
    return [
        list(dict.fromkeys(_sentence_around(record.text, s.start, s.end) for s in d.evidence))
        for d in record.directives
    ]


def keyword_salad(record: GoldRecord) -> str:
    """The names and content words of the gold's summary units, as a comma list."""
    words = [w.strip(".,") for u in record.summary_units for w in u.text.split() if len(w) > 3]
    return ", ".join(dict.fromkeys(words))


def turned_down(summary: str) -> str:
    """The gold summary with its decisions turned down."""
    return re.sub(r"\b(It|The meeting) (ordered|called for|demanded|set)\b", r"\1 turned down", summary)


SYSTEMS_LIST: list[System] = [
    System("gold", "right", "directive", directives_only(lambda r, o, p: _directives(r)), "the gold, verbatim"),
    System("paraphrase", "right", "directive",
           directives_only(lambda r, o, p: [e["paraphrase"] for e in p[r.doc_id]]),
           "reworded by hand, the policy's named objects kept"),
    System("free paraphrase", "shown", "directive",
           directives_only(lambda r, o, p: [e["free"] for e in p[r.doc_id]]),
           "reworded by hand throughout"),
    System("source clause", "right", "directive",
           directives_only(lambda r, o, p: ["; ".join(s.quote for s in d.evidence) for d in r.directives]),
           "each directive's evidence quotes, joined: the source's own words"),
    System("fragment", "wrong", "directive",
           directives_only(lambda r, o, p: [" ".join(t.split()[:4]) for t in _directives(r)]),
           "the first four words of each"),
    System("negation", "shown", "directive",
           directives_only(lambda r, o, p: [negate(t, i) for i, t in enumerate(_directives(r))]),
           "'Do not ...' / 'Stop efforts to ...'"),
    System("antonym", "shown", "directive",
           directives_only(lambda r, o, p: [x for t in _directives(r) if (x := reverse(t))]),
           "the first reversible word turned into its opposite"),
    System("object swap", "shown", "directive",
           directives_only(lambda r, o, p: [swap_object(t, FOREIGN_OBJECTS[i % len(FOREIGN_OBJECTS)])
                                            for i, t in enumerate(_directives(r))]),
           "the first object word replaced by a noun foreign to the document"),
    System("boilerplate", "wrong", "directive", directives_only(lambda r, o, p: BOILERPLATE),
           "ten lines that fit any meeting"),
    System("other meeting", "wrong", "directive", directives_only(lambda r, o, p: _directives(_next(r, o))),
           "the next document's gold directives"),
    System("non-directive", "wrong", "directive", directives_only(lambda r, o, p: non_directive_sentences(r)),
           "source sentences no directive's evidence touches"),
    System("every sentence", "wrong", "directive", directives_only(lambda r, o, p: _sentences(r)[:500]),
           "every sentence of the source"),
    System("every clause", "wrong", "directive", directives_only(lambda r, o, p: _all_clauses(r)[:500]),
           "every clause of the source (split at ; and ,)"),
    System("halves", "wrong", "directive",
           directives_only(lambda r, o, p: [h for t in _directives(r) for h in _halves(t)]),
           "each directive cut into two halves"),
    System("merged pairs", "wrong", "directive", directives_only(lambda r, o, p: _pairs(_directives(r))),
           "consecutive directives joined two by two"),
    System("honest paraphrase with evidence", "right", "directive",
           directives_only(lambda r, o, p: with_evidence(honest(r, p), _quotes(r))),
           "an independent writer's paraphrase of each directive, with the gold's evidence quotes"),
    System("honest paraphrase with sentences", "right", "directive",
           directives_only(lambda r, o, p: with_evidence(honest(r, p), whole_sentences(r))),
           "the same paraphrases, each with the whole source sentences around the gold's quotes"),
    System("honest paraphrase", "shown", "directive", directives_only(lambda r, o, p: honest(r, p)),
           "the same paraphrases as plain strings (the text path)"),
    System("other meeting with quotes", "wrong", "directive",
           directives_only(lambda r, o, p: with_evidence(_directives(_next(r, o)), _quotes(_next(r, o)))),
           "the next document's gold directives with their own evidence quotes"),
    System("gold summary", "right", "summary", summary_only(lambda r, o: r.summary), "the gold summary"),
    System("second human summary", "right", "summary", summary_only(lambda r, o: SECOND[r.doc_id]),
           "the independent second annotator's summary"),
    System("lead", "shown", "summary", summary_only(lambda r, o: lead(r)), "the first 80 words of the source"),
    System("other meeting summary", "wrong", "summary", summary_only(lambda r, o: _next(r, o).summary),
           "the next document's gold summary"),
    System("swapped facts", "wrong", "summary", summary_only(lambda r, o: swap_facts(r.summary, r)),
           "the gold summary with the presider, the date and the province changed"),
    System("generic summary", "wrong", "summary", summary_only(lambda r, o: GENERIC_SUMMARY),
           "a fluent summary that fits any meeting"),
    System("reversed summary", "wrong", "summary", summary_only(lambda r, o: reverse_summary(r.summary)),
           "the gold summary with its decisions reversed"),
    System("keyword salad", "wrong", "summary", summary_only(lambda r, o: keyword_salad(r)),
           "the words of the gold's summary units as a comma list"),
    System("source copy", "wrong", "summary", summary_only(lambda r, o: " ".join(r.text.split()[:300])),
           "the first 300 words of the source"),
    System("opposed directives", "wrong", "overall",
           lambda r, o, p: full(r, with_evidence([f"Oppose efforts to {_lower_first(t)}" for t in _directives(r)],
                                                 _quotes(r)), turned_down(r.summary), True, True),
           "right date and presider; every gold directive prefixed 'Oppose efforts to' with its gold evidence; "
           "the gold summary with its decisions 'turned down'"),
    System("reversed directives", "wrong", "overall",
           lambda r, o, p: full(r, [x for t in _directives(r) if (x := reverse(t))],
                                reverse_summary(swap_facts(r.summary, r)), True, True),
           "right date and presider; every directive reversed; the summary's decisions reversed, facts swapped"),
    System("date and presider only", "wrong", "overall", lambda r, o, p: full(r, [], "", True, True),
           "right date and presider, nothing else"),
    System("no date or presider", "shown", "overall",
           lambda r, o, p: full(r, [e["paraphrase"] for e in p[r.doc_id]], SECOND[r.doc_id], False, False),
           "paraphrased directives and the second human summary, no date or presider"),
]  # fmt: skip


SECOND = second_summaries()


def file_name(system: System) -> str:
    return system.name.replace(" ", "_") + ".jsonl"


def load_paraphrases(records: list[GoldRecord]) -> dict:
    """paraphrases.yaml by document, and honest_paraphrases.yaml under ``"honest"``."""
    data = yaml.safe_load((HERE / "paraphrases.yaml").read_text(encoding="utf-8"))
    data["honest"] = yaml.safe_load((HERE / "honest_paraphrases.yaml").read_text(encoding="utf-8"))
    for name, entries in (("paraphrases.yaml", data), ("honest_paraphrases.yaml", data["honest"])):
        for record in records:
            golds = [e["gold"] for e in entries[record.doc_id]]
            if golds != _directives(record):
                raise SystemExit(f"{name}: {record.doc_id}: the gold directives changed; check the rewordings")
    return data


def build(dataset: Path = ROOT / "dataset", out: Path = SYSTEMS) -> list[Path]:
    records = list(load_gold(dataset).records)
    paraphrases = load_paraphrases(records)
    out.mkdir(exist_ok=True)
    written = []
    for system in SYSTEMS_LIST:
        lines = [json.dumps(system.make(r, records, paraphrases), ensure_ascii=False) for r in records]
        path = out / file_name(system)
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        written.append(path)
    return written


def score(dataset: Path = ROOT / "dataset") -> dict[str, dict[str, float]]:
    """Every system scored by the real harness (``score_file``): system -> score -> mean."""
    from harness.evaluate import Settings, score_file

    settings = Settings(bootstrap_samples=200)  # only the means are shown
    return {
        system.name: {k: a.mean for k, a in score_file(SYSTEMS / file_name(system), str(dataset), settings=settings,
                                                         name=system.name).aggregates.items()}
        for system in SYSTEMS_LIST
    }  # fmt: skip


START, END = "<!-- battery:start -->", "<!-- battery:end -->"


def table(results: dict[str, dict[str, float]]) -> str:
    from harness.metrics import LABELS, SCORE_NAMES

    by_name = {s.name: s for s in SYSTEMS_LIST}
    names = [n for n in SCORE_NAMES if any(results[s].get(n) for s in results)]
    lines = [
        "| system | kind | tests | " + " | ".join(LABELS[n] for n in names) + " |",
        "|---|---|---|" + "---|" * len(names),
    ]
    for name, scores in results.items():
        system = by_name[name]
        cells = " | ".join(f"{scores[n]:.3f}" if n in scores else "n/a" for n in names)
        lines.append(f"| {name} | {system.kind} | {system.field} | {cells} |")
    return "\n".join(lines)


def write_table(results: dict[str, dict[str, float]], readme: Path = HERE / "README.md") -> bool:
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(START) + len(START), text.index(END)
    updated = text[:start] + "\n" + table(results) + "\n" + text[end:]
    readme.write_text(updated, encoding="utf-8")
    return updated != text


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "build"
    if command == "build":
        for path in build():
            print(path.relative_to(ROOT))
    elif command == "score":
        results = score()
        write_table(results)
        print(table(results))
    else:
        raise SystemExit(f"unknown command {command!r}; use build or score")
