"""A monitor detector: Shahed/Geran drones delivered by Iran to Russia.

One metric, ``iran_drones_to_russia``: how many attack drones Iran has
delivered to Russia, as a sentence reports it ("more than 2,400 Shahed drones",
"another 500"). The sentence (or the one before) must name Iran and this one
must name Russia; drones launched or shot down are not deliveries.
"""

from __future__ import annotations

import re

from monitor import Article, Figure, Metric, hookimpl
from monitor.toolkit import Counted, Detector

METRIC = "iran_drones_to_russia"

DRONES = Detector(
    Counted(
        METRIC,
        noun=r"drones|UAVs|Shaheds?|Gerans?",  # the word right after the number, past "Shahed-136"
        context=r"\b(?:Russia|Russian|Moscow|Kremlin)\b",  # the sentence must also say this
        veto=r"\b(?:launched|shot\s+down|downed|intercepted)\b",  # and must not say this
        subject=re.compile(r"\b(?:Iran|Iranian|Tehran)\b", re.IGNORECASE),  # who the figure is about
        actor=False,  # Iran is the actor here, so do not turn away "Iran sent ..."
    ),
    keywords=r"drone|UAV|Shahed|Geran",  # paragraphs without these are skipped unread
)


@hookimpl
def register_metrics() -> list[Metric]:
    return [Metric(key=METRIC, unit="drones",
                   description="Shahed/Geran attack drones Iran delivered to Russia")]


@hookimpl
def detect(article: Article) -> list[Figure]:
    return DRONES.figures(article)
