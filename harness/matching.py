"""When is a predicted directive the same instruction as a gold one?

:func:`same_directive` answers for one pair with a :class:`Judgement`: a graded
``similarity`` in [0, 1], a verdict ``hit`` and the ``reason`` for it. It works on content
words — the stemmed tokens of :func:`harness.rouge.tokens` without function words, with
near-synonyms of the genre mapped to one word (:data:`SYNONYMS`: "firm" and "company" are
"enterprise", "boost" is "expand") — and asks four questions in turn:

1. **Polarity.** The two must hold the same number of negation cues ("not", "no", "never",
   "stop", "cease", "halt", "refrain", "nor"): "Do not expand exports" is not "Expand
   exports". -> ``negated``
2. **Opposites.** No content word of the prediction may be the opposite of a content word
   of the gold that the prediction lacks (:data:`OPPOSITES`: "reduce" for "expand",
   "weaken" for "strengthen"). -> ``reversed``
3. **A targeted edit.** A prediction that repeats the gold but for one or two content words
   replaced by others ("Expand imports ..." for "Expand exports ...") says something else:
   the words that differ are the point of the edit. -> ``changed``
4. **Coverage.** With ``c`` the content words the two share (counted with multiplicity),
   ``P = c / #predicted`` and ``R = c / #gold``, the pair is a hit when
   ``min(P, R) >= threshold``: a fragment covers too little of the gold (low R), a whole
   sentence or two directives merged carry too much besides it (low P).
   -> ``same`` or ``too little of the gold`` / ``too much besides the gold``

``similarity`` is ``F = 2PR / (P + R)`` for a pair that passes 1-3, and 0 for one that
does not: a reversed instruction earns nothing, not even in the soft score. The one-to-one
assignment of :func:`harness.metrics.match_directives` maximises the total similarity.

The threshold is calibrated on the judged pairs in ``calibration/`` and every run records
the matcher's name and settings (:meth:`Matcher.settings`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from . import rouge

MATCHER_NAME = "content-coverage"
MATCHER_VERSION = 1
DEFAULT_MATCH_THRESHOLD = 0.287

#: Function words, after rouge tokenisation and stemming: they carry no instruction.
STOPWORDS = frozenset(
    """
    a an the and or of to in on at for by with as from into onto that which who whom whose this these those
    it it' its their there our we they them he she his her be is are wa were been being so such than then
    thu also all each everi both either ani some more most veri well through throughout over under about
    s t 's do doe did make let get take us i you your
    """.split()
)
#: Cues that turn an instruction into its negation.
NEGATIONS = frozenset("not no never stop ceas halt refrain nor n't dont don".split())
#: Verbs that undo whatever action they take the place of ("neglect", "abandon", "suspend"),
#: whatever its object: a prediction that has more of them than the gold reverses it. Verbs
#: that act on a bad object ("eliminate discrimination", "remove barriers") are not here.
UNDOING = frozenset(
    "neglect ignor abandon suspend cancel withhold stall postpon delay shelv forgo refus reject".split()
)

# Words of the genre that say the same thing, each group mapped to its first member (stems).
_SYNONYM_GROUPS = [
    "enterpris firm compani busi",
    "expand increas boost rais enlarg grow",
    "strengthen reinforc enhanc consolid",
    "promot advanc push drive foster encourag",
    "implement carri execut appli fulfil",
    "support back help assist aid",
    "ensur guarante secur",
    "improv optim optimis better",
    "acceler speed quicken hasten",
    "organ organis arrang stage",
    "protect safeguard defend",
    "build construct set establish creat form",
    "studi learn",
    "prevent avert forestal",
    "defus resolv",
    "provinc provinci liaon",
    "deepen further",
    "cultiv nurtur foster",
    "focu concentr",
    "uphold maintain",
    "risk danger",
    "resolut firmli determin staunchli",
    "countri nation",
    "epidem covid coronaviru pandem",
    "cadr offici",
    "vital energi",
    # British and American spellings
    "plough plow",
    "honour honor",
    "labour labor",
    "favour favor",
    "programm program",
    "consortium consortia",
    "centr center",
]
SYNONYMS: dict[str, str] = {w: g.split()[0] for g in _SYNONYM_GROUPS for w in g.split()}

# Opposite pairs of the genre (stems, after synonym mapping), in both directions.
_OPPOSITE_PAIRS = [
    ("expand", "reduc"), ("expand", "decreas"), ("expand", "cut"), ("expand", "shrink"), ("expand", "curb"),
    ("expand", "lower"), ("expand", "limit"), ("expand", "restrict"), ("expand", "contract"),
    ("expand", "depress"), ("expand", "dampen"),
    ("strengthen", "weaken"), ("strengthen", "loosen"), ("strengthen", "relax"),
    ("promot", "hinder"), ("promot", "obstruct"), ("promot", "suppress"), ("promot", "discourag"),
    ("promot", "block"), ("promot", "imped"), ("promot", "stall"), ("promot", "hold"),
    ("support", "restrict"), ("support", "oppos"), ("support", "undermin"), ("support", "obstruct"),
    ("improv", "worsen"), ("improv", "degrad"), ("improv", "weaken"),
    ("acceler", "slow"), ("acceler", "delay"), ("acceler", "postpon"),
    ("deepen", "halt"), ("deepen", "revers"), ("deepen", "abandon"), ("deepen", "paus"),
    ("protect", "undermin"), ("protect", "harm"), ("protect", "infring"), ("protect", "violat"),
    ("build", "dismantl"), ("build", "abolish"), ("build", "destroi"), ("build", "demolish"),
    ("implement", "abandon"), ("implement", "ignor"), ("implement", "suspend"), ("implement", "shelv"),
    ("implement", "scrap"), ("uphold", "abandon"), ("uphold", "oppos"), ("uphold", "reject"),
    ("studi", "ignor"), ("stimul", "suppress"), ("stimul", "dampen"), ("stimul", "stifl"),
    ("cultiv", "neglect"), ("cultiv", "suppress"), ("ensur", "neglect"), ("ensur", "jeopard"),
    ("ensur", "endang"), ("prevent", "allow"), ("prevent", "permit"), ("prevent", "caus"),
    ("attract", "deter"), ("attract", "repel"), ("tighten", "loosen"),
    ("tighten", "relax"), ("tighten", "eas"), ("stabil", "destabil"), ("open", "close"),
    ("remov", "add"), ("remov", "impos"), ("elimin", "introduc"),
    ("focu", "neglect"), ("focu", "ignor"), ("guid", "misguid"), ("combin", "separ"), ("organ", "cancel"),
    ("advanc", "stall"),
    ("fulli", "partli"), ("firmli", "loos"), ("resolut", "reluctantli"), ("vigor", "feebl"),
    ("strictli", "loos"), ("treat", "mistreat"), ("keep", "abandon"), ("plan", "abandon"),
    ("give", "withhold"), ("prepar", "neglect"), ("use", "abandon"),
]  # fmt: skip
OPPOSITES: dict[str, frozenset[str]] = {}
for _a, _b in _OPPOSITE_PAIRS:
    for _x, _y in ((_a, _b), (_b, _a)):
        _x, _y = SYNONYMS.get(_x, _x), SYNONYMS.get(_y, _y)
        OPPOSITES[_x] = OPPOSITES.get(_x, frozenset()) | {_y}

#: A prediction that repeats at least this share of the gold's content words is a near
#: copy: one whose object lost a word to another word changes the instruction.
NEAR_COPY = 0.8


@dataclass(frozen=True)
class Judgement:
    """The matcher's answer for one (predicted, gold) pair."""

    similarity: float
    hit: bool
    reason: str
    coverage: float = 0.0  # min(P, R) of the content words, whatever the verdict


