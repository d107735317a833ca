"""Entity mentions: the MSMT and the Pantsir air-defence system, counted per article.

Every occurrence of a name counts once, so "the Multilateral Sanctions
Monitoring Team (MSMT)" names the team twice. Entities not named are reported
with a count of 0.
"""

import re

from monitor import Article, Mention, hookimpl
from monitor.toolkit import article_text, lowered

#: each name in lowercase, to be found in the lowercased text: a pattern that opens with a letter
#: (the word boundary checked after it) lets the engine skip every other character at once,
#: several times as fast as a case-insensitive search
ENTITIES = {
    "MSMT": re.compile(r"m(?<!\w.)smt\b|m(?<!\w.)ulti(?:lateral|national)\s+sanctions?\s+monitoring\s+team\b"),
    "Pantsir": re.compile(r"p(?<!\w.)antsir(?:-s1|-s|-m|-class)?\b|панцирь"),
}
#: a word each name holds: where the text holds none of an entity's, it names it nowhere, and
#: its pattern need not read the whole text (most articles name no Pantsir)
WORDS = {"MSMT": ("msmt", "multi"), "Pantsir": ("pantsir", "панцирь")}


@hookimpl
def detect(article: Article) -> list[Mention]:
    # the text the figure detectors read (the title after the text where the text does not hold
    # it), lowercased once for all of them
    lowercase = lowered(article_text(article))
    mentions = []
    for entity, pattern in ENTITIES.items():
        # a zero count is reported too, so every article says how often each entity appeared
        named = any(word in lowercase for word in WORDS[entity])
        mentions.append(Mention(entity=entity, count=len(pattern.findall(lowercase)) if named else 0))
    return mentions
