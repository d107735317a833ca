"""Arms from North Korea to Russia: rounds, containers, ballistic missiles, artillery systems.

"up to 9 million artillery shells", "more than 20,000 containers", "at least 100
ballistic missiles", "over 200 heavy artillery pieces"; not what Russia fires
or makes itself, not what others send to Ukraine.
"""

from monitor import Article, Figure, Metric, hookimpl
from monitor.toolkit import PAST_WAR, Counted, Detector

TO_RUSSIA = (
    r"Russia|Moscow|Kremlin|transfer|suppl|shipp|shipment|\bsen[dt]\b|provid|deliver|export|handed|gave|"
    r"obtain|receiv|acquir|Ukraine|Kursk|war\b"
)
NOT_TRANSFER = (
    r"(?<!according\s)\b(?:to|for)\s+(?:Ukraine|Kyiv|Kiev)\b|\b(?:per|a|each)\s+day\b|\bdaily\b|"
    # "Kyiv had asked its partners for 1 million rounds of its own": a request of the other side
    r"\b(?:Kyiv|Ukraine)(?:'s|’s)?\s+(?:had\s+|has\s+|have\s+)?(?:asked|requested|sought|wants|needs)\b|"
    # what North Korea makes is no transfer; "as Russia's own production has risen" names the other side's
    r"(?<!own\s)\bproduc\w+|\bmanufactur\w+|\bstockpile|\b(?:domestic|annual|own)\s+output\b|"
    # arms North Korea keeps at home: "deployed 250 new launchers along its southern border"
    r"\b(?:along|on|near|at)\s+(?:its|the)\s+(?:(?:southern|northern|eastern|western|own)\s+)?(?:border|frontier|DMZ|coast)\b"
)
#: what a gun or a ship can take is no transfer: "limits them to 1,500 rounds", "can carry 500 containers"
CAPACITY = (
    r"\b(?:limits?|limited|limiting|capacity|capable|can\s+(?:carry|hold|take|fire|load)|carries|holds|"
    # "the containers could hold as many as 12 million rounds" estimates what was sent; "each ship could carry"
    # and "a container can hold" say what one holds
    r"(?<!could\s)(?<!would\s)(?<!might\s)(?<!may\s)(?:carry|hold))\b|\b(?:each|every|per|a\s+single|one)\s+(?:[\w-]+\s+){1,4}?(?:could|would|might|may)\s+(?:carry|hold)\b"
)
#: another country's own arms trade: "South Korea has exported more than 1,200 K9 howitzers"
OTHER_SENDER = (
    r"\b(?:South\s+Korea|Seoul|S\.\s?Korea|United\s+States|U\.S\.|US|America|Washington|Poland|Germany|France|"
    # "Ukraine's allies delivered about one million shells through the Czech-led initiative"
    r"Ukraine(?:'s|’s)\s+(?:allies|partners|backers)|Western\s+(?:allies|partners)|the\s+West|Czech\s+Republic|Czechia|"
    r"Britain|UK|Japan|China|Beijing|Iran|Tehran|Europe|EU|NATO)(?:'s|’s)?\s+(?:(?:has|have|had|is|was|were|also|so\s+far|already|now|itself|recently|will|would|to)\s+){0,3}"
    r"(?:export\w*|sold|sells?|selling|sen[dt]s?|sending|suppl\w+|deliver\w*|provid\w+|donat\w+|pledg\w+|ship\w*|produc\w+|buil[dt]s?)\b"
)
#: North Korea's own arsenal: "It fields some 6,000 rocket launchers", "the KPA operates 8,000 guns"
OWN_ARSENAL = r"\b(?:fields?|fielding|possess(?:es|ed|ing)?|operates?|operating|inventory|arsenal\s+of|stockpile\s+of)\s+(?:\S+\s+){0,6}$"
FIRED = (
    r"\b(?:fired|fires|firing|launched|launches|test-fired|tested|intercepted|shot\s+down|lost|losing|destroyed|"
    r"produced|produces|built|manufactured)\b"
)


def _counted(metric: str, **rule: object) -> Counted:
    """A rule of arms sent to Russia; "400 pieces of artillery captured in the 1950–53 war" is a past war's."""
    not_after = rule.pop("not_after", None)
    return Counted(metric, not_after=f"{not_after}|{PAST_WAR}" if not_after else PAST_WAR, **rule)