@lru_cache(maxsize=1 << 12)
def content_words(text: str) -> tuple[str, ...]:
    """Stemmed content words of ``text``, synonyms mapped to one word, in order."""
    return tuple(SYNONYMS.get(t, t) for t in rouge.tokens(text) if t not in STOPWORDS and t not in NEGATIONS)


@lru_cache(maxsize=1 << 12)
def negation_count(text: str) -> int:
    lowered = text.lower().replace("n't", " not").replace("cannot", "can not")
    return sum(1 for t in rouge.tokens(lowered) if t in NEGATIONS)


def _more(a: _Text, b: _Text, word: str) -> bool:
    """Whether ``a`` has ``word`` more often than ``b``: it is among what ``a`` adds."""
    return a.counts.get(word, 0) > b.counts.get(word, 0)


def _reversal(pred: _Text, ref: _Text) -> tuple[str, str] | None:
    """A word the prediction adds whose opposite the gold has and the prediction lacks."""
    for word in pred.reversible:
        if _more(pred, ref, word):
            for other in OPPOSITES[word]:
                if _more(ref, pred, other):
                    return other, word
    return None


_NOTHING = Judgement(0.0, False, "nothing in common")


@dataclass(frozen=True)
class _Text:
    """What the matcher needs of one text, computed once (a directive meets many others)."""

    counts: dict[str, int]  # content word -> occurrences
    words: frozenset[str]
    length: int  # content words in all
    negations: int
    undoing: tuple[str, ...]  # its words in UNDOING, sorted
    reversible: tuple[str, ...]  # its words that have an opposite, sorted


