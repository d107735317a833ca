"""Counted figures: "an amount of NOUN in a sentence about SUBJECT", as data.

A detector is a ``Detector`` holding ``Counted`` rules; its ``figures(article)``
does the rest (sentences, amounts, qualifiers, periods, subject checks)::

    TROOPS = Detector(
        Counted("dprk_troops_to_russia", noun=r"troops|soldiers", context=r"sent|deployed|Russia"),
        keywords=r"troop|soldier",
    )
    TROOPS.figures(article)  # -> [Figure(metric="dprk_troops_to_russia", value=11000, ...)]

How a rule decides, in order: the amount's noun (right after it, past
modifiers: "11,000 [North Korean] troops"), or a noun phrase right before it
("casualties ... reached 4,700"), or, for "another 3,000" with no noun, the
noun of an earlier amount of the same rule in the sentence; then the sentence
must name the subject (``subject``, North Korea by default; the sentence before
counts when this one names no other country), say the ``context``, and not
match a ``veto``; and with ``actor`` the last country acting before the amount
must not be another one ("Russia has 600,000 troops").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from ..records import Article, Figure, Qualifier
from . import keywords as keywords_index
from .casing import INLINE_FLAGS, Ending, Quick, ending, lowered, quick
from .numbers import Quantity, find_quantities, has_number
from .periods import find_period
from .sentences import Sentence, split_sentences
from .subjects import MODIFIER, acting_country, is_foreign_owned, names_other_country
from .words import NORTH_KOREA

__all__ = ["Counted", "Detector"]

_FLAGS = re.IGNORECASE
#: after an amount with no noun of its own: punctuation, the end, or a word that starts no noun phrase
_NO_NOUN_AFTER = re.compile(
    r"(?:\s*[,.;:)—–]|[\"”’](?=\s)|\s*$|\s+-\s|\s+(?:in|by|as|and|or|since|during|from|to|at|on|for|according|this|last|"
    r"so|including|with|among|were|are|have|has|had|was|is|will|would|more|men|people|personnel|"
    r"individuals|strong|this|that|through|until|over|between|across|under|per|a|each|annually|followed|came|"
    r"arrived|joined|went|later|soon|then|early|late|sent|deployed|dispatched|shipped|delivered|transferred|"
    r"supplied|total|incl|so\s+far|to\s+date|combined|overall|altogether|who|whom|which|confirmed|reported|"
    r"estimated|launched|persons|arriving|arrive|arrives|coming|following|cited|quoted|given|claimed|"
    r"mentioned|previously|earlier|recorded|counted|the|while|whereas|but|although|though|after|when|because|respectively|"
    # "no fewer than 200 units", "500,000 bbl": a unit, the noun named before
    r"units?|bbls?|pieces|guys|of\s+(?:those|them|these|whom))\b|"
    r"\s+[^\w\s])",
    _FLAGS,
)
#: "14,000 — North Korean troops sent to Russia": an amount opening a line, then a dash or colon and its label
_LABEL_AFTER = re.compile(r"\s*(?:—|–|:|-{1,2})(?=\s)")
_OPENS_LINE = re.compile(r"[\W_]*")
#: "the figure stood at", "that total had passed", "the agency's estimate had grown to": the amount
#: stands for the count just named
_ANAPHOR = (
    r"\b(?:the|this|that|its|their|a|the\s+latest)\s+(?:[\w'’-]+\s+){0,2}?"
    r"(?:figure|number|total|tally|count|estimate)\b[^.;]{0,90}?"
    r"\b(?:at|to|of|was|is|are|were|reached|now|hit|had|has|have|stood|stands|remains?|remained)"
)
_ANAPHOR_HINT = re.compile(
    r"\b(?:the|this|that|its|their)\s+(?:[\w'’-]+\s+){0,2}?(?:figure|number|total|tally|count|estimate)\b", _FLAGS
)
#: "total" as an adjective before a noun of its own, not a noun standing for a count named before
_TOTAL_OF_A_NOUN = re.compile(
    r"\b(?:total|overall|combined)\s+(?!(?:of|at|to|was|is|are|were|stood|stands|had|has|have|reached|now|remains?|"
    r"remained|could|would|may|might|will|rose|fell|climbed|grew|for|from|in|by|on|had|so|since)\b)[A-Za-z]",
    _FLAGS,
)
#: an anaphor opening the sentence, for a noun named only in the sentence before
_ANAPHOR_ONLY = ending(re.compile(rf"{_ANAPHOR}\s*$", _FLAGS))
#: "120 units of 170mm guns", "200 pieces of artillery": the noun is the one after "of"
_CLASSIFIER = re.compile(r"[\s-]+(?:units?|pieces?|sets?|items?|pcs\.?)\s+of(?=\s)", _FLAGS)
#: "2,000 — estimated number of North Korean soldiers killed": the label names the noun after "number of"
_NUMBER_OF = re.compile(
    r"\s*(?:the\s+)?(?:(?P<about>estimated|approximate|approx\.|rough)\s+|total\s+|reported\s+|confirmed\s+)?"
    r"(?:number|count|total|tally)\s+of(?=\s)",
    _FLAGS,
)
#: a noun-less amount that restates a figure of the same metric named just before:
#: "the figure stood at 20,000", "bringing the number ... to at least three", "including the 11,000 who"
_SAME_FIGURE = re.compile(
    rf"(?:{_ANAPHOR}"
    r"|\b(?:including|incl\.?|of\s+(?:those|them|whom|which|these))[\s,]+(?:the\s+|some\s+)?"
    # "up from the 9 million cited in May", "compared with the 4,700 reported by the team"
    r"|\b(?:up|down|rising|risen|rose|increased?|jumped|climbed|fallen|fell|dropped)\s+from\s+"
    r"(?:the\s+|its\s+|their\s+|an?\s+(?:earlier|previous|initial|prior)\s+(?:estimate\s+of\s+|figure\s+of\s+)?)?"
    r"|\bcompared\s+(?:with|to)\s+(?:the\s+)?|\b(?:versus|vs\.?)\s+(?:the\s+)?"
    # "and ... points to a cumulative 28,000"
    r"|\b(?:a|the)\s+cumulative\s+"
    # "upwards of 100 ballistic missiles, and by some Ukrainian estimates as many as 250"
    r"|\b(?:and|or|but)\s+by\s+(?:[\w'’-]+\s+){0,3}?(?:estimates?|counts?|accounts?)\s+"
    # "Seoul puts the number at 11,000, while Kyiv says it could be as high as 12,000"
    r"|\b(?:it|that)\s+(?:(?:could|may|might|would|will)\s+(?:now\s+)?be|is|was|(?:now\s+)?stands\s+at|stood\s+at)\s+)\s*$",
    _FLAGS,
)
#: a qualifier that is a verb links a noun phrase to its amount as "reached" does: "casualties in
#: Russia passed 5,000", "the number sent has topped 14,000"
_VERB_QUALIFIER = re.compile(
    r"(?:passed|passing|topped|topping|tops?|exceeded|exceeding|exceeds?|surpassed|surpassing|surpass(?:es)?|"
    r"neared|nearing|approached|approaching)\s",
    _FLAGS,
)
#: a qualifier phrase that opens with a verb "to be": "was believed to be", "is thought to number"
_COPULA = re.compile(r"(?:is|are|was|were)\b(?=\s+(?:[\w-]+\s+){0,2}?(?:thought|believed|estimated|assessed)\b)\s*", _FLAGS)
#: a Q&A heading: a short line that asks how many ("Q: Let's start there. How many troops ...?")
_QUESTION = re.compile(
    r"^\W*(?:Q\s*[:.]\s*)?(?:[^?\n]{0,80}?[.!]\s+)?(?:how\s+many|how\s+much|what|which|who|why|is|are|has|have|did|does|do)\b"
    r"[^\n]{0,150}\?\s*$",
    _FLAGS,
)


def _asks(line: str) -> bool:
    """Whether ``line`` is a question heading (``_QUESTION``); most lines hold no "?" and need no pattern."""
    return "?" in line and _QUESTION.match(line) is not None


_HOW_MANY = re.compile(r"\bhow\s+(?:many|much)\b", _FLAGS)
#: a sentence opening with a pronoun or a stand-in for the subject of the one before
_PRONOUN_OPENING = re.compile(r"^\W*(?:It|Its|They|Their|The\s+regime|The\s+country)\b")
#: a list item opening with its own label: "- Troops: ...", "* MISSILES — ..."
_LABEL_OPENING = re.compile(r"^\s*\W*\s*[\w][\w\s'’/&-]{0,30}?(?::|\s[—–]\s)")
#: "of" and up to two words right before a noun: "containers of munitions", "the number of workers"
_OF_BEFORE = re.compile(r"\bof\s+(?:[\w'’-]+\s+){0,2}$")
#: "the number of", "the total of": the noun after it is the one counted
_COUNT_OF = re.compile(r"\b(?:number|total|count|tally|figure|estimate)\s+of\s+(?:(?!of\b)[\w'’-]+\s+){0,2}$", _FLAGS)
#: a verb right after a noun: what the sentence says of that noun ("soldiers had been killed")
_VERB_AFTER = re.compile(r"\s+(?:were|was|had|have|has|been|are|is)\b", _FLAGS)
#: "thousands of laborers", "hundreds of soldiers": a vague amount, whose noun heads the phrase
_VAGUE_OF = re.compile(r"\b(?:thousands|hundreds|dozens|scores|tens\s+of\s+thousands|millions)\s+of\s+(?:[\w'’-]+\s+){0,2}$", _FLAGS)
#: an anaphor that names its own noun: "the number of North Korean workers sent ... at"
_COUNT_OF_ANY = re.compile(r"\b(?:the|its|their|this|that)\s+(?:[\w'’-]+\s+){0,2}?(?:number|total|count|tally)\s+of\s+\w", _FLAGS)
#: a line of a list: a bullet, a dash or an arrow before its text
_LIST_ITEM = re.compile(r"^\s*(?:[-*•·▪▫◾◽■□●○◦‣➤►▶➡→✅✔🔹🔸🔷🔶📌]|[—–](?=\s)|\d{1,2}[.)]\s)")


#: "in total", "in all", "altogether" right after a noun: a sum of what the sentence listed
_IN_TOTAL = re.compile(r"\s+(?:in\s+total|in\s+all|altogether|combined)\b", _FLAGS)
#: "such", "these", "those", "of the" between an amount and its noun: a kind named before
_DEMONSTRATIVE = re.compile(r"\b(?:such|these|those)\b|\bof\s+the\b", _FLAGS)

#: after an amount whose kind the paragraph names before: "120 of these systems", "150 such
#: missiles", "two of the systems"
_OF_THESE = r"\s+(?:of\s+)?(?:these|those|such|of\s+the)\s"
#: such an amount, in two parts each led by what it starts with: a digit (for lowercased text; its
#: token read possessively, as it never gives back what the space after it needs), or a number
#: word by its letter (``casing.quick``)
_POINTS_BACK_DIGITS = re.compile(rf"\d\S*+{_OF_THESE}")
_POINTS_BACK_WORDS = quick(re.compile(rf"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve){_OF_THESE}", _FLAGS))
#: found in the keyword automaton's pass over a line (``keywords.named``), where its number words are
_POINTS_BACK_WORDS_BIT = keywords_index.register(_POINTS_BACK_WORDS)
_ANAPHOR_HINT_QUICK = quick(_ANAPHOR_HINT)
_SAME_FIGURE_QUICK = quick(_SAME_FIGURE)
_NO_NOUN_AFTER_QUICK = quick(_NO_NOUN_AFTER)

#: "Russia obtained 9 million shells from North Korea": the amount is North Korea's after all
_FROM_NORTH_KOREA_QUICK = quick(re.compile(rf"\b(?:from|by)\s+(?:{NORTH_KOREA.pattern})"))
_NORTH_KOREA_QUICK = quick(NORTH_KOREA)


def _compiled(pattern: str | tuple[str, ...] | None) -> Quick | re.Pattern[str] | _AllOf | None:
    """A rule's pattern, case-insensitive: run lowercase on the lowercased text where it can be, each
    alternative opened with its letter, which the search skips to (``casing.quick``)."""
    if isinstance(pattern, tuple):
        return _AllOf(tuple(_compiled(p) for p in pattern))
    if not pattern:
        return None
    compiled = re.compile(pattern, _FLAGS)
    if INLINE_FLAGS.search(pattern):
        return compiled
    return quick(compiled)


@dataclass(frozen=True, slots=True)
class _AllOf:
    """Several patterns that must all be found in the same text, in any order.

    ``("Russia", "work")`` says what ``Russia[\\s\\S]*work|work[\\s\\S]*Russia`` says, without the
    regex engine trying every way to stretch ``[\\s\\S]*`` across a long text.
    """

    patterns: tuple[Quick | re.Pattern[str], ...]

    def search(self, text: str) -> bool:
        return all(pattern.search(text) for pattern in self.patterns)


def _noun_after(noun: str, max_modifiers: int) -> re.Pattern[str]:
    """``noun`` right after an amount, up to ``max_modifiers`` modifiers between (group ``mods``)."""
    return re.compile(
        # "2,000 of its soldiers": a possessive's own people or goods
        # "roughly 250" North Korean missiles: a quote closing right after the amount
        rf"[\"”’]?"
        # "120 of these systems": a demonstrative, like a possessive, points at the noun
        rf"(?:\s+of\s+(?:its|their|his|these|those|such)(?:\s+own)?(?=\s)"
        # "around 1,000 of the deminers", not "one of the longest-ranged guns"
        rf"|(?<![Oo]ne)\s+of\s+the(?=\s)"
        # "1,100 of Kim Jong Un's young soldiers", "2,000 of Pyongyang's troops"
        rf"|\s+of\s+(?:[A-Z][\w.-]*\s+){{0,2}}[A-Z][\w.-]*(?:'s|’s)(?=\s))?"
        rf"(?P<mods>(?:[\s-]+{MODIFIER}){{0,{max_modifiers}}}?)[\s-]+(?:of\s+)?"
        rf"(?P<noun>(?i:{noun}))\b"
    )


def _noun_word(noun: str) -> Quick:
    """``noun`` alone, anywhere (made fast): where it does not come after an amount, no noun
    phrase of it (``_noun_after``) follows the amount."""
    return quick(re.compile(rf"(?:{noun})\b", re.IGNORECASE))


@dataclass(frozen=True, slots=True)
class Counted:
    """One way a metric is reported: an amount of ``noun`` in a sentence about ``subject``.

    ``noun``: the counted noun after the amount ("troops|soldiers"), modifiers
    between them skipped. ``before``: a noun phrase ending right before the amount
    ("casualties\\b.{0,80}\\b(?:reached|at)"); ``left``: the clause before the amount must match this
    ("killed"). ``modifiers``/``not_modifiers``: the words from the amount to the noun must
    (not) match ("Pantsir"; "anti-tank"). ``after``: must follow the noun
    ("(?:were\\s+)?killed"); ``not_after``: must not. ``context``: the sentence
    must also match this (a tuple: match each of these patterns); ``veto``: the sentence must not; ``veto_left``: the
    clause before the amount must not; ``veto_before``: the sentence before the amount must not. ``subject``: who the sentence must be
    about (North Korea); the sentence before may name it when this one names no other country,
    or always with ``subject_nearby``. ``actor``: refuse amounts whose acting country is another.
    ``requires``: patterns that must each be found in the sentence or the one before (and the
    headline), e.g. the goods and the country that sends them. ``near_context``: the ``context``
    must be in the sentence or the one before, not only in the headline (for generic nouns: "people").
    """

    metric: str
    noun: str | None = None
    before: str | None = None
    after: str | None = None
    not_after: str | None = None
    context: str | tuple[str, ...] | None = None
    veto: str | None = None
    veto_left: str | None = None
    veto_before: str | None = None
    left: str | None = None
    modifiers: str | None = None
    not_modifiers: str | None = None
    subject: re.Pattern[str] | None = NORTH_KOREA
    actor: bool = True
    subject_nearby: bool = False
    near_context: bool = False
    requires: tuple[str, ...] = ()
    min_value: float = 1
    max_value: float = math.inf
    max_modifiers: int = 4
    _noun: re.Pattern[str] | None = field(init=False, repr=False, compare=False, default=None)
    _before: Ending | Quick | re.Pattern[str] | None = field(init=False, repr=False, compare=False, default=None)
    _compiled: dict = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_noun", _noun_after(self.noun, self.max_modifiers) if self.noun else None)
        if self.before:
            # a noun phrase ending at the amount: looked for only where the words before it end as the
            # phrase can (``casing.ending``), else where a word of it opens (``casing.quick``)
            before = ending(re.compile(rf"(?:{self.before})\s*$", _FLAGS))
            object.__setattr__(self, "_before", before if before.endings else _compiled(rf"(?:{self.before})\s*$"))
        for name in ("after", "not_after", "context", "veto", "veto_left", "veto_before", "left", "modifiers", "not_modifiers"):
            self._compiled[name] = _compiled(getattr(self, name))
        self._compiled["requires"] = tuple(_compiled(p) for p in self.requires)
        self._compiled["noun_word"] = _compiled(rf"\b(?:{self.noun})\b") if self.noun else None
        self._compiled["subject"] = quick(self.subject) if self.subject is not None else None

    def _paragraph_about_others(self, paragraph: str) -> bool:
        """Whether ``paragraph`` (the sentences before this one), never naming the subject, is about others.

        "At least 10 Ukrainians were killed by Russian strikes ... Two people were killed and 17
        injured in the Odesa strike": a North Korean headline or paragraph before lends no subject
        to a paragraph that has named what the rule refuses (civilians, Ukrainians) or, where the
        subject must act, another country acting.
        """
        if not paragraph or self.subject is None or self._compiled["subject"].search(paragraph):
            return False
        if self._compiled["veto"] and self._compiled["veto"].search(paragraph):
            return True
        return not self.subject_nearby and any(
            names_other_country(sentence.text) for sentence in split_sentences(paragraph)
        )

    def noun_after(self, sentence: str, quantity: Quantity) -> re.Match[str] | None:
        """The counted noun right after ``quantity``, with the modifiers before it."""
        return self.noun_after_position(sentence, quantity.end)

    def noun_after_position(self, sentence: str, position: int) -> re.Match[str] | None:
        """The counted noun at ``position``, with the modifiers before it.

        After a classifier ("120 units of 170mm guns") the noun is the one after "of".
        """
        if self._noun is None:
            return None
        classifier = _CLASSIFIER.match(sentence, position)
        return self._noun.match(sentence, classifier.end() if classifier else position)

    def noun_position(self, sentence: str, *, last: bool = False) -> int | None:
        """Where this rule's noun is first (``last``: last) named in ``sentence`` as the head of its phrase, or None.

        "containers of munitions" names containers, not munitions, but "the number of
        workers" counts workers; "Russian forces" names another country's, which no rule counts.
        """
        pattern = self._compiled["noun_word"]
        if pattern is None:
            return None
        found = None
        for match in pattern.finditer(sentence):
            before = sentence[: match.start()]
            if _OF_BEFORE.search(before) and not _COUNT_OF.search(before) \
                    and not _VAGUE_OF.search(before):
                continue
            # "2,000 soldiers had been killed ... up from its estimate of 600": a count this rule refuses
            not_after = self._compiled["not_after"]
            if not_after is not None and _VERB_AFTER.match(sentence, match.end()) and not_after.match(sentence, match.end()):
                continue
            if is_foreign_owned(" ".join(before.split()[-3:])):
                continue
            found = match.start()
            if not last:
                break
        return found

    def noun_before(self, sentence: str, quantity: Quantity, around: _Around | None = None) -> bool:
        """Whether a noun phrase of this rule ends right before ``quantity`` ("a force of 12,000");
        ``around``: the words around it (``_around``), where the caller has them."""
        around = around or _around(sentence, quantity.start, quantity.number_start, quantity.end)
        if self._before is None or not around.no_noun:
            return False
        found = self._before.search(around.left)
        # "a ceremony honouring the dead, and that his daughter, believed to be about 12": a clause
        # of its own between the noun and the amount
        return found is not None and not _NEW_CLAUSE.search(found.group())

    def accepts(
        self, sentence: str, previous: str, quantity: Quantity, modifiers: str, tail: int, *, labelled: bool = False,
        paragraph: str = "", named: str = "",
    ) -> bool:
        """Whether the sentence is about this rule's subject, around ``quantity``.

        ``labelled``: the amount's noun phrase ends right before it ("the number of dead at
        600"), so the clause before starts after any amount before it. ``paragraph``: the sentences
        of its paragraph before this one, which must not be about others for it to borrow the subject.
        """
        if not self.min_value <= quantity.value <= self.max_value:
            return False
        phrase = sentence[quantity.end:tail]
        if self._compiled["modifiers"] and not self._compiled["modifiers"].search(phrase):
            # "150 such missiles", "120 of these systems": the kind is named in the text before;
            # "120 Koksan guns and 120 launchers, or some 240 systems in total": in its sentence
            before = previous.split("\n", 1)[0]
            pointed = _DEMONSTRATIVE.search(phrase) and self._compiled["modifiers"].search(previous) and not (
                # "Pantsir launchers ... two of the systems": the kind named before is one this rule refuses
                self._compiled["not_modifiers"] and self._compiled["not_modifiers"].search(before)
            )
            # an anaphor's amount ("bringing the number of the ... systems to two"): the text that
            # names its noun (``named``) says what kind it is
            if not pointed and not (
                _IN_TOTAL.match(sentence, tail) and self._compiled["modifiers"].search(sentence, 0, quantity.start)
            ) and not (named and self._compiled["modifiers"].search(named)):
                return False
        if self._compiled["not_modifiers"] and self._compiled["not_modifiers"].search(phrase):
            return False
        clause = _clause_before(sentence, quantity.start)
        if labelled:
            clause = _since_last_amount(sentence, clause, quantity)
        # the qualifier's words may say what the amount is: "the maximum of 500,000 barrels"
        # (the same text as the clause where the amount has no qualifier's words, read once)
        qualified = f"{clause}{sentence[quantity.start:quantity.number_start]}" if quantity.start < quantity.number_start else ""
        if self._compiled["left"] and not (
            self._compiled["left"].search(clause) or qualified and self._compiled["left"].search(qualified)
        ):
            return False
        after, not_after = self._compiled["after"], self._compiled["not_after"]
        if after and not after.match(sentence, tail):
            return False
        if not_after and not_after.match(sentence, tail):
            return False
        context = self._compiled["context"]
        # a generic noun ("15,000 people", "12,000 employees") needs its context close by: in the
        # sentence or the one before, not only in the headline of a page about something else
        near = previous.split("\n", 1)[0] if self.near_context else previous
        if context and not context.search(sentence) and not context.search(near):
            return False
        if any(not p.search(sentence) and not p.search(previous) for p in self._compiled["requires"]):
            return False
        if self._compiled["veto"] and self._compiled["veto"].search(sentence):
            return False
        veto_left = self._compiled["veto_left"]
        if veto_left and (veto_left.search(clause) or qualified and veto_left.search(qualified)):
            return False
        veto_before = self._compiled["veto_before"]
        if veto_before and veto_before.search(sentence, max(0, quantity.start - _REACH), quantity.start):
            return False
        # "11,000 Russian troops" are another country's; for a subject other than North Korea
        # ("11 Western-aligned states" of the team) the words name no owner
        if self.subject is NORTH_KOREA and is_foreign_owned(modifiers):
            return False
        subject = self._compiled["subject"]
        if subject is not None and not subject.search(sentence) and not subject.search(modifiers):
            # another country named after the amount's clause ("... — as many as Russia's own
            # industry makes") does not make the amount that country's
            own = sentence[: _clause_end(sentence, tail)]
            if (not self.subject_nearby and names_other_country(own)) or not subject.search(previous):
                return False
            if self._paragraph_about_others(paragraph):
                return False
        if self.actor and not _NORTH_KOREA_QUICK.search(modifiers):
            actor = acting_country(sentence[max(0, quantity.start - _REACH): quantity.start])
            if actor == "first_person" and _NORTH_KOREA_QUICK.search(sentence):
                actor = None  # North Korea's own speaker: "We have sent 900 troops, its minister said"
            if actor in ("foreign", "first_person") and not _FROM_NORTH_KOREA_QUICK.search(
                sentence, quantity.end
            ):
                return False
        return True


@dataclass(frozen=True, slots=True)
class Detector:
    """A plugin's rules and the cheap test that skips paragraphs none of them could match."""

    rules: tuple[Counted, ...]
    keywords: re.Pattern[str]
    _quick_keywords: Quick  # ``keywords`` made fast (``casing.quick``): lowercase, each word opened with its letter
    _keyword_bit: int  # its bit in ``keywords.named``, which reads a text for every detector's keywords at once
    _subjects: tuple[re.Pattern[str] | None, ...]
    _subject_bits: tuple[int, ...]  # each subject's bit in ``keywords.named_in_article`` (of ``_hint``; 0 for None)
    _nouns: tuple[re.Pattern[str], ...]  # the rules' noun patterns, each once
    _noun_of_rule: tuple[int | None, ...]  # each rule's place in ``_nouns``
    _any_noun: re.Pattern[str] | None  # matches wherever one of ``_nouns`` does, and maybe elsewhere
    _noun_words: tuple[Quick, ...]  # each of ``_nouns``' noun alone (``_noun_word``)
    _rules_and_nouns: tuple[tuple[Counted, int | None], ...]  # each rule with its place in ``_nouns``
    _rules_before: tuple[tuple[Counted, int | None], ...]  # those of them that read a noun phrase before the amount

    def __init__(self, *rules: Counted, keywords: str) -> None:
        object.__setattr__(self, "rules", rules)
        object.__setattr__(self, "keywords", re.compile(keywords, _FLAGS))
        object.__setattr__(self, "_quick_keywords", quick(self.keywords))
        object.__setattr__(self, "_keyword_bit", keywords_index.register(self._quick_keywords))
        object.__setattr__(self, "_subjects", tuple({rule.subject for rule in rules}))
        # whether an article names a subject is read in the same pass as the keywords
        object.__setattr__(self, "_subject_bits", tuple(
            0 if subject is None else _subject_bit(subject) for subject in self._subjects
        ))
        # rules that differ in what else they ask often count the same noun ("troops|soldiers|..."):
        # it is looked for once per amount
        nouns = {rule._noun.pattern: rule._noun for rule in reversed(rules) if rule._noun is not None}
        places = {pattern: place for place, pattern in enumerate(nouns)}
        object.__setattr__(self, "_nouns", tuple(nouns.values()))
        # most amounts are followed by no noun of this detector: one pattern of all its nouns says so at once
        counted = [rule for rule in rules if rule.noun]
        object.__setattr__(self, "_any_noun", _noun_after(
            "|".join(dict.fromkeys(f"(?:{rule.noun})" for rule in counted)), max(rule.max_modifiers for rule in counted)
        ) if len(nouns) > 1 else None)
        object.__setattr__(self, "_noun_of_rule", tuple(
            places[rule._noun.pattern] if rule._noun is not None else None for rule in rules
        ))
        # a noun after modifiers is matched only where the noun itself comes later in the sentence:
        # a match that fails tries every way of reading the words after the amount as modifiers
        words = {rule._noun.pattern: rule.noun for rule in counted}
        object.__setattr__(self, "_noun_words", tuple(_noun_word(words[pattern]) for pattern in nouns))
        object.__setattr__(self, "_rules_and_nouns", tuple(zip(rules, self._noun_of_rule)))
        object.__setattr__(self, "_rules_before", tuple(pair for pair in self._rules_and_nouns if pair[0]._before is not None))

    def _noun_at(self, place: int, text: str, at: int) -> re.Match[str] | None:
        """The noun phrase ``_nouns[place]`` at ``at``, matched only where its noun comes later in ``text``."""
        if self._noun_words[place].search(text, at) is None:
            return None
        return self._nouns[place].match(text, at)

    def _has_keyword(self, text: str) -> bool:
        """Whether ``text`` names one of the keywords (as ``keywords.search``): read once for every detector."""
        return keywords_index.named(text) & self._keyword_bit != 0

    def figures(self, article: Article) -> list[Figure]:
        """Every figure the rules find in the article's text, then in its title."""
        text = _whole_text(article.title, article.text)
        # no figure without the subject and a keyword somewhere in the text (a table row or a line
        # without its footnote may name a keyword its text does not, but its figures would not
        # count): most articles are about other things, and most about North Korea's arms name
        # no fuel, workers or Pantsir
        in_article = keywords_index.named_in_article(text)
        if not self._names_subject(in_article) or not in_article & self._keyword_bit:
            return []
        figures: list[Figure] = []
        # an article that names the subject (and Russia) again and again is about it throughout: a
        # briefing transcript's "On missiles, the assessment was more than 200" needs no fresh
        # "North Korea" or "to Russia"
        headline = _headline(article.title, article.text, (*self._subject_bits, _RUSSIA_BIT))
        previous, earlier = "", {}
        lead = ""  # a list's items share the subject of the line that opens the list, and of each other
        question = ""  # a Q&A heading ("How many troops are in Russia?") names what its answer counts
        chain = ""  # "It has also sent manpower.": the sentence a pronoun opening the one before refers to
        was_item = False
        opening_names_keyword = None  # whether the opening names a keyword, worked out when first needed
        for line, is_item, number, opens_with_pronoun, asks, named in _lines(text):
            lead = f"{lead}\n{line}"[-1000:] if is_item else line
            # a line that names none of the nouns may still go on from the figures of the line
            # before ("- Of those, 11,000 were sent in 2024") or count, as "that figure", a noun
            # the line before names
            going_on = bool(earlier) and number
            worth_reading = number and named & self._keyword_bit != 0
            # "as many as three of the systems had been delivered": the kind named in the opening
            if number and not worth_reading and opening_names_keyword is None:
                opening_names_keyword = self._has_keyword(headline)
            points_back = number and not worth_reading and opening_names_keyword and _points_back(line)
            # a line with a number may count, as "that figure" or "the total", a noun the line before names
            if not worth_reading and not going_on and not points_back and not (
                    number and _names_a_count(line) and self._has_keyword(previous)):
                chain = previous if opens_with_pronoun else ""
                previous, earlier = line, {}  # a skipped paragraph still gives the next its subject
                question = line.strip() if asks else question
                was_item = is_item
                continue
            if not worth_reading and not (is_item and was_item and not _LABEL_OPENING.match(line)):
                # but it carries no earlier figure's noun over: "Troops: 11K sent, then 3K more"
                # after a line about missiles is no more missiles; an unlabelled item that goes on
                # with its list ("- Pyongyang would send 6,000 more") does
                earlier = {}
            was_item = is_item
            paragraph = lead if is_item else ""
            sentences = split_sentences(line)
            for sentence in sentences:
                found: list[Figure] = []
                # a sentence after one with figures may add to them without naming the noun again;
                # a line without a keyword has no sentence with one, and a line of one sentence is it
                if has_number(sentence.text) and (
                    earlier or going_on
                    or (worth_reading and (len(sentences) == 1 or self._has_keyword(sentence.text)))
                    # "that figure", "the total": a noun the sentence before or the question names
                    or _names_a_count(sentence.text) and (self._has_keyword(previous) or self._has_keyword(question))
                    or ((worth_reading or points_back) and _points_back(sentence.text))
                ):
                    context = f"{previous}\n{chain}\n{paragraph}\n{question}\n{headline}"
                    found = self.sentence_figures(sentence, context, earlier, paragraph=paragraph)
                figures.extend(found)
                chain = previous if _PRONOUN_OPENING.match(sentence.text) and not names_other_country(sentence.text) else ""
                previous, earlier = sentence.text, {f.metric: f for f in found} if found else {}
                # the earlier sentences of a paragraph keep its subject: "the regime", "them"
                paragraph = f"{paragraph}\n{sentence.text}"[-1500:]
            if asks:
                question = line.strip()
        return figures

    def sentence_figures(
        self, sentence: Sentence, previous: str = "", earlier: dict[str, Figure] | None = None, *, paragraph: str = ""
    ) -> list[Figure]:
        """The figures of one sentence.

        ``previous``: the sentence before (and the headline), which may name the
        subject; ``earlier``: the figures of the sentence before, which "A further
        3,000 followed" adds to; ``paragraph``: the sentences of its paragraph before it (see ``Counted.accepts``).
        """
        text = sentence.text
        found: list[Figure] = []
        matched: dict[str, object] = dict(earlier or {})
        here: dict[str, object] = {}  # the metrics found in this sentence
        # an amount of this sentence with a noun no rule here took ("more than 11,000 soldiers" to a
        # munitions detector): after it, a noun-less amount goes on with that noun, not with a figure
        # of the sentence before
        other_noun = False
        for quantity in find_quantities(text):
            # a rule that names the noun wins over one that carries an earlier figure's noun over,
            # and a noun right after the amount over a noun phrase before it ("... killed or wounded
            # in Kursk, and a commander spoke of close to 1,000 North Korean dead")
            figure = fallback = None
            around = _around(text, quantity.start, quantity.number_start, quantity.end)
            # each rule's noun right after the amount (``Counted.noun_after``), each distinct noun
            # looked for when a rule first asks for it
            maybe_noun = self._any_noun is None or self._any_noun.match(text, around.noun_at) is not None
            found_nouns: list[object] = [_UNREAD if maybe_noun else None] * len(self._nouns)
            # with no noun after the amount and no label, only a noun phrase right before it can
            # make a figure: the rules that read one are the only ones to ask
            asked = self._rules_and_nouns if maybe_noun or around.label_at is not None else (
                self._rules_before if around.no_noun else ())
            for rule, place in asked:
                noun = None if place is None else found_nouns[place]
                if noun is _UNREAD:
                    noun = found_nouns[place] = self._noun_at(place, text, around.noun_at)
                if noun is None and (fallback is not None or around.label_at is None and (
                        rule._before is None or not around.no_noun)):
                    # no noun after the amount, none before it and no label: nothing to read; or a
                    # figure without a noun after the amount is found already, and only a rule's
                    # noun after it could take the amount from that one
                    continue
                candidate = self._figure(rule, text, previous, quantity, False, paragraph, noun, around)
                if candidate is None:
                    continue
                if noun is not None:
                    figure = candidate
                    break
                fallback = fallback or candidate
            figure = figure or fallback
            # "... 4,000 casualties ... and an additional 1,000 to 1,500 personnel arrived": an amount
            # with a noun of its own ("personnel", which a rule here knows, though none took the
            # amount) carries no earlier noun over
            carried_from = here if other_noun else matched
            if figure is None and carried_from and not any(
                self._noun_at(place, text, around.noun_at) if noun is _UNREAD else noun
                for place, noun in enumerate(found_nouns)
            ):
                figure = next(
                    (f for rule in self.rules
                     if rule.metric in carried_from and (f := self._figure(rule, text, previous, quantity, True, paragraph, None, around))),
                    None,
                )
            if figure is None:
                figure = self._anaphor_figure(text, previous, quantity, paragraph)
            if figure is not None:
                found.append(figure)
                matched[figure.metric] = here[figure.metric] = quantity
            elif not around.no_noun:
                other_noun = True
        return found

    def _anaphor_figure(self, text: str, previous: str, quantity: Quantity, paragraph: str = "") -> Figure | None:
        """"By its count, that total had passed 24,000": the noun named in the sentence before.

        Only a noun-less amount right after "the/that figure, number, total ..." qualifies; the
        rule whose noun heads a phrase first in the sentence before is tried first.
        """
        opening = quantity.start - 1 if text[quantity.start - 1: quantity.start] in ('"', "“") else quantity.start
        anaphor = _ANAPHOR_ONLY.search(text, max(0, opening - 130), opening)  # mostly turned away by its endings
        if anaphor is not None and not _NO_NOUN_AFTER_QUICK.match(text, quantity.end):
            anaphor = None
        # "the total North Korean troop deployment at about 15,000": "total" qualifies a noun of its own
        if anaphor is None or _TOTAL_OF_A_NOUN.search(anaphor.group()):
            return None
        # the sentence itself may name the noun before the anaphor ("the number of workers sent
        # last year at 15,000; the agency's figure is 10,000"): the nearest such noun counts,
        # and then no noun of the sentence before
        own = text[: quantity.start]
        named_here = sorted(
            (-position, index, rule) for index, rule in enumerate(self.rules)
            if (position := rule.noun_position(own, last=True)) is not None
        )
        if named_here:
            rule = named_here[0][2]
            accepted = rule.accepts(text, previous, quantity, "", quantity.end, paragraph=paragraph, named=own)
            return _make_figure(rule, text, quantity) if accepted else None
        if _COUNT_OF_ANY.search(own):
            return None  # "the number of workers ... at 15,000" counts a noun no rule of this detector has
        last = previous.split("\n", 1)[0]
        question = next((line for line in previous.split("\n")[1:] if _asks(line)), None)
        # "Estimates vary. Seoul puts the number at about 11,000": no noun in the sentence before,
        # so the Q&A heading's; and an answer's figure counts what its "how many" asked ("How many
        # soldiers are in Kursk? ... Some have been killed ... the figure is between 8,000 and 9,000")
        if question is not None and (
            _HOW_MANY.search(question) and any(rule.noun_position(question) is not None for rule in self.rules)
            or not any(rule.noun_position(last) is not None for rule in self.rules)
        ):
            last = question
        named = sorted(
            (position, index, rule) for index, rule in enumerate(self.rules)
            if (position := rule.noun_position(last)) is not None
            # the sentence before must be about the rule's subject, or at least about no other country
            and ((rule.subject is not None and rule._compiled["subject"].search(last)) or not names_other_country(last))
        )
        for _, _, rule in named:
            if rule.accepts(text, previous, quantity, "", quantity.end, paragraph=paragraph, named=last):
                return _make_figure(rule, text, quantity)
        return None

    def _names_subject(self, named: int) -> bool:
        """Whether an article may name a rule's subject, by what it names (``keywords.named_in_article``).

        Every rule needs its subject in the sentence, the one before or the headline,
        so an article that never names it has no figure; most articles stop here.
        """
        return None in self._subjects or any(named & bit for bit in self._subject_bits)

    @staticmethod
    def _figure(
        rule: Counted, text: str, previous: str, quantity: Quantity, carried: bool, paragraph: str = "",
        noun: re.Match[str] | None = None, around: _Around | None = None,
    ) -> Figure | None:
        """The figure ``rule`` reads at ``quantity``, or None.

        ``noun``: the rule's noun right after the amount (``Counted.noun_after``), as the caller
        found it; ``carried``: the noun is an earlier figure's of the same rule ("... and another 3,000");
        ``around``: the words around the amount (``_around``), where the caller has them.
        """
        around = around or _around(text, quantity.start, quantity.number_start, quantity.end)
        if carried:
            noun = None
        labelled = False
        if noun is not None:
            modifiers, tail = noun.group("mods"), noun.end()
        elif not carried and rule.noun_before(text, quantity, around):
            modifiers, tail, labelled = "", quantity.end, True
            if not quantity.increment and _INCREMENT_LABEL.match(text, 0, quantity.start):
                quantity = quantity._replace(increment=True)  # "Additional troops: 3,000"
        elif carried and around.no_noun and not around.classifier_after and (
            quantity.increment or around.same_figure or around.another
        ):
            modifiers, tail = "", quantity.end  # "11,000 troops ..., and another 3,000 in 2025"
            if not quantity.increment and around.another:
                # "in addition to the 11,000 soldiers sent last year, it sent another 3,000": with no
                # noun of its own, "another" after "in addition to" adds more of the same
                quantity = quantity._replace(increment=True)
        elif not carried and around.label_at is not None:
            # "14,000 — North Korean troops sent to Russia", "2,000 — estimated number of soldiers killed"
            noun = rule.noun_after_position(text, around.label_at)
            if noun is None:
                return None
            modifiers, tail = noun.group("mods"), noun.end()
            if around.label_about and quantity.qualifier is Qualifier.EXACT:
                quantity = quantity._replace(qualifier=Qualifier.ABOUT)
        else:
            return None
        if not rule.accepts(text, previous, quantity, modifiers, tail, labelled=labelled, paragraph=paragraph):
            return None
        return _make_figure(rule, text, quantity)


