"""North Korean soldiers killed and wounded in Russia's war: together, killed, wounded.

"casualties ... reached 4,700", "approximately 600 deaths", "4,000 North Korean
soldiers killed or wounded"; not civilians, not Ukrainians ("Russian strikes kill 10").
"""

from monitor import Article, Figure, Metric, hookimpl
from monitor.toolkit import FOREIGN, PAST_WAR, Counted, Detector

SOLDIERS = (
    r"troops|soldiers|servicemen|service\s*members|fighters|combatants|men|personnel|(?:North\s+)?Koreans|forces|"
    # "around 2,000 soldiers have been killed and roughly 2,700 others wounded"
    r"others"
)
#: "600 of them had died": the soldiers of the sentence before, who must name them
THEM = r"of\s+(?:them|those|these|whom)"
#: another country named as the owner ("Chinese volunteers, some 180,000 of whom died"), not as a
#: place ("deployed to Russia last year (roughly 4,000 of whom ...")
OTHERS = (
    rf"(?-i:(?<!\bto\s)(?<!\bin\s)(?<!\binto\s)(?<!\bfrom\s)(?:{FOREIGN.pattern})"
    # nor as the source of the estimate: "Seoul estimated that ..."
    r"(?!\s+(?:said|says|estimated|estimates|reported|reports|believes|believed|assessed|assesses|puts|put)\b))"
)
BOTH = r"(?:killed|dead)\s+(?:and|or|and/or)\s+(?:wounded|injured)|(?:wounded|injured)\s+(?:and|or)\s+(?:killed|dead)"
WERE = r"\s+(?:[\w-]+\s+){0,3}?(?:(?:were|was|have\s+been|had\s+been|been|being|are|have|has|had|reportedly|likely)\s+){0,2}"
LINK = (
    r"(?:\s+\S+){0,1}?\s*(?:reached|rose\s+to|climbed\s+to|risen\s+to|grown\s+to|stood\s+at|stands\s+at|"
    r"totall?ed|totals|total|totall?ing|numbered|numbering|number|hit|of|at|to|is|was|were|are|be|:|—|–|around|"
    r"estimated\s+at|put\s+at|now|already|have|has|had|amount(?:s|ed|ing)?\s+to|came\s+to|comes?\s+to|"
    r"accounted\s+for|account\s+for|made\s+up)"
)
#: "around 4,700 are estimated to have been killed or wounded": the verb phrase stands for the noun
ARE_BOTH = rf"(?:are|were|have\s+been|had\s+been)\s+(?:[\w-]+\s+){{0,4}}?(?:{BOTH})"
#: "about 2,300 are believed to have died and upwards of 4,000 to have been wounded": each its own figure
ARE_KILLED = (
    r"(?:are|were|have\s+been|had\s+been|have|had|to\s+have)\s+(?:[\w-]+\s+){0,4}?(?:killed|died|dead|deaths|fatalities)\b"
    r"(?!\s+(?:and|or|and/or)\s+(?:wounded|injured)\b)"
)
ARE_WOUNDED = (
    r"(?:are|were|have\s+been|had\s+been|to\s+have\s+been)\s+(?:[\w-]+\s+){0,4}?(?:wounded|injured)\b"
    r"(?!\s+(?:and|or)\s+(?:killed|dead)\b)"
)
NOT_SOLDIERS = (
    r"\bcivilians?\b|\bresidents\b|\bchildren\b|\bUkrainians\b|\bpassengers\b|\bstrikes?\s+on\b|"
    # "the losses of the enemy amount to 890 thousand": a war report's count of the other side
    r"\b(?:losses|casualties)\s+of\s+the\s+enemy\b|\benemy(?:'s|’s)?\s+(?:losses|casualties)\b"
)
#: "captured two wounded North Korean soldiers": prisoners taken, not a casualty count
#: ("at the time of the capture, 4,000 had been killed or wounded" is a casualty count)
CAPTURED = r"\b(?:captured|capturing|captures|capture\s+of|took\s+prisoner|taken\s+prisoner|taking\s+prisoner|seized)\b"
#: translated copy: "casualties have exceeded 6,000 persons, of which dead about 2,000 persons"
OF_WHICH = r"\b(?:of\s+(?:which|whom|them|these|those)|including|incl\.?|among\s+them)\s*,?\s*"

