"""When does a predicted directive state a gold one, and a summary a gold fact?

A directive pair is decided in two steps (:class:`Matcher`):

1. **Where.** A prediction that carries evidence quotes is *located* on a gold directive when
   its quotes are all found in the document and overlap the gold's evidence
   (:mod:`harness.grounding`: exact, by character spans). One whose quotes are not all found
   is *ungrounded* and matches nothing. A plain string has no location; its text alone is
   compared with the gold (the ``text`` path).
2. **What.** The text must then pass checks that can be decided exactly (:func:`check_text`),
   against the gold directive's text and its evidence quotes (the *pool*):

   * ``numbers``: every number, ordinal, year, count and fraction the prediction states
     ("20th", "first quarter", "2022", "six", "half") is in the pool (:func:`numbers`);
   * ``names``: every capitalised name the prediction adds (a person, place or body:
     "Shenyang", "State Council", "Class A") is in the pool, acronyms by their initials;
   * ``negation``: the prediction does not negate the gold's own action ("Do not expand",
     "Stop efforts to expand", "Oppose efforts to expand" for "Expand ...") nor put its
     opposite in its place ("Reduce exports", :data:`OPPOSITES`); a negation of some other
     word ("Do not fail to", "Never neglect", "Never relax", "Leave no risk unaddressed") is
     not a negation of the instruction;
   * ``about``: ``P``, the share of the prediction's content words found in the pool, is at
     least ``ABOUT`` and at least the share found in any other gold directive's pool: another
     directive's text on this directive's quote is not about it. On the ``text`` path the
     prediction must also cover ``R >= threshold`` of the gold's content words, since nothing
     else says where it stands.

   Content words are the stemmed tokens of :func:`harness.rouge.tokens` without function
   words, near-synonyms of the genre mapped to one word; two words count as one when one is
   a prefix of the other of at least four letters ("econom"/"economi", "them"/"themat").

What these checks do **not** decide: a reversal in free wording ("Water down", "Scale back",
"only on paper"), a changed modifier ("state-owned" for "private"), a narrower or wider scope
without a name ("for college graduates"), a past-tense report or another actor. Those are
questions of meaning, left to the optional model judge (:mod:`harness.judge`), which is
validated on independent judged pairs before its scores are published.

``similarity`` is the content-word F1 of the prediction against the gold text (averaged with
the span F1 on the evidence path), and 0 for a pair ruled out: the one-to-one assignment of
:func:`harness.metrics.match_directives` maximises first the hits, then the similarity.

A summary unit is decided by :func:`carries_unit`; the facts of a whole summary (its dates,
numbers, presider and kind of meeting) by :func:`summary_errors`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import NamedTuple

from . import rouge
from .grounding import SPAN_COVERAGE, SPAN_PRECISION, Span, find_quotes, span_overlap

#: How many texts each per-text cache keeps: a document's texts are met again and again while
#: it is scored, another document's rarely, and an entry can take kilobytes; so a few
#: documents' worth, and memory stays flat however long the run.
_TEXTS = 1 << 12

MATCHER_NAME = "grounded-exact"
MATCHER_VERSION = 2
#: ``R`` a plain-string prediction must cover of the gold's content words (the text path).
DEFAULT_MATCH_THRESHOLD = 0.41
#: ``P``: the share of a prediction's content words that must be found in its pool.
ABOUT = 0.35

#: Function words, after rouge tokenisation and stemming: they carry no instruction.
STOPWORDS = frozenset(
    """
    a an the and or of to in on at for by with as from into onto that which who whom whose this these those
    it it' its their there our we they them he she his her be is are wa were been being so such than then
    thu also all each everi both either ani some more most veri well through throughout over under about
    s t 's do doe did make let get take us i you your
    """.split()
)
#: Cues of negation (stems), left out of content words.
NEGATIONS = frozenset("not no never nor n't dont don".split())
#: Operators that negate what follows them in their clause: "do not expand", "refuse to
#: expand", "stop efforts to expand", "oppose efforts to expand", "fail to expand" (stems).
#: "no" is not one: "allow no accidents" and "leave no risk unaddressed" negate a noun.
NEGATORS = frozenset(
    "not never nor neither refrain refus declin ceas stop halt abandon suspend postpon shelv cancel scrap oppos "
    "reject fail".split()
)
#: Words of a negative sense: a negation whose scope holds one is a double negation and
#: cancels ("do not fail to", "never relax", "never abandon", "do not let control slacken").
#: Plain negations do not cancel each other ("neither ... nor", "do not ... not dare").
NEGATIVE_SENSE = (NEGATORS - {"not", "never", "nor", "neither"}) | frozenset(
    "neglect ignor overlook forget relax slacken loosen laps weaken lose miss slip".split()
)
#: How many words after a negation it reaches, within its clause.
NEGATION_SCOPE = 10
#: Phrases read as one negating word before tokenising.
_NEGATING_PHRASES = [
    (re.compile(r"n[’']t\b", re.IGNORECASE), " not"),
    (re.compile(r"\bcannot\b", re.IGNORECASE), "can not"),
    (re.compile(r"\bno\s+longer\b", re.IGNORECASE), "not"),
    (re.compile(r"\bgiv(?:e|es|ing|en)\s+up\b|\bgave\s+up\b", re.IGNORECASE), "abandon"),
    (
        re.compile(
            r"\b(?:turn(?:ed|s|ing)?|call(?:ed|s|ing)?|rul(?:ed|es|ing))\s+(?:down|off|out)\b|"
            r"\bdecided\s+against\b|\bon\s+hold\b",
            re.IGNORECASE,
        ),
        " reject ",
    ),
]
_CLAUSE_END = re.compile(r"[.;:!?\n]+")


_COMMA = ","


@lru_cache(maxsize=_TEXTS)
def _clauses(text: str) -> tuple[tuple[str, ...], ...]:
    """The text's clauses (split at . ; : ! ?), each as stemmed tokens, synonyms mapped, a
    comma kept as a token of its own."""
    for pattern, replacement in _NEGATING_PHRASES:
        text = pattern.sub(replacement, text)
    return tuple(
        tuple(
            _COMMA if part == "," else SYNONYMS.get(t, t)
            for part in re.split(r"(,)", clause)
            for t in ((part,) if part == "," else rouge.tokens(part))
        )
        for clause in _CLAUSE_END.split(text)
        if clause.strip()
    )


#: Negators that take a thing rather than an action ("stop outbreaks", "scrap discriminatory
#: policies"): no aside after them is skipped.
_THING_NEGATORS = frozenset("stop ceas halt abandon suspend postpon shelv cancel scrap oppos reject".split())
#: Verbs that act against a thing: in a gold directive, what they reach is not something to
#: be done ("Prevent major accidents": stopping accidents agrees with it).
PREVENTING = frozenset("prevent avoid guard curb avert forestal elimin combat resolv defus crack punish".split())


_AUXILIARIES = frozenset("do doe did must should shall will can may".split())


def _reach(words: Sequence[str], i: int) -> tuple[str, ...]:
    """The words a negation at ``i`` reaches: up to :data:`NEGATION_SCOPE` words of its
    clause, ending at a comma — past an aside that opens right after an auxiliary's negation
    ("Do not, under any circumstances, expand ...")."""
    rest = list(words[i + 1 :])
    aside = rest[:1] == [_COMMA] and _COMMA in rest[1:] and i > 0 and words[i - 1] in _AUXILIARIES
    if aside and words[i] not in _THING_NEGATORS:
        rest = rest[rest.index(_COMMA, 1) + 1 :]
    if _COMMA in rest:
        rest = rest[: rest.index(_COMMA)]
    return tuple(rest[:NEGATION_SCOPE])


@lru_cache(maxsize=_TEXTS)
def negation_scopes(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every negation of ``text`` that is not cancelled, as (the negating word, the words it
    reaches): :data:`NEGATORS`, each reaching :data:`NEGATION_SCOPE` words of its clause (a
    negator of things up to a comma), cancelled by a word of :data:`NEGATIVE_SENSE` in that
    reach (which it then consumes)."""
    found = []
    for words in _clauses(text):
        i = 0
        while i < len(words):
            if words[i] in NEGATORS:
                reach = _reach(words, i)
                cancel = next((k for k, w in enumerate(reach) if w in NEGATIVE_SENSE), None)
                if cancel is not None:
                    i = words.index(reach[cancel], i + 1) + 1
                    continue
                found.append((words[i], reach))
            i += 1
    return tuple(found)


