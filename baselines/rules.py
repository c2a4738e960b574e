"""rules: the patterns a careful engineer would write for meeting readouts.

* **Date**: the first "On [the morning of] October 7[, 2022]" (or "7 October") in the body;
  the year from that sentence, else from the ``date`` header (a year earlier when the
  meeting month is after the header's), else from a full date elsewhere in the text, else
  from the years the text names (document titles, plans). No year, no date: null rather
  than a guess.
* **Presider**: "X, <title>, presided over / chaired", "<title> X presided over", or
  "presided over by <title> X"; the title words are separated from the name.
* **Directives**: sentences with a directive cue ("it is necessary to", "we must",
  "should", "called for", "requested", ...), or imperatives inside a paragraph the meeting
  "emphasized"; the cue is cut off, the sentence split at semicolons into single actions,
  states of mind ("understand ...") dropped, each shortened to 30 words.
* **Summary**: the opening sentence of the readout with the full date and the presider
  put in, then the first directives, up to 80 words.

Nothing here knows any document of the dataset.
"""

from __future__ import annotations

import re

from baselines._text import HEADER, as_sentence, body, clauses, grounded, paragraphs, sentences, shorten
from harness.extractors import Document
from harness.rouge import rouge_l_f1
from harness.schema import DIRECTIVE_MAX_WORDS, SUMMARY_MAX_WORDS, Prediction

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november december".split()
    )
}
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
_ON_DATE = re.compile(
    rf"\bOn (?:the (?:morning|afternoon|evening|night) of )?"
    rf"(?:{_MONTH} (\d{{1,2}})|(\d{{1,2}}) {_MONTH})(?:,? (\d{{4}}))?",
    re.IGNORECASE,
)
_FULL_DATE = re.compile(rf"\b(?:{_MONTH} \d{{1,2}}, (\d{{4}})|\d{{1,2}} {_MONTH} (\d{{4}}))\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<![\d-])((?:19|20)\d\d)(?![\d])")

_NAME = r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2}"
_PRESIDED = r"(?:presided over|chaired|hosted)"
_NAME_TITLE_VERB = re.compile(rf"\b({_NAME}), ([^.;:]{{3,160}}?), {_PRESIDED}\b")
_TITLE_NAME_VERB = re.compile(rf"((?:[A-Z][a-z]*|[a-z]+)(?: [A-Za-z]+){{0,8}}?) ({_NAME}) {_PRESIDED}\b")
_BY_TITLE_NAME = re.compile(rf"\b{_PRESIDED} by ((?:[A-Za-z]+ ){{0,8}}?)({_NAME})\b")
_TITLE_WORDS = {
    "party",
    "provincial",
    "secretary",
    "governor",
    "deputy",
    "vice",
    "mayor",
    "chairman",
    "director",
    "committee",
    "comrade",
    "general",
    "premier",
    "minister",
    "head",
    "chief",
}

_CUES = re.compile(
    r"\b(?:it is (?:necessary|required|essential|important) (?:to|that)|we (?:must|should|will|need to)|"
    r"(?:must|should|need to|needs to)|called (?:on|for)|requested|required|urged|"
    r"emphasi[sz](?:ed|ing) (?:the need to|that)|strive to|efforts will be made to)\b",
    re.IGNORECASE,
)
_LEAD_CUES = (
    r"(?:it is (?:necessary|required|essential|important) (?:to|that)|"
    r"(?:we|they|[a-z]+s) (?:must|should|need to)|must|should|need to|called (?:on|for)|"
    r"(?:the need|efforts will be made) to|requested that|required that|"
    r"(?:emphasi[sz]ed|stressed|pointed out) that|strive to)(?:\s+also)?\s+"
)
# A cue after a few words of preamble ("The meeting stressed that ..."), or right at the start.
_LEAD_IN = re.compile(rf"^(?:\S+\s+){{0,12}}?{_LEAD_CUES}", re.IGNORECASE)
_CUE_AT_START = re.compile(rf"^{_LEAD_CUES}", re.IGNORECASE)
_EMPHASIS = re.compile(r"^(?:The meeting|It was|The conference) (?:emphasi[sz]ed|stressed|requested|called|demanded)")
_IMPERATIVE = re.compile(
    r"^(?:Implement|Promote|Strengthen|Expand|Improve|Give|Focus|Do|Build|Create|Adhere|Persist|Pay|Ensure|"
    r"Make|Accelerate|Deepen|Support|Organize|Organise|Carry|Take|Speed|Step|Further|Vigorously|Resolutely|"
    r"Firmly|Strictly|Solidly|Actively|Fully|Comprehensively|Continue|Optimize|Optimise|Prevent|Protect|"
    r"Guarantee|Stabilize|Stabilise|Put|Cultivate|Enhance|Establish|Develop|Launch|Study)\b"
)
_MIND = re.compile(
    r"^(?:(?:fully|deeply|profoundly|earnestly|thoroughly|correctly|in-depth) )*"
    r"(?:understand|recogni[sz]e|realize|realise|grasp|study and understand|learn and understand|be aware)\b",
    re.IGNORECASE,
)
_OPENING = re.compile(r"^(?:On [^,]+, )")