class _Around(NamedTuple):
    """What every rule asks of the words around an amount, worked out once for all of them."""

    noun_at: int  # where its noun may start: right after it, or after "units of"
    no_noun: bool  # no noun follows it (``_NO_NOUN_AFTER``)
    label_at: int | None  # "14,000 — North Korean troops": an amount opening its line, where the label's noun starts
    label_about: bool  # "2,000 — estimated number of soldiers killed": the label hedges it
    # the rest is read only where no noun follows the amount, and worked out only there
    left: str = ""  # the words before it as a noun phrase ending there is read (``Counted.noun_before``)
    classifier_after: bool = False  # "220 pieces": a noun of its own, no earlier figure's carried over
    same_figure: bool = False  # it restates a figure named before ("the figure stood at 20,000")
    another: bool = False  # "another 3,000"


@lru_cache(maxsize=256)
def _around(text: str, start: int, number_start: int, end: int) -> _Around:
    classifier = _CLASSIFIER.match(text, end)
    # "3,000 more in 2025", "3,000 more recently" have no noun of their own; "12,000 more workers" has
    no_noun = _NO_NOUN_AFTER_QUICK.match(text, end) is not None and not _MORE_NOUN.match(text, end)
    label_at, label_about = None, False
    label = _LABEL_AFTER.match(text, end)
    if label and _OPENS_LINE.fullmatch(text, 0, start):
        number_of = _NUMBER_OF.match(text, label.end())
        label_at = number_of.end() if number_of else label.end()
        label_about = bool(number_of and number_of.group("about"))
    noun_at = classifier.end() if classifier else end
    if not no_noun:
        return _Around(noun_at, no_noun, label_at, label_about)
    # 'the number ... at "35K and rising"': a quote opening at the amount does not part it from its noun
    opening = start - 1 if text[start - 1: start] in ('"', "“") else start
    left = text[max(0, opening - 120): opening]
    if left.endswith("(") and not _AMOUNT_BEFORE_BRACKET.search(left):
        # "The troops Pyongyang has sent (roughly 14,000, by Seoul's count)": a bracket opening at
        # the amount gives the value of what precedes it, as a colon would; not after an amount,
        # which it restates ("5 lakh (500,000) barrels")
        left = f"{left[:-1].rstrip()}: "
    # "the number sent was now believed to be between 11,000 and 12,000": a qualifier that opens
    # with a verb "to be" links the noun phrase to the amount as that verb would
    copula = _COPULA.match(text, start, number_start)
    if copula:
        left = f"{left}{copula.group()}"
    elif _VERB_QUALIFIER.match(text, start, number_start):
        left = f"{left.rstrip()} reached "
    return _Around(
        noun_at, no_noun, label_at, label_about, left=left,
        classifier_after=_CLASSIFIER_AFTER.match(text, end) is not None,
        same_figure=_SAME_FIGURE_QUICK.search(text, max(0, start - 100), start) is not None,
        another=_ANOTHER.match(text, start) is not None,
    )