@lru_cache(maxsize=_TEXTS)
def _positive_words(text: str) -> frozenset[str]:
    """The content words of ``text`` it asks to be done: those no negation or preventing verb
    of the text reaches ("expand exports": expand, export; "prevent major accidents": none)."""
    positive, reached = set(), set()
    for words in _clauses(text):
        for i, word in enumerate(words):
            if word in NEGATORS or word in PREVENTING:
                reached.update(_reach(words, i))
        positive.update(w for w in words if w != _COMMA and w not in STOPWORDS and w not in NEGATIONS)
    return frozenset(positive - reached - NEGATORS - PREVENTING)


def negated_words(text: str, references: Sequence[str], act: frozenset[str] = frozenset()) -> str | None:
    """A negation of ``text`` that reaches a word the ``references`` ask to be done, or one of
    their actions ``act``: the reason, or None. What a reference itself negates or prevents
    may be negated ("stop outbreaks" for "prevent outbreaks")."""
    scopes = negation_scopes(text)
    if not scopes:
        return None
    # What the first reference (the gold's text) says decides; the others (its quotes) add
    # only words it does not have at all.
    first, *rest = references
    said = frozenset(w for clause in _clauses(first) for w in clause)
    positive = _positive_words(first) | act
    for other in rest:
        positive |= _positive_words(other) - said
    for word, reach in scopes:
        if hit := next((w for w in reach if w in positive), None):
            return f"{word!r} negates {hit!r}"
    return None


