"""Entity mentions: the MSMT and the Pantsir air-defence system, counted per article.

Every occurrence of a name counts once, so "the Multilateral Sanctions
Monitoring Team (MSMT)" names the team twice. Entities not named are reported
with a count of 0.
"""

import re

from monitor import Article, Mention, hookimpl
from monitor.toolkit import article_text, lowered

#: each name in lowercase, matched in the lowercased text where one of its words (``WORDS``) stands
ENTITIES = {
    "MSMT": re.compile(r"m(?<!\w.)smt\b|m(?<!\w.)ulti(?:lateral|national)\s+sanctions?\s+monitoring\s+team\b"),
    "Pantsir": re.compile(r"p(?<!\w.)antsir(?:-s1|-s|-m|-class)?\b|панцирь"),
}
#: the words each name opens with: its pattern is tried only where one of them stands, which
#: ``str.find`` finds many times as fast as the engine tries the name at every "m" or "p"
WORDS = {"MSMT": ("msmt", "multi"), "Pantsir": ("pantsir", "панцирь")}


@hookimpl
def detect(article: Article) -> list[Mention]:
    # the text the figure detectors read (the title after the text where the text does not hold
    # it), lowercased once for all of them
    lowercase = lowered(article_text(article))
    # a zero count is reported too, so every article says how often each entity appeared
    return [Mention(entity=entity, count=_count(pattern, lowercase, WORDS[entity])) for entity, pattern in ENTITIES.items()]


def _count(pattern: re.Pattern[str], text: str, openings: tuple[str, ...]) -> int:
    """How many times ``pattern`` matches in ``text`` (as ``len(pattern.findall(text))``), every
    match opening with one of ``openings``: tried where they stand, from the end of the last match."""
    starts = []
    for word in openings:
        at = text.find(word)
        while at >= 0:
            starts.append(at)
            at = text.find(word, at + 1)
    count = end = 0
    for start in sorted(starts):
        if start >= end and (match := pattern.match(text, start)) is not None:
            count, end = count + 1, match.end()
    return count