@lru_cache(maxsize=1 << 12)
def _text(text: str) -> _Text:
    words = content_words(text)
    unique = frozenset(words)
    return _Text(
        dict(Counter(words)),
        unique,
        len(words),
        negation_count(text),
        tuple(sorted(unique & UNDOING)),
        tuple(sorted(w for w in unique if w in OPPOSITES)),
    )


_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*|[,;:.()]")
#: Words that end the object of a directive: punctuation, and words that start a clause or
#: an adverbial (the object is what the action is done to, not how or why).
_OBJECT_ENDS = frozenset(
    """, ; : . ( ) and or to by so that with in through as for into on at from under while which
    who where when according based focusing centred centered together along""".split()
)
#: Words of a lead-in before "to" that is not the action: "Go all out to", "Make every
#: effort to", "Do everything possible to", "Spare no effort to".
_LEAD_IN = frozenset("go all out do everything possible make every effort spare no try strive".split())
#: Adverbs that may stand before the action ("Firmly support", "Vigorously promote").
_ADVERB = re.compile(r".+ly$")
#: Particles of phrasal verbs ("carry out", "step up", "push forward"): part of the action.
_PARTICLES = frozenset("out up forward ahead through".split())
_DETERMINERS = frozenset("the a an its their our all every each more".split())
#: Nouns too general to identify an object by themselves (stems).
GENERIC_HEADS = frozenset(
    """system task measur kind role level style mechan abil requir instruct polici effort work aspect area spirit
    field matter issu problem thing way method mean step action activ job part respect sort type varieti""".split()
)
_PREPOSITIONS = frozenset("for on to in at".split())