# Words of the genre that say the same thing, each group mapped to its first member (stems).
_SYNONYM_GROUPS = [
    "enterpris firm compani busi",
    "expand increas boost rais enlarg grow",
    "strengthen reinforc enhanc consolid",
    "promot advanc push drive encourag",
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

# Opposite actions of the genre (stems, after synonym mapping), in both directions: a
# prediction that puts one in place of the gold's action reverses it.
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
    ("ensur", "endang"),
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


# ------------------------------------------------------------------------- words


@lru_cache(maxsize=_TEXTS)
def content_words(text: str) -> tuple[str, ...]:
    """Stemmed content words of ``text``, synonyms mapped to one word, in order."""
    return tuple(SYNONYMS.get(t, t) for t in rouge.tokens(text) if t not in STOPWORDS and t not in NEGATIONS)


@lru_cache(maxsize=1 << 16)
def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    # Porter leaves derivations apart ("economi"/"econom", "theme"/"themat"): a shared stem
    # of four letters or more, once a final "e" or "i" is dropped, is the same word.
    short, long = sorted((a.rstrip("ei"), b.rstrip("ei")), key=len)
    return len(short) >= 4 and long.startswith(short)


@dataclass(frozen=True)
class _Pool:
    """A set of words, indexed so that "has a same word" (:func:`_same_word`) is a few set
    look-ups instead of a comparison with every word."""

    exact: frozenset[str]
    bare: frozenset[str]  # each word without a final "e"/"i", when four letters or more
    prefixes: frozenset[str]  # every prefix of four letters or more of those
    known: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def has(self, word: str) -> bool:
        found = self.known.get(word)
        if found is None:
            bare = word.rstrip("ei")
            # bare is a prefix of a pool word, or a pool word is a prefix of bare
            found = word in self.exact or (
                len(bare) >= 4
                and (bare in self.prefixes or any(bare[:k] in self.bare for k in range(4, len(bare) + 1)))
            )
            self.known[word] = found
        return found


@lru_cache(maxsize=256)  # the pools of one document's directives and units: a few dozen at a time
def _pool(words: frozenset[str]) -> _Pool:
    bare = frozenset(b for w in words if len(b := w.rstrip("ei")) >= 4)
    return _Pool(words, bare, frozenset(b[:k] for b in bare for k in range(4, len(b) + 1)))


def share(words: Sequence[str], pool: frozenset[str]) -> float:
    """The share of ``words`` (with multiplicity) that have a same word in ``pool``."""
    if not words:
        return 0.0
    index = _pool(pool)
    return sum(1 for w in words if index.has(w)) / len(words)


def word_f1(a: Sequence[str], b: Sequence[str]) -> float:
    p, r = share(a, frozenset(b)), share(b, frozenset(a))
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


# ----------------------------------------------------------------------- numbers

_CARDINALS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()  # noqa: E501
_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split()  # noqa: E501
_NUMBER_WORDS = {
    **{w: str(i) for i, w in enumerate(_CARDINALS)},
    **{w: str(i + 1) for i, w in enumerate(_ORDINALS)},
    "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "thousand": "1000",
    "half": "1/2", "halves": "1/2", "dozen": "12", "quarter": "1/4", "quarters": "1/4",
}  # fmt: skip
_TOKEN = re.compile(r"(?P<num>\d+(?:[.,]\d+)*)(?P<suffix>st|nd|rd|th)?|(?P<word>[A-Za-z]+)|(?P<stop>[.;:!?])")
#: Words after which a number word is not a number of something ("put jobs first in", "one
#: with national influence").
_NOT_COUNTED = frozenset("in of to and with the a an for on at by from as or but than that which who is are".split())


@lru_cache(maxsize=_TEXTS)
def _number_tokens(text: str) -> tuple[tuple[str, str, bool], ...]:
    """``text`` as (kind, value, capitalised) tokens: ``o`` an ordinal ("20th", "second"),
    ``c`` a cardinal ("20", "six"), ``f`` a fraction ("half", "a quarter"), ``w`` a word
    (its value stemmed), ``.`` the end of a sentence. Digits that end a name ("COVID-19")
    and number words not followed by a word they count ("put jobs first in") are words."""
    raw = list(_TOKEN.finditer(text))
    out: list[tuple[str, str, bool]] = []
    for i, m in enumerate(raw):
        if m["stop"]:
            out.append((".", "", False))
        elif m["num"]:
            if m.start() >= 2 and text[m.start() - 1] == "-" and text[m.start() - 2].isalpha():
                continue  # part of a name: "COVID-19"
            value = m["num"].replace(",", "").lstrip("0") or "0"
            out.append(("o" if m["suffix"] else "c", value, False))
        else:
            word = m["word"]
            value = _NUMBER_WORDS.get(word.lower())
            nxt = raw[i + 1] if i + 1 < len(raw) else None
            counts = nxt is not None and nxt["word"] is not None and nxt["word"].lower() not in _NOT_COUNTED
            if value in ("1/2", "1/4"):
                # "the first quarter": the ordinal is the number, "quarter" the unit; "the first
                # half" is a half all the same
                if value == "1/2" or not (out and out[-1][0] == "o"):
                    out.append(("f", value, False))
                    continue
            elif value is not None and counts:
                out.append(("o" if word.lower() in _ORDINAL_SET else "c", value, False))
                continue
            for stem in rouge.tokens(word):
                out.append(("w", SYNONYMS.get(stem, stem), word[:1].isupper()))
    return tuple(out)


_ORDINAL_SET = frozenset(_ORDINALS)


@lru_cache(maxsize=_TEXTS)
def numbers(text: str) -> frozenset[str]:
    """The numbers ``text`` states, as values: digits ("20th" -> 20, "2023-2025" -> 2023 and
    2025), number words ("six" -> 6, "second" -> 2) and fractions ("half" -> 1/2), as
    :func:`_number_tokens` reads them."""
    return frozenset(value for kind, value, _ in _number_tokens(text) if kind in "ocf")


# ------------------------------------------------------------------------- names

_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z&'’-]*\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|[\"“(]\s*)$")
_INITIAL_SKIP = frozenset("of and the for on in".split())


@lru_cache(maxsize=_TEXTS)
def _names(text: str) -> tuple[str, ...]:
    """Capitalised words that do not open a sentence; no word with a digit ("Q1")."""
    out = []
    for m in _CAPITALISED.finditer(text):
        if _SENTENCE_START.search(text[: m.start()]) or text[m.end() : m.end() + 1].isdigit():
            continue
        out.append(m.group())
    return tuple(out)


def _initials(text: str) -> str:
    words = re.findall(r"[A-Za-z]+", text)
    return "".join(w[0].upper() for w in words if w.lower() not in _INITIAL_SKIP)


@lru_cache(maxsize=1 << 12)
def _name_pool(pool: str) -> tuple[frozenset[str], str]:
    """The pool's stems, with their synonyms of the genre, and the initials of its words."""
    stems = frozenset(rouge.tokens(pool))
    return stems | frozenset(SYNONYMS.get(t, t) for t in stems), _initials(pool)


def stray_names(candidate: str, pool: str) -> list[str]:
    """Names in ``candidate`` that ``pool`` lacks. A single capital letter ("Class A") and a
    two-letter acronym ("US", "AI") must stand in the pool as they are; a longer acronym
    ("SOEs") may be the initials of consecutive words of the pool; any other name must have
    every word in the pool, in any case, as the same stem or a synonym of the genre
    ("Covid" for "epidemic"). Number words ("Twentieth") and "No." are not names."""
    names = [n for n in _names(candidate) if n.lower() not in _NUMBER_WORDS and n not in ("No", "Nos")]
    if not names:
        return []
    words, initials = _name_pool(pool)
    stray = []
    for name in names:
        bare = name[:-1] if len(name) > 2 and name.endswith("s") and name[:-1].isupper() else name
        if len(bare) <= 2 and bare.isupper():
            if not re.search(rf"\b{re.escape(bare)}s?\b", pool):
                stray.append(name)
        elif bare.isupper() and bare.isalpha():
            if bare not in initials and name.lower() not in {w.lower() for w in re.findall(r"[A-Za-z]+", pool)}:
                stray.append(name)
        elif not all(w in words for w in content_words(name) or rouge.tokens(name)):
            stray.append(name)
    return stray


# ---------------------------------------------------------------------- negation

_LEAD_IN = frozenset("go all out do everything possible make every effort spare no try strive".split())
_ADVERB = re.compile(r".+ly$")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*|[,;:.()]")


@lru_cache(maxsize=1 << 12)
def actions(gold: str) -> frozenset[str]:
    """The action of a directive written as an imperative: its leading verb, and one joined
    to it by "and" ("Study and implement"), after a lead-in ("Go all out to") and adverbs
    ("Vigorously promote"), as content words."""
    lower = [w.lower() for w in _WORD.findall(gold)]
    i = 0
    if "to" in lower[:6] and all(w in _LEAD_IN for w in lower[: lower.index("to")]):
        i = lower.index("to") + 1
    while i < len(lower) and _ADVERB.fullmatch(lower[i]):
        i += 1
    verbs = lower[i : i + 1]
    if i + 2 < len(lower) and lower[i + 1] == "and" and lower[i + 2][0].isalpha():
        verbs.append(lower[i + 2])
    return frozenset(w for v in verbs for w in content_words(v))


def negated_action(candidate: str, gold: str, quotes: Sequence[str] = ()) -> str | None:
    """How ``candidate`` negates or reverses the instruction, if it does: a negation that is
    not cancelled and reaches what the gold or its quotes ask to be done, or the gold's action
    (:func:`negated_words`: "Do not actively expand", "Refuse to", "Never again", "Stop efforts
    to", "Expand exports but do not support ..."), or an opposite of the gold's action in its
    place ("Reduce exports" for "Expand exports", :data:`OPPOSITES`)."""
    act = actions(gold)
    if reason := negated_words(candidate, (gold, *quotes), act):
        return reason
    for clause in _clauses(candidate):
        for i, word in enumerate(clause):
            for action in sorted(act):
                # an opposite in place of the action, not itself negated ("never relax")
                negated = any(w in NEGATIONS or w in NEGATORS for w in clause[max(0, i - 3) : i])
                if word in OPPOSITES.get(action, ()) and action not in clause and not negated:
                    return f"{word!r} in place of the gold's {action!r}"
    return None


# ------------------------------------------------------------------ one pair


@dataclass(frozen=True)
class Judgement:
    """The matcher's answer for one (predicted, gold) pair.

    ``path`` says how it was decided: ``span`` (the prediction's evidence located it),
    ``text`` (a plain string, by its words), ``ungrounded`` (a quote not in the document),
    ``judge`` (a model judge).
    """

    similarity: float
    hit: bool
    reason: str
    coverage: float = 0.0  # P, the share of the prediction's words found in its pool
    path: str = "text"


@dataclass(frozen=True)
class GoldDirective:
    """A gold directive as the matcher needs it: its text, quotes and their spans."""

    text: str
    quotes: tuple[str, ...] = ()
    spans: tuple[Span, ...] = ()

    @cached_property
    def pool(self) -> str:
        """The gold text and its quotes, the words the checks compare with."""
        return " ".join((self.text, *self.quotes))


@dataclass(frozen=True)
class PredictedDirective:
    """A predicted directive: its text and, when it carries evidence, the spans of its quotes
    (``spans`` None: a plain string; ``grounded`` False: a quote is not in the document)."""

    text: str
    quotes: tuple[str, ...] = ()
    spans: tuple[Span, ...] | None = None
    grounded: bool = True

    @classmethod
    def of(cls, text: str, quotes: Sequence[str], document: str) -> PredictedDirective:
        if not quotes:
            return cls(text)
        spans = find_quotes(quotes, document)
        return cls(text, tuple(quotes), spans or (), spans is not None)


@lru_cache(maxsize=1 << 12)
def _pool_words(pool: str) -> frozenset[str]:
    return frozenset(content_words(pool))


@lru_cache(maxsize=_TEXTS * 2)
def _share_of(candidate: str, pool: str) -> float:
    """:func:`share` of a candidate's content words in a pool text's (a prediction meets every
    gold directive of its document as a rival, so each is computed once)."""
    return share(content_words(candidate), _pool_words(pool))


def check_text(
    candidate: str,
    gold: GoldDirective,
    others: Sequence[GoldDirective] = (),
    own_quotes: Sequence[str] = (),
    rival: float | None = None,
) -> tuple[str | None, float]:
    """The first exact check ``candidate`` fails against ``gold`` (None when it passes all
    but ``about``'s threshold), and ``P``, the share of its content words in the pool.
    ``own_quotes``: the prediction's quotes that overlap the gold's evidence, which may also
    license its numbers and names.

    ``rival``, when given, is the largest share of the candidate's words in another gold
    directive's pool, computed once for all pairs of the candidate (else from ``others``).
    """
    words = content_words(candidate)
    if not words:
        return "no content words", 0.0
    p = _share_of(candidate, gold.pool)
    # The gold, its quotes, and the prediction's own quotes that overlap them (``own_quotes``,
    # chosen by the caller): a prediction cannot license a number or a name by quoting some
    # other passage that has it, but may quote a little more of the same passage.
    wide = " ".join((gold.pool, *own_quotes)) if own_quotes else gold.pool
    if stray := sorted(numbers(candidate) - numbers(wide)):
        return f"numbers: {', '.join(stray)} stated where the gold and its quotes have none such", p
    if stray := stray_names(candidate, wide):
        return f"names: {', '.join(dict.fromkeys(stray))} not in the gold or its quotes", p
    if how := negated_action(candidate, gold.text, gold.quotes):
        return f"negation: {how}", p
    if rival is None:
        rival = max((_share_of(candidate, o.pool) for o in others if o.text != gold.text), default=0.0)
    if rival > p:
        return "about another directive: more of its words are another gold directive's", p
    return None, p


def same_directive(
    predicted: str | PredictedDirective,
    gold: str | GoldDirective,
    threshold: float = DEFAULT_MATCH_THRESHOLD,
    others: Sequence[GoldDirective] = (),
    rival: float | None = None,
) -> Judgement:
    """Whether ``predicted`` states the instruction ``gold`` states; see the module doc.
    ``others`` are the document's gold directives (``rival``: see :func:`check_text`)."""
    pred = predicted if isinstance(predicted, PredictedDirective) else PredictedDirective(predicted)
    ref = gold if isinstance(gold, GoldDirective) else GoldDirective(gold)
    if pred.spans is not None:
        if not pred.grounded:
            return Judgement(0.0, False, "ungrounded: a quote is not in the document", path="ungrounded")
        if not ref.spans:
            return _text_judgement(pred, ref, threshold, others, rival)
        coverage, precision = span_overlap(pred.spans, ref.spans)
        if coverage < SPAN_COVERAGE or precision < SPAN_PRECISION:
            reason = f"elsewhere: its quotes cover {coverage:.0%} of the gold's evidence, {precision:.0%} of them is it"
            return Judgement(0.0, False, reason, path="span")
        nearby = tuple(
            q for q, (a, b) in zip(pred.quotes, pred.spans, strict=True) if any(a < y and x < b for x, y in ref.spans)
        )
        failed, p = check_text(pred.text, ref, others, nearby, rival)
        if failed is None and p < ABOUT:
            failed = f"about: {_short_of(p, ABOUT)} of its words are the gold's or its quotes'"
        if failed:
            return Judgement(0.0, False, failed, p, "span")
        span_f = 2 * coverage * precision / (coverage + precision)
        similarity = (span_f + word_f1(content_words(pred.text), content_words(ref.text))) / 2
        return Judgement(similarity, True, "same", p, "span")
    return _text_judgement(pred, ref, threshold, others, rival)


def _short_of(value: float, limit: float) -> str:
    """``"29% (< 41%)"``; with a decimal where whole percents would read the same."""
    digits = 0 if f"{value:.0%}" != f"{limit:.0%}" else 1
    return f"{value:.{digits}%} (< {limit:.{digits}%})"


def _surface(text: str, stem: str) -> str:
    """The word of ``text`` that ``stem`` (a stemmed, synonym-mapped token) came from, for
    messages a person reads ("people", not "peopl")."""
    for word in re.findall(r"[A-Za-z0-9]+", text):
        if any(SYNONYMS.get(t, t) == stem for t in rouge.tokens(word)):
            return word
    return stem


def _text_judgement(
    pred: PredictedDirective,
    ref: GoldDirective,
    threshold: float,
    others: Sequence[GoldDirective],
    rival: float | None = None,
) -> Judgement:
    failed, p = check_text(pred.text, ref, others, rival=rival)
    if failed:
        return Judgement(0.0, False, failed, p)
    words, gold_words = content_words(pred.text), content_words(ref.text)
    r = share(gold_words, frozenset(words))
    similarity = word_f1(words, gold_words)
    if p < ABOUT:
        return Judgement(similarity, False, f"about: {_short_of(p, ABOUT)} of its words are the gold's", p)
    if r < threshold:
        return Judgement(similarity, False, f"too little of the gold: covers {_short_of(r, threshold)}", p)
    return Judgement(similarity, True, "same", p)


@dataclass(frozen=True)
class Matcher:
    """The directive matcher of a run: :func:`same_directive` at a threshold."""

    threshold: float = DEFAULT_MATCH_THRESHOLD

    def judge(self, predicted: str | PredictedDirective, gold: str | GoldDirective) -> Judgement:
        return same_directive(predicted, gold, self.threshold)

    def judge_all(
        self, predicted: Sequence[PredictedDirective | str], gold: Sequence[GoldDirective | str]
    ) -> list[list[Judgement]]:
        """``[[judge(p, g) for g in gold] for p in predicted]``, each pair judged with the
        document's other gold directives in view; a plain pair that shares no content word
        (most pairs of a document) is not judged at all."""
        golds = [g if isinstance(g, GoldDirective) else GoldDirective(g) for g in gold]
        preds = [p if isinstance(p, PredictedDirective) else PredictedDirective(p) for p in predicted]
        rows = []
        for p in preds:
            words = frozenset(content_words(p.text))
            shares = [_share_of(p.text, g.pool) for g in golds]
            row = []
            for j, g in enumerate(golds):
                if p.spans is None and words.isdisjoint(_pool_words(g.pool)):
                    row.append(_NOTHING)
                else:
                    rival = max((x for k, x in enumerate(shares) if k != j and golds[k].text != g.text), default=0.0)
                    row.append(same_directive(p, g, self.threshold, golds, rival))
            rows.append(row)
        return rows

    def settings(self) -> dict[str, object]:
        return {
            "name": MATCHER_NAME,
            "version": MATCHER_VERSION,
            "threshold": self.threshold,
            "about": ABOUT,
            "span_coverage": SPAN_COVERAGE,
            "span_precision": SPAN_PRECISION,
            "unit_threshold": DEFAULT_UNIT_THRESHOLD,
        }


_NOTHING = Judgement(0.0, False, "nothing in common")


# ----------------------------------------------------------------- summaries

#: Share of a unit's content words a summary must carry for the unit to count as carried,
#: calibrated on judged unit/summary pairs (calibration/README.md).
DEFAULT_UNIT_THRESHOLD = 0.3
_MONTHS = "january february march april may june july august september october november december".split()
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b\.?"  # noqa: E501
_DATES = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(\d{{4}}))?"
    rf"|\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?"
    r"|\b(\d{4})-(\d{1,2})-(\d{1,2})\b"
    r"|\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b",
    re.IGNORECASE,
)
_HEADER = re.compile(r"^\s*date \d{4}-\d{2}-\d{2}")