_ANOTHER = re.compile(r"another\s", _FLAGS)
#: a noun after an amount not yet looked for
_UNREAD = object()
#: an amount right before a bracket: "5 lakh (", "9m ("; not a year ("since October 2024 (")
_AMOUNT_BEFORE_BRACKET = re.compile(
    r"(?:\d(?<!\b(?:19|20)\d\d)|\b(?:hundred|thousand|million|billion|lakhs?|crores?|mn|bn|[mk]))\s*\($", _FLAGS
)
#: an increment word and a plural noun after an amount: "12,000 more workers"
_MORE_NOUN = re.compile(
    r"\s+(?:more|additional|extra|further|fresh)\s+(?!(?:is|was|has|as|this|thus|plus|across|always|perhaps|besides|"
    r"less|its|his|us)\b)[a-z]+s\b"
)
#: "..., and that ...": a that-clause of its own
_NEW_CLAUSE = re.compile(r"\b(?:and|but)\s+that\b", _FLAGS)
#: how far back in its sentence an amount's actor and vetoes are looked for: a sentence of news
#: is shorter, and a hostile one-line page of thousands of amounts stays linear
_REACH = 400
#: "220 pieces", "150 units": things this sentence names, not an earlier figure's noun carried over
_CLASSIFIER_AFTER = re.compile(r"\s+(?:pieces|units|items|sets)\b", _FLAGS)
#: a footnote's reference right after a word or a stop: "[1]", "[23]"
_FOOTNOTE = re.compile(r"(?<=[\w.!?\"”’)])\[\d{1,3}\]")
#: a table rendered as text: "Troops sent in 2024 | 11,000 | MSMT", "| Deaths | ~600 |"
_TABLE_CELLS = re.compile(r"\s*\|\s*")
_TABLE_RULE = re.compile(r"[\s|:+-]*")
#: a label that opens with an increment word: "Additional troops, early 2025: 3,000"
_INCREMENT_LABEL = re.compile(r"\W*(?:additional|further|extra|fresh)\s[^:;.]{0,60}:\s*(?:\S+\s+){0,3}$", _FLAGS)