@lru_cache(maxsize=1 << 12)
def action_and_object(gold: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The action (the leading verb, and one joined to it by "and"), the heads of its object
    (the last content word of each "of" part of the words after the action, up to the first
    word of :data:`_OBJECT_ENDS`), and all the object's content words, of a directive
    written as an imperative.

    "Support and guide the healthy development and growth of the private economy" ->
    (support, guid), (develop,), (healthi, develop); "Study and implement the spirit of the
    Central Economic Work Conference as ..." -> (studi, implement), (spirit, confer), (spirit,
    central, econom, work, confer); "Go all out to expand effective investment" -> (expand,),
    (invest,), (effect, invest).
    """
    words = _WORD.findall(gold)
    lower = [w.lower() for w in words]
    i = 0
    if "to" in lower[:6] and all(w in _LEAD_IN for w in lower[: lower.index("to")]):
        i = lower.index("to") + 1
    while i < len(words) and _ADVERB.fullmatch(lower[i]):
        i += 1
    action = [words[i]] if i < len(words) else []
    i += 1
    if i + 1 < len(words) and lower[i] == "and" and words[i + 1][0].isalpha():
        action.append(words[i + 1])
        i += 2
    while i < len(words) and lower[i] in _PARTICLES:
        i += 1
    # "Prepare for spring ploughing", "Focus on project construction", "Implement in detail
    # the action plan": the object follows a preposition (and a fixed adverbial).
    if i < len(words) and lower[i] in _PREPOSITIONS:
        i += 2 if i + 1 < len(words) and lower[i + 1] in ("detail", "full") else 1
    segments: list[list[str]] = [[]]
    while i < len(words) and lower[i] not in _OBJECT_ENDS:
        if lower[i] == "of":
            segments.append([])
        elif lower[i] not in _DETERMINERS:
            segments[-1].extend(content_words(words[i]))
        i += 1
    # The head of each noun phrase ("the spirit of the ... Conference": spirit, confer) is
    # its last word; modifiers before it may be reworded, the heads may not. A generic head
    # ("system", "tasks", "measures") says little: its last specific modifier stands for it
    # ("the social security system": secur).
    obj = []
    for segment in segments:
        specific = [w for w in segment if w not in GENERIC_HEADS]
        if specific:
            obj.append(specific[-1])
    span = tuple(w for segment in segments for w in segment)
    return tuple(w for a in action for w in content_words(a)), tuple(obj), span


def _stem(word: str) -> str:
    tokens = rouge.tokens(word)
    return tokens[0] if tokens else word


def same_directive(predicted: str, gold: str, threshold: float = DEFAULT_MATCH_THRESHOLD) -> Judgement:
    """Whether ``predicted`` states the instruction ``gold`` states; see the module doc."""
    pred, ref = _text(predicted), _text(gold)
    if not pred.length or not ref.length:
        return Judgement(0.0, False, "no content words")
    if pred.words.isdisjoint(ref.words):  # most pairs of a document: nothing to judge
        return Judgement(0.0, False, "nothing in common")
    c = sum(min(pred.counts[w], ref.counts[w]) for w in pred.words & ref.words)
    precision, recall = c / pred.length, c / ref.length
    f = 2 * precision * recall / (precision + recall)
    coverage = min(precision, recall)
    if pred.negations != ref.negations:
        return Judgement(0.0, False, "negated: one says not to do what the other says to do", coverage)
    if undoing := [w for w in pred.undoing if _more(pred, ref, w)]:
        return Judgement(0.0, False, f"reversed: {undoing[0]!r} undoes the gold's action", coverage)
    if reversal := _reversal(pred, ref):
        return Judgement(0.0, False, f"reversed: {reversal[1]!r} is the opposite of {reversal[0]!r}", coverage)
    _, heads, span = action_and_object(gold)
    lacking = [w for w in heads if w not in pred.words]
    if lacking:
        return Judgement(0.0, False, f"another object: the gold's {' '.join(lacking)!r} is missing", coverage)
    # A near copy of the gold (most of its words, in any order) whose object lost a word to
    # another is an edit of the object, and the edit is the point: "Expand imports and ...".
    if recall >= NEAR_COPY and (edited := sorted(w for w in set(span) if _more(ref, pred, w))):
        # Only a word the gold does not have at all stands in for the lost one: a copy that
        # says "state" once more (from "state-owned assets" to "state assets") changed nothing.
        added = sorted(pred.words - ref.words)
        if added:
            reason = f"changed object: {' '.join(added)!r} where the gold has {' '.join(edited)!r}"
            return Judgement(0.0, False, reason, coverage)
    if recall < threshold:
        return Judgement(f, False, f"too little of the gold: covers {recall:.0%} (< {threshold:.0%})", coverage)
    if precision < threshold:
        reason = f"too much besides the gold: {precision:.0%} of it is the gold's (< {threshold:.0%})"
        return Judgement(f, False, reason, coverage)
    return Judgement(f, True, "same", coverage)


@dataclass(frozen=True)
class Matcher:
    """The directive matcher of a run: :func:`same_directive` at a threshold."""

    threshold: float = DEFAULT_MATCH_THRESHOLD

    def judge(self, predicted: str, gold: str) -> Judgement:
        return same_directive(predicted, gold, self.threshold)

    def judge_all(self, predicted: Sequence[str], gold: Sequence[str]) -> list[list[Judgement]]:
        """``[[judge(p, g) for g in gold] for p in predicted]``, faster: a pair that shares no
        content word (most pairs of a document) is not judged at all."""
        golds = [_text(g) for g in gold]
        rows = []
        for p in predicted:
            words = _text(p).words
            rows.append(
                [
                    _NOTHING if words.isdisjoint(g.words) and words else self.judge(p, text)
                    for g, text in zip(golds, gold, strict=True)
                ]
            )
        return rows

    def settings(self) -> dict[str, object]:
        return {
            "name": MATCHER_NAME,
            "version": MATCHER_VERSION,
            "threshold": self.threshold,
            "near_copy": NEAR_COPY,
        }


# ----------------------------------------------------------------------- summary units

#: Share of a unit's content words a summary must carry for the unit to count as carried,
#: calibrated on the 141 judged unit/summary pairs of calibration/unit_pairs.jsonl.
DEFAULT_UNIT_THRESHOLD = 0.29
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+)")
# "Hao Peng presided", "Governor Li Lecheng"; not "Studied Xi's speech" (a verb).
_LEADING_NAME = re.compile(r"^([A-Z][a-z]+(?<!ed)(?<!ing))(?= [A-Z])")
_NUMBER = re.compile(r"\d+")


@lru_cache(maxsize=1 << 12)
def _unit_keys(unit: str) -> tuple[frozenset[str], frozenset[str]]:
    """The numbers and the capitalised names of a unit, as tokens (its first word only when
    the next is capitalised too: "Hao Peng presided", not "Held on 2 March")."""
    numbers = frozenset(_NUMBER.findall(unit))
    names = frozenset(t for name in _NAME.findall(unit) + _LEADING_NAME.findall(unit) for t in content_words(name))
    return numbers, names


@lru_cache(maxsize=1 << 12)
def _marked_words(text: str) -> tuple[str, ...]:
    """The text's content words in order, with every negation cue kept as ``"<not>"``."""
    lowered = text.lower().replace("n't", " not").replace("cannot", "can not")
    out = []
    for t in rouge.tokens(lowered):
        if t in NEGATIONS:
            out.append("<not>")
        elif t not in STOPWORDS:
            out.append(SYNONYMS.get(t, t))
    return tuple(out)


