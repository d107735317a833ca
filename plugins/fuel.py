"""Refined petroleum from Russia to North Korea, and the UN cap on it, in barrels.

"more than one million barrels of fuel oil", "the UNSC sanctions cap ... at
500,000 barrels". Only barrels count: an amount in tonnes is not converted
(the conversion depends on the product), so it gives no figure.
"""

from monitor import Article, Figure, Metric, hookimpl
from monitor.toolkit import Counted, Detector

FUEL = r"\b(?:oil|fuel|petroleum|diesel|gasoline|petrol|kerosene|crude|refined)"
CAP = (
    r"\bcap\b|\bcaps\b|capped|ceiling|\blimit|quota|allow|permit|\bcan\s+(?:procure|import|receive|buy|obtain)|"
    r"\bmay\s+(?:procure|import|receive|buy)|entitled|annual\s+(?:imports|limit|allowance)|maximum|"
    r"\bper\s+year\b|\ba\s+year\b|\bannually\b|\byearly\b"
)
PER_DAY = r"\b(?:a|per|each)\s+day\b|\bdaily\b|\bbpd\b"
FROM_RUSSIA = r"Russia|Moscow|Russian|Vladivostok|Kremlin"

BARRELS = Detector(
    Counted(
        "fuel_to_dprk",
        noun=r"barrels", context=rf"(?:{FUEL})[\s\S]*|(?:{FROM_RUSSIA})", veto_left=CAP,
        not_after=r"\s+(?:of\s+)?crude", actor=False, subject_nearby=True, min_value=1000, max_value=20_000_000,
        veto=PER_DAY,
    ),
    Counted(
        "fuel_to_dprk",
        before=rf"(?:{FUEL})\w*\b[^.;]{{0,40}}?(?::|—|–)\s*", actor=False, subject_nearby=True, min_value=1000,
        after=r"\s+barrels", veto_left=CAP,
    ),
    Counted(
        "dprk_fuel_cap",
        noun=r"barrels", context=CAP, left=CAP + r"|\bat\s*$|\bto\s*$", actor=False, min_value=1000,
        veto_left=r"\bcrude\b", subject_nearby=True,
        veto=r"^(?!.*\b(?:refined|petroleum|diesel|gasoline|fuel)\b).*\bcrude\b",  # the crude-oil cap
        not_after=r"\s+(?:of\s+)?(?:[\w-]+\s+)?crude",
    ),
    keywords=r"barrel",
)


@hookimpl
def register_metrics() -> list[Metric]:
    return [
        Metric(key="fuel_to_dprk", unit="barrels",
               description="refined petroleum / fuel from Russia to North Korea"),
        Metric(key="dprk_fuel_cap", unit="barrels a year",
               description="the UN Security Council's annual cap on North Korea's refined petroleum imports"),
    ]


@hookimpl
def detect(article: Article) -> list[Figure]:
    found = BARRELS.figures(article)
    # the fuel rule must also name fuel and Russia; checked here as both are needed
    return [f for f in found if f.metric != "fuel_to_dprk" or _is_delivery(f.quote)]


def _is_delivery(sentence: str) -> bool:
    import re

    return bool(re.search(FUEL, sentence, re.IGNORECASE) and re.search(FROM_RUSSIA, sentence))