class Date(NamedTuple):
    """A date a text states: the (month, day) it can be read as — two for "05/06/2022",
    which may be day-first or month-first — its year if given, and where it stands."""

    readings: tuple[tuple[int, int], ...]
    year: int | None
    span: tuple[int, int]

    def is_day(self, month: int, day: int, year: int | None = None) -> bool:
        """Whether it can be read as that day (and year, when both give one)."""
        return (month, day) in self.readings and (self.year is None or year is None or self.year == year)


def _month(name: str) -> int:
    return next(i for i, m in enumerate(_MONTHS, start=1) if m.startswith(name.lower().rstrip(".")[:3]))


@lru_cache(maxsize=1 << 12)
def dates(text: str) -> tuple[Date, ...]:
    """The calendar dates ``text`` states, in any of the forms "17 December 2022", "December
    17, 2022", "Dec. 17", "17th of December", "2022-12-17", "17/12/2022", "12.17.2022"."""
    found = []
    for m in _DATES.finditer(text):
        d1, m1, y1, m2, d2, y2, yi, mi, di, a, b, yn = m.groups()
        if d1:
            readings, year = [(_month(m1), int(d1))], y1
        elif m2:
            readings, year = [(_month(m2), int(d2))], y2
        elif yi:
            readings, year = [(int(mi), int(di))], yi
        else:
            readings, year = list(dict.fromkeys([(int(b), int(a)), (int(a), int(b))])), yn
        readings = [(mo, d) for mo, d in readings if 1 <= mo <= 12 and 1 <= d <= 31]
        if readings:
            found.append(Date(tuple(readings), int(year) if year else None, m.span()))
    return tuple(found)


