"""The Porter stemmer, as ``rouge-score`` uses it: NLTK's ``PorterStemmer`` in its default
(``NLTK_EXTENSIONS``) mode, written here from the algorithm so that scoring does not import
NLTK (whose package initialisation alone takes most of a second).

M. F. Porter, "An algorithm for suffix stripping", Program 14(3), 1980, in five steps. A
word is read as ``[C](VC){m}[V]``, where C is a run of consonants and V a run of vowels;
``m``, the *measure*, gates most rules. A consonant is any letter but a, e, i, o, u, and but
a y that follows a consonant. Where NLTK departs from the paper, this follows NLTK:

* a few irregular forms are looked up first (``dying`` -> ``die``, ``skies`` -> ``sky``);
  words of at most two letters are left alone;
* step 1a turns a four-letter ``-ies`` into ``-ie`` (``dies`` -> ``die``), step 1b turns
  ``-ied`` into ``-ie`` in a four-letter word and into ``-i`` otherwise;
* step 1c turns a final y into i only after a consonant that is not the whole stem
  (``happy`` -> ``happi``, ``enjoy`` and ``by`` unchanged);
* step 2 has ``-bli`` -> ``-ble`` (not ``-abli``), ``-fulli`` -> ``-ful``, ``-logi`` ->
  ``-log`` (measured on the stem with its ``l``), and strips ``-alli`` to ``-al`` first and
  then runs step 2 again;
* the test *o ("ends consonant-vowel-consonant, the last not w, x or y") also holds for a
  two-letter stem vowel-consonant.

In every rule list the first suffix that matches decides: if its condition fails, the word
is left as it is, no later rule is tried. ``tests/test_porter.py`` checks :func:`stem`
against NLTK on a large vocabulary and on random strings.
"""

from __future__ import annotations

from collections.abc import Callable

_VOWELS = frozenset("aeiou")
_IRREGULAR = {
    "skies": "sky",
    "sky": "sky",
    "dying": "die",
    "lying": "lie",
    "tying": "tie",
    "news": "news",
    "innings": "inning",
    "inning": "inning",
    "outings": "outing",
    "outing": "outing",
    "cannings": "canning",
    "canning": "canning",
    "howe": "howe",
    "proceed": "proceed",
    "exceed": "exceed",
    "succeed": "succeed",
}


def _consonants(word: str) -> list[bool]:
    """For each letter, whether it is a consonant (a y is one after a vowel or at the start)."""
    flags: list[bool] = []
    for i, ch in enumerate(word):
        if ch in _VOWELS:
            flags.append(False)
        elif ch == "y":
            flags.append(i == 0 or not flags[i - 1])
        else:
            flags.append(True)
    return flags


def measure(stem: str) -> int:
    """``m`` in ``[C](VC){m}[V]``: how many vowel runs are followed by a consonant."""
    flags = _consonants(stem)
    return sum(1 for i in range(1, len(flags)) if flags[i] and not flags[i - 1])


def _has_vowel(stem: str) -> bool:
    return not all(_consonants(stem))


def _ends_double_consonant(word: str) -> bool:
    return len(word) >= 2 and word[-1] == word[-2] and _consonants(word)[-1]


def _ends_cvc(word: str) -> bool:
    """*o: ends consonant-vowel-consonant, the last not w, x or y; or is vowel-consonant."""
    flags = _consonants(word)
    if len(word) >= 3:
        return flags[-3] and not flags[-2] and flags[-1] and word[-1] not in "wxy"
    return len(word) == 2 and not flags[0] and flags[1]


Condition = Callable[[str], bool]
Rule = tuple[str, str, Condition]


def _m_positive(stem: str) -> bool:
    return measure(stem) > 0


def _m_above_one(stem: str) -> bool:
    return measure(stem) > 1


def _first_rule(word: str, rules: list[Rule]) -> str:
    """Apply the rule of the first matching suffix, if its condition holds."""
    for suffix, replacement, condition in rules:
        if word.endswith(suffix):
            stem = word[: len(word) - len(suffix)]
            return stem + replacement if condition(stem) else word
    return word


