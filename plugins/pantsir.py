"""Pantsir air-defence systems transferred to North Korea (``pantsir_to_dprk``).

"at least one Pantsir air defense missile system", "one Pantsir-class mobile
combat vehicle"; a Pantsir named without how many went to North Korea is a
mention (see ``mentions``), not a figure.
"""

from monitor import Article, Figure, Metric, hookimpl
from monitor.toolkit import Counted, Detector

PANTSIR = Detector(
    Counted(
        "pantsir_to_dprk",
        noun=r"systems?|vehicles?|batter(?:y|ies)|units?|launchers?|complex(?:es)?|Pantsirs?|Pantsir-S1s?|sets?",
        modifiers=r"Pantsir|Панцирь",
        context=r"transfer|provid|suppl|\bgave\b|given|\bgive|deliver|\bsent\b|\bsend|obtain|receiv|acquir|"
        r"handed|shipp|\bgot\b|\bgets?\b|deploy|install|in\s+return|in\s+exchange",
        actor=False, subject_nearby=True, max_value=200, max_modifiers=6,
        # Russia's own Pantsirs, lost or in its inventory, went to nobody
        veto_left=r"\b(?:lost|destroyed|downed|hit|struck|shot|inventory|arsenal|stock|fleet|fields?|operates?)\b|"
        r"\b(?:Russia|Moscow|the\s+Kremlin)(?:'s|’s)\s+own\b",
    ),
    Counted(
        "pantsir_to_dprk",
        before=r"\bPantsir[\w\s-]{0,40}?(?::|—|–)\s*",
        actor=False, subject_nearby=True, max_value=200,
    ),
    keywords=r"Pantsir|Панцирь",
)


@hookimpl
def register_metrics() -> list[Metric]:
    return [Metric(key="pantsir_to_dprk", unit="systems",
                   description="Pantsir air-defence systems or vehicles transferred to North Korea")]


@hookimpl
def detect(article: Article) -> list[Figure]:
    return PANTSIR.figures(article)