@lru_cache(maxsize=1 << 12)
def _unit_keys(unit: str) -> tuple[frozenset[str], frozenset[str], tuple[tuple[int, int, int | None], ...]]:
    """The numbers (dates aside), the capitalised names and the dates of a unit."""
    unit_dates = dates(unit)
    rest = unit
    for date in reversed(unit_dates):
        a, b = date.span
        rest = rest[:a] + " " + rest[b:]
    names = frozenset(t for name in (*_names(unit), *_LEADING.findall(unit)) for t in content_words(name))
    names -= frozenset(m[:4] for m in _MONTHS) | frozenset(content_words(" ".join(_MONTHS)))
    return numbers(rest), names, tuple((*d.readings[0], d.year) for d in unit_dates)


# "Hao Peng presided", "Governor Li Lecheng": a name at the start when the next word is
# capitalised too; not "Studied Xi's speech" (a verb).
_LEADING = re.compile(r"^([A-Z][a-z]+(?<!ed)(?<!ing))(?= [A-Z])")


def _negated_in(summary: str, unit: str) -> str | None:
    """A negation of the summary that reaches a word the unit states as done or decided
    ("did not, despite expectations, decide to expand exports"; "turned down the plan"):
    the reason, or None."""
    reason = negated_words(summary, (unit,))
    return f"negated: {reason}" if reason else None


