"""Patterns of language the detectors missed or misread on new styles of article.

Each case is a pattern, written here in sentences of its own (not those of the
labelled sets): agency abbreviations, phrasal verbs, classifiers ("120 units of
guns"), "that figure" for a noun named in the sentence before, comparisons with
an earlier figure, fact-box lines, translated casualty reports, the fuel cap
written after its amount, and the traps each fix must not open.
"""

from __future__ import annotations

from functools import cache

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
