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
    r"\bsanctions?[\s-]+monitoring\s+(?:team|group|body|mechanism|panel)\b|\bmonitors?\s+(?:UN\s+)?sanctions\b|\bmonitoring\s+team\b|"
    r"\bsanctions\s+monitor\b|"
    # "an international monitoring group says", "one of the 11 member states of the team"
    r"\b(?:international|multinational|sanctions)\s+monitoring\s+group\b|\bmonitoring\s+group\s+of\b|"
    r"\b(?:member\s+)?(?:states|countries|nations)\s+of\s+the\s+(?:team|group)\b",
    re.IGNORECASE,
)

MEMBERS = Detector(
    Counted(
        "msmt_member_states",
        noun=r"member\s+(?:states|countries|nations)|members?|countries|nations|states|governments|"
        r"participants|participating\s+(?:states|countries)|country|nation",
        subject=MSMT, actor=False, min_value=2, max_value=60,
        # "and 10 allies"; "operating in eight countries" names places, not members
        veto_left=r"\b(?:and|plus|besides|with|other\s+than|in|across)\s*$"
        # "the Security Council's 15 members": another body's members
        r"|\b(?!MSMT|[Tt]eam|[Gg]roup|[Mm]onitors?)[\w.]+(?:'s|’s)\s*$",
        not_modifiers=r"\bother\b|\bEU\b|\bNATO\b|\bpermanent\b",
        # "cooperation between the two countries": Russia and North Korea, not the team
        veto=r"\b(?:the|both)\s+two\s+(?:countries|nations|states|sides|governments)\b",
        not_after=r"\s+of\s+(?:NATO|the\s+(?:EU|European|UN\b|United\s+Nations|G7|G20|Security\s+Council))"
        # "the 15-member Security Council", "a 12-nation bloc": another body named after "N-member"
        r"|(?:(?<=member)|(?<=nation)|(?<=country))\s+(?:UN\s+|U\.N\.\s+)?(?:Security\s+)?(?:Council|Committee|Board|Commission|"
        r"Assembly|Parliament|Cabinet|Bloc|Alliance|Union|Organi[sz]ation|Delegation)\b",
    ),
    Counted(
        "msmt_member_states",
        before=r"\b(?:MSMT|[Tt]eam|group)\s+(?:member\s+(?:states|countries|nations)|members)\s*(?::|—|–|=)\s*|\bMSMT\s*(?:=|:)\s*",
        subject=MSMT, actor=False, min_value=2, max_value=60,
    ),
    # "The 11-nation team was launched ...", "Report by 11-country group": the team itself, named
    # in the sentence before or the headline, even when this sentence names other countries
    Counted(
        "msmt_member_states",
        noun=r"(?:member|nation|country|state)\s+(?:team|group|body|coalition|mechanism)",
        subject=MSMT, subject_nearby=True, actor=False, min_value=2, max_value=60, max_modifiers=0,
    ),
    # a fact box's item: "* THE MONITOR: 11 member countries", under a line naming the team
    keywords=r"MSMT|monitor|\bmembers?\b|\bcountr(?:y|ies)\b|\bnations?\b|\bstates\b",
)


@hookimpl
def register_metrics() -> list[Metric]:
    return [Metric(key="msmt_member_states", unit="countries",
                   description="member states of the Multilateral Sanctions Monitoring Team")]


@hookimpl
def detect(article: Article) -> list[Figure]:
    return MEMBERS.figures(article)
