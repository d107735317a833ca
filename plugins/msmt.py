"""How many states make up the Multilateral Sanctions Monitoring Team (``msmt_member_states``).

"composed of 11 member countries", "the 11 MSMT member states", "a group
comprising 11 UN members"; not "nine other countries" or "the United States and
10 allies", which count only part of the team.
"""

import re

from monitor import Article, Figure, Metric, hookimpl
from monitor.toolkit import Counted, Detector

MSMT = re.compile(
    r"\bMSMT\b|\bmulti(?:lateral|national)\s+sanctions?\s+monitoring\s+(?:team|group)\b|"
    r"\bsanctions?[\s-]+monitoring\s+(?:team|group|body|mechanism|panel)\b|\bmonitors?\s+(?:UN\s+)?sanctions\b|\bmonitoring\s+team\b",
    re.IGNORECASE,
)

MEMBERS = Detector(
    Counted(
        "msmt_member_states",
        noun=r"member\s+(?:states|countries|nations)|members?|countries|nations|states|governments|"
        r"participants|participating\s+(?:states|countries)|country|nation",
        subject=MSMT, actor=False, min_value=2, max_value=60,
        veto_left=r"\b(?:and|plus|besides|with|other\s+than)\s*$",
        not_modifiers=r"\bother\b|\bEU\b|\bNATO\b|\bpermanent\b",
        not_after=r"\s+of\s+(?:NATO|the\s+(?:EU|European|UN\b|United\s+Nations|G7|G20|Security\s+Council))",
    ),
    Counted(
        "msmt_member_states",
        before=r"\b(?:MSMT|[Tt]eam|group)\s+members\s*(?::|—|–|=)\s*|\bMSMT\s*(?:=|:)\s*",
        subject=MSMT, actor=False, min_value=2, max_value=60,
    ),
    keywords=r"MSMT|monitoring|monitors?\s+(?:UN\s+)?sanctions",
)


@hookimpl
def register_metrics() -> list[Metric]:
    return [Metric(key="msmt_member_states", unit="countries",
                   description="member states of the Multilateral Sanctions Monitoring Team")]


@hookimpl
def detect(article: Article) -> list[Figure]:
    return MEMBERS.figures(article)