MUNITIONS = Detector(
    _counted(
        "munitions_rounds_to_russia",
        noun=r"shells|rounds|munitions|ammunition|projectiles|rockets|mortar\s+(?:rounds|shells|bombs)",
        context=TO_RUSSIA, actor=False, veto=NOT_TRANSFER, veto_left=rf"{FIRED}|{CAPACITY}|{OTHER_SENDER}", min_value=1000,
        not_modifiers=r"ballistic|containers?|anti-tank|anti-aircraft",
        # "a container can hold roughly 500 rounds ..., or about 3,200 rounds": what one holds, in any clause
        veto_before=CAPACITY,
    ),
    _counted(
        "munitions_containers_to_russia",
        noun=r"(?:shipping\s+)?containers|TEUs?|container\s+loads",
        # "a 1,000-TEU vessel", "the 1,200-TEU Maia-1": a ship's size
        not_after=r"\s+(?:vessels?|ships?|freighters?|carriers?|boats?|capacity)\b",
        not_modifiers=r"^-TEU",
        context=TO_RUSSIA, actor=False, veto=NOT_TRANSFER, veto_left=rf"{CAPACITY}|{OTHER_SENDER}", min_value=10, max_value=500_000,
    ),
    _counted(
        "ballistic_missiles_to_russia",
        noun=r"missiles|KN-?2[345]s|Hwasong-11\w*s|rockets",
        modifiers=r"ballistic|KN-?2[345]|Hwasong|Iskander|close-range|short-range",
        not_modifiers=r"anti-tank|anti-aircraft|air[- ]defen[cs]e|surface-to-air|cruise|guided\s+(?!ballistic)",
        context=TO_RUSSIA, actor=False, veto=NOT_TRANSFER, veto_left=rf"{FIRED}|{OTHER_SENDER}|{OWN_ARSENAL}", max_value=100_000,
    ),
    _counted(
        "ballistic_missiles_to_russia",
        noun=r"(?:short-range\s+)?ballistic\s+missiles|KN-?2[345](?:\s*(?:and|or|/|,)\s*KN-?2[345])*(?:\s+ballistic)?\s+missiles",
        context=TO_RUSSIA, actor=False, veto=NOT_TRANSFER, veto_left=rf"{FIRED}|{OTHER_SENDER}|{OWN_ARSENAL}", max_value=100_000,
    ),
    _counted(
        "ballistic_missiles_to_russia",
        # "The ballistic missile which North Korea handed over to Russia is more than 100 pieces"
        before=r"\bballistic\s+missiles?\b[^.;:]{0,60}?\b(?:is|are|was|were|totall?(?:ed|ing)|number(?:ed|ing)|reached|stood\s+at|stands\s+at)\s*|"
        r"\b(?:ballistic\s+missiles|KN-?2[345][\w\s/-]{0,20}?missiles)(?:\s*\([^()]{0,30}\))?"
        # "ballistic missiles such as KN-23 and KN-24 of no fewer than 200 units", "... KN-23 and KN-24 - 148 units"
        r"(?:\s+(?:such\s+as\s+|including\s+|like\s+)?KN-?2[345](?:\s*(?:and|or|/|,)\s*KN-?2[345])*)?"
        # a table's label: "Ballistic missiles (KN-23/KN-24) to Russia: 250+"
        r"(?:\s+(?:sent\s+|delivered\s+|transferred\s+|supplied\s+)?to\s+Russia)?"
        r"\s*(?:—|–|:|-|,|\bof|\bnumbering|\btotall?ing)?\s*",
        context=TO_RUSSIA, veto=NOT_TRANSFER, veto_left=rf"{FIRED}|{OTHER_SENDER}", actor=False, max_value=100_000,
    ),
    _counted(
        "munitions_containers_to_russia",
        before=r"\bcontainers\b[^.;]{0,60}?(?::|—|–|\breached|\btotal\w*|\bnumber\w*|\b(?:counted|estimated|put)\s+at)\s*",
        context=TO_RUSSIA, veto=NOT_TRANSFER, actor=False, min_value=10,
    ),
    _counted(
        "munitions_rounds_to_russia",
        before=r"\b(?:rounds|shells|ammunition)\b[^.;]{0,60}?(?::|—|–|\breached|\btotal\w*|\bnumber\w*|\brange[sd]?|\branging)\s*"
        # "Kyiv now puts North Korean artillery rounds shipped to Russia in 2025 at about 2 million"
        r"|\bput(?:s|ting)?\s+(?:[\w'’-]+\s+){0,4}?(?:rounds|shells|ammunition)\b[^.;]{0,60}?\bat\s*",
        context=TO_RUSSIA, veto=NOT_TRANSFER, actor=False, min_value=1000,
    ),
    _counted(
        "artillery_systems_to_russia",
        before=r"\b(?:guns|launchers|howitzers|artillery(?:\s+(?:pieces|systems))?|pieces)\b[^.;]{0,40}?"
        r"(?:\bnumbering|\btotall?ing|:|—|–)\s*",
        context=TO_RUSSIA, veto=NOT_TRANSFER, veto_left=rf"{FIRED}|{OTHER_SENDER}", actor=False, max_value=20_000,
    ),
    _counted(
        "artillery_systems_to_russia",
        noun=(
            r"howitzers|(?:multiple\s+)?(?:rocket\s+)?launchers|MLRS|(?:self-propelled\s+)?guns|Koksans|"
            r"artillery(?:\s+(?:pieces|systems|guns|units))?|pieces|systems|units"
        ),
        modifiers=r"artillery|howitzer|launcher|MLRS|Koksan|M-?19\d\d|\d{3}\s?mm|\bguns\b|rocket|\btubes\b",
        # "at least 15 Koksans have been destroyed": losses, not deliveries
        not_after=r"\s+(?:(?:have|has|had|were|was)\s+)?(?:(?:been|reportedly|since|already)\s+)*(?:destroyed|lost|captured|"
        r"damaged|hit|knocked\s+out)\b",
        not_modifiers=r"anti-aircraft|air[- ]defen[cs]e|Pantsir|missile|anti-tank|\bsmall\b",
        context=TO_RUSSIA, actor=False, veto=NOT_TRANSFER, veto_left=rf"{FIRED}|{OTHER_SENDER}|{OWN_ARSENAL}", max_value=20_000,
    ),
    # "roughly 240 tubes and launchers"; not "a 240mm multiple rocket launcher with 22 tubes", one weapon's parts
    _counted(
        "artillery_systems_to_russia", noun=r"tubes",
        context=TO_RUSSIA, actor=False, veto=NOT_TRANSFER, min_value=30, max_value=20_000,
        not_modifiers=r"missile|anti-aircraft|air[- ]defen[cs]e|Pantsir|torpedo",
        veto_left=rf"{FIRED}|{OTHER_SENDER}|{OWN_ARSENAL}|\b(?:with|carr(?:y|ied|ies|ying)|fitted\s+with|mounting|has|have)\s*$",
    ),
    # "the more than 200 pieces cited by the team": pieces of artillery the sentence names
    _counted(
        "artillery_systems_to_russia", noun=r"pieces",
        context=TO_RUSSIA, requires=(r"\b(?:artillery|howitzers?)\b",),
        actor=False, veto=NOT_TRANSFER, veto_left=rf"{FIRED}|{OTHER_SENDER}|{OWN_ARSENAL}", max_value=20_000,
    ),
    keywords=r"shell|round|munition|ammunition|projectile|rocket|mortar|container|missile|howitzer|launcher|"
    r"MLRS|\bguns\b|artillery|pieces|KN-?2|Hwasong|Koksan",
)


@hookimpl
def register_metrics() -> list[Metric]:
    return [
        Metric(key="munitions_rounds_to_russia", unit="rounds",
               description="artillery and rocket rounds from North Korea to Russia"),
        Metric(key="munitions_containers_to_russia", unit="containers",
               description="containers of munitions from North Korea to Russia"),
        Metric(key="ballistic_missiles_to_russia", unit="missiles",
               description="ballistic missiles from North Korea to Russia"),
        Metric(key="artillery_systems_to_russia", unit="pieces",
               description="heavy artillery pieces and rocket launchers from North Korea to Russia"),
    ]


@hookimpl
def detect(article: Article) -> list[Figure]:
    return MUNITIONS.figures(article)