class _Line(NamedTuple):
    """A non-empty line of an article, as every detector reads it."""

    text: str
    is_item: bool  # a list item: "- Troops: 11,000"
    number: bool  # holds anything that could be an amount
    opens_with_pronoun: bool  # "It has also sent manpower."
    asks: bool  # a Q&A heading: "How many troops are in Russia?"
    named: int  # the keywords it names (``keywords.named``), which every detector asks


@lru_cache(maxsize=4)
def _lines(text: str) -> tuple[_Line, ...]:
    """The non-empty lines of an article, each read once for every detector.

    A table row is read as its label and value (``_table_row``).
    """
    lines = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if "|" in line:
            line = _table_row(line)
        if "[" in line:
            line = _FOOTNOTE.sub("", line)  # "... in Kursk Oblast.[1] Budanov stated": a reference, not text
        lines.append(_Line(line, bool(_LIST_ITEM.match(line)), has_number(line), bool(_PRONOUN_OPENING.match(line)),
                           _asks(line), keywords_index.named(line)))
    return tuple(lines)


def _table_row(line: str) -> str:
    """A table row read as its label and value: "Troops | 11,000 | MSMT" -> "Troops: 11,000; MSMT".

    A line with no "|" between two cells, or a rule line ("---|---"), is left as it is.
    """
    cells = [cell for cell in _TABLE_CELLS.split(line.strip().strip("|")) if cell]
    if len(cells) < 2:
        return line
    if _TABLE_RULE.fullmatch(line):
        return ""
    return f"{cells[0]}: {cells[1]}" + "".join(f"; {cell}" for cell in cells[2:])