#: How many words before a unit's word a negation, an undoing verb or an opposite reverses it.
POLARITY_WINDOW = 4


def _reversed_in(summary: str, unit_words: frozenset[str]) -> str | None:
    """A negation, an undoing verb or an opposite of a unit word, just before a unit word
    the summary has ("do not expand exports", "reduce exports"): the reason, or None."""
    words = _marked_words(summary)
    opposites = {o: w for w in unit_words for o in OPPOSITES.get(w, ())}
    for i, word in enumerate(words):
        if word not in unit_words:
            continue
        window = words[max(0, i - POLARITY_WINDOW) : i]
        for before in window:
            if before == "<not>":
                return f"negated: the summary says not to {word!r}"
            if before in UNDOING:
                return f"reversed: {before!r} before {word!r}"
            if before in opposites and opposites[before] not in window:
                return f"reversed: {before!r} where the unit has {opposites[before]!r}"
    return None


def carries_unit(summary: str, unit: str, threshold: float = DEFAULT_UNIT_THRESHOLD) -> Judgement:
    """Whether ``summary`` states the fact ``unit`` states.

    A summary carries a unit when it has every number of the unit (days, years: "17
    December 2022" needs 17 and 2022), every capitalised name (people, places, bodies,
    months: "Hao Peng", "Liaoning", "December"; see :func:`_unit_keys`), at least
    ``threshold`` of the unit's content words (synonyms of the genre count, as for
    directives), and does not reverse them: no negation cue, undoing verb or opposite of a
    unit word within :data:`POLARITY_WINDOW` words before a unit word it has ("reduce
    exports" does not carry "Expanding exports"). ``similarity`` is the share of content
    words. So a summary with the presider, the date or the province swapped for others
    misses those units, and one with the decisions reversed misses those, however fluent.
    """
    unit_text, summary_text = _text(unit), _text(summary)
    if not unit_text.length:
        return Judgement(0.0, False, "no content words")
    numbers, names = _unit_keys(unit)
    share = sum(min(n, summary_text.counts.get(w, 0)) for w, n in unit_text.counts.items()) / unit_text.length
    if lacking := sorted(numbers - frozenset(_NUMBER.findall(summary))):
        return Judgement(0.0, False, f"another number: {' '.join(lacking)!r} is missing", share)
    if lacking := sorted(names - summary_text.words):
        return Judgement(0.0, False, f"another name: {' '.join(lacking)!r} is missing", share)
    if share < threshold:
        return Judgement(share, False, f"carries {share:.0%} of the unit (< {threshold:.0%})", share)
    if reason := _reversed_in(summary, unit_text.words):
        return Judgement(0.0, False, reason, share)
    return Judgement(share, True, "carried", share)


def unit_recall(summary: str, units: Sequence[str], threshold: float = DEFAULT_UNIT_THRESHOLD) -> float:
    """``summary_unit_recall``: the share of ``units`` the summary carries (1 without units)."""
    if not units:
        return 1.0
    return sum(carries_unit(summary, u, threshold).hit for u in units) / len(units)