def meeting_date(text: str) -> str | None:
    """``YYYY-MM-DD`` of the meeting, or None when the text does not support one."""
    header = HEADER.match(text)
    rest = text[header.end() :] if header else text
    match = _ON_DATE.search(rest)
    if not match:
        return None
    month_name = match.group(1) or match.group(4)
    day = int(match.group(2) or match.group(3))
    month = MONTHS[month_name.lower()]
    year = _year(match.group(5), header, rest, month)
    if year is None or not 1 <= day <= 31:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _year(stated: str | None, header: re.Match | None, rest: str, month: int) -> int | None:
    if stated:
        return int(stated)
    if header:
        header_year, header_month = int(header.group(1)), int(header.group(2))
        return header_year - 1 if month > header_month else header_year
    full = _FULL_DATE.search(rest)
    if full:
        return int(full.group(2) or full.group(4))
    years = [int(y) for y in _YEAR.findall(rest)]
    if not years:
        return None
    # The most named year; on a tie the earliest, since plans name years ahead.
    return min(set(years), key=lambda y: (-years.count(y), y))


def presider(text: str) -> str | None:
    """The name of whoever presided over or chaired the meeting, without the title."""
    for pattern, name_group in ((_NAME_TITLE_VERB, 1), (_BY_TITLE_NAME, 2), (_TITLE_NAME_VERB, 2)):
        for match in pattern.finditer(text):
            name = _strip_title(match.group(name_group))
            if name:
                return name
    return None


def _strip_title(name: str) -> str | None:
    kept = [w for w in name.split() if w.lower() not in _TITLE_WORDS]
    return " ".join(kept) if len(kept) >= 2 else None


def _strip_lead_in(sentence: str) -> str:
    """Cut "The meeting emphasized that it is necessary to" and the like off the front."""
    match = _LEAD_IN.match(sentence)
    if match:
        sentence = sentence[match.end() :]
    while match := _CUE_AT_START.match(sentence):  # cues stack: "stressed that" + "it is necessary to"
        sentence = sentence[match.end() :]
    return sentence


def directives(text: str, limit: int = 30) -> list[tuple[str, str]]:
    """Single actions the text requires, each an imperative of at most 30 words, with the
    source clause it was made from."""
    found: list[tuple[str, str]] = []
    for paragraph in paragraphs(text):
        emphatic = bool(_EMPHASIS.match(paragraph))
        for sentence in sentences(paragraph):
            if _CUES.search(sentence):
                action = _strip_lead_in(sentence)
            elif emphatic and _IMPERATIVE.match(sentence):
                action = sentence
            else:
                continue
            for clause in clauses(action):
                clause = _strip_lead_in(clause).strip(" ,.")
                if len(clause.split()) < 3 or _MIND.match(clause):
                    continue
                candidate = as_sentence(shorten(clause, DIRECTIVE_MAX_WORDS))
                if candidate and all(rouge_l_f1(candidate, f) < 0.7 for f, _ in found):
                    found.append((candidate, clause))
    return found[:limit]


def _full_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{int(day)} {list(MONTHS)[int(month) - 1].capitalize()} {year}"


def opening(text: str, date: str | None, name: str | None) -> str:
    """The readout's opening sentence, its "On October 7" made the full date found, and the
    presider named if the sentence does not name them: what the meeting was, when and who."""
    first = sentences(paragraphs(text)[0])[0] if paragraphs(text) else ""
    first = first.rstrip(".")
    if date:
        first, found = _ON_DATE.subn(f"On {_full_date(date)}", first, count=1)
        if not found:
            first = f"On {_full_date(date)}, {first[:1].lower()}{first[1:]}"
    if name and name not in first:
        first += f", presided over by {name}"
    return first


def summary(text: str, actions: list[str], date: str | None = None, name: str | None = None) -> str:
    """What the meeting was (:func:`opening`), then its first directives, up to 80 words."""
    words = (opening(text, date, name) + ".").split()
    if actions:
        words += ["The", "meeting", "called", "for", "these", "actions:"]
        for action in actions:
            words += (action[0].lower() + action[1:]).split()
            words[-1] = words[-1].rstrip(".") + ";"
            if len(words) >= SUMMARY_MAX_WORDS:
                break
    return " ".join(words[:SUMMARY_MAX_WORDS]).rstrip(";,") + "."


class RulesBaseline:
    """Hand-written patterns for the date, presider, directives and an assembled summary."""

    name = "rules"

    def __init__(self, max_directives: str | int = 30) -> None:
        self.max_directives = int(max_directives)

    def extract(self, doc: Document) -> Prediction:
        main = body(doc.text, doc.title)
        found = directives(main, self.max_directives)
        date, name = meeting_date(doc.text), presider(main)
        return Prediction(
            doc_id=doc.doc_id,
            meeting_date=date,
            presider=name,
            directives=[grounded(action, clause, doc.text) for action, clause in found],
            summary=summary(main, [action for action, _ in found], date, name),
        )


EXTRACTOR = RulesBaseline