def _step1a(word: str) -> str:
    if word.endswith("ies") and len(word) == 4:
        return word[:-3] + "ie"
    for suffix, replacement in (("sses", "ss"), ("ies", "i"), ("ss", "ss"), ("s", "")):
        if word.endswith(suffix):
            return word[: len(word) - len(suffix)] + replacement
    return word


def _step1b(word: str) -> str:
    if word.endswith("ied"):
        return word[:-3] + ("ie" if len(word) == 4 else "i")
    if word.endswith("eed"):
        stem = word[:-3]
        return stem + "ee" if measure(stem) > 0 else word
    for suffix in ("ed", "ing"):
        if word.endswith(suffix) and _has_vowel(word[: -len(suffix)]):
            stem = word[: -len(suffix)]
            break
    else:
        return word
    # The tidying after -ed / -ing: restore an e, or undo a doubled consonant.
    if stem.endswith(("at", "bl", "iz")):
        return stem + "e"
    if _ends_double_consonant(stem):
        return stem[:-1] if stem[-1] not in "lsz" else stem
    if measure(stem) == 1 and _ends_cvc(stem):
        return stem + "e"
    return stem


def _step1c(word: str) -> str:
    if word.endswith("y"):
        stem = word[:-1]
        if len(stem) > 1 and _consonants(stem)[-1]:
            return stem + "i"
    return word


_STEP2: list[Rule] = [
    ("ational", "ate", _m_positive),
    ("tional", "tion", _m_positive),
    ("enci", "ence", _m_positive),
    ("anci", "ance", _m_positive),
    ("izer", "ize", _m_positive),
    ("bli", "ble", _m_positive),
    ("alli", "al", _m_positive),
    ("entli", "ent", _m_positive),
    ("eli", "e", _m_positive),
    ("ousli", "ous", _m_positive),
    ("ization", "ize", _m_positive),
    ("ation", "ate", _m_positive),
    ("ator", "ate", _m_positive),
    ("alism", "al", _m_positive),
    ("iveness", "ive", _m_positive),
    ("fulness", "ful", _m_positive),
    ("ousness", "ous", _m_positive),
    ("aliti", "al", _m_positive),
    ("iviti", "ive", _m_positive),
    ("biliti", "ble", _m_positive),
    ("fulli", "ful", _m_positive),
    ("logi", "log", lambda stem: measure(stem + "l") > 0),
]
_STEP3: list[Rule] = [
    ("icate", "ic", _m_positive),
    ("ative", "", _m_positive),
    ("alize", "al", _m_positive),
    ("iciti", "ic", _m_positive),
    ("ical", "ic", _m_positive),
    ("ful", "", _m_positive),
    ("ness", "", _m_positive),
]
_STEP4: list[Rule] = [
    *((suffix, "", _m_above_one) for suffix in ("al", "ance", "ence", "er", "ic", "able", "ible", "ant")),
    *((suffix, "", _m_above_one) for suffix in ("ement", "ment", "ent")),
    ("ion", "", lambda stem: measure(stem) > 1 and stem[-1] in "st"),
    *((suffix, "", _m_above_one) for suffix in ("ou", "ism", "ate", "iti", "ous", "ive", "ize")),
]


def _step2(word: str) -> str:
    if word.endswith("alli") and measure(word[:-4]) > 0:
        return _step2(word[:-4] + "al")
    return _first_rule(word, _STEP2)


def _step5a(word: str) -> str:
    if word.endswith("e"):
        stem = word[:-1]
        m = measure(stem)
        if m > 1 or (m == 1 and not _ends_cvc(stem)):
            return stem
    return word


def _step5b(word: str) -> str:
    if word.endswith("ll") and measure(word[:-1]) > 1:
        return word[:-1]
    return word


def stem(word: str) -> str:
    """The Porter stem of ``word`` (lower-cased first), as NLTK's default mode gives it."""
    word = word.lower()
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 2:
        return word
    for step in (_step1a, _step1b, _step1c, _step2):
        word = step(word)
    word = _first_rule(_first_rule(word, _STEP3), _STEP4)
    return _step5b(_step5a(word))
