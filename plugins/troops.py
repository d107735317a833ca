"""North Korean soldiers sent to or deployed in Russia (``dprk_troops_to_russia``).

"over 11,000 troops", "an additional 3,000 soldiers", "a contingent of 10,000",
"troops numbering 12,000"; not soldiers killed or wounded (casualties), not
other countries' armies ("Russia has 600,000 troops in Ukraine").
"""

from monitor import Article, Figure, Metric, hookimpl
from monitor.toolkit import Counted, Detector

SOLDIERS = (
    r"troops|soldiers|servicemen|service\s*members|military\s+personnel|personnel|fighters|combatants|"
    r"forces|infantrymen|infantry|contingent|force|commandos|recruits|conscripts|mercenaries|"
    r"military\s+(?:personnel|staff)|special\s+forces|replacements|reinforcements|deminers|sappers|military\s+builders|"
    r"(?:military|combat)\s+engineers"
)
DEPLOYED = (
    r"\bsen[dt]\b|sending|deploy|dispatch|station|transferr|Russia|Kursk|front|\bfight|battle|\bwar\b|"
    r"combat|reinforc|rotation|Moscow|Ukraine|Vladivostok|Far\s+East|flown|transport|shipp|arriv|replac|demin"
)
#: a sentence about the Korean War or another past war is no deployment to Russia ("On June 25, 1950, ...")
HISTORY = r"\b(?:in|on|since|during|of|from|by|until)\s+(?:\w+\.?\s+)?(?:\d{1,2},?\s+)?(?:1[89]\d\d|20[01]\d)\b|\bKorean\s+War\b|38th\s+parallel"
CASUALTY_WORDS = (
    r"\b(?:casualt\w*|killed|dead|deaths?|died|wounded|wounds|injured|injuries|losses|lost|toll|captured|capture\s+of|captives?|"
    r"fell\s+in\s+(?:battle|combat|action)|fallen|"
    r"prisoners?|POWs?|bodies|remains|coffins|funerals?|graves?|treated|hospitali[sz]ed)\b"
)
#: soldiers sent "to replace losses" or "to make up for casualties" are a deployment, not a loss
REPLACING = r"\b(?:replac\w*|replenish\w*|make\s+up\s+for|making\s+up\s+for|offset\w*|cover)\s+(?:the\s+|its\s+|their\s+|heavy\s+|mounting\s+|battlefield\s+)*"
#: after the soldiers' noun: they were killed or wounded ("2,000 soldiers had been killed"), or
#: are held ("two North Korean soldiers held by Ukraine"); "3,000 troops to replace losses" were sent
AFTER_LOSS = (
    rf"\s+(?:(?!replac|replenish|offset|make\b)[\w-]+\s+){{0,3}}?(?:(?:were|have\s+been|had\s+been|been|being|are|have|has|had)\s+)?"
    rf"(?:{CASUALTY_WORDS}|(?:held|detained|imprisoned|interrogated)\b)"
)
#: a casualty word anywhere in the sentence, unless it names what the soldiers replace
CASUALTY_VETO = rf"^(?:{REPLACING}{CASUALTY_WORDS}|(?!{CASUALTY_WORDS}).)*+{CASUALTY_WORDS}"
#: "1,000 men, killed in action": a state after a comma; a noun there ("15,000 people, casualties
#: have exceeded 6,000") opens the next clause
CASUALTY_STATES = r"\b(?:killed|dead|died|wounded|injured|captured|hospitali[sz]ed|treated)\b"
#: medals and honours name soldiers decorated, not soldiers sent
#: "attack in groups of 10 to 15 soldiers": the size of one group, not of the force sent
UNIT_SIZE = r"\b(?:groups|squads|teams|cells|sections|platoons|waves|columns)\s+of\s*$|\b(?:each|every|per)\s+(?:group|squad|team|unit|platoon|company|battalion)\b"
#: after the soldiers' noun: a rate ("up to 60 soldiers per car") or another destination ("200 air
#: force personnel to North Vietnam in the late 1960s"), not the force sent to Russia
ELSEWHERE = (
    r"\s+(?:per|a|each|every)\s+(?:car|carriage|wagon|coach|train|bus|truck|vehicle|flight|plane|aircraft|ship|vessel|"
    r"boat|unit|day|week|month)\b"
    r"|\s+(?:[\w-]+\s+){0,3}?to\s+(?:North\s+|South\s+)?(?:Vietnam|Syria|Egypt|Angola|Ethiopia|Uganda|Libya|Lebanon|Laos|"
    r"Cambodia|Zimbabwe|Mozambique|the\s+Middle\s+East)\b"
)
WEAPONS = (
    r"\b(?:missiles?|launchers?|guns?|howitzers?|artillery|shells|rounds|rockets?|ammunition|munitions|"
    r"systems?|vehicles?|tanks?|drones?|aircraft|KN-?\d\d\w*|Pantsirs?|air[- ]defen[cs]e|S-[34]00)\b"
)
AWARDS = r"\b(?:medals?|awards?|awarded|decorated|decorations?|honou?rs?|honou?red|orders?\s+of|posthumous\w*|titles?)\b"