def carries_unit(summary: str, unit: str, threshold: float = DEFAULT_UNIT_THRESHOLD) -> Judgement:
    """Whether ``summary`` states the fact ``unit`` states.

    A summary carries a unit when it states the unit's date (day and month; the year too
    when the summary gives one, and it must be the unit's), every other number of the unit,
    every capitalised name (people, places, bodies: "Hao Peng", "Liaoning"), at least
    ``threshold`` of the unit's content words (synonyms of the genre count, as for
    directives), and no negation that reaches a unit word it has (:func:`negation_scopes`:
    "did not expand exports", "turned down the plan"). ``similarity`` is the share of content words.
    """
    unit_words = content_words(unit)
    if not unit_words:
        return Judgement(0.0, False, "no content words")
    numbers_needed, names, unit_dates = _unit_keys(unit)
    summary_words = frozenset(content_words(summary))
    carried = share(unit_words, summary_words)
    said = dates(summary)
    for month, day, year in unit_dates:
        if not any(date.is_day(month, day, year) for date in said):
            return Judgement(0.0, False, f"another date: {day} {_MONTHS[month - 1].title()} is missing", carried)
    if lacking := sorted(numbers_needed - numbers(summary)):
        return Judgement(0.0, False, f"another number: {', '.join(lacking)} is missing", carried)
    if lacking := sorted(n for n in names if n not in summary_words):
        words = " ".join(_surface(unit, n) for n in lacking)
        return Judgement(0.0, False, f"another name: {words!r} is missing", carried)
    if carried < threshold:
        return Judgement(carried, False, f"carries {_short_of(carried, threshold)} of the unit", carried)
    if reason := _negated_in(summary, unit):
        return Judgement(0.0, False, reason, carried)
    return Judgement(carried, True, "carried", carried)