#: no more North Korean soldiers can fall in Russia than were sent there: "2.5 million Koreans
#: killed or wounded in the Korean War", "Russia has lost 700,000 soldiers killed and wounded"
MOST = 300_000


#: before the amount, an epidemic's, a disaster's or an accident's dead: "3,248 cases worldwide, including
#: 584 deaths", "two crashes killed 346"; after it ("4,000 killed or wounded, some in training
#: accidents") they are only some of the soldiers' losses
DISASTER = (
    r"\b(?:cases|patients|outbreak|virus|disease|epidemic|pandemic|COVID|flu|infections?|crash(?:es)?|"
    r"accidents?|earthquakes?|floods?|hurricanes?|typhoons?|landslides?)\b"
)
#: "dead and wounded numbered 2,000 and 4,500 respectively": each amount its own noun, in order
RESPECTIVELY = r",?\s+respectively\b"
KILLED_AND_WOUNDED = r"\b(?:killed|dead|deaths|fatalities)\s+and\s+(?:wounded|injured|injuries)\b[^.;]{0,40}?"
AMOUNT_AND = r"[\d][\d,.]*(?:\s*(?:thousand|million|K|k))?\s+and\s*"

#: a rate is no count: "nearly 30 casualties a day", "about four deaths a day"
RATE = r"\s+(?:[\w-]+\s+){0,2}?(?:a|per|each|every)\s+(?:day|week|month)\b"


def _counted(metric: str, **rule: object) -> Counted:
    not_after = rule.pop("not_after", None)
    rule.setdefault("veto_before", DISASTER)
    return Counted(metric, max_value=MOST, not_after=f"{not_after}|{PAST_WAR}|{RATE}" if not_after else f"{PAST_WAR}|{RATE}", **rule)


