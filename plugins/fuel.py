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
    # "the UN lets North Korea import just 500K barrels a year"
    r"\blets?\s+(?:[\w.]+\s+){0,2}(?:import|receive|buy|procure|obtain)\b|"
    r"\b(?:per|a|each|every)\s+year\b|\bannually\b|\byearly\b"
)
#: "daily" in lowercase: "Asia Energy Daily", a masthead, is no rate
PER_DAY = r"\b(?:a|per|each)\s+day\b|(?-i:\bdaily\b)|\bbpd\b"
FROM_RUSSIA = r"Russia|Moscow|Russian|Vladivostok|Kremlin"
#: "the 500,000-barrel annual limit": the cap named after the amount
CAP_AFTER = (
    r"\s+(?:annual\s+|yearly\s+|UN\s+|U\.N\.\s+|sanctions?\s+)*(?:cap|limit|ceiling|quota|allowance)\b"
    # "three times the 500,000 barrels a year the North is permitted to import"
    # "the 500,000 barrels North Korea may import each year", "500,000 barrels that Pyongyang is allowed a year"
    r"|\s+(?:of\s+(?:refined\s+)?(?:petroleum|fuel|oil)(?:\s+products)?\s+)?(?:(?:a|per|each)\s+year\s+)?(?:that\s+|which\s+)?"
    r"(?:North\s+Korea|N\.\s?Korea|Pyongyang|the\s+North|the\s+country|it)\s+"
    r"(?:(?:may|can|could|is\s+(?:allowed|permitted|entitled)\s+to)\s+(?:legally\s+)?(?:import|receive|buy|procure|obtain)"
    r"|is\s+(?:allowed|permitted|entitled\s+to))\b"
    # "the five hundred thousand barrels a year that the Security Council permits"
    r"|\s+(?:(?:a|per|each)\s+year\s+)?(?:that|which)\s+(?:the\s+)?(?:UN\s+|U\.N\.\s+)?(?:Security\s+Council|UN|U\.N\.|"
    r"United\s+Nations|sanctions)\s+(?:permits|allows|sets)\b"
)
#: "500,000 barrels of crude", "barrels of Urals crude"; not "500,000 barrels and crude oil to 4 million"
CRUDE_AFTER = r"\s+of\s+(?:[\w-]+\s+)?crude|\s+crude"
#: what a tanker holds or the country burns is no delivery: "each tanker carries 90,000 barrels",
#: "North Korea consumes 4 to 5 million barrels a year"
NOT_DELIVERY = (
    rf"{PER_DAY}|\b(?:carr(?:y|ies|ying)|capacity|capable|holds?|fully\s+loaded|consum\w*|burns?|needs?|demand|"
    r"requires?|requirements?|uses?|usage|stor(?:e|es|age)|produc(?:e|es|ed|ing|tion))\b|"
    # one cargo's size: "averaging roughly 28,000 barrels per call"
    r"\bper\s+(?:call|voyage|trip|shipment|cargo|tanker|vessel|ship|delivery|load)\b|\baverag\w*"
)
#: a sentence about crude oil alone: the refined-product metrics do not count it ("Crude oil is
#: limited separately, at four million barrels a year")
CRUDE_ONLY = r"^(?!.*\b(?:refined|petroleum|diesel|gasoline|fuel|products?)\b).*\bcrude\b"
#: fuel another country sells to North Korea is no Russian delivery
OTHER_SUPPLIER = r"\b(?:China|Chinese|Beijing)\b"

BARRELS = Detector(
    # the goods and Russia may be named in the sentence before or in the headline:
    # "Russia delivered another 300,000 barrels", "- Refined oil to North Korea: over 1 million barrels"
    Counted(
        "fuel_to_dprk",
        noun=r"barrels?|bbls?", requires=(FUEL, FROM_RUSSIA), veto_left=rf"{CAP}|{OTHER_SUPPLIER}",
        not_after=rf"{CRUDE_AFTER}|{CAP_AFTER}", actor=False, subject_nearby=True, min_value=1000, max_value=20_000_000,
        # "China, the North's other main supplier, reported about 20,000 barrels"
        veto=f"{NOT_DELIVERY}|{CRUDE_ONLY}", veto_before=OTHER_SUPPLIER,
    ),
    Counted(
        "fuel_to_dprk",
        before=rf"(?:{FUEL})\w*\b[^.;]{{0,60}}?(?::|—|–)\s*", actor=False, subject_nearby=True, min_value=1000,
        after=r"\s+(?:barrels|bbls?)\b", veto_left=rf"{CAP}|{OTHER_SUPPLIER}", requires=(FROM_RUSSIA,), veto=NOT_DELIVERY,
    ),
    # a table's row: "Refined petroleum delivered to North Korea (barrels): over 1 million"
    Counted(
        "fuel_to_dprk",
        before=rf"(?:{FUEL})\w*\b[^.;(]{{0,60}}?\(barrels?\)\s*(?::|—|–)\s*", actor=False, subject_nearby=True, min_value=1000,
        veto_left=rf"{CAP}|{OTHER_SUPPLIER}", requires=(FROM_RUSSIA,), veto=NOT_DELIVERY,
    ),
    Counted(
        "dprk_fuel_cap",
        noun=r"barrels?|bbls?", context=CAP, left=CAP, actor=False, min_value=1000,
        veto_left=r"\bcrude\b", subject_nearby=True,
        veto=r"^(?!.*\b(?:refined|petroleum|diesel|gasoline|fuel)\b).*\bcrude\b",  # the crude-oil cap
        not_after=CRUDE_AFTER,
    ),
    # "the cap ... stands at 500,000 barrels": a cap named close by, not only in the headline
    # ("shipments ran at roughly 1.2mn barrels" under a headline about the cap are deliveries)
    Counted(
        "dprk_fuel_cap",
        noun=r"barrels?|bbls?", context=CAP, near_context=True, left=r"\bat\s*$|\bto\s*$", actor=False, min_value=1000,
        veto_left=r"\bcrude\b", subject_nearby=True,
        veto=r"^(?!.*\b(?:refined|petroleum|diesel|gasoline|fuel)\b).*\bcrude\b",  # the crude-oil cap
        not_after=CRUDE_AFTER,
    ),
    Counted(
        "dprk_fuel_cap",
        noun=r"barrels?|bbls?", after=CAP_AFTER, actor=False, min_value=1000, subject_nearby=True,
        veto_left=r"\bcrude\b", not_after=CRUDE_AFTER,
    ),
    # a table's row: "UN cap on refined petroleum imports (barrels a year): 500,000"
    Counted(
        "dprk_fuel_cap",
        before=r"\b(?:cap|ceiling|limit)\b[^.;]{0,80}?\(barrels?(?:\s+(?:a|per)\s+year)?\)\s*(?::|—|–)\s*",
        actor=False, min_value=1000, subject_nearby=True, veto_left=r"\bcrude\b",
    ),
    # "(UN cap: 500K a year!)", "a cap of 500,000 a year": barrels left unsaid
    Counted(
        "dprk_fuel_cap",
        before=r"\b(?:cap|ceiling|limit)\b[^.;]{0,20}?(?::|—|–|\bof|\bat|\bis|\bwas|\bstands\s+at|\bset\s+at)\s*", after=r"\s+(?:a|per)\s+year\b|\s+annually\b",
        requires=(rf"barrels|{FUEL}",), actor=False, min_value=1000, subject_nearby=True, veto_left=r"\bcrude\b",
    ),
    keywords=r"barrel|\bbbls?\b|\bcap\b|\blimit\b|\bceiling\b",
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
    return BARRELS.figures(article)