def unit_recall(summary: str, units: Sequence[str], threshold: float = DEFAULT_UNIT_THRESHOLD) -> float:
    """The share of ``units`` the summary carries (1 without units); no fact checks."""
    if not units:
        return 1.0
    return sum(carries_unit(summary, u, threshold).hit for u in units) / len(units)


#: Function words: a text in sentences has many, a list of keywords almost none.
_FUNCTION_WORDS = frozenset(
    "the a an of and to in on at for by with as from into that which who it its their was were is are be been "
    "has have had will would should this these those over under".split()
)
#: A summary with fewer function words than this share of its words is not written in
#: sentences (a keyword list); honest summaries of the genre have about a quarter.
MIN_FUNCTION_WORDS = 0.1


def function_word_share(text: str) -> float:
    words = re.findall(r"[A-Za-z]+", text.lower())
    return sum(w in _FUNCTION_WORDS for w in words) / len(words) if words else 0.0


# Chinese family names, for finding people named in a summary ("Hao Peng", "Xia Deren").
_SURNAMES = frozenset(
    """li wang zhang liu chen yang zhao huang zhou wu xu sun hu zhu gao lin he guo ma luo liang song zheng xie han
    tang feng yu dong xiao cheng cao yuan deng fu shen zeng peng lu su jiang cai jia ding wei xue ye yan pan du dai
    xia zhong tian ren fan fang shi yao tan liao zou xiong jin kong bai cui kang mao qiu qin gu hou shao meng long
    wan duan qian yin yi chang qiao lai gong wen hao xi lou ni bao niu mu an ai bi bian bo cen chai che chi chu cong
    dou e fei ge geng guan hang hong hua ji jiao jing ju kou kuang lan lang lei lian ling man mei miao min mo nie
    ning ou pang pei pu qi qu quan rao rong ruan sang sha shan shang she shu si tao teng tong xiang xin xing you yue
    zang zhai zhan zhen zhuang zuo ouyang sima zhuge shangguan situ murong dongfang""".split()
)
# Every pair of capitalised words, overlapping ("October Wang Xin": "October Wang", "Wang Xin").
_PERSON = re.compile(r"\b(?=(([A-Z][a-z]+)[ -]([A-Z][a-z]+)\b))")
#: Cues after which the presider is named ("presided over by X", "under X").
_PRESIDE_AFTER = re.compile(
    r"\b(?:presided over by|presided by|chaired by|led by|hosted by|convened by|under)\b", re.IGNORECASE
)
#: Cues before which the presider is named ("X presided", "with X in the chair", "which X convened").
_PRESIDE_BEFORE = re.compile(
    r"\b(?:presided|presiding|presides|chaired|chairing|chairs|convened|hosted|led)\b(?!\s+(?:over\s+)?by\b)"
    r"|\bin the chair\b",
    re.IGNORECASE,
)
#: How many words may stand between a cue and the name it introduces (titles: "provincial
#: party secretary and director of the standing committee").
_PRESIDE_WORDS = {"under": 4}
_PRESIDE_DEFAULT_WORDS = 8
#: Kinds of meeting a readout of the genre names; a summary may name only the gold's kinds.
MEETING_KINDS = ("standing committee", "executive meeting", "party group")


def _people(sentence: str) -> list[tuple[str, int, int]]:
    return [
        (m.group(1), m.start(), m.start() + len(m.group(1)))
        for m in _PERSON.finditer(sentence)
        if m.group(2).lower() in _SURNAMES
    ]


def presiders_named(summary: str) -> list[str]:
    """Who the summary says presided, within each sentence: the first person named after
    "presided over by", "chaired by", "led by", "convened by" (up to eight words on) or "under"
    (up to four); or the last named before "presided", "chaired", "presiding", "convened",
    "hosted", "led" or "in the chair". A person is a capitalised pair whose first word is a
    Chinese family name."""
    named = []
    for sentence in re.split(r"(?<=[.!?;])\s+", summary):
        people = _people(sentence)
        # A name in the possessive ("under Zheng Hanming's instructions") or after "by" of another
        # verb ("entrusted by Mayor Feng Yuchen") is not the one presiding.
        people = [p for p in people if not re.match(r"\s*['’]s\b", sentence[p[2] :])]
        for m in _PRESIDE_AFTER.finditer(sentence):
            limit = _PRESIDE_WORDS.get(m.group(0).lower(), _PRESIDE_DEFAULT_WORDS)
            after = [p for p in people if p[1] >= m.end() and len(sentence[m.end() : p[1]].split()) <= limit]
            if after:
                named.append(after[0][0])
        for m in _PRESIDE_BEFORE.finditer(sentence):
            before = [
                p for p in people if p[2] <= m.start() and not re.search(r"\bby\s+(?:\S+\s+){0,3}$", sentence[: p[1]])
            ]
            if before and not _PRESIDE_AFTER.search(sentence[before[-1][2] : m.start()]):
                named.append(before[-1][0])
    return named


