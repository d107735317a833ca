"""Who a sentence is about: North Korea, other countries, and the words around an amount.

The detectors share these so that "35,000 Ukrainian children", "Russia has
600,000 troops" and "the US has 28,500 troops in South Korea" are turned away
the same way everywhere.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .casing import quick
from .words import NORTH_KOREA

__all__ = ["FOREIGN", "MODIFIER", "acting_country", "is_foreign_owned", "names_other_country"]

_COUNTRIES = (
    r"Russia|Moscow|Kremlin|Ukraine|Kyiv|Kiev|United\s+States|U\.\s?S\.(?:\s?A\.)?|USA?|America|Washington|"
    r"South\s+Korea|S\.\s?Korea|Seoul|ROK|China|Beijing|Japan|Tokyo|NATO|Europe|EU|European\s+Union|"
    r"Britain|UK|U\.K\.|London|Germany|Berlin|France|Paris|Poland|Warsaw|Iran|Tehran|Belarus|Minsk|Israel|"
    r"Taiwan|India|Syria|Australia|Canberra|New\s+Zealand|Canada|Ottawa|Turkey|Ankara|Vietnam|Hanoi|Zaporizhzhia|Kharkiv|Odesa|Odessa|Dnipro|Kherson|Donetsk|Luhansk|Lviv|Sumy|"
    r"Mykolaiv|Chernihiv|Pokrovsk|Bakhmut|Mariupol|Kramatorsk|Putin|Zelensky[yi]?|Trump|Biden|Yoon|Lee\s+Jae[\s-]?myung|"
    # the American forces in South Korea and Japan
    r"USFK|USFJ|U\.S\.\s+Forces\s+Korea|US\s+Forces\s+Korea|"
    # Japan's and China's armies by their own names
    r"(?:Japan\s+)?Self-Defen[cs]e\s+Forces|J?SDF|People's\s+Liberation\s+Army|PLA"
)
_NATIONALITIES = (
    r"Russian|Ukrainian|American|U\.S\.|US|South\s+Korean|Chinese|Japanese|British|German|French|Polish|"
    r"Iranian|Belarusian|Israeli|Taiwanese|Indian|Syrian|European|NATO|Western|allied|Allied|Kremlin|"
    r"Australian|Canadian|Turkish|Vietnamese|Wagner|Chechen|Georgian|Moldovan|Cuban|Nepalese|Nepali|Indian|Sri\s+Lankan|African|Korean-American"
)
#: a country or a nationality other than North Korea, as a whole word
FOREIGN = re.compile(rf"\b(?:{_COUNTRIES}|{_NATIONALITIES})(?:'s|’s|ns)?(?![\w.])|\bU\.S\.(?=\s)")
#: "we keep around 900 troops in Estonia": a speaker's own country, in a transcript or a quote, is
#: another one (North Korea's officials are quoted as naming their country)
_FIRST_PERSON = r"\b[Ww]e\b(?=\s+(?:(?:have|has|had|also|still|now|already|currently|will|would)\s+)*(?:keep|kept|maintain\w*|station\w*|deploy\w*|sen[dt]|sending|committed|commit|provide\w*|gave|give|supplied|supply)\b)"
_ACTOR = re.compile(rf"{NORTH_KOREA.pattern}|\b(?:{_COUNTRIES})(?:'s|’s)?(?![\w])|\bU\.S\.|{_FIRST_PERSON}")
#: an actor after one of these is a place or a partner, not the one who owns or sends
_NOT_ACTOR_BEFORE = re.compile(
    r"\b(?:to|in|into|inside|from|with|against|for|on|at|toward|towards|across|near|by|via|between|"
    r"and|alongside|beside|over|through|within|of|according\s+to|backing|help|helping|supporting|aid|aboard|"
    r"on\s+board|"
    # "North Korea sent Russia 14,000 troops": the country after a verb of giving receives
    r"sen[dt]|sends|sending|gave|give|gives|giving|given|supplied|supplies|supplying|provided|provides|providing|"
    r"handed|hands|handing|offered|offers|sold|sells|selling|shipped|ships|shipping|lent|lends|furnished|"
    r"furnishes|furnishing|promised|promises|pledged)\s+"
    r"(?:the\s+)?$",
    re.IGNORECASE,
)
#: an actor followed by these is the source of a claim, not its subject
_SOURCE_AFTER = re.compile(
    r"(?:'s|’s)?\s+(?:(?:[\w-]+\s+){0,4}?)(?:said|says|say|told|estimated?|estimates|reported|reports|"
    r"claims?|claimed|believes?|believed|thinks?|assess(?:es|ed)?|intelligence|officials?|spy|agency|"
    r"ministry|president|general\s+staff|NIS|GUR|HUR|JCS|lawmakers?|sources?|media|authorities|"
    r"government|report|envoy|ambassador|mission|delegation|representative|"
    # "Seoul puts the total at 13,000": an estimate's source
    # "which Seoul puts at about 14,000", "Kyiv puts it at 12,000"
    r"(?:puts?|putting|places?|placed|placing|estimates?|estimated)\s+(?:it\s+|them\s+)?at|"
    r"(?:puts?|putting|places?|placed|placing)\s+(?:the|its|their)\s+(?:[\w'’-]+\s+){0,2}?"
    r"(?:number|total|figure|toll|count|tally|estimate))\b",
    re.IGNORECASE,
)

#: "Russia has received 150 missiles": the country that receives North Korea's goods and men
#: is their destination, not another country acting on its own
_RECEIVES_AFTER = re.compile(
    r"(?:'s|’s)?\s+(?:(?:has|have|had|also|reportedly|now|so\s+far|already|since|thus\s+far)\s+){0,3}"
    r"(?:received|receives|receiving|obtained|obtains|acquired|acquires|got|gets|took\s+delivery)\b",
    re.IGNORECASE,
)
_RECEIVER = re.compile(r"(?:Russia|Moscow|Kremlin)(?:'s|’s)?")

_MODIFIER_WORDS = (
    r"more|additional|extra|further|new|fresh|such|these|those|elite|special|operations|regular|active|active-duty|tube|"
    r"combat|military|army|armed|heavy|light|medium|artillery|rocket|mortar|tank|ballistic|cruise|guided|"
    r"short|long|range|air|defen[cs]e|missile|surface|mobile|self|propelled|multiple|launch|launcher|"
    r"engineering|construction|it|tech|skilled|unskilled|manual|migrant|overseas|labou?r|infantry|ground|"
    r"front|frontline|line|assault|storm|strike|shock|mixed|refined|petroleum|fuel|oil|diesel|crude|"
    r"heavy|gasoline|mm|caliber|calibre|large|large-calibre|large-caliber|field|towed|howitzer|gun|"
    r"anti-aircraft|anti-tank|shipping|cargo|freight|standard|twenty-foot|forty-foot|ammunition|munitions|"
    r"weapons|arms|shell|shells|round|rounds|metric|soldier|service|member|"
    r"trained|young|poorly|well|battle-hardened|seasoned|uniformed|deployed|stationed|confirmed|reported|"
    r"estimated|total|full|entire|whole|strong|odd|plus"
)
#: a word that may stand between an amount and its noun: "11,000 [North Korean] troops",
#: "200 [heavy artillery] pieces", "20 [170mm self-propelled] guns", "[152mm and] [122mm] rounds"
MODIFIER = (
    r"(?:(?!(?:and|or|the|who|which|that|were|was|are|is|have|has|had|to|from|for|with|by|at|on|as)\b)"
    rf"[\"“‘']?(?:[A-Z][\w.'’&/-]*|[\w-]*\d[\w/-]*(?:\s+(?:and|or|&)(?=\s+[\w-]*\d))?|[a-z]+(?:-[a-z]+)+"
    # a short aside: "250 KN-23 (Hwasong-11Ga) and KN-24 missiles"
    rf"|\([^()]{{1,30}}\)(?:\s+(?:and|or|&)(?=\s+[\w-]*\d))?"
    # "9 million artillery and rocket rounds": two listed words joined
    rf"|(?:{_MODIFIER_WORDS})\b(?:\s+(?:and|or|&)(?=\s+(?:{_MODIFIER_WORDS})\b))?"
    # an adjective by its ending: "expeditionary", "offensive", "tactical", "strategic", "various"
    rf"|[a-z]{{3,}}(?:ary|ive|al|ic|ous)\b)[\"”’']?)"
)


#: a country paired with North Korea: "the Kim-Putin bargain", "Russia-North Korea cooperation",
#: "Moscow–Pyongyang ties": both partners, neither acting alone
_PAIRED_AFTER = re.compile(rf"\s?[-–/]\s?(?:{NORTH_KOREA.pattern}|\bKim\b)")
_PAIRED_BEFORE = re.compile(rf"(?:{NORTH_KOREA.pattern}|\bKim)\s?[-–/]\s?$")
#: the patterns above made fast (``casing.quick``): the same matches at the same places
_FOREIGN_QUICK, _ACTOR_QUICK, _NOT_ACTOR_BEFORE_QUICK, _PAIRED_BEFORE_QUICK, _NORTH_KOREA_QUICK = (
    quick(pattern) for pattern in (FOREIGN, _ACTOR, _NOT_ACTOR_BEFORE, _PAIRED_BEFORE, NORTH_KOREA)
)


def _paired(match: re.Match[str], text: str) -> bool:
    return bool(_PAIRED_AFTER.match(text, match.end()) or _PAIRED_BEFORE_QUICK.search(text, max(0, match.start() - _NEAR),
                                                                               match.start()))


def is_foreign_owned(phrase: str) -> bool:
    """Whether ``phrase`` (the words between an amount and its noun) names another country.

    >>> is_foreign_owned(" Ukrainian"), is_foreign_owned(" North Korean"), is_foreign_owned(" elite")
    (True, False, False)
    """
    return bool(_FOREIGN_QUICK.search(phrase)) and not _NORTH_KOREA_QUICK.search(phrase)


@lru_cache(maxsize=1024)
def acting_country(left: str) -> str | None:
    """Who acts in ``left`` (a sentence up to an amount): "north_korea", "foreign", "first_person" or None.

    The last country named that is not after a preposition ("to Russia") and
    not the source of a claim ("Ukraine's intelligence said").

    >>> acting_country("The report said North Korea sent over 11,000 troops to Russia in 2024, with")
    'north_korea'
    >>> acting_country("Russia has")
    'foreign'
    """
    for match in reversed(list(_ACTOR_QUICK.finditer(left))):
        # "together with the United States, which keeps 28,500 troops": the country a relative
        # clause opens on acts in it, whatever stands before it
        relative = _RELATIVE_AFTER.match(left, match.end())
        if not relative and (_is_place_or_source(match, left) or _paired(match, left) or _is_receiver(match, left)):
            continue
        if NORTH_KOREA.fullmatch(match.group()) or NORTH_KOREA.match(match.group()):
            return "north_korea"
        # "We have sent 900 troops, North Korea's defence minister said": its own speaker's "we"
        return "first_person" if match.group() in ("We", "we") else "foreign"
    return None


#: a relative clause opening right after a country, the country its subject: ", which keeps",
#: ", who have"; not ", which Seoul puts at"
_RELATIVE_AFTER = re.compile(
    r",\s+(?:which|who)\s+(?:(?:also|still|now|currently|already)\s+)?(?:has|have|had|keeps?|kept|maintains?|"
    r"maintained|stations?|stationed|deploys?|deployed|fields?|fielded|commits?|committed|sends?|sent|bases?|based)\b"
)


def names_other_country(sentence: str) -> bool:
    """Whether ``sentence`` is about another country: one named other than as a place or a source.

    >>> names_other_country("Some 11,000 soldiers were sent to Russia, according to South Korean intelligence.")
    False
    >>> names_other_country("Russian strikes kill 10, injure 50 Ukrainians.")
    True
    """
    for match in _FOREIGN_QUICK.finditer(sentence):
        if _is_place_or_source(match, sentence) or _paired(match, sentence) or _is_receiver(match, sentence):
            continue
        return True
    return False


#: (a plan: "Seoul estimates it has sent 13,000 containers" speaks of North Korea)
_OF_ITSELF = re.compile(r",?\s+(?:that\s+)?(?:it|they)\s+(?:would|will|plans?|planned|intends?)\b")
#: how far around a country name the words that make it a place, a source or a partner are looked for
_NEAR = 80


def _is_place_or_source(match: re.Match[str], text: str) -> bool:
    """Whether the country ``match`` is a place ("to Russia") or a claim's source ("Ukraine's intelligence said").

    The searches look only near the name, so a long sentence with many countries stays cheap.
    """
    if _NOT_ACTOR_BEFORE_QUICK.search(text, max(0, match.start() - _NEAR), match.start()):
        return True
    source = _SOURCE_AFTER.match(text, match.end(), match.end() + _NEAR)
    # "Poland said it would station 10,000 more troops": the source speaks of itself
    return source is not None and not _OF_ITSELF.match(text, source.end())


def _is_receiver(match: re.Match[str], text: str) -> bool:
    """Whether ``match`` is Russia receiving: "Russia has received 150 missiles"."""
    return bool(_RECEIVER.fullmatch(match.group())) and bool(_RECEIVES_AFTER.match(text, match.end(), match.end() + _NEAR))