def _make_figure(rule: Counted, text: str, quantity: Quantity) -> Figure:
    return Figure(
        metric=rule.metric, value=quantity.value, value_max=quantity.value_max,
        qualifier=quantity.qualifier, increment=quantity.increment,
        period=find_period(text, quantity.start), quote=text, span=(quantity.start, quantity.end),
    )


_RUSSIA = re.compile(r"\b(?:Russia|Moscow|Kremlin)\b")
#: a fast superset of ``NORTH_KOREA``: plain words the regex engine scans for quickly
_NORTH_KOREA_HINT = re.compile(r"Korea|KOREA|DPRK|D\.P\.R\.K|Pyongyang|PYONGYANG|North|Kim|KPA|NK")


#: each subject made fast (``quick``), by its bit in ``keywords.named_in_article`` (``_subject_bit``)
_SUBJECT_OF_BIT: dict[int, Quick] = {}


def _hint(subject: re.Pattern[str]) -> re.Pattern[str]:
    """``subject``, or a fast superset of it: what says whether an article may name it."""
    return _NORTH_KOREA_HINT if subject is NORTH_KOREA else subject


def _subject_bit(subject: re.Pattern[str]) -> int:
    """The bit of ``subject`` (of its ``_hint``) in ``keywords.named_in_article``: whether an article may
    name it is read in the same pass over it as every detector's keywords (and only there: no line is
    asked), and the subject is known by its bit (a compiled pattern is no cheap key: hashing one walks its code)."""
    bit = keywords_index.register(quick(_hint(subject)), of_articles=True)
    _SUBJECT_OF_BIT[bit] = quick(subject)
    return bit


