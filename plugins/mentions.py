"""Entity mentions: the MSMT and the Pantsir air-defence system, counted per article.

Every occurrence of a name counts once, so "the Multilateral Sanctions
Monitoring Team (MSMT)" names the team twice. Entities not named are reported
with a count of 0.
"""

import re

from monitor import Article, Mention, hookimpl

ENTITIES = {
    "MSMT": re.compile(
        r"\bMSMT\b|\bmulti(?:lateral|national)\s+sanctions?\s+monitoring\s+team\b",
        re.IGNORECASE,
    ),
    "Pantsir": re.compile(r"\bPantsir(?:-S1|-S|-M|-class)?\b|Панцирь", re.IGNORECASE),
}


@hookimpl
def detect(article: Article) -> list[Mention]:
    text = f"{article.title}\n{article.text}" if article.title and article.title not in article.text else article.text
    mentions = []
    for entity, pattern in ENTITIES.items():
        # a zero count is reported too, so every article says how often each entity appeared
        mentions.append(Mention(entity=entity, count=len(pattern.findall(text))))
    return mentions
