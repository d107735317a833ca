"""North Korean labourers sent to Russia (``dprk_workers_to_russia``).

"another 8,000 North Korean laborers", "visas for 8,000 workers", "About 8,000
North Koreans have been sent to Russia to work"; not soldiers, not workers elsewhere.
"""

from monitor import Article, Figure, Metric, hookimpl
from monitor.toolkit import Counted, Detector

IN_RUSSIA = r"Russia|Moscow|Vladivostok|Siberia|Far\s+East|Kursk|Primorsky|Alabuga|Tatarstan|Rosatom"
WORK = r"\bwork|labou?r|construction|employ|\bvisas?\b|\bjobs?\b|factor(?:y|ies)|sectors?|\bhired\b|(?-i:\bIT\b)"
#: "100,000 workers abroad, mostly in China and Russia", "100,000 workers thought to be abroad":
#: all of North Korea's workers abroad, not Russia's
ABROAD = r"(?:\s+(?!Russia)[\w-]+){0,4}?\s+(?:abroad|overseas|worldwide|around\s+the\s+world|in\s+(?:\w+\s+)?(?:countries|nations))\b"
#: a work team's size or a shortage is no count of those sent: "a brigade of 40 North Koreans",
#: "the construction sector alone lacks some 40,000 workers"
NOT_SENT = (
    r"\b(?:brigade|team|crew|gang|group|squad|shift)\s+of\s*$|"
    r"\b(?:lacks?|lacking|short\s+of|shortage\s+of|needs?|needed|demand\s+for|requires?|required)\s*$"
)
MILITARY = r"\b(?:troops|soldiers|military\s+personnel|fight\w*|combat|killed|wounded|casualt\w*)\b"

WORKERS = Detector(
    Counted(
        "dprk_workers_to_russia",
        noun=r"(?:construction\s+|IT\s+|manual\s+|forced\s+)?(?:workers|labou?rers|labou?r|builders)",
        context=IN_RUSSIA, actor=False, min_value=10, max_value=500_000, veto_left=NOT_SENT,
        # "military builders" are soldiers (an army's construction troops)
        not_modifiers=r"\b(?:Russian|Ukrainian|Chinese|Central\s+Asian|Uzbek|Tajik|Kyrgyz|Indian|Vietnamese|military)\b",
        not_after=ABROAD,
    ),
    # "employees" are a company's unless Russia is named close by
    Counted(
        "dprk_workers_to_russia", noun=r"employees", context=IN_RUSSIA, near_context=True, actor=False, min_value=10,
        max_value=500_000, not_modifiers=r"\b(?:Russian|Ukrainian|Chinese|Central\s+Asian|Uzbek|Tajik|Kyrgyz|Indian|Vietnamese)\b",
        not_after=ABROAD,
    ),
    # a fact box's item: "- North Korean laborers sent to Russia: about 8,000", "Workers: 15,000"
    Counted(
        "dprk_workers_to_russia",
        # "- Workers: 15,000", "the North's labourers in Russia now number upwards of 20,000"
        before=r"\b(?:workers|labou?rers|labou?r)\b[^.;:]{0,60}?(?::|—|–|\bnumber(?:ed|ing)?|\btotall?(?:ed|ing)?|\breached|"
        r"\bstood\s+at|\bstands?\s+at)\s*",
        context=IN_RUSSIA, actor=False, min_value=10, max_value=500_000, not_after=ABROAD,
        # "not all of them were workers: 7,887 were registered as students"
        veto=r"\b(?:Russian|Ukrainian|Chinese|Central\s+Asian|Uzbek|Tajik|Kyrgyz|Indian|Vietnamese)\s+(?:workers|labou?r)"
        r"|\b(?:diplomats?|athletes?|tourists?|students?|delegations?)\b(?![\"”’])",
    ),
    Counted(
        "dprk_workers_to_russia",
        noun=r"(?:North\s+)?Koreans|nationals|citizens|people|persons",
        context=(IN_RUSSIA, WORK), near_context=True,
        # "13,221 North Korean citizens entered Russia ..., a figure that includes diplomats,
        # athletes and tourists": all who crossed, not the workers among them
        # ... but workers sent 'under the name of "students"' are workers
        veto=MILITARY + r"|\b(?:diplomats?|athletes?|tourists?|students?|delegations?)\b(?![\"”’])", veto_left=NOT_SENT,
        actor=False, min_value=10, max_value=500_000,
    ),
    keywords=r"worker|labou?r|employee|builder|\bwork",
)


@hookimpl
def register_metrics() -> list[Metric]:
    return [Metric(key="dprk_workers_to_russia", unit="persons",
                   description="North Korean labourers sent to Russia")]


@hookimpl
def detect(article: Article) -> list[Figure]:
    return WORKERS.figures(article)