_RUSSIA_BIT = _subject_bit(_RUSSIA)


def article_text(article: Article) -> str:
    """The text every detector reads: the article's text, and its title after it where the text does not hold it.

    Every plugin that asks of the same article gets the same string, so what one has worked out
    of it (its lowercase, ``casing.lowered``) the others find ready.
    """
    return _whole_text(article.title, article.text)


@lru_cache(maxsize=4)
def _whole_text(title: str, text: str) -> str:
    """The article's text, and its title where the text does not hold it; cached, so that every
    detector reads the same string (hashed once, where each cache asks for it)."""
    return f"{text}\n{title}" if title and title not in text else text


@lru_cache(maxsize=16)
def _headline(title: str, text: str, subjects: tuple[int, ...]) -> str:
    """The opening (``_opening``), and how the whole text (``_whole_text``) names each of
    ``subjects`` (their bits, ``_subject_bit``) where it does so again and again; cached, as
    most detectors share their subjects."""
    whole = _whole_text(title, text)
    named = keywords_index.named_in_article(whole)
    return "\n".join([_opening(title, text), *(often for bit in subjects if named & bit and (often := _named_often(bit, whole)))])


@lru_cache(maxsize=16)
def _named_often(subject: int, text: str, times: int = 3) -> str:
    """How ``text`` names ``subject`` (its bit, ``_subject_bit``) where it does so ``times`` times or more, else ""."""
    found = []
    for match in _SUBJECT_OF_BIT[subject].finditer(text):
        found.append(text[match.start(): match.end()])
        if len(found) == times:
            return found[0]
    return ""