TROOPS = Detector(
    Counted(
        "dprk_troops_to_russia",
        noun=r"(?:were|have\s+been|had\s+been|was)\s+(?:[\w-]+\s+)?(?:sent|deployed|dispatched|flown|transported)"
        # "about 3,000 more had arrived": an increment's verb stands for the soldiers
        r"|(?<=more\s)(?:have|had)\s+(?:[\w-]+\s+)?arrived",
        context=r"\b(?:troops|soldiers|military|personnel|forces|servicemen)\b",
        veto=r"\bwork|labou?r|\bjobs?\b|construction|visa|employ|" + CASUALTY_VETO,
        veto_left=CASUALTY_WORDS + "|" + AWARDS + "|" + UNIT_SIZE, max_value=300_000,
    ),
    Counted(
        "dprk_troops_to_russia",
        noun=r"(?:North\s+)?Koreans|men|people|persons",
        # "sent another 3,000 men to replace the fallen": men sent to make up for losses are soldiers
        context=rf"\b(?:fight|fought|combat|battle|front|Kursk|troops|soldiers|military|army|deploy)|{REPLACING}{CASUALTY_WORDS}",
        near_context=True,
        veto=r"\bwork|labou?r|\bjobs?\b|construction|visa|employ",
        # "Casualties ... were analysed to have reached 4,700 persons": losses, not soldiers sent
        veto_before=r"\b(?:casualties|casualty|losses)\b",
        not_after=AFTER_LOSS
        + rf"|,\s+(?:(?:were|have\s+been|had\s+been|been|being|are|have|has|had)\s+)?{CASUALTY_STATES}",
        veto_left=CASUALTY_WORDS + "|" + AWARDS + "|" + UNIT_SIZE, max_value=300_000, min_value=100,
    ),
    Counted(
        "dprk_troops_to_russia",
        noun=SOLDIERS,
        context=DEPLOYED,
        not_after=AFTER_LOSS + rf"|,\s+(?:(?:were|have\s+been|had\s+been|been|being|are)\s+)?{CASUALTY_STATES}|{ELSEWHERE}",
        veto_left=CASUALTY_WORDS + "|" + AWARDS + "|" + UNIT_SIZE + r"|\b(?:army|military)\s+of\b|\bstanding\b|\bactive[- ]duty\b",
        not_modifiers=r"\bactive\b|\breserv", veto_before=HISTORY,
        max_value=300_000,
    ),
    # "the 15,000-strong force Pyongyang has dispatched": a force's size, even in a sentence
    # about its losses
    Counted(
        "dprk_troops_to_russia",
        noun=r"(?:expeditionary\s+)?(?:force|forces|contingent|army|corps|deployment|troops|soldiers)",
        modifiers=r"^-strong\b", context=DEPLOYED, veto_left=AWARDS + "|" + UNIT_SIZE, veto_before=HISTORY,
        min_value=100, max_value=300_000,
    ),
    # "11,000 units" are soldiers only where the sentence counts no arms: "no fewer than 200 units"
    # of missiles, "148 units" of KN-23s are not
    Counted(
        "dprk_troops_to_russia",
        noun=r"units",
        context=DEPLOYED,
        veto=WEAPONS,
        not_after=AFTER_LOSS,
        veto_left=CASUALTY_WORDS + "|" + AWARDS + "|" + UNIT_SIZE,
        veto_before=HISTORY, min_value=100, max_value=300_000,
    ),
    Counted(
        "dprk_troops_to_russia",
        before=(
            r"\b(?:troops|soldiers|forces|contingent|force|deployment|personnel|servicemen|North\s+Koreans|boots\s+on\s+the\s+ground|"
            r"total\s+(?:deployed|sent|dispatched)|(?:total\s+)?number\s+(?:of\s+[\w-]+\s+)?(?:sent|deployed|dispatched))\b"
            r"[^.;]{0,60}?(?:\b(?:numbering|numbered|now\s+number|totall?ing|totall?ed|total|of|at|to|reached|rose\s+to|range[sd]?|ranging|"
            r"climbed\s+to|increased\s+to|grown\s+to|is|was|are|were|stands\s+at|stood\s+at)|:|—|–)"
        ),
        context=DEPLOYED,
        veto_left=CASUALTY_WORDS + "|" + UNIT_SIZE + r"|\b(?:per\s*cent|percent|%|years?|months?|days?|hours?|workers|labou?rers)\b",
        # "portraits of 101 of them were displayed" at a ceremony for the fallen
        veto=HISTORY + "|" + AWARDS + r"|\bportraits?\b",
        # "Of these, about 2,300 are believed to have died": the dead, not the soldiers sent
        not_after=AFTER_LOSS,
        min_value=100,
        max_value=300_000,
    ),
    keywords=r"troop|replacement|reinforcement|soldier|servicem|service\s*member|personnel|fighter|combatant|force|infantry|contingent|"
    r"deminer|sapper|engineer|military\s+builder|number\s+(?:of\s+\w+\s+)?(?:sent|deployed|dispatched)|"
    r"commando|recruit|conscript|mercenar|Koreans|\bmen\b|units|total\s+(?:deployed|sent|dispatched)|\barmy\b|"
    r"\bpeople\b|\bpersons\b|boots\s+on\s+the\s+ground",
)


@hookimpl
def register_metrics() -> list[Metric]:
    return [Metric(key="dprk_troops_to_russia", unit="soldiers",
                   description="North Korean soldiers sent to or deployed in Russia")]


@hookimpl
def detect(article: Article) -> list[Figure]:
    return TROOPS.figures(article)
