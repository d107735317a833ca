"""Patterns of language the detectors missed or misread on new styles of article.

Each case is a pattern, written here in sentences of its own (not those of the
labelled sets): agency abbreviations, phrasal verbs, classifiers ("120 units of
guns"), "that figure" for a noun named in the sentence before, comparisons with
an earlier figure, fact-box lines, translated casualty reports, the fuel cap
written after its amount, and the traps each fix must not open.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from monitor.testing import plugin_manager_for, scan_text
from monitor.toolkit import find_quantities


@cache
def _pm():
    return plugin_manager_for()


def found(text: str) -> list[tuple]:
    return [(f.metric, f.value, str(f.qualifier), f.increment) for f in scan_text(text, pm=_pm()).figures]


def amounts(sentence: str) -> list[tuple]:
    return [(q.value, q.value_max, str(q.qualifier), q.increment) for q in find_quantities(sentence)]


# --------------------------------------------------------------------------- amounts


def test_agency_abbreviations_mln_and_bln_are_scales() -> None:
    assert amounts("about 6 mln artillery shells") == [(6_000_000, None, "about", False)]
    assert amounts("8-12 mln shells") == [(8_000_000, 12_000_000, "range", False)]


def test_over_after_a_phrasal_verb_is_no_qualifier() -> None:
    assert amounts("Pyongyang handed over 48 launchers") == [(48, None, "exact", False)]
    assert amounts("Pyongyang sent over 48 launchers") == [(48, None, "more_than", False)]


@pytest.mark.parametrize(
    "sentence", ["The North additionally dispatched some 2,000 troops.", "Kim sent 1,500 fresh troops."]
)
def test_translated_and_fresh_increments(sentence: str) -> None:
    (quantity,) = find_quantities(sentence)
    assert quantity.increment


# --------------------------------------------------------------------------- detectors

CASES = [
    # a classifier: the counted noun is the one after "units of"; not soldiers
    ("The DPRK handed over 48 units of 240-mm multiple rocket launchers to Russia.",
     [("artillery_systems_to_russia", 48, "exact", False)]),
    # "N others wounded" after the killed
    ("About 900 North Korean soldiers were killed and some 1,800 others wounded in the spring offensive.",
     [("dprk_killed", 900, "about", False), ("dprk_wounded", 1800, "about", False)]),
    # translated casualty reports: "amount to", "persons", "of which dead"
    ("Losses of the KPA contingent amount to 5.1 thousand persons, of which dead 1.2 thousand persons.",
     [("dprk_casualties", 5100, "exact", False), ("dprk_killed", 1200, "exact", False)]),
    # "that total" stands for the noun of the sentence before, which had no figure
    ("Analysts tracked containers of North Korean munitions bound for Russia. By their count, that total "
     "had passed 30,000 by September.",
     [("munitions_containers_to_russia", 30000, "more_than", False)]),
    # a comparison restates an earlier figure of the same thing; a possessive before "estimate"
    ("Pyongyang has shipped an estimated 10 million shells to Russia, up from the 8 million cited last year.",
     [("munitions_rounds_to_russia", 10_000_000, "about", False),
      ("munitions_rounds_to_russia", 8_000_000, "exact", False)]),
    ("Seoul said 1,200 North Korean soldiers had been flown to Russia. Within a month, the agency's estimate "
     "had grown to about 9,000.",
     [("dprk_troops_to_russia", 1200, "exact", False), ("dprk_troops_to_russia", 9000, "about", False)]),
    # a fact box's lines: the goods and Russia named by the heading; an em dash opens a list item
    ("Russia and North Korea: the numbers\n— Refined oil delivered to North Korea in 2025: about 1.4 million barrels",
     [("fuel_to_dprk", 1_400_000, "about", False)]),
    ("North Korea's workers in Russia, by the numbers:\n- Labourers sent to Russia: some 12,000",
     [("dprk_workers_to_russia", 12000, "about", False)]),
    # a list line with no noun goes on from the line before
    ("North Korea's troops in Russia\n- Soldiers sent to Russia: about 14,000.\n- Of those, 9,000 were sent in 2024.",
     [("dprk_troops_to_russia", 14000, "about", False), ("dprk_troops_to_russia", 9000, "exact", False)]),
    # the cap named after its amount, and a cap sentence that goes on to crude oil
    ("Russia's deliveries of refined petroleum to North Korea dwarf the 500,000-barrel annual cap.",
     [("dprk_fuel_cap", 500000, "exact", False)]),
    ("The resolution limits North Korea's refined petroleum imports to 500,000 barrels and crude oil to 4 million barrels.",
     [("dprk_fuel_cap", 500000, "exact", False)]),
    # the team named in the sentence before: "the 11-nation group"
    ("The Multilateral Sanctions Monitoring Team reported on North Korea. The 11-nation group was formed after "
     "Russia vetoed the UN panel.",
     [("msmt_member_states", 11, "exact", False)]),
    # Russian ships carry North Korean soldiers: "aboard" names a vehicle, not an actor
    ("North Korea decided to send troops. About 1,500 soldiers were carried to Vladivostok aboard Russian navy ships.",
     [("dprk_troops_to_russia", 1500, "about", False)]),
    # a killed and a wounded figure in one sentence, each with its own verb phrase; not troops sent
    ("Pyongyang sent about 12,000 soldiers to Russia. Of these, some 1,100 are thought to have died and "
     "at least 3,000 to have been wounded.",
     [("dprk_troops_to_russia", 12000, "about", False), ("dprk_killed", 1100, "about", False),
      ("dprk_wounded", 3000, "at_least", False)]),
    # "the year before" after a compared figure is no noun
    ("North Korea sent nearly 9,000 workers to Russia this year. That figure is up from about 6,000 the year before.",
     [("dprk_workers_to_russia", 9000, "about", False), ("dprk_workers_to_russia", 6000, "about", False)]),
    # "estimated number of" after a line's dash
    ("2,500 — estimated number of North Korean soldiers wounded.",
     [("dprk_wounded", 2500, "about", False)]),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_general_patterns_are_found(text: str, expected: list) -> None:
    assert found(text) == expected


TRAPS = [
    # the other side's losses in a war report
    "North Korean troops fight in Kursk. Since 2022 the losses of the enemy amount to 900 thousand persons.",
    # a tanker's load and the country's consumption are no deliveries
    "Russia ships fuel to North Korea. Each tanker carries up to 90,000 barrels when fully loaded.",
    "Russia ships fuel to North Korea, which consumes about 4 million barrels of oil products a year.",
    # all of North Korea's workers abroad, not those in Russia
    "North Korea had about 50,000 workers abroad before sanctions, some of them in Russia.",
    # places and pairs are no MSMT members
    "The MSMT said North Korean IT workers operate in at least eight countries.",
    "The MSMT report said military cooperation between the two countries violated sanctions.",
    # "that figure" for something no rule counts
    "North Korea sent troops to Russia. Russian forces launched drones at Ukraine overnight. That figure reached 700.",
    # a line about troops after a line about missiles carries no missile noun over
    "North Korea's arms for Russia\n- Ballistic missiles sent to Russia: 100\n- Troops: none reported, 3,000 more expected",
]


@pytest.mark.parametrize("text", TRAPS, ids=[str(i) for i in range(len(TRAPS))])
def test_traps_of_the_general_patterns_yield_nothing_new(text: str) -> None:
    assert [f for f in found(text) if f[1] != 100] == []


# --------------------------------------------------------------------------- found on a second blind set
# More patterns of language the detectors missed or misread, found on a blind set of new articles.
#
# Each case is a pattern written in sentences of its own (not those of the
# labelled sets), with the traps each fix must keep closed: prisoners taken are
# no casualties, "N-member" bodies other than the team, the size of one group of
# soldiers, another country's own arms exports, "according to Ukraine", what
# containers "could hold", and the fuel cap written as what North Korea "may
# import each year".


def test_as_high_as_is_an_upper_bound() -> None:
    assert amounts("the toll could be as high as 2,500") == [(2500, None, "up_to", False)]


def test_believed_to_be_with_an_adverb_hedges() -> None:
    assert amounts("the force is now believed to be 13,000") == [(13000, None, "about", False)]
    assert amounts("the force was widely thought to total 13,000") == [(13000, None, "about", False)]


CASES = [
    # prisoners taken are not a casualty count, even when they are wounded
    ("Kyiv says its marines captured three wounded North Korean soldiers near Sudzha on Sunday.", []),
    ("Ukrainian forces took prisoner two injured North Korean soldiers, the SBU said.", []),
    # but a casualty count in a sentence of its own still counts
    ("Some 1,200 North Korean soldiers have been wounded in Kursk, Kyiv says.",
     [("dprk_wounded", 1200, "about", False)]),
    # "the 15-member Security Council" is not the monitoring team
    ("Members of the 15-member Security Council discussed the MSMT's findings on Monday.", []),
    ("The 12-nation Council of Europe delegation welcomed the MSMT report.", []),
    ("The 11-member MSMT published its findings on Monday.", [("msmt_member_states", 11, "exact", False)]),
    # the size of one group is not the force sent
    ("North Korean troops in Russia now advance in groups of 20 to 30 soldiers, a Ukrainian officer said.", []),
    ("North Korea deployed 12,500 soldiers to Russia, moving them in groups of 400.",
     [("dprk_troops_to_russia", 12500, "exact", False)]),
    # another country's own arms trade, even in a sentence that names the North
    ("Seoul has so far exported more than 900 K9 howitzers, officials said, as the North arms Russia.", []),
    ("The United States has sent over 3 million 155mm rounds to Ukraine, while North Korea ships shells to Russia.", []),
    # "according to Ukraine" is the source, not the destination
    ("North Korea has handed Russia more than 180 ballistic missiles, according to Ukraine.",
     [("ballistic_missiles_to_russia", 180, "more_than", False)]),
    # what the containers sent "could hold" estimates the rounds; what one ship could carry does not
    ("North Korea has sent Russia about 24,000 containers, which could hold as many as 10 million artillery shells.",
     [("munitions_containers_to_russia", 24000, "about", False),
      ("munitions_rounds_to_russia", 10_000_000, "up_to", False)]),
    ("Each North Korean cargo ship could carry 200,000 rounds to Russia, analysts said.", []),
    # the cap as what North Korea may import each year, next to a delivery
    ("Russia sent North Korea more than 1.5 million barrels of diesel, triple the 500,000 barrels North Korea "
     "may import each year under UN rules.",
     [("fuel_to_dprk", 1_500_000, "more_than", False), ("dprk_fuel_cap", 500000, "exact", False)]),
    # a country right after a verb of giving receives: "sent Russia 14,000 troops"
    ("Pyongyang has sent Russia 13,500 soldiers and 150 ballistic missiles, Seoul says.",
     [("dprk_troops_to_russia", 13500, "exact", False), ("ballistic_missiles_to_russia", 150, "exact", False)]),
    # but a foreign actor sending its own troops is still turned away
    ("Russia sent 30,000 troops to Kursk as North Korea watched.", []),
    # a hedge that opens with "was" links the noun phrase to the amount
    ("Officials said the number of North Korean troops in Russia was now believed to be between 13,000 and 15,000.",
     [("dprk_troops_to_russia", 13000, "range", False)]),
    # an anaphor whose own sentence names the noun: that noun, not one of the sentence before
    ("Pyongyang fired three ballistic missiles into the sea on Monday.\n"
     "A ministry report put the number of North Korean labourers sent to Russia at 12,000; the NIS figure is 9,000.",
     [("dprk_workers_to_russia", 12000, "exact", False), ("dprk_workers_to_russia", 9000, "exact", False)]),
    # "the number of" a noun no rule counts is no figure of the sentence before's noun
    ("North Korea shipped 100 ballistic missiles to Russia.\n"
     "The NIS put the number of North Korean students in Russia at 1,500.",
     [("ballistic_missiles_to_russia", 100, "exact", False)]),
    # calibres joined by "and" stand between the amount and its noun
    ("North Korea has shipped Russia roughly 7 million 152mm and 122mm artillery shells.",
     [("munitions_rounds_to_russia", 7_000_000, "about", False)]),
    ("Moscow's deliveries dwarf the 500,000 barrels of refined petroleum Pyongyang is allowed to import a year.",
     [("dprk_fuel_cap", 500000, "exact", False)]),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:50] for c in CASES])
def test_pattern(text: str, expected: list[tuple]) -> None:
    assert sorted(found(text)) == sorted(expected)


def test_a_figure_found_twice_keeps_its_hedge() -> None:
    """A headline's bare figure and the body's hedged one are one figure, with the hedge."""
    text = ("Seoul says 7,000 North Korean casualties in Russia\n"
            "North Korean casualties have reached around 7,000, South Korea's spy agency said.")
    assert found(text) == [("dprk_casualties", 7000, "about", False)]


def test_a_ratio_is_no_count() -> None:
    assert amounts("one in 50 of its soldiers") == [(1, None, "exact", False)]
    assert amounts("1 out of 8 recruits") == [(1, None, "exact", False)]
    assert amounts("2,000 in 300 days") == [(2000, None, "exact", False), (300, None, "exact", False)]


def test_a_possessive_between_amount_and_noun() -> None:
    text = "Britain said North Korea had suffered some 5,500 casualties, with up to 1,800 of its soldiers killed."
    assert sorted(found(text)) == [("dprk_casualties", 5500, "about", False), ("dprk_killed", 1800, "up_to", False)]
    assert found("Fewer than one in 40 of its troops have been sent to Russia, the North Korean army said.") == []


# --------------------------------------------------------------------------- context across lines

CONTEXT_CASES = [
    # a Q&A heading names what its answer counts, and "it could be" restates it
    ("How many North Korean soldiers have been sent to Russia?\n"
     "Nobody knows for sure. Seoul puts the total at roughly 13,000, while Kyiv says it could be as high as 16,000.",
     [("dprk_troops_to_russia", 13000, "about", False), ("dprk_troops_to_russia", 16000, "up_to", False)]),
    # a heading about another army gives no North Korean figure
    ("How many US troops are stationed in South Korea?\nThe number stands at 28,500.", []),
    # "It has also sent men": the subject of the sentence before the pronoun
    ("Analysts say Pyongyang has emptied its arsenals for Moscow.\nIt has also sent men.\n"
     "The 13,500-strong contingent arrived in Kursk in the autumn.",
     [("dprk_troops_to_russia", 13500, "exact", False)]),
    ("Russia has rebuilt its army.\nIt has also recruited abroad.\nThe 20,000-strong contingent arrived in Kursk.", []),
    # an unlabelled list item goes on with its list's figures; a labelled one starts afresh
    ("North Korea and Russia: the figures\nTROOPS\n- About 12,000 North Korean soldiers were deployed to Russia in 2024.\n"
     "- Moscow says Pyongyang will send 4,000 more next year.",
     [("dprk_troops_to_russia", 12000, "about", False), ("dprk_troops_to_russia", 4000, "exact", True)]),
    ("North Korea and Russia: the figures\n- About 12,000 North Korean soldiers were deployed to Russia in 2024.\n"
     "- Drones: Pyongyang will build 40 more, Kim said.",
     [("dprk_troops_to_russia", 12000, "about", False)]),
]


@pytest.mark.parametrize(("text", "expected"), CONTEXT_CASES, ids=[c[0][:50] for c in CONTEXT_CASES])
def test_context_across_lines(text: str, expected: list[tuple]) -> None:
    assert sorted(found(text)) == sorted(expected)


def test_a_clause_ends_at_a_semicolon_right_before_the_amount() -> None:
    text = "Kyiv says it has captured two North Korean soldiers; about 1,100 North Korean soldiers have been killed."
    assert found(text) == [("dprk_killed", 1100, "about", False)]


# --------------------------------------------------------------------------- found on a third blind set
# Long features, translations, briefing transcripts and text tables: a demonstrative
# ("150 such missiles", "120 of these systems") whose kind the text before names, a
# quote closing right after the amount, Russia as the one that receives, a clause
# opened by "while" or "but", and the traps each fix must keep closed.

THIRD_CASES = [
    # "such" / "of these": the kind is named earlier in the paragraph
    ("Pyongyang sends KN-23 ballistic missiles to Russia. They have grown accurate. "
     "Russia has received about 140 such missiles, Kyiv says.",
     [("ballistic_missiles_to_russia", 140, "about", False)]),
    ("North Korea sends Koksan guns and 240mm launchers to Russia. Some 90 of these systems have been delivered.",
     [("artillery_systems_to_russia", 90, "about", False)]),
    # without the kind named before, "such missiles" are no ballistic missiles
    ("North Korea sends air-defence interceptors to Russia. Russia has received about 140 such missiles.", []),
    # a quote closing right after the amount
    ('Russia has received "roughly 230" North Korean ballistic missiles, an official said.',
     [("ballistic_missiles_to_russia", 230, "about", False)]),
    # Russia receiving is the destination, but another country receiving is not North Korea's
    ("Russia has received upwards of 180 North Korean artillery systems.",
     [("artillery_systems_to_russia", 180, "more_than", False)]),
    ("North Korea shipped shells to Russia. Ukraine has received 3 million shells from its allies.", []),
    # "while" opens a clause of its own: the casualties before it do not veto the troops after it
    ("North Korean casualties stood at about 3,500 while 2,500 additional soldiers had been deployed to Russia.",
     [("dprk_casualties", 3500, "about", False), ("dprk_troops_to_russia", 2500, "exact", True)]),
]


@pytest.mark.parametrize(("text", "expected"), THIRD_CASES, ids=[c[0][:50] for c in THIRD_CASES])
def test_third_blind_pattern(text: str, expected: list[tuple]) -> None:
    assert sorted(found(text)) == sorted(expected)


TABLE_CASES = [
    # a table rendered as text: each row's label and value, under a heading naming the subject
    ("What has North Korea sent Russia?\nItem | Figure | Source\n---|---|---\nTroops sent in 2024 | 12,500 | NIS\n"
     "Additional troops, 2025 | 2,500 | NIS\n| Deaths | ~700 | NIS |",
     [("dprk_troops_to_russia", 12500, "exact", False), ("dprk_troops_to_russia", 2500, "exact", True),
      ("dprk_killed", 700, "about", False)]),
    # a table of another army's numbers gives no North Korean figure
    ("How large are the armies on the peninsula?\nArmy | Troops | Tanks\nSouth Korea | 450,000 | 2,200\n"
     "United States | 28,500 | 90", []),
    # a pipe that separates no cells is no table
    ("North Korea sent 12,500 troops to Russia | NIS", [("dprk_troops_to_russia", 12500, "exact", False)]),
]


@pytest.mark.parametrize(("text", "expected"), TABLE_CASES, ids=[c[0][:50] for c in TABLE_CASES])
def test_table_rows(text: str, expected: list[tuple]) -> None:
    assert sorted(found(text)) == sorted(expected)


TRAP_CASES_3 = [
    # no more soldiers fall than were sent: a past war's or Russia's own losses
    ("Some 70 years after more than 1.5 million Koreans were killed or wounded, North Korean soldiers die again.", []),
    ("For Russia, which has lost more than 650,000 soldiers killed and wounded, North Korean troops help.", []),
    # a past war's count in the amount's clause; the current figure before the dash still counts
    ("The NIS put North Korean losses at 4,100 killed and wounded — far more than the 40 North Korean "
     "casualties of any year since the armistice.",
     [("dprk_casualties", 4100, "exact", False)]),
    # a noun phrase ending right before each amount: the one before the first is not the second's
    ("The NIS puts North Korean casualties at about 4,100 and the number of dead at around 550.",
     [("dprk_casualties", 4100, "about", False), ("dprk_killed", 550, "about", False)]),
    # workers "thought to be abroad" are all those abroad, not Russia's
    ("Seoul counts 90,000 North Korean workers believed to be working abroad, in China, Russia and the Gulf.", []),
    # another body's members, named by a possessive
    ("Of the Security Council's 15 members, four are in the MSMT.", []),
    ("The MSMT's 11 members met in Seoul.", [("msmt_member_states", 11, "exact", False)]),
    # what one container holds, even in a later clause
    ("One container can hold 400 rounds of 152mm shells to Russia, or about 2,500 rounds of smaller ammunition.", []),
    # a date in a past year before the amount
    ("On June 25, 1950, some 120,000 North Korean troops crossed into the South.", []),
    # North Korea's own arsenal, in every coordinated amount
    ("North Korea fields some 5,000 rocket launchers and more than 7,000 artillery pieces, as Russia wages war.", []),
    # a qualifier that names the cap: "the maximum of 500,000 barrels" is the cap, not a delivery
    ("That is double the maximum of 500,000 barrels of refined petroleum a year that North Korea may import.",
     [("dprk_fuel_cap", 500000, "up_to", False)]),
]


@pytest.mark.parametrize(("text", "expected"), TRAP_CASES_3, ids=[c[0][:50] for c in TRAP_CASES_3])
def test_third_blind_traps(text: str, expected: list[tuple]) -> None:
    assert sorted(found(text)) == sorted(expected)


RECALL_CASES_3 = [
    # replacements and reinforcements are soldiers sent; "N more had arrived" counts them
    ("North Korean troops in Kursk now total about 13,500, including some 2,500 replacements who came in March.",
     [("dprk_troops_to_russia", 13500, "about", False), ("dprk_troops_to_russia", 2500, "about", False)]),
    ("North Korea has sent soldiers to Russia. In May, Seoul said about 2,500 more had arrived as reinforcements.",
     [("dprk_troops_to_russia", 2500, "about", True)]),
    ("An additional 1,200 North Korean servicemen arrived in March for training.",
     [("dprk_troops_to_russia", 1200, "exact", True)]),
    # "thousands of laborers" names the laborers the anaphor counts
    ("Pyongyang has sent thousands of laborers to Russia. Their number has risen to an estimated 14,000.",
     [("dprk_workers_to_russia", 14000, "about", False)]),
    # an anaphor after a count of the dead is no count of soldiers sent
    ("About 1,800 North Korean soldiers had been killed, up from an earlier estimate of 500.",
     [("dprk_killed", 1800, "about", False), ("dprk_killed", 500, "exact", False)]),
]


@pytest.mark.parametrize(("text", "expected"), RECALL_CASES_3, ids=[c[0][:50] for c in RECALL_CASES_3])
def test_third_blind_recall(text: str, expected: list[tuple]) -> None:
    assert sorted(found(text)) == sorted(expected)


# --------------------------------------------------------------------------- borrowed subjects, past wars
# A paragraph about other victims borrows no North Korean subject from the headline or the
# paragraph before; arms from a past war are no transfer to Russia.

BORROWED_CASES = [
    # the paragraph names Ukrainian victims of Russian strikes before its noun-less casualty figure
    ("North Korean troops in Russia: what we know\n"
     "At least 12 Ukrainians were killed by Russian shelling on Sunday. Three people died and 23 were injured in Kharkiv.",
     []),
    ("Pyongyang's soldiers fight on in Kursk.\n"
     "Civilians fled the city overnight. Four people were killed and 31 injured in the attack.",
     []),
    # another country acting earlier in the paragraph: its figure, not North Korea's
    ("North Korea's arms exports\nRussia rebuilt its own arsenal. It has also received 300 launchers this year.", []),
    # a paragraph that is about no one else still takes the subject from the one before
    ("North Korea has sent about 11,000 troops to Russia.\nThe soldiers trained for weeks. Some 3,000 were killed, officials said.",
     [("dprk_troops_to_russia", 11000, "about", False), ("dprk_killed", 3000, "about", False)]),
    ("Pyongyang has fought alongside Moscow since October.\nThe fighting was fierce. Some 1,000 soldiers were wounded.",
     [("dprk_wounded", 1000, "about", False)]),
]

PAST_WAR_ARMS_CASES = [
    ("North Korea's war museum displays 400 pieces of artillery captured in the 1950–53 war.", []),
    ("Pyongyang still keeps 200 howitzers taken from US forces in the Korean War.", []),
    ("North Korea shipped 9,000 rounds to Russia left over from World War II.", []),
    # the war in Ukraine is no past war
    ("North Korea sent 120 pieces of artillery to Russia in 2024.", [("artillery_systems_to_russia", 120, "exact", False)]),
    ("North Korea has shipped more than 9 million shells to Russia since 2023.",
     [("munitions_rounds_to_russia", 9_000_000, "more_than", False)]),
]


@pytest.mark.parametrize(("text", "expected"), BORROWED_CASES, ids=[c[0][:50] for c in BORROWED_CASES])
def test_a_paragraph_about_others_borrows_no_subject(text: str, expected: list[tuple]) -> None:
    assert sorted(found(text)) == sorted(expected)


@pytest.mark.parametrize(("text", "expected"), PAST_WAR_ARMS_CASES, ids=[c[0][:50] for c in PAST_WAR_ARMS_CASES])
def test_arms_from_a_past_war_are_no_transfer(text: str, expected: list[tuple]) -> None:
    assert sorted(found(text)) == sorted(expected)


# --------------------------------------------------------------------------- found on a fourth blind set
# Wire copy, newsletters, translated press releases, think-tank tables and hearing
# transcripts: signs as qualifiers (">28,000"), "bbl", section numbers, "units" of
# missiles, "or so" before the noun, "which Seoul puts at", "the Kim-Putin deal",
# soldiers sent "to replace losses", a speaker's own troops, and the traps each fix
# must keep closed.

FOURTH_CASES = [
    # a sign is a qualifier; "bbl" is barrels
    ("Estimates for North Korea and Russia\nItem | Estimate | Source\nRefined fuel from Russia to the DPRK | >1.1 million bbl | "
     "Open sources\nShipping containers of munitions to Russia | ≥ 25,500 | Analysts",
     [("fuel_to_dprk", 1_100_000, "more_than", False), ("munitions_containers_to_russia", 25500, "at_least", False)]),
    ("Pyongyang's missiles sent to Moscow\nKN-23 ballistic missiles to Russia: <160 (government estimate)",
     [("ballistic_missiles_to_russia", 160, "up_to", False)]),
    # "or so" after the amount: its noun comes after it
    ("A further 7,500 or so North Korean labourers went to Russia to work on building sites last year.",
     [("dprk_workers_to_russia", 7500, "about", True)]),
    # a relative clause names the estimate's source, not another country acting
    ("Nobody knows how many North Korean soldiers were sent to Russia, which Tokyo puts at about 13,500.",
     [("dprk_troops_to_russia", 13500, "about", False)]),
    # "Kim-Putin", "Russia-North Korea": the pair lends North Korea as subject, names no other actor
    ("North Korea and Russia\nThe Kim-Putin pact keeps growing. Another 2,500 soldiers arrived in Kursk in May.",
     [("dprk_troops_to_russia", 2500, "exact", True)]),
    # soldiers sent "to replace losses" are a deployment, not a casualty count
    ("North Korea has sent about 13,500 troops to Russia, including 2,500 more who came to replace losses.",
     [("dprk_troops_to_russia", 13500, "about", False), ("dprk_troops_to_russia", 2500, "exact", True)]),
    # arms counted in "units": missiles and launchers, never soldiers
    ("North Korea is assessed to have provided Russia with ballistic missiles such as KN-23 of no fewer than "
     "160 units, and 170mm guns and 240mm rocket launchers totalling about 210 units.",
     [("ballistic_missiles_to_russia", 160, "at_least", False), ("artillery_systems_to_russia", 210, "about", False)]),
    # casualties "assessed to be" an amount, and "the toll"
    ("The casualties of North Korea's troops in Russia are assessed to be approximately 4,900 persons.",
     [("dprk_casualties", 4900, "about", False)]),
    ("North Korean losses in Kursk keep rising. The toll had climbed to more than 5,200 by spring, officials said.",
     [("dprk_casualties", 5200, "more_than", False)]),
    ("North Korea's casualties in Russia passed 5,000 in May. Of those, roughly 1,800 are dead.",
     [("dprk_casualties", 5000, "more_than", False), ("dprk_killed", 1800, "about", False)]),
    # an adjective the word list lacks still stands between the amount and its noun
    ("Pyongyang sent a 9,500-strong expeditionary force to Russia last year.",
     [("dprk_troops_to_russia", 9500, "exact", False)]),
    ("A further 800 North Korean deminers arrived in Kursk in July.", [("dprk_troops_to_russia", 800, "exact", True)]),
    # the cap: "the limit is", and "N barrels a year the North is permitted to import"
    ("Russia shipped far more fuel to North Korea than the UN limit, which is 500,000 a year for refined products.",
     [("dprk_fuel_cap", 500000, "exact", False)]),
    ("Russia sent North Korea 1.5m barrels of oil, three times the 500,000 barrels a year the North is allowed "
     "to import under UN sanctions.",
     [("fuel_to_dprk", 1_500_000, "exact", False), ("dprk_fuel_cap", 500000, "exact", False)]),
]


@pytest.mark.parametrize(("text", "expected"), FOURTH_CASES, ids=[c[0][:50] for c in FOURTH_CASES])
def test_fourth_blind_pattern(text: str, expected: list[tuple]) -> None:
    assert sorted(found(text)) == sorted(expected)


FOURTH_TRAPS = [
    # section numbers are no counts: "3.2 Personnel."
    "North Korea's deployment to Russia\n3.2 Personnel.\n3.3 Casualties.",
    # a fraction without a scale is no count of people
    "North Korea sent 2.5 soldiers per gun to Russia's front.",
    # a speaker's own country's troops
    "North Korea's troops fight in Kursk. We keep around 900 troops in Estonia as part of a NATO mission.",
    # the American forces in South Korea
    "North Korea sent troops to Russia; Seoul relies on its alliance with the United States (USFK 28,500 persons).",
    # "units" of missiles are no soldiers; taking prisoners is no deployment
    "North Korea sent Russia missiles: KN-23 and KN-24 - 150 units.",
    "Ukraine announced the capture of two North Korean soldiers in Kursk.",
    # "IT" only in capitals is a sector of work: "it" in "send it to Russia" is no work
    "North Korea has sent 15,000 people to Russia, and it says more will follow.",
]


@pytest.mark.parametrize("text", FOURTH_TRAPS, ids=[t[:50] for t in FOURTH_TRAPS])
def test_fourth_blind_traps(text: str) -> None:
    got = found(text)
    if "units" in text:  # the missiles themselves are counted, as missiles
        assert all(metric == "ballistic_missiles_to_russia" for metric, *_ in got)
    else:
        assert got == []


# --------------------------------------------------------------------------- found on a fifth blind set and the corpus
# Generic nouns far from the story, disasters' dead, "X and Y rounds", a proper noun's
# possessive between an amount and its noun, and a verb of both killing and wounding
# before the amount.

FIFTH_CASES = [
    ("North Korea's arms for Russia\nThe ships carried up to 8.5 million artillery and mortar shells last year.",
     [("munitions_rounds_to_russia", 8_500_000, "up_to", False)]),
    ("Russia and North Korea\nAs many as 1,300 of Kim Jong Un's soldiers have been killed in Kursk, officials say.",
     [("dprk_killed", 1300, "up_to", False)]),
    ("Russia and North Korea\nUkraine's army has killed or wounded about 4,600 North Korean troops in Kursk.",
     [("dprk_casualties", 4600, "about", False)]),
]


@pytest.mark.parametrize(("text", "expected"), FIFTH_CASES, ids=[c[0][:50] for c in FIFTH_CASES])
def test_fifth_blind_pattern(text: str, expected: list[tuple]) -> None:
    assert sorted(found(text)) == sorted(expected)


FIFTH_TRAPS = [
    # a headline about North Korea lends no subject to a generic noun further down a page
    "North Korea sends troops to Russia\n\nThe company said. The unions said more than 12,000 people marched.",
    "North Korea sends workers to Russia\n\nThe firm grew fast. It now has 9,500 employees.",
    # an epidemic's or an accident's dead are no soldiers, whoever the headline is about
    "North Korean troops in Russia\n\nThe virus spread again: 2,900 cases worldwide, including 480 deaths.",
    "North Korean troops in Russia\n\nTwo crashes of the airliner killed 320 people.",
]


@pytest.mark.parametrize("text", FIFTH_TRAPS, ids=[t[:50] for t in FIFTH_TRAPS])
def test_fifth_blind_traps(text: str) -> None:
    assert found(text) == []


# A long feature names North Korea in its opening paragraphs and then speaks of "them", "the
# men", "the unit" for paragraphs on end: the opening lends its subject to the article.
OPENING_CASES = [
    ("Inside the assault units\n\nThe men of North Korea's 11th Corps train for years.\n\nThey were sent to Russia "
     "last autumn.\n\nA column was caught in the open near Sudzha.\n\nBy January, close to three thousand of them "
     "had been killed or wounded, officials said.",
     [("dprk_casualties", 3000, "about", False)]),
]
OPENING_TRAPS = [
    # Russia's own Pantsirs, a ship's size and arms kept at home are no transfers
    "North Korea received a Pantsir from Russia.\n\nRussia's own inventory is believed to exceed 150 Pantsir units.",
    "North Korea ships munitions to Russia.\n\nThe Lady Maria, a 900-TEU vessel, made eight trips.",
    "North Korea sends missiles to Russia.\n\nPyongyang says it has deployed 180 new launchers for its tactical "
    "missiles along its southern border.",
]


@pytest.mark.parametrize(("text", "expected"), OPENING_CASES, ids=[c[0][:50] for c in OPENING_CASES])
def test_the_opening_paragraphs_lend_their_subject(text: str, expected: list[tuple]) -> None:
    assert sorted(found(text)) == sorted(expected)


@pytest.mark.parametrize("text", OPENING_TRAPS, ids=[t[:50] for t in OPENING_TRAPS])
def test_opening_traps(text: str) -> None:
    assert found(text) == []


ARTICLE_WIDE_CASES = [
    # "in addition to the N soldiers ..., it sent another M": with no noun of its own, more of the same
    ("North Korea and Russia\n\nOfficials said that in addition to the roughly 10,500 soldiers dispatched last "
     "year, North Korea sent another 2,500 or so this spring.",
     [("dprk_troops_to_russia", 10500, "about", False), ("dprk_troops_to_russia", 2500, "about", True)]),
    # a transcript names North Korea and Russia again and again, though not in its opening: a later
    # answer needs neither again
    ("TRANSCRIPT: briefing to the intelligence committee\n\nSeoul, May 2\n\nMR. KANG: Good afternoon.\n\n"
     "MR. KANG: North Korea has sent troops to Russia. North Korea also sent shells to Russia.\n\n"
     "MR. KANG: North Korea and Russia deny it.\n\nQ: And missiles?\n\n"
     "MR. KANG: On missiles, the assessment was more than 180 ballistic missiles.",
     [("ballistic_missiles_to_russia", 180, "more_than", False)]),
]


@pytest.mark.parametrize(("text", "expected"), ARTICLE_WIDE_CASES, ids=[c[0][:50] for c in ARTICLE_WIDE_CASES])
def test_article_wide_patterns(text: str, expected: list[tuple]) -> None:
    assert sorted(found(text)) == sorted(expected)


# --------------------------------------------------------------------------- found on a seventh blind set
SEVENTH_CASES = [
    ("North Korea and Russia\n\nThe ballistic missile which North Korea handed over to Russia is more than 90 pieces.",
     [("ballistic_missiles_to_russia", 90, "more_than", False)]),
    ("North Korea and Russia\n\nKyiv says roughly 230 tubes and launchers have been delivered to Russia.",
     [("artillery_systems_to_russia", 230, "about", False)]),
    ("North Korea and Russia\n\nSome 170 North Korean tube and rocket artillery systems crossed into Russia by rail.",
     [("artillery_systems_to_russia", 170, "about", False)]),
    ("North Korea and Russia\n\nAs many as 220 KN-23 (Hwasong-11Ga) and KN-24 (Hwasong-11Na) missiles were "
     "delivered to Russia.", [("ballistic_missiles_to_russia", 220, "up_to", False)]),
    ("Russia and its partners\n\nSome 13,000 workers from the Democratic People's Republic of Korea entered the "
     "Russian Federation last year.", [("dprk_workers_to_russia", 13000, "about", False)]),
    ("North Korea and Russia\n\nNorth Korean casualties in Kursk reached 4,300. Deaths accounted for about 550 of those.",
     [("dprk_casualties", 4300, "exact", False), ("dprk_killed", 550, "about", False)]),
    ("North Korea and Russia\n\nZelensky said at the time of the capture that nearly 3,500 North Koreans had been "
     "killed or wounded.", [("dprk_casualties", 3500, "about", False)]),
    ("North Korea and Russia\n\nPyongyang sends another 2,500 troops to Russia to replace losses.",
     [("dprk_troops_to_russia", 2500, "exact", True)]),
    ("North Korea and Russia\n\nAccording to him, the number of Korean fighters who fell in battle was no more "
     "than 150.", [("dprk_killed", 150, "up_to", False)]),
    ("North Korea and Russia\n\nShoigu said North Korea would send 5,000 military builders to Kursk.",
     [("dprk_troops_to_russia", 5000, "exact", False)]),
]
SEVENTH_TRAPS = [
    "North Korea and Russia\n\nThe 1,100-TEU Lady Maria carried North Korean munitions to Russia.",
    "North Korea and Russia\n\nRussian tankers brought refined fuel to North Korea, averaging 25,000 barrels per call.",
    "North Korea and Russia\n\nNorth Korean losses in Kursk averaged nearly 25 casualties a day.",
    "North Korea and Russia\n\nThe two North Korean soldiers held by Ukraine were interviewed in Kyiv.",
    "North Korea honours its dead\n\nKim gave medals to the fallen soldiers, and portraits of 95 of them were shown.",
    "North Korea and Russia\n\nThe M1991 sent to Russia is a 240mm multiple rocket launcher with 22 tubes.",
]


@pytest.mark.parametrize(("text", "expected"), SEVENTH_CASES, ids=[c[0][:60] for c in SEVENTH_CASES])
def test_seventh_blind_pattern(text: str, expected: list[tuple]) -> None:
    assert sorted(found(text)) == sorted(expected)


@pytest.mark.parametrize("text", SEVENTH_TRAPS, ids=[t[:60] for t in SEVENTH_TRAPS])
def test_seventh_blind_traps(text: str) -> None:
    assert found(text) == []


# --------------------------------------------------------------------------- found on an eighth blind set
# What these fixes change shows only in whole articles (the sentences before lend subject
# and context), so they are checked on the blind set's own articles.
BLIND8 = Path(__file__).resolve().parent / "data" / "blind8"
EIGHTH_ARTICLES = [
    # a force's size in a sentence about its losses; "along with" is no part of one weapon
    ("e08_joongang_nis_war_dead.html", ("dprk_troops_to_russia", 15000), True),
    ("e04_kyivpost_hur_munitions.txt", ("artillery_systems_to_russia", 250), True),
    # another supplier's barrels, a work team's size and a labour shortage are no figures
    ("e03_nknews_fuel_tankers.txt", ("fuel_to_dprk", 20000), False),
    ("e05_meduza_north_korean_laborers.txt", ("dprk_workers_to_russia", 40), False),
    ("e09_rferl_workers_far_east.html", ("dprk_workers_to_russia", 40000), False),
]


@pytest.mark.parametrize(("name", "figure", "expected"), EIGHTH_ARTICLES, ids=[a[0] for a in EIGHTH_ARTICLES])
def test_eighth_blind_articles(name: str, figure: tuple, expected: bool) -> None:
    from monitor.scan import scan_document

    detection, error = scan_document(_pm(), str(BLIND8 / name))
    assert error is None
    assert (figure in {(f.metric, f.value) for f in detection.figures}) is expected


# Found by review: fixes that must not cost figures found before them.
REVIEW_CASES = [
    ("North Korea has sent 11,000 troops to help Russia capture Kursk.", [("dprk_troops_to_russia", 11000, "exact", False)]),
    ("About 4,000 North Korean troops have been killed or wounded in Kursk, including some in training accidents.",
     [("dprk_casualties", 4000, "about", False)]),
    ("North Korea and Russia\n\nWe have sent 900 troops, North Korea's defence minister told Russian media.",
     [("dprk_troops_to_russia", 900, "exact", False)]),
]


@pytest.mark.parametrize(("text", "expected"), REVIEW_CASES, ids=[c[0][:60] for c in REVIEW_CASES])
def test_review_cases(text: str, expected: list[tuple]) -> None:
    assert sorted(found(text)) == sorted(expected)


def test_an_arrow_is_no_qualifier() -> None:
    assert amounts("Troops: 10,000 -> 12,000") == [(10000, None, "exact", False), (12000, None, "exact", False)]
    assert amounts("Containers: >28,000") == [(28000, None, "more_than", False)]


NINTH_TRAPS = [
    # a source that speaks of its own plans acts: Poland's troops
    "North Korea and Russia\n\nPoland said it would station 9,000 more troops along its eastern border.",
    # the speakers' own side
    "North Korea and Russia\n\nUkrainian officers say their own brigade lost 35 men in a single week.",
]


@pytest.mark.parametrize("text", NINTH_TRAPS, ids=[t[:60] for t in NINTH_TRAPS])
def test_ninth_blind_traps(text: str) -> None:
    assert found(text) == []


def test_a_source_estimating_what_north_korea_sent_is_no_actor() -> None:
    text = "North Korea ships munitions to Russia.\n\nSeoul estimates it has sent more than 12,500 containers of munitions."
    assert found(text) == [("munitions_containers_to_russia", 12500, "more_than", False)]


def test_a_count_of_all_who_crossed_is_no_count_of_workers() -> None:
    text = ("North Korean workers in Russia\n\nRussian data show that 12,800 North Korean citizens entered Russia "
            "last year, a figure that includes diplomats, athletes and tourists as well as workers.")
    assert found(text) == []


TENTH_CASES = [
    # a quote opening at the amount does not part it from the count it answers
    ('North Korean labour in Russia\n\nA Seoul institute put the number of North Korean workers in Russia at '
     '"40K and climbing" in its latest briefing.',
     [("dprk_workers_to_russia", 40000, "exact", False)]),
    # a partitive "of the": the amount counts the noun after it
    ("North Korea sends sappers to Kursk\n\nAround 2,500 of the sappers have already been sent to Russia, "
     "South Korea's military said.",
     [("dprk_troops_to_russia", 2500, "about", False)]),
]
TENTH_TRAPS = [
    # "one of the": no count at all
    "North Korea sent troops to Russia\n\nIt is one of the largest deployments of North Korean troops abroad since 1953.",
    # a that-clause of its own between the noun and the amount: a child's age, not the dead
    "North Korean soldiers killed in Russia\n\nKim Jong Un attended a ceremony honouring the dead, and that his "
    "son, believed to be about 9, stood beside him.",
]



ELEVENTH_CASES = [
    # workers sent under a cover name in quotes are still workers
    ('North Korean labour in Russia\n\nNorth Korean workers sent to Russia under the name of "interns" or '
     '"students" passed 9,000 persons last year, the agency said.',
     [("dprk_workers_to_russia", 9000, "more_than", False)]),
    # men sent to make up for the dead are soldiers sent
    ("North Korea rushes reinforcements\n\nThe offensive stalled in the spring.\n\n"
     "Pyongyang sent another 2,000 men in March to make up for the dead.",
     [("dprk_troops_to_russia", 2000, "exact", True)]),
    # "lets ... import" a year is the cap, not a delivery
    ("Fuel to North Korea from Russia\n\n- The cap: the UN lets Pyongyang import only 500K barrels of refined "
     "petroleum a year.",
     [("dprk_fuel_cap", 500000, "exact", False)]),
]
ELEVENTH_TRAPS = [
    # another army by its own name, and the country a relative clause opens on
    "North Korean troops in Russia\n\nOfficials in Tokyo said the Self-Defense Forces, which have about 230,000 "
    "personnel, would step up patrols.",
    "North Korean troops in Russia\n\nSeoul is watching closely together with the United States, which keeps "
    "28,500 troops on the peninsula.",
]



def test_a_relative_clause_with_its_own_subject_leaves_the_count_to_north_korea() -> None:
    text = ("North Korean troops in Russia\n\nNorth Korea's deployment to Russia, which Seoul puts at about "
            "14,000 soldiers, continues.")
    assert found(text) == [("dprk_troops_to_russia", 14000, "about", False)]


TWELFTH_CASES = [
    # a noun right after the amount wins over a noun phrase before it
    ("North Korean losses in Kursk\n\nZelenskyy said the North Koreans had lost more than 4,000 men killed or "
     "wounded in Kursk, and a commander later spoke of \u201cclose to 1,000\u201d North Korean dead.",
     [("dprk_casualties", 4000, "more_than", False), ("dprk_killed", 1000, "about", False)]),
    # Indian English scales
    ("Russia got shells from North Korea\n\nNorth Korea supplied Russia with up to 90 lakh artillery shells in 2024, "
     "against a UN cap of 5 lakh (500,000) barrels a year on its refined petroleum imports.",
     [("munitions_rounds_to_russia", 9_000_000, "up_to", False), ("dprk_fuel_cap", 500_000, "exact", False)]),
    # "somewhere between" opens a range
    ("North Korean troops in Russia\n\nThat would put the number of North Korean troops sent to Russia at somewhere "
     "between 15,000 and 16,000.",
     [("dprk_troops_to_russia", 15000, "range", False)]),
    # an answer's "the figure" counts what the question asked, not the casualties named on the way
    ("Q: Let's start there. How many North Korean soldiers are in Kursk?\n\nA: We counted some 12,000 soldiers at "
     "first. Some have been killed, some wounded. Now I would say the figure is somewhere between 8,000 and 9,000.",
     [("dprk_troops_to_russia", 12000, "about", False), ("dprk_troops_to_russia", 8000, "range", False)]),
    # "Daily" in a masthead is no rate; a cap in the headline does not make a delivery the cap
    ("Russian oil to North Korea far above the UN cap\n\nSINGAPORE (Asia Energy Daily) \u2014 Russian refined-product "
     "shipments to North Korea ran at roughly 1.2mn barrels in the first nine months of 2025.",
     [("fuel_to_dprk", 1_200_000, "about", False)]),
    # the team by other names, and its members named as "Western-aligned states"
    ("An international monitoring group says North Korea sent troops to Russia.\n\nThe eleven-nation team includes "
     "the United States, Japan and South Korea.",
     [("msmt_member_states", 11, "exact", False)]),
    ("North Korea and Russia\n\nPyongyang has shipped arms to Moscow, according to a monitoring group of 11 "
     "Western-aligned states.",
     [("msmt_member_states", 11, "exact", False)]),
    # a system's name as the noun, and "puts ... at"
    ("North Korean artillery for Russia\n\nA further 50 Koksans have been shipped to Russia by rail.",
     [("artillery_systems_to_russia", 50, "exact", True)]),
    ("North Korean shells for Russia\n\nKyiv now puts North Korean artillery rounds shipped to Russia in 2025 at about "
     "2 million, as Russia's own production has risen.",
     [("munitions_rounds_to_russia", 2_000_000, "about", False)]),
]
TWELFTH_TRAPS = [
    # a rate, another destination, another country's war dead
    "North Korea moves troops to Russia\n\nWe assume up to 60 soldiers per car on each train.",
    "North Korea sent troops to Russia\n\nIt is the North's biggest venture abroad since it sent about 200 air force "
    "personnel to North Vietnam in the 1960s.",
    "North Korea and Russia\n\nAround 17,000 Australians served in the Korean War, and 340 were killed.",
    # guns destroyed are no guns delivered
    "North Korean artillery in Russia\n\nUkrainian officials say at least 15 Koksans have been destroyed since November.",
]



def test_more_of_another_noun_is_no_increment_of_the_one_before() -> None:
    text = ("North Korea and Russia\n\nPyongyang has shipped Russia as many as 9 million artillery rounds, and "
            "North Korea could send up to 12,000 more workers to Russia.")
    assert ("munitions_rounds_to_russia", 12000, "up_to", True) not in found(text)
    assert ("munitions_rounds_to_russia", 9_000_000, "up_to", False) in found(text)


THIRTEENTH_CASES = [
    # "respectively": each amount its own noun, in order
    ("North Korean losses\n\nSouth Korean intelligence said North Korean dead and wounded numbered 2,000 and 4,500 "
     "respectively.",
     [("dprk_killed", 2000, "exact", False), ("dprk_wounded", 4500, "exact", False)]),
    ("North Korean losses in Russia\n\nKilled and wounded numbered 600 and 4,100, respectively.",
     [("dprk_killed", 600, "exact", False), ("dprk_wounded", 4100, "exact", False)]),
    # a footnote's reference after a stop does not join two sentences
    ("North Korean troops in Russia\n\nNorth Korean forces suffered about 4,000 casualties in Kursk.[1] Budanov stated "
     "that North Korea deployed about 11,000 troops to Russia in autumn 2024.[2]",
     [("dprk_casualties", 4000, "about", False), ("dprk_troops_to_russia", 11000, "about", False)]),
    # a bracket opening at the amount gives the value of what precedes it, and opens a clause of its own
    ("North Korean troops in Russia\n\nThe troops Pyongyang has sent to Russia since October 2024 (roughly 14,000, "
     "by Seoul's count) are paid about $2,000 a month each.",
     [("dprk_troops_to_russia", 14000, "about", False)]),
    ("North Korean losses\n\nSeoul estimated that around 11,000 North Korean soldiers were deployed to Russia last "
     "year (roughly 4,000 of whom have been killed or wounded).",
     [("dprk_troops_to_russia", 11000, "about", False), ("dprk_casualties", 4000, "about", False)]),
    # a sum "in total" of the kinds its sentence lists
    ("North Korean artillery for Russia\n\nNorth Korea supplied about 120 Koksan guns and 120 M1991 launchers to Russia "
     "during 2024, or some 240 systems in total.",
     [("artillery_systems_to_russia", 120, "about", False), ("artillery_systems_to_russia", 240, "about", False)]),
    # "range between", and a second estimate "by some ... estimates"
    ("North Korean shells and missiles\n\nEstimates of North Korean artillery rounds delivered to Russia now range "
     "between 9 million and 12 million. Pyongyang has also sent upwards of 100 ballistic missiles to Russia, and by "
     "some Ukrainian estimates as many as 250.",
     [("munitions_rounds_to_russia", 9_000_000, "range", False), ("ballistic_missiles_to_russia", 100, "more_than", False),
      ("ballistic_missiles_to_russia", 250, "up_to", False)]),
    # "the number of containers of munitions": the containers are counted, not the munitions
    ("North Korean munitions for Russia\n\nThe NIS estimated the number of containers of munitions shipped from North "
     "Korea to Russia at about 24,000.",
     [("munitions_containers_to_russia", 24000, "about", False)]),
    # "one or two" is a range
    ("Russia sent Pantsir systems to North Korea\n\nRussia has also sent one or two Pantsir air defence systems to "
     "North Korea, analysts say.",
     [("pantsir_to_dprk", 1, "range", False)]),
    # an amount with a noun of its own carries no earlier figure's noun over
    ("North Korean losses and reinforcements\n\nNorth Korean forces have suffered about 4,000 casualties in Kursk. An "
     "additional 1,000 to 1,500 personnel arrived in January to replenish losses.",
     [("dprk_casualties", 4000, "about", False), ("dprk_troops_to_russia", 1000, "range", True)]),
    # "total" qualifying a noun of its own is no "that total" for the sentence before's noun
    ("North Korean troops and shells\n\nSeoul said the North had shipped millions of shells. It put the total North "
     "Korean troop deployment at about 15,000.",
     [("dprk_troops_to_russia", 15000, "about", False)]),
]
THIRTEENTH_TRAPS = [
    "North Korean shells\n\nNorth Korea supplies shells, while Russia's domestic output of around 3 million shells a "
    "year falls short.",
    "North Korean workers in Russia\n\nNorth Koreans entered Russia in large numbers, although not all of them were "
    "workers: 7,887 were registered as students.",
]



FOURTEENTH_CASES = [
    # "were fatalities" after "of which": the dead among the casualties
    ("North Korean losses\n\nThe monitoring group counted 4,700 North Korean casualties as of April 30, of which "
     "approximately 600 were fatalities.",
     [("dprk_casualties", 4700, "exact", False), ("dprk_killed", 600, "about", False)]),
    # "boots on the ground ... now number", "labourers ... number upwards of"
    ("North Korean troops in Russia\n\nNorth Korean boots on the ground now number between 10,000 and 12,000, one "
     "official estimated.",
     [("dprk_troops_to_russia", 10000, "range", False)]),
    ("North Korean workers in Russia\n\nThe North's labourers in Russia now number upwards of 20,000, officials in "
     "Seoul said.",
     [("dprk_workers_to_russia", 20000, "more_than", False)]),
    # "of the systems" points back, as "of these systems" does
    ("Russia sends Pantsir systems to North Korea\n\nRussia has delivered Pantsir air defence systems to North Korea, "
     "imagery suggests. At least two of the systems are now in the country.",
     [("pantsir_to_dprk", 2, "at_least", False)]),
    # ... and not artillery's, when the kind named before is one artillery refuses (Pantsir launchers)
    ("Russia sends Pantsir systems to North Korea\n\nImagery shows Pantsir launchers at an air base near Pyongyang. "
     "At least two of the systems are now in North Korea.",
     [("pantsir_to_dprk", 2, "at_least", False)]),
]
FOURTEENTH_CASES += [
    # an anaphor's noun phrase says the kind ("the number of the ... systems"), and a line pointing back
    # ("three of the systems") to a kind the opening names is read though it names no keyword itself
    ("Russia delivers Pantsir to North Korea\n\nRussia has delivered a second Pantsir air defence system to North "
     "Korea, bringing the number of the Russian-made short-range systems in the North to two.",
     [("pantsir_to_dprk", 2, "exact", False)]),
    ("Air-defence units for Pyongyang: what the Pantsir transfer means\n\nThe transfer began late in 2024, the team "
     "said.\n\nA lawmaker said as many as three of the systems had been delivered to the North.",
     [("pantsir_to_dprk", 3, "up_to", False)]),
    # ... as "of those" does in a line with no "the" in it
    ("Air-defence units for Pyongyang: what the Pantsir transfer means\n\nThe transfer began late in 2024, the team "
     "said.\n\nA lawmaker said as many as three of those systems had been delivered to North Korea.",
     [("pantsir_to_dprk", 3, "up_to", False)]),
]
FOURTEENTH_TRAPS = [
    # another sender of shells; crude oil, which the refined-product metrics leave out
    "North Korean shells for Russia\n\nUkraine's allies delivered about one million shells to Kyiv through the "
    "Czech-led initiative in 2024.",
    "Russian fuel for North Korea\n\nCrude oil is limited separately, at four million barrels a year.",
]


FIFTEENTH_CASES = [
    # a fact box's amount opening its line, then a colon and its label
    ("Key numbers: North Korea's war in Russia\n\n- About 15,000: North Korean troops sent to Russia in total since "
     "October 2024.",
     [("dprk_troops_to_russia", 15000, "about", False)]),
    # a figure's number is no amount; after "11,000 soldiers", "an additional 3,000" are soldiers, not shells
    ("North Korean shells and troops\n\nFigure 2 shows up to 9 million shells shipped from North Korea to Russia in 2024. "
     "Figure 3 compares North Korean troop deployments to Russia: more than 11,000 soldiers in 2024 and an additional "
     "3,000 in early 2025.",
     [("munitions_rounds_to_russia", 9_000_000, "up_to", False), ("dprk_troops_to_russia", 11000, "more_than", False),
      ("dprk_troops_to_russia", 3000, "exact", True)]),
    # "were counted at", "in return", table rows whose label gives the unit, a cap the Council "permits"
    ("North Korean munitions for Russia\n\nContainers which loaded munitions and went to Russia were "
     "counted at more than 20,000 units.",
     [("munitions_containers_to_russia", 20000, "more_than", False)]),
    ("Q: What did North Korea get in return?\n\nA: More than a million barrels of refined petroleum from Russia, and "
     "at least one Pantsir air-defence system.",
     [("fuel_to_dprk", 1_000_000, "more_than", False), ("pantsir_to_dprk", 1, "at_least", False)]),
    ("Russia and North Korea: the numbers\n\nRefined petroleum delivered to North Korea from Russia (barrels) | over "
     "1 million | 2024\nUN cap on North Korea's refined petroleum imports (barrels a year) | 500,000 | UNSC",
     [("fuel_to_dprk", 1_000_000, "more_than", False), ("dprk_fuel_cap", 500_000, "exact", False)]),
    ("Russian fuel for North Korea\n\nMoscow delivered more than a million barrels of refined petroleum to North Korea, "
     "double the five hundred thousand barrels a year that the Security Council permits.",
     [("fuel_to_dprk", 1_000_000, "more_than", False), ("dprk_fuel_cap", 500_000, "exact", False)]),
    # casualties counted in "persons" are no soldiers sent
    ("North Korean losses\n\nCasualties of the North Korean army in Russia were analysed to have reached 4,700 persons.",
     [("dprk_casualties", 4700, "exact", False)]),
]
FIFTEENTH_TRAPS = [
    # the other side's request
    "Ukraine's war\n\nKyiv had asked its partners for 1 million rounds of its own this year, while North Korea kept "
    "shipping shells to Russia.",
]

#: the later blind rounds' patterns and traps, each in sentences of its own
LATER_ROUNDS = {"tenth": (TENTH_CASES, TENTH_TRAPS), "eleventh": (ELEVENTH_CASES, ELEVENTH_TRAPS),
                "twelfth": (TWELFTH_CASES, TWELFTH_TRAPS), "thirteenth": (THIRTEENTH_CASES, THIRTEENTH_TRAPS),
                "fourteenth": (FOURTEENTH_CASES, FOURTEENTH_TRAPS), "fifteenth": (FIFTEENTH_CASES, FIFTEENTH_TRAPS)}


@pytest.mark.parametrize(("text", "expected"), [case for cases, _ in LATER_ROUNDS.values() for case in cases],
                         ids=[f"{name}: {case[0][:60]}" for name, (cases, _) in LATER_ROUNDS.items() for case in cases])
def test_later_blind_patterns(text: str, expected: list[tuple]) -> None:
    assert sorted(found(text)) == sorted(expected)


@pytest.mark.parametrize("text", [trap for _, traps in LATER_ROUNDS.values() for trap in traps],
                         ids=[f"{name}: {trap[:60]}" for name, (_, traps) in LATER_ROUNDS.items() for trap in traps])
def test_later_blind_traps(text: str) -> None:
    assert found(text) == []