@lru_cache(maxsize=4096)
def _names_a_count(text: str) -> bool:
    """Whether ``text`` says "the figure", "that total" ...; cached, as every detector asks of the same lines.

    The count's noun is looked for first, in lowercase: most lines have none, and then the
    pattern, which tries every "the" and "that" of the line, need not run.
    """
    lowercase = lowered(text)
    if not any(map(lowercase.__contains__, _COUNT_NOUNS)):  # (no generator: a C loop)
        return False
    return _ANAPHOR_HINT_QUICK.search(text) is not None


@lru_cache(maxsize=4096)
def _points_back(text: str) -> bool:
    """Whether ``text`` counts some "of these", "of the" ...: "120 of these", "two of the"; cached, as every detector asks
    of the same lines. The words it needs ("the" of "these" and "of the", "those", "such") are looked for first."""
    lowercase = lowered(text)
    if "the" not in lowercase and "those" not in lowercase and "such" not in lowercase:
        return False
    return _POINTS_BACK_DIGITS.search(lowercase) is not None or keywords_index.named(text) & _POINTS_BACK_WORDS_BIT != 0


#: the count's nouns, as plain text (``_names_a_count`` looks for them first)
_COUNT_NOUNS = ("figure", "number", "total", "tally", "count", "estimate")