@dataclass(frozen=True)
class SummaryFacts:
    """What the summary checks compare with: the gold's date, presider, and the texts that
    say what the meeting was (the source and the reference summaries and units)."""

    meeting_date: str
    presider_names: tuple[str, ...]
    source: str
    references: tuple[str, ...]
    _pairs: dict[str, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def reference_text(self) -> str:
        return " ".join(self.references)


#: How many content words after a number it is read with.
NUMBER_WINDOW = 2


def _number_pairs(text: str) -> list[tuple[str, str]]:
    """(number, each of the :data:`NUMBER_WINDOW` content words after it in its sentence):
    "two strategic cooperation agreements" -> (c2, strateg), (c2, cooper); "the Third
    Plenary Session" -> (o3, plenari). Ordinals and cardinals are kept apart ("the first year"
    is not "a three-year plan"); a year is read only with a name right after it ("the 2022
    Global ..."); dates are left out (they are checked as dates)."""
    for date in reversed(dates(text)):
        a, b = date.span
        text = text[:a] + " . " + text[b:]
    tokens = _number_tokens(text)
    pairs = []
    for i, (kind, value, _) in enumerate(tokens):
        if kind not in "oc":
            continue
        year = kind == "c" and len(value) == 4 and 1900 <= int(value) <= 2100
        window = 1 if year else NUMBER_WINDOW
        seen = 0
        for next_kind, word, capitalised in tokens[i + 1 :]:
            if next_kind != "w" or seen == window or (year and not capitalised):
                break
            if word in STOPWORDS or word in NEGATIONS:
                continue
            pairs.append((kind + value, word))
            seen += 1
    return pairs


def _reference_pairs(facts: SummaryFacts) -> dict[str, frozenset[str]]:
    if not facts._pairs:
        found: dict[str, set[str]] = {}
        for text in (_HEADER.sub("", facts.source), *facts.references):
            for value, word in _number_pairs(text):
                found.setdefault(value[0] + word, set()).add(value)  # ordinals and cardinals apart
        facts._pairs.update({w: frozenset(v) for w, v in found.items()})
    return facts._pairs


def summary_errors(summary: str, facts: SummaryFacts) -> list[str]:
    """The facts ``summary`` states wrongly, one reason each:

    * a date that is neither the meeting's day (with its year, when a year is given) nor a
      day the source names;
    * a number before a word that the source and the references only ever number otherwise
      ("Third Plenary Session" where they say "Second", "five requirements" for "four");
    * a presider other than the gold's (:func:`presiders_named`);
    * a kind of meeting (:data:`MEETING_KINDS`) the references do not name.
    """
    errors = []
    year, month, day = (int(x) for x in facts.meeting_date.split("-"))
    body_dates = {reading for date in dates(_HEADER.sub("", facts.source)) for reading in date.readings}
    for date in dates(summary):
        if (month, day) in date.readings:
            if date.year is not None and date.year != year:
                errors.append(f"date: the year {date.year} (the meeting was in {year})")
        elif not body_dates & set(date.readings):
            m, d = date.readings[0]
            errors.append(f"date: {d} {_MONTHS[m - 1].title()} (the meeting was on {day} {_MONTHS[month - 1].title()})")
    reference = _reference_pairs(facts)
    wrong_numbers = set()
    for value, word in dict.fromkeys(_number_pairs(summary)):
        known = reference.get(value[0] + word)
        if known and value not in known and value not in wrong_numbers:
            wrong_numbers.add(value)  # one error a number, however many words it stands before
            said = ", ".join(v[1:] for v in sorted(known))
            errors.append(f"number: {value[1:]} {word!r} (the source says {said})")
    gold = {re.sub(r"\W", "", n.lower()) for n in facts.presider_names}
    for name in dict.fromkeys(presiders_named(summary)):
        key = re.sub(r"\W", "", name.lower())
        if key not in gold and "".join(reversed(name.lower().split())) not in gold:
            gold_name = facts.presider_names[0] if facts.presider_names else "none: the readout names no presider"
            errors.append(f"presider: {name} (the gold presider is {gold_name})")
    said, known = (re.sub(r"[\s-]+", " ", t.lower()) for t in (summary, facts.reference_text))
    for kind in MEETING_KINDS:
        if kind in said and kind not in known:
            errors.append(f"meeting: a {kind} (not what the references say the meeting was)")
    return errors


@dataclass(frozen=True)
class SummaryVerdict:
    """A summary against the gold: the units it carries and the facts it states wrongly."""

    carried: tuple[bool, ...]
    errors: tuple[str, ...]
    score: float
    prose: bool = True


def judge_summary(
    summary: str, units: Sequence[str], facts: SummaryFacts | None, threshold: float = DEFAULT_UNIT_THRESHOLD
) -> SummaryVerdict:
    """``summary_unit_recall`` of a summary already cut to the word limit::

        score = #carried units / #units * 0.5 ** #facts stated wrongly   (0 when not in sentences)

    A keyword list (function words under :data:`MIN_FUNCTION_WORDS`) carries nothing; each
    fact stated wrongly (:func:`summary_errors`) halves the score, since a reader who trusts
    the summary is misled, which an omission does not do.
    """
    if not units:
        return SummaryVerdict((), (), 1.0)
    if summary.strip() and function_word_share(summary) < MIN_FUNCTION_WORDS:
        return SummaryVerdict((False,) * len(units), ("not written in sentences: a list of words",), 0.0, False)
    carried = tuple(carries_unit(summary, u, threshold).hit for u in units)
    errors = tuple(summary_errors(summary, facts)) if facts is not None and summary.strip() else ()
    return SummaryVerdict(carried, errors, summary_score(carried, errors))


def summary_score(carried: Sequence[bool], errors: Sequence[str]) -> float:
    """``(#carried / #units) * 0.5 ** #errors``: each fact stated wrongly halves the score."""
    return sum(carried) / len(carried) * 0.5 ** len(errors) if carried else 1.0