CASUALTIES = Detector(
    _counted("dprk_casualties", noun=rf"casualties|casualty|losses|{BOTH}|{ARE_BOTH}", veto=NOT_SOLDIERS, veto_left=CAPTURED),
    _counted("dprk_casualties", noun=SOLDIERS, after=WERE + rf"(?:{BOTH})\b", veto=NOT_SOLDIERS, veto_left=CAPTURED),
    # "as many as 6,000 of them have been killed or wounded"; not "Chinese volunteers, some 180,000 of whom died"
    _counted("dprk_casualties", noun=THEM, after=WERE + rf"(?:{BOTH})\b", veto=NOT_SOLDIERS, veto_left=rf"{OTHERS}|{CAPTURED}"),
    _counted(
        "dprk_killed", noun=THEM, veto=NOT_SOLDIERS, veto_left=rf"{OTHERS}|{CAPTURED}",
        after=WERE + r"(?:killed|dead|died|slain|lost\s+their\s+lives)\b(?!\s+(?:and|or|and/or)\s+(?:wounded|injured))",
    ),
    _counted(
        "dprk_wounded", noun=THEM, veto=NOT_SOLDIERS, veto_left=rf"{OTHERS}|{CAPTURED}",
        after=WERE + r"(?:wounded|injured|treated\s+for\s+(?:wounds|injuries)|hospitali[sz]ed)\b(?!\s+(?:and|or)\s+(?:killed|dead))",
    ),
    # not "their own brigade lost 40 men": the speakers' own side
    _counted("dprk_killed", noun=SOLDIERS, left=r"\b(?:lost|losing|loses)\s*$", veto=NOT_SOLDIERS,
             veto_left=rf"{CAPTURED}|\b(?:our|their|its)\s+own\b",
            min_value=10),
    _counted(
        "dprk_casualties",
        before=(
            rf"\b(?:casualties|losses|casualty\s+(?:toll|count|figures?|numbers?)|(?<!death\s)toll|{BOTH})\b[^.;]{{0,80}}?{LINK}"
            r"|\b(?:casualties|losses)\s*"
        ),
        veto=NOT_SOLDIERS, veto_left=r"\b(?:deaths?|dead|killed|fatalities)\b(?!\s+(?:and|or)\s)|" + CAPTURED,
        not_after=rf"\s+and\s+(?:{AMOUNT_AND})?[\d][\d,.]*(?:\s*(?:thousand|million|K|k))?{RESPECTIVELY}",
    ),
    # "dead and wounded numbered 2,000 and 4,500 respectively"
    _counted(
        "dprk_killed", before=rf"{KILLED_AND_WOUNDED}{LINK}\s*", after=rf"\s+and\s+[\d][\d,.]*(?:\s*(?:thousand|million|K|k))?{RESPECTIVELY}",
        veto=NOT_SOLDIERS, veto_left=CAPTURED,
    ),
    _counted(
        "dprk_wounded", before=rf"{KILLED_AND_WOUNDED}{LINK}\s*{AMOUNT_AND}", after=RESPECTIVELY,
        veto=NOT_SOLDIERS, veto_left=CAPTURED,
    ),
    _counted(
        "dprk_killed",
        noun=rf"deaths|dead|fatalities|killed|lives|bodies|KIA|combat\s+deaths|{ARE_KILLED}",
        not_after=r"\s+(?:and|or|and/or)\s+(?:wounded|injured)", veto=NOT_SOLDIERS, veto_left=CAPTURED,
    ),
    _counted(
        "dprk_killed", noun=SOLDIERS,
        after=WERE + r"(?:killed|dead|died|slain|lost\s+their\s+lives)\b(?!\s+(?:and|or|and/or)\s+(?:wounded|injured))",
        veto=NOT_SOLDIERS, veto_left=CAPTURED,
    ),
    _counted("dprk_killed", noun=SOLDIERS, left=r"\b(?:killed|kill|killing|eliminated|slain)\s*$", veto=NOT_SOLDIERS, veto_left=CAPTURED),
    # "Ukraine's forces have killed or wounded some 4,000 North Korean servicemen"
    _counted("dprk_casualties", noun=SOLDIERS, left=rf"\b(?:{BOTH})\s*$", veto=NOT_SOLDIERS, veto_left=CAPTURED),
    _counted(
        "dprk_killed",
        before=rf"\b(?:death\s+toll|deaths|dead|killed|fatalities|KIA|fell\s+in\s+(?:battle|combat|action))\b(?!\s+(?:and|or)\s+(?:wounded|injured))[^.;]{{0,60}}?{LINK}"
        rf"|{OF_WHICH}(?:dead|killed|deaths)\s*(?::|—|–)?\s*",
        veto=NOT_SOLDIERS, veto_left=r"\b(?:wounded|injured|casualties)\b|" + CAPTURED,
    ),
    _counted(
        "dprk_wounded", noun=rf"wounded|injured|injuries|{ARE_WOUNDED}",
        not_after=r"\s+(?:and|or)\s+(?:killed|dead)", veto=NOT_SOLDIERS, veto_left=CAPTURED,
    ),
    _counted(
        "dprk_wounded", noun=SOLDIERS,
        after=WERE + r"(?:wounded|injured|treated\s+for\s+(?:wounds|injuries)|hospitali[sz]ed)\b(?!\s+(?:and|or)\s+(?:killed|dead))", veto=NOT_SOLDIERS, veto_left=CAPTURED,
    ),
    _counted(
        "dprk_wounded",
        before=rf"\b(?:wounded|injured|WIA)\b(?!\s+(?:and|or)\s+(?:killed|dead))[^.;]{{0,40}}?{LINK}"
        rf"|{OF_WHICH}(?:wounded|injured)\s*(?::|—|–)?\s*",
        veto=NOT_SOLDIERS, veto_left=r"\b(?:killed|dead|deaths|casualties)\b|" + CAPTURED,
    ),
    keywords=r"WIA|wound|casualt|killed|\bkill|dead|death|\bdied\b|\bdie\b|fatalit|wounded|injur|losses|\blost\b|\blives\b|bodies|eliminat|slain|\bKIA\b|\btoll\b|\bfell\s+in\s+(?:battle|combat|action)|\bfallen\b",
)


@hookimpl
def register_metrics() -> list[Metric]:
    return [
        Metric(key="dprk_casualties", unit="persons",
               description="North Korean soldiers in Russia killed and wounded together"),
        Metric(key="dprk_killed", unit="persons", description="North Korean soldiers killed"),
        Metric(key="dprk_wounded", unit="persons", description="North Korean soldiers wounded"),
    ]


@hookimpl
def detect(article: Article) -> list[Figure]:
    return CASUALTIES.figures(article)