@lru_cache(maxsize=4)
def _opening(title: str, text: str) -> str:
    """The title and the first three paragraphs: what the whole article is about.

    A long feature names North Korea in its opening and then speaks of "the men" or "them"
    for paragraphs on end; a generic noun further down still needs its context close by
    (``Counted.near_context``). Cached, as every detector asks it of the same article.
    """
    lines = [line for line in text.splitlines() if line.strip()][:3]
    return "\n".join([title, *(line[:400] for line in lines)])


_CLAUSE_END = re.compile(r",\s|;\s|\s[—–-]\s|—")


def _clause_end(sentence: str, position: int) -> int:
    """Where the clause holding ``position`` ends: a comma, a semicolon or a dash after it."""
    found = _CLAUSE_END.search(sentence, position)
    return found.start() if found else len(sentence)


def _since_last_amount(sentence: str, clause: str, quantity: Quantity) -> str:
    """``clause`` from the end of the amount before ``quantity`` in it, if any.

    "casualties at about 4,700 and the number of dead at around 600": the words before
    4,700 are its own, not 600's.
    """
    clause_start = quantity.start - len(clause)
    last_end = max((q.end for q in find_quantities(sentence) if clause_start < q.end <= quantity.start), default=None)
    return sentence[last_end:quantity.start] if last_end is not None else clause


@lru_cache(maxsize=1024)
def _clause_before(sentence: str, position: int) -> str:
    """The clause of ``sentence`` that ends at ``position``; cached, as every rule that takes an amount asks."""
    left = sentence[:position]
    # "its cap on refined products — 500,000 barrels": a dash or colon right before the amount
    # introduces the value of what precedes it, and does not end the clause; nor does a bracket
    # ("the UN cap (500,000 barrels a year)"), which opens one where it stands further back
    label = len(left.rstrip(" —–:(")) if left.rstrip()[-1:] in ("—", "–", ":", "(") else len(left)
    bracket = left.rfind(" (", 0, label)
    if bracket >= 0 and ")" in left[bracket:label]:
        bracket = -1  # a closed aside, "(Res. 2397)", opens no clause
    cut = max(left.rfind(", ", 0, label), left.rfind("; ", 0, label), left.rfind(" — ", 0, label),
              left.rfind(": ", 0, label), bracket)
    # "casualties stood at 4,000 while also noting that 3,000 more ...": a conjunction opens a clause
    conjunction = None
    for conjunction in _CONJUNCTION.finditer(left, max(cut, 0), label):
        pass
    if conjunction is not None:
        return left[conjunction.end():]
    return left[cut + 1:] if cut >= 0 else left


_CONJUNCTION = re.compile(r"\s(?:while|whereas|but|although|though)\s")
