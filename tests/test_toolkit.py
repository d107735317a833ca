"""The numbers toolkit: amounts in every form, qualifiers, ranges, increments, periods, sentences."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from syntok._segmentation_states import State

from monitor.toolkit import (
    acting_country,
    find_period,
    find_quantities,
    is_foreign_owned,
    names_other_country,
    parse_amount,
    sentences,
    split_sentences,
)


def amounts(sentence: str) -> list[tuple]:
    return [(q.value, q.value_max, str(q.qualifier), q.increment) for q in find_quantities(sentence)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("11,000", 11000), ("9 million", 9_000_000), ("nine million", 9_000_000), ("a million", 1_000_000),
        ("half a million", 500_000), ("1.2 million", 1_200_000), ("1.5m", 1_500_000), ("35K", 35_000),
        ("one", 1), ("eleven", 11), ("twenty-five thousand", 25_000), ("1M", 1_000_000), ("500K", 500_000),
        ("2.5 billion", 2_500_000_000), ("a thousand", 1000), ("one hundred and twenty", 120),
    ],
)
def test_parse_amount_reads_every_form_news_writes(text: str, value: int) -> None:
    assert parse_amount(text) == value
    assert isinstance(parse_amount(text), int)


def test_parse_amount_keeps_fractions_that_are_not_whole() -> None:
    assert parse_amount("1.25") == 1.25


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Pyongyang has sent 12,000 soldiers.", [(12000, None, "exact", False)]),
        ("They counted 100-plus launchers.", [(100, None, "more_than", False)]),
        ("A 15,000-strong force went east.", [(15000, None, "exact", False)]),
        ("Estimates put it at 10,000-12,000 troops.", [(10000, 12000, "range", False)]),
        ("Estimates put it at 10,000 to 12,000 troops.", [(10000, 12000, "range", False)]),
        ("Between 1,000 and 3,000 workers left.", [(1000, 3000, "range", False)]),
        ("From 2 to 4 million shells were sent.", [(2_000_000, 4_000_000, "range", False)]),
        ("It shipped 10-12 million shells.", [(10_000_000, 12_000_000, "range", False)]),
        ("It sent 11,000 or more troops.", [(11000, None, "at_least", False)]),
    ],
)
def test_find_quantities_reads_plain_amounts_ranges_and_suffixes(sentence: str, expected: list) -> None:
    assert amounts(sentence) == expected


@pytest.mark.parametrize(
    ("phrase", "qualifier"),
    [
        ("about", "about"), ("approximately", "about"), ("around", "about"), ("some", "about"),
        ("an estimated", "about"), ("nearly", "about"), ("almost", "about"), ("roughly", "about"),
        ("close to", "about"), ("at least", "at_least"), ("no fewer than", "at_least"),
        ("no less than", "at_least"), ("more than", "more_than"), ("over", "more_than"),
        ("in excess of", "more_than"), ("upwards of", "more_than"), ("topped", "more_than"),
        ("past", "more_than"), ("exceeding", "more_than"), ("well over", "more_than"),
        ("up to", "up_to"), ("as many as", "up_to"), ("no more than", "up_to"), ("at most", "up_to"),
        ("fewer than", "up_to"),
    ],
)
def test_qualifier_phrases_before_an_amount(phrase: str, qualifier: str) -> None:
    assert amounts(f"The agency said {phrase} 4,000 troops went.") == [(4000, None, qualifier, False)]


def test_qualifier_words_are_part_of_the_span() -> None:
    sentence = "North Korea sent more than 11,000 troops."
    (quantity,) = find_quantities(sentence)
    assert sentence[quantity.start:quantity.end] == "more than 11,000"


@pytest.mark.parametrize(
    "sentence",
    [
        "Pyongyang sent another 3,000 troops.",
        "Pyongyang sent an additional 3,000 troops.",
        "Pyongyang sent a further 3,000 troops.",
        "Pyongyang sent 3,000 more troops.",
        "Pyongyang sent 3,000 more.",
        "Pyongyang sent an extra 3,000 troops.",
    ],
)
def test_increment_words_mark_an_addition(sentence: str) -> None:
    assert amounts(sentence) == [(3000, None, "exact", True)]


def test_another_after_besides_is_another_kind_not_an_increment() -> None:
    assert amounts("Apart from soldiers, another 8,000 laborers were sent.") == [(8000, None, "exact", False)]
    assert amounts("Besides the troops, another 8,000 workers went.") == [(8000, None, "exact", False)]


@pytest.mark.parametrize(
    "sentence",
    [
        "The US won 4-0 over Guatemala.",
        "It was the 2nd straight Olympics and the 18th package.",
        "0 comments 0 / 300",
        "The scheme cost $3 billion, or 30% of the budget.",
        "It fired KN-23 missiles from IL-76 and Su-27 jets.",
        "On May 29, 2025, in 2024 and since 2009.",
        "The 170mm guns fire 40 km at 3 p.m.",
        "A 19-year-old aged 19 was No. 3.",
        "Thousands of soldiers, hundreds of missiles and about a dozen countries.",
        "Tens of thousands of troops and several brigades.",
    ],
)
def test_what_is_not_a_count_gives_no_amount(sentence: str) -> None:
    assert [sentence[q.start:q.end] for q in find_quantities(sentence)] == []


def test_model_numbers_dates_and_scores_are_left_out_but_counts_beside_them_stay() -> None:
    assert amounts("It sent 100 KN-23 missiles on May 29 after a 4-0 vote.") == [(100, None, "exact", False)]


def test_two_amounts_joined_by_and_are_two_figures() -> None:
    assert amounts("North Korea sent 11,000 and then 3,000 more.") == [
        (11000, None, "exact", False), (3000, None, "exact", True)]


@pytest.mark.parametrize(
    ("sentence", "anchor", "period"),
    [
        ("North Korea sent 11,000 troops in 2024.", "11,000", "2024"),
        ("Russia supplied 1 million barrels between March and October 2024.", "1 million", "March-October 2024"),
        ("Russia supplied 1 million barrels between last March and October.", "1 million", "March-October last year"),
        ("As of April 30, casualties reached 4,700.", "4,700", "as of April 30"),
        ("It has shipped 20,000 containers since September 2023.", "20,000", "since September 2023"),
        ("It sent 3,000 soldiers last year.", "3,000", "last year"),
        ("It sent 3,000 in the early months of this year.", "3,000", "the early months of this year"),
        ("The report said that in 2024, Russia obtained 9 million shells.", "9 million", "2024"),
    ],
)
def test_find_period_names_the_time_the_figure_covers(sentence: str, anchor: str, period: str) -> None:
    assert find_period(sentence, sentence.index(anchor)) == period


def test_find_period_does_not_lend_one_clause_period_to_the_next() -> None:
    sentence = "North Korea sent 11,000 troops in 2024, with an additional 3,000 soldiers dispatched recently."
    assert find_period(sentence, sentence.index("3,000")) is None
    assert find_period("North Korea sent 11,000 troops.", 17) is None


def test_split_sentences_keeps_abbreviations_inside_sentences() -> None:
    text = ("The U.S. and the U.N. said N. Korea sent 11,000 troops in Sept. 2024. It ranked No. 3 "
            "on the list. Gen. Kim agreed.\nHeadline without a stop\nLast line.")
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "The U.S. and the U.N. said N. Korea sent 11,000 troops in Sept. 2024.",
        "It ranked No. 3 on the list.",
        "Gen. Kim agreed.",
        "Headline without a stop",
        "Last line.",
    ]
    assert all(text[s.start:s.end] == s.text for s in sentences)


def test_split_sentences_skips_lines_the_caller_rejects() -> None:
    assert [s.text for s in split_sentences("a b.\nc 1.", keep=lambda line: "1" in line)] == ["c 1."]


def test_subject_helpers_tell_north_korea_from_other_countries() -> None:
    assert acting_country("Russia has") == "foreign"
    assert acting_country("North Korea sent 11,000 troops to Russia, with") == "north_korea"
    assert acting_country("Ukraine's military intelligence said") is None
    assert is_foreign_owned(" Ukrainian") and not is_foreign_owned(" North Korean elite")
    assert names_other_country("Russian strikes kill 10.")
    assert not names_other_country("Some were sent to Russia, according to South Korean intelligence.")


def test_a_hyphenated_scale_is_part_of_the_amount() -> None:
    assert [(q.value, q.qualifier) for q in find_quantities("a 2.5-million-strong army and a 700-thousand-man reserve")] == [
        (2500000, "exact"), (700000, "exact")]


def test_tilde_k_and_plus_on_telegram_style_amounts() -> None:
    assert [(q.value, q.qualifier) for q in find_quantities("KIA: 800+ ; WIA: ~4.2K ; shells: 7M+")] == [
        (800, "more_than"), (4200, "about"), (7000000, "more_than")]


def _data_lines() -> list[str]:
    root = Path(__file__).resolve().parent
    paths = [*sorted(root.glob("data/*/*.txt")), *sorted((root.parent / "seeds").glob("*.txt"))]
    return [line for path in paths for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_plain_lines_are_split_as_syntok_splits_them() -> None:
    """The shortcut past syntok agrees with syntok on every line of the test articles it takes.

    It must also take most of them, or detection pays syntok's price on every paragraph again.
    """
    lines = [line for line in _data_lines() if sentences._MAYBE_SEVERAL.search(line)]
    taken = [line for line in lines if sentences._plain_spans(line) is not None]
    assert len(taken) > 0.6 * len(lines)
    assert [sentences._plain_spans(line) for line in taken] == [sentences._syntok_segmented(line) for line in taken]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Troops went. The rest stayed.", ["Troops went.", "The rest stayed."]),
        ("It said it “would go on.” Then it left.", ["It said it “would go on.”", "Then it left."]),
        ('He said "We went." A source agreed.', ['He said "We went."', "A source agreed."]),
        ("It came from the U.S. The report agreed.", ["It came from the U.S.", "The report agreed."]),
        ("It rose to 1.2 million in 2024. Many left; others stayed.",
         ["It rose to 1.2 million in 2024.", "Many left; others stayed."]),
        ("The team (MSMT) met. Its report came out.", ["The team (MSMT) met.", "Its report came out."]),
        # an initial or a roman numeral ends a sentence only before a word that opens one
        ("N. Korea sent troops. More followed.", ["N. Korea sent troops.", "More followed."]),
        ("Aid came from N. The report agreed.", ["Aid came from N.", "The report agreed."]),
        ("II. How it began", ["II. How it began"]),
        # a month's abbreviation before a number never ends one
        ("It met on Sept. 18. Officials came.", ["It met on Sept. 18.", "Officials came."]),
        # after a plain word, a number of one or two digits opens a sentence, a longer one does not
        ("They were taken away. 7 The camps are far.", ["They were taken away.", "7 The camps are far."]),
        ("It came in the same year. 2024 was worse.", ["It came in the same year. 2024 was worse."]),
        # a word in capitals after a stop, as transcripts name their speakers
        ("MR. SPOKESPERSON: Good afternoon.", ["MR.", "SPOKESPERSON: Good afternoon."]),
        # a one-character opening ("1.") is no sentence of its own; a stop before a comma ends none
        ("1. Troops. More went.", ["1. Troops.", "More went."]),
        ("Allies: the U.S., Japan. Others came.", ["Allies: the U.S., Japan.", "Others came."]),
        # after a closing quote, as after a plain word
        ('Words for "drone". One was found.', ['Words for "drone".', "One was found."]),
        # after an abbreviation, only before a word that opens sentences
        ("The U.S. Army and Gen. Kim met. They talked.", ["The U.S. Army and Gen. Kim met.", "They talked."]),
        ("Gen. Kim met. They talked.", ["Gen. Kim met.", "They talked."]),
    ],
)
def test_plain_lines_split_where_sentences_end(line: str, expected: list[str]) -> None:
    assert sentences._plain_spans(line) is not None
    assert [s.text for s in split_sentences(line)] == expected


@pytest.mark.parametrize(
    "line",
    [
        "KYIV (Reuters) - Troops went. More followed.",  # an aside after a sentence's first word
        "It met on Oct. 14th. Officials came.",  # a month's abbreviation before more than a number
        "It went in Oct. 14,000 went.",
        "U.S. M? Especially.",  # after a stop syntok did not split at, a sentence's first word again
        "K! G. Was it?",
        "N. Korea (MSMT) sent troops. More followed.",  # an aside after a sentence's first word
        "Weil.,Identically! Korea went.",  # a stop glued to a comma and a word: one token to syntok
        "It is listed as No. 7 of the ten.",  # "No." before a number
    ],
)
def test_lines_that_need_judgement_go_to_syntok(line: str) -> None:
    assert sentences._plain_spans(line) is None
    assert [s.text for s in split_sentences(line)] == [
        line[start:end].strip() for start, end in sentences._syntok_segmented(line)
    ]


def test_a_sentence_ending_in_a_word_syntok_lists_as_an_abbreviation_still_ends() -> None:
    """syntok lists "cap" (capitulo) as an abbreviation; in English news it ends sentences."""
    text = "Russia sent far more than the 500,000-barrel annual cap. Each tanker carries 8,000 barrels."
    assert [s.text for s in split_sentences(text)] == [
        "Russia sent far more than the 500,000-barrel annual cap.",
        "Each tanker carries 8,000 barrels.",
    ]


def test_keywords_are_found_in_any_case_as_the_pattern_finds_them() -> None:
    from monitor.toolkit import Counted, Detector

    detector = Detector(Counted("m", noun="troops"), keywords=r"troop|\bKIA\b|Панцирь|service\s*member")
    for text in ("TROOPS went", "13 kia", "the Kia car", "ПАНЦИРЬ-С1", "Service members", "servicemember", "none here"):
        assert detector._has_keyword(text) == bool(detector.keywords.search(text)), text
    assert detector._quick_keywords.lowercase
    # words sharing a first letter are tried as one group: each is still found, and only where it stands
    grouped = Detector(Counted("m", noun="troops"), keywords=r"troop|total\s+sent|\bkill|killed|\bten\b")
    assert grouped._quick_keywords.pattern.pattern.startswith("t(?:")
    for text in ("TOTAL  SENT", "skilled", "KILLED", "overkill", "Kill", "ten", "often", "attentive", "Troops"):
        assert grouped._has_keyword(text) == bool(grouped.keywords.search(text)), text
    # an escape in capitals keeps its meaning in lowercase: "\S" is not "\s"
    escaped = Detector(Counted("m", noun="troops"), keywords=r"troop\S")
    for text in ("TROOPS", "troop sent", "Troop.", "troop"):
        assert escaped._has_keyword(text) == bool(escaped.keywords.search(text)), text


def test_lines_that_need_syntok_are_cut_at_plain_ends_and_split_as_syntok_splits_them_whole() -> None:
    lines = [line for line in _data_lines() if sentences._MAYBE_SEVERAL.search(line)
             and sentences._plain_spans(line) is None]
    cut = [line for line in lines if sentences._plain_ends(line)]
    assert len(cut) > 0.3 * len(lines)  # many such lines hold plain ends: syntok reads less of them
    for line in lines:
        pieces = [line[start:end].strip() for start, end in sentences._syntok_spans.__wrapped__(line)]
        assert pieces == [line[start:end].strip() for start, end in sentences._syntok_segmented(line)], line


def test_initials_before_an_opening_quote_are_left_to_syntok() -> None:
    line = 'He blamed the U.S. "The sanctions failed," he said.'
    assert sentences._plain_spans(line) is None
    assert [s.text for s in split_sentences(line)] == [line]


def test_an_endless_sentence_is_read_in_pieces_of_bounded_length() -> None:
    """A page that is one 50 kB "sentence" is cut at spaces, so the work per amount stays bounded."""
    text = "North Korea sent 11,000 troops and " * 1500
    pieces = split_sentences(text)
    assert len(pieces) > 1 and all(len(s.text) <= sentences.LONGEST for s in pieces)
    assert all(text[s.start:s.end] == s.text for s in pieces)
    assert " ".join(s.text for s in pieces) == text.strip()


def _taken_as_syntok(*lines: str) -> None:
    """Each of ``lines`` is split by the shortcut itself, as syntok splits it."""
    for line in lines:
        assert sentences._plain_spans(line) == sentences._syntok_segmented(line), line


def _soup_line(rng, kinds: list[tuple[float, list[str]]], stops: list[str], stop_share: float) -> str:  # type: ignore[no-untyped-def]
    """3 to 12 tokens, each drawn from the first list of ``kinds`` whose limit the draw is under, each
    followed by one of ``stops`` (``stop_share`` of the time) or a space."""
    parts = []
    for _ in range(rng.randint(3, 12)):
        draw = rng.random()
        parts.append(rng.choice(next(tokens for limit, tokens in kinds if draw < limit)))
        parts.append(rng.choice(stops) if rng.random() < stop_share else " ")
    return "".join(parts).strip()


def test_the_shortcut_agrees_with_syntok_on_a_soup_of_tricky_tokens() -> None:
    """Months' abbreviations, initials, roman numerals, sentence openers, numbers and stops (quotes
    and signs after some), strung at random (without brackets, whose asides syntok reads by how
    far a line has got): wherever the shortcut splits a line, it splits it as syntok does."""
    rng = random.Random(7)
    months, romans, starters = sorted(State.months), sorted(State.roman_numerals), sorted(State.starters)
    words = ["troops", "Korea", "North", "sent", "the", "MSMT", "Kim", "report", "U.S.", "Mr", "Gen", "Army",
             "SPOKESPERSON", "Korea's", "mid-Oct", "14th", "No", "no", "TheX", "SpaceX", "KOREA", "and", "gain", "i"]
    numbers = ["1", "2", "7", "25", "14", "2024", "3", "14,000", "1.5", "100", "14-15", "14:30", "14%"]
    stops = [". ", ". ", ".", ", ", "; ", "! ", "? ", '." ', '" ', " - ", ": ", '". ', "”. ", ".,", ".: ", ".", "., ",
             # a quote or a sign after a stop: "dead. 'We", "in total. - Of those", "the deal. 🔸 Troops"
             ". '", ". - ", ". — ", ". 🔸 ", ". ==", "! * ", ". -",
             # ellipses: "programs ... and gain", "troops… and", and others the shortcut leaves to syntok
             " ... ", "... ", " … ", "… ", "...", "…", ".... ", ". . . ", '..." ']
    abbreviations = sorted(State.abbreviations)
    kinds = [(0.13, months), (0.24, list("ABCDEGHKLMNPRSTW")), (0.29, romans), (0.37, abbreviations), (0.47, starters),
             (0.6, numbers), (1, words)]
    taken = ellipses = abbreviated = 0
    for _ in range(4000):
        line = _soup_line(rng, kinds, stops, 0.45)
        plain = sentences._plain_spans(line) is not None
        taken += plain
        ellipses += plain and ("..." in line or "…" in line)
        abbreviated += plain and any(token[:-1] in sentences._ABBREVIATIONS for token in line.split() if token.endswith("."))
        assert sentences._syntok_spans.__wrapped__(line) == sentences._syntok_segmented(line), line
    # the shortcut takes many of them whole, with an ellipsis or after an abbreviation too
    assert taken > 500 and ellipses > 20 and abbreviated > 20
    # an ellipsis after a word and before a lowercase one ends no sentence, without syntok
    line = "It said the programs ... and gain first-hand experience. North Korea sent troops… and shells."
    assert sentences._plain_spans(line) == sentences._syntok_segmented(line) == ((0, 56), (57, 93))
    # nor does an abbreviation before a number, a sign or a word that opens no sentence ("incl. The" does)
    line = "Casualties: 4,700 incl. ~600 killed. It has 11 members incl. Japan. It sent troops incl. The Guard left."
    assert sentences._plain_spans(line) == sentences._syntok_segmented(line) == ((0, 36), (37, 67), (68, 88), (89, 104))


def test_the_shortcut_reads_stops_glued_inside_tokens_and_grouped_numbers_as_syntok() -> None:
    """A stop glued to letters or digits on both sides is inside one of syntok's tokens ("1.2",
    "U.N.Security", "Kentucky!â"), unless it stands between a lowercase and an uppercase letter
    ("war.The"); a number in groups of three ("20,000") is one token too. On a soup of such tokens
    and stops, wherever the shortcut splits a line, it splits it as syntok does, and it takes such
    lines whole."""
    rng = random.Random(5)
    words = ["troops", "Korea", "sent", "the", "U.S.", "Gen", "No", "no", "TheX", "Kentucky!â", "war.the", "war.The",
             "U.N.Security", "Since.report", "This!1,0000", "é", "É", "ß", "ǅx", "Ⅻ", "²", "١٢", "â", "Ärger", "x", "Y",
             "Korea's", "Since-then", "“We"]
    numbers = ["1", "7", "25", "2024", "14,000", "20,000", "1,000,000", "1.5", "14-15", "14%", "12,34", "1,0000"]
    stops = [". ", ". ", ".", "!", "?", ";", ". ", "? ", "! ", "; ", ", ", '." ', ". - ", ". — ", ": ", ". '"]
    kinds = [(0.08, sorted(State.months)), (0.16, list("ABCDEGHKLMNab")), (0.22, sorted(State.roman_numerals)),
             (0.3, sorted(State.abbreviations)), (0.42, sorted(State.starters)), (0.6, numbers), (1, words)]
    glued = grouped = 0
    for _ in range(4000):
        line = _soup_line(rng, kinds, stops, 0.5)
        if sentences._plain_spans(line) is not None:
            glued += any(line[at] in ".!?" and line[at - 1: at].isalnum() and line[at + 1: at + 2].isalnum()
                         for at in range(len(line)))
            grouped += bool(re.search(r"\s\d{1,3}(?:,\d{3})+[.!?] ", line))
        assert sentences._syntok_spans.__wrapped__(line) == sentences._syntok_segmented(line), line
    assert glued > 200 and grouped > 20
    _taken_as_syntok("“Governor @MattBevin has done a wonderful job for the people of Kentucky!â Trump tweeted. He won.",
                     "Containers shipped: more than 20,000. - Artillery rounds in 2024: up to 9 million.",
                     "It was a clear violation of U.N.Security Council resolutions. The team said so.")


def test_the_shortcut_reads_capitals_and_roman_numerals_before_a_stop_as_syntok() -> None:
    """A capital or a roman numeral before a stop ends a sentence only before a word that opens
    sentences: never before a number or a sign ("posted to X. 4 Children"), and where the sentence
    has gone past its first word, not even after a stop that did not end it ("- S. Korea ... - S.
    Korea"). A sentence's first words each followed by a stop syntok does not split at ("U.S.
    troops") are read by its rules for a first word, so an aside after them is syntok's call. On
    a soup of capitals, numerals, numbers, signs, asides and stops, wherever the shortcut splits a
    line, it splits it as syntok does."""
    rng = random.Random(9)
    capitals = [*"ABCDEGHKLMNPRSTWXIV", "II", "IV", "XX", "XIV", "VI"]
    words = ["Korea", "troops", "won’t", "In-gee", "4-0", "2nd", "US", "MSMT", "U.S.", "the", "sent", "Who", "knew", "Mr",
             "Gen", "no", "No", "SpaceX", "a", "i", "x", "Korea's"]
    signs = ["-", "—", "▪️", "🔸", "*", "•", "“We", "'We", "==", "+", "&", "#1", "@x", "(LEAD)", "(2nd LD)", "[1]", "…"]
    stops = [". ", ". ", ".", "? ", "! ", " - ", ". - ", ". — ", " — ", ". ", "; ", ", ", ": ", '." ', ". 🔸 ", " ", " ", " "]
    kinds = [(0.3, capitals), (0.45, sorted(State.starters)), (0.6, ["4", "12", "2024", "4,000", "1", "300", "25", "7"]),
             (0.72, signs), (1, words)]
    before_a_number_or_sign = re.compile(r"(?<!\S)(?:[A-Z]|II|IV|XX|XIV|VI)\. (?:[0-9]+(?:\s|$)|[-—▪🔸*•=+&#@])")
    taken = 0
    for _ in range(4000):
        line = _soup_line(rng, kinds, stops, 1)
        taken += sentences._plain_spans(line) is not None and bool(before_a_number_or_sign.search(line))
        assert sentences._syntok_spans.__wrapped__(line) == sentences._syntok_segmented(line), line
    assert taken > 100
    flattened = "- California Assembly OKs a wage - S. Korea unveils warnings - LPGA golfer back - S. Korea won’t be top seed"
    _taken_as_syntok(flattened, "He posted to X. 4 Children were among the injured. Annex II. - Troops: 300.")
    for line in ["U.S. troops (2nd LD) Since 300 went.", "Troops! troops (2nd LD) Since 300 went.", "G; leading (LEAD) W no"]:
        assert sentences._plain_spans(line) is None and len(sentences._syntok_segmented(line)) == 2, line
        assert sentences._syntok_spans.__wrapped__(line) == sentences._syntok_segmented(line), line


def test_the_shortcut_reads_agency_tags_as_syntok() -> None:
    """A tag opening a line is a sentence of its own where it is more than three tokens and no
    lowercase word follows ("(2nd LD) Russia gave ..."), else the first words of the sentence
    that follows ("(LEAD) N. Korea dispatched ..."); after a stop that follows a plain word or a
    number, a tag closing the line is a sentence of its own ("... training. (END)"). On a soup of
    tags around tricky tokens, wherever the shortcut splits a line, it splits it as syntok does
    (spaces at a line's end left aside), and it takes lines with tags."""
    rng = random.Random(13)
    tags = ["(LEAD)", "(2nd LD)", "(END)", "(URGENT)", "(SpaceX)", "(A B)", "(a)", "(News Focus)", "(x y z)", "(2024)",
            "(Yonhap Interview)", "(McDonald)", "()", "(A-B)"]
    words = ["troops", "Korea", "sent", "the", "U.S.", "Mr", "Gen", "No", "no", "2024", "11,000", "14", "won’t", "leading",
             "JCS", "N.", "S.", "X.", "it", "(MSMT)"]
    kinds = [(0.2, sorted(State.starters)), (0.27, sorted(State.months)), (0.37, list("ABCDEGHKLMNPRSTWX")),
             (0.42, sorted(State.roman_numerals)), (0.5, sorted(State.abbreviations)), (1, words)]
    stops = [" ", " ", " ", ". ", ". ", "! ", "? ", "; ", ", ", ": ", ". - ", "."]
    taken = 0
    for _ in range(4000):
        opening = rng.choice(tags) + rng.choice([" ", " ", "  ", ""]) if rng.random() < 0.6 else ""
        closing = rng.choice([". ", "! ", "? ", ".", " "]) + rng.choice(tags) if rng.random() < 0.6 else ""
        line = opening + _soup_line(rng, kinds, stops, 1) + closing
        if sentences._plain_spans(line) is not None:
            taken += bool(opening or closing)
        pieces = [line[start:end].strip() for start, end in sentences._syntok_spans.__wrapped__(line)]
        assert pieces == [line[start:end].strip() for start, end in sentences._syntok_segmented(line)], line
    assert taken > 100
    _taken_as_syntok("(LEAD) N. Korea dispatched additional 3,000 troops to Russia this year: JCS",
                     "(2nd LD) Russia gave N. Korea one Pantsir, oil above cap in return for troops: MSMT",
                     "The agency said they were deployed to Kursk after a period of training. (END)")


def test_the_shortcut_reads_asides_with_stops_quotes_before_numbers_and_initials_before_brackets_as_syntok() -> None:
    """syntok reads past an aside that opens with a lowercase word, stops and all ("(incl.
    engineers)"), splits after a closing quote before a small number as after the stop alone
    ('sanctions." 0 comments'), and ends no sentence after initials before an aside ("U.N. [Security
    Council Resolutions]"). On a soup of asides glued and not, quotes, initials, abbreviations and
    sentence openers, wherever the shortcut splits a line, it splits it as syntok does."""
    rng = random.Random(17)
    asides = ["(incl. engineers)", "(approx. 600)", "(i.e. x)", "(e.g. Kursk)", "(Incl. X)", "(est. 3,000 troops)",
              "[Security Council Resolutions]", "(incl. U.S. troops)", "(a. b. c. d. e. f. g. h. i. j. k. l. m. n. o)",
              "(vs. Gen. Kim)", "(MSMT)", "(LEAD)", "(2nd LD)", "[1]", "(Chiefly K)", "("]
    words = ["troops", "Korea", "sent", "the", "U.S.", "U.N.", "Mr", "Gen", "No", "no", "2024", "11,000", "14", "7", "A",
             "N", "II", "X", "won’t", "leading"]
    kinds = [(0.3, asides), (0.4, sorted(State.starters)), (0.47, sorted(State.months)), (0.55, list("ABCDEGHKLMNPRSTWX")),
             (0.6, sorted(State.roman_numerals)), (0.67, sorted(State.abbreviations)), (1, words)]
    stops = ['." ', "'. ", ".” ", " ", " ", " ", "", ". ", ". ", "! ", "? ", "; ", ", ", ". - ", ".", " - "]
    taken = 0
    for _ in range(4000):
        line = _soup_line(rng, kinds, stops, 0.5)
        taken += sentences._plain_spans(line) is not None and any(aside in line for aside in asides[:10])
        assert sentences._syntok_spans.__wrapped__(line) == sentences._syntok_segmented(line), line
    assert taken > 100
    _taken_as_syntok("DPRK troops in Russia: 15,000 total (incl. engineers) ▪️ KIA: about 2,000. Shells: 12 million.",
                     '"We will evade UN sanctions." 0 comments 0 / 300 View more comments',
                     "They violate U.N. [Security Council Resolutions] on the DPRK. The team said so.")


def test_amounts_are_read_in_the_lowercased_sentence_at_the_same_offsets() -> None:
    """The case-insensitive patterns run, lowercase, on the lowercased sentence; a character that
    lowercases to two ("İ") is kept as it is, so every offset still points into the sentence."""
    from monitor.toolkit import casing

    sentence = "İstanbul heard that OVER 11,000 troops were SENT, and Another 3,000 in 2025."
    assert len(casing.lowered(sentence)) == len(sentence)
    found = find_quantities(sentence)
    assert [(q.value, q.qualifier, q.increment) for q in found] == [(11000, "more_than", False), (3000, "exact", True)]
    assert [sentence[q.start:q.number_end] for q in found] == ["OVER 11,000", "Another 3,000"]
    lowered = casing.caseless(re.compile(r"(?P<Word>\W+)(?P=Word)X\b", re.IGNORECASE))
    assert lowered.pattern == r"(?P<Word>\W+)(?P=Word)x\b" and not lowered.flags & re.IGNORECASE


@pytest.mark.parametrize(
    "text",
    ["11,000 troops", "One soldier", "ONE", "someone left", "a  Million shells", "A HUNDRED", "halfway there",
     "half a million", "xhundred", "tone", "the eleventh hour", "٣ troops", "no number here", "forty-two"],
)
def test_the_quick_number_test_agrees_with_its_pattern(text: str) -> None:
    from monitor.toolkit import numbers

    assert numbers.has_number.__wrapped__(text) == (numbers.HAS_NUMBER.search(text) is not None)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [("Pyongyang sent another 3,000 men in January-February 2025.", "January-February 2025"),
     ("It sent 11,000 troops in October–November last year.", "October-November last year"),
     ("It sent 500 more during May-June.", "May-June")],
)
def test_a_span_of_two_months_is_a_period(sentence: str, expected: str) -> None:
    assert find_period(sentence, sentence.index("0") - 2) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [("up to 90 lakh shells", [(9_000_000, None, "up_to")]),
     ("a cap of 5 lakh barrels", [(500_000, None, "exact")]),
     ("1.2 crore rounds", [(12_000_000, None, "exact")]),
     ("from 1.2 to 1.5 crore rounds", [(12_000_000, 15_000_000, "range")]),
     ("a budget of Rs 25,000 crore", []),  # rupees
     ("at somewhere between 15,000 and 16,000 troops", [(15000, 16000, "range")])],
)
def test_indian_scales_and_somewhere_between(sentence: str, expected: list[tuple]) -> None:
    assert [(q.value, q.value_max, str(q.qualifier)) for q in find_quantities(sentence)] == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [("- About 15,000: North Korean troops sent", [15000]),  # a fact box's amount before its label
     ("The briefing began at 10:30 on Monday", []),  # a time
     ("Figure 3 compares the deployments; Table 2 lists them", []),  # a figure's or a table's number
     ("Episode 214 of the podcast", [])],
)
def test_a_colon_after_an_amount_and_the_numbers_of_figures(sentence: str, expected: list[int]) -> None:
    assert [q.value for q in find_quantities(sentence)] == expected


def test_letter_first_opens_every_alternative_with_its_letter() -> None:
    """A word boundary before a letter becomes a lookbehind after it, a lookbehind moves past the
    letter, an opening group, an optional word and a class of letters are spread, and the
    alternatives are grouped by their letter; a pattern with an alternative that cannot open with
    a letter is left as it is."""
    from monitor.toolkit.casing import letter_first

    assert letter_first(r"\b(?:to|for)\s+kyiv|(?<!own\s)\bproduc") == (
        r"t(?<!\w.)o\s+kyiv|f(?<!\w.)or\s+kyiv|p(?<!own\s.)(?<!\w.)roduc"
    )
    assert letter_first(r"\bJ?SDF|\b[Tt]he\s+North|(?:on\s+the\s+)?order\s+of") == (
        r"J(?<!\w.)SDF|S(?<!\w.)DF|T(?<!\w.)he\s+North|t(?<!\w.)he\s+North|o(?:n\s+the\s+order\s+of|rder\s+of)"
    )
    assert letter_first(r"dead|\bdied\b|\bdeaths?\b") == r"d(?:ead|(?<!\w.)ied\b|(?<!\w.)eaths?\b)"
    assert letter_first(r"[a|b]x|\by") == r"[a|b]x|\by"


def test_quick_patterns_match_where_and_as_the_originals_do() -> None:
    """``casing.quick`` (lowercase, every alternative opened with its letter) finds the same matches
    at the same places as the pattern it was made from: North Korea's names, other countries, the
    team's names and a rule's noun, on a generated soup of their words and others."""
    from monitor.toolkit import FOREIGN, NORTH_KOREA
    from monitor.toolkit.casing import quick

    team = re.compile(  # case-insensitive, as the team's names are in the plugin
        r"\bMSMT\b|\bmulti(?:lateral|national)\s+sanctions?\s+monitoring\s+(?:team|group)\b|"
        r"\b(?:member\s+)?(?:states|countries|nations)\s+of\s+the\s+(?:team|group)\b",
        re.IGNORECASE,
    )
    nouns = re.compile(r"\b(?:troops|soldiers|service\s*members|military\s+(?:personnel|staff)|forces?)\b", re.IGNORECASE)
    words = [
        "North", "Korea", "North", "Korean", "N.", "Korea", "DPRK", "D.P.R.K.", "the", "North", "The",
        "North", "NORTH", "KOREA", "Pyongyang", "Kim", "Jong", "Un", "Kim's", "troops", "KPA", "NK",
        "Russia", "Russian", "Moscow", "U.S.", "US", "USA", "SDF", "JSDF", "Self-Defense", "Forces",
        "Japan", "China", "MSMT", "multilateral", "sanctions", "monitoring", "team", "group", "member",
        "states", "of", "the", "Sanctions", "Monitoring", "service", "members", "soldiers", "forces",
        "force", "military", "staff", "personnel", "to", "in", "from", "said", "11,000", ",", ".", "-", "'s"
    ]
    rng = random.Random(11)
    lines = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 14))) for _ in range(3000)]
    for pattern in (NORTH_KOREA, FOREIGN, team, nouns):
        fast = quick(pattern)
        assert fast.pattern.pattern != pattern.pattern  # rewritten
        for line in lines:
            assert [m.span() for m in fast.finditer(line)] == [m.span() for m in pattern.finditer(line)], (pattern, line)


def test_openings_are_the_texts_every_match_opens_with() -> None:
    """``casing.openings``: a word boundary or lookbehind has no character of its own, an optional
    part is taken and left, a small class of letters is spread, a repeat or a class ends the text;
    no openings where a match may open with a class or a single known character."""
    from monitor.toolkit.casing import openings, quick

    def of(source: str) -> tuple[str, ...] | None:
        return openings(quick(re.compile(source, re.IGNORECASE)).pattern)

    assert of(r"troop|service\s*member|\bmen\b") == ("men", "troop", "service")
    assert of(r"(?:military|combat)\s+engineers|S-[34]00|KN-?\d\d") == ("kn", "s-300", "s-400", "combat", "military")
    assert of(r"troops?|troop\s+numbers") == ("troop",)  # "troop" opens the others
    assert of(r"casualties") == ("casualti",)  # cut at eight characters
    assert of(r"ab?c|xyz") == ("ac", "abc", "xyz")
    assert of(r"[a-z]+x|troop") is None  # a class opens a match
    assert of(r"x|troop") is None  # one character is no opening
    assert openings(re.compile("troop", re.IGNORECASE)) is None  # only lowercase patterns, on lowercased text


def test_every_detectors_keywords_are_named_as_each_pattern_finds_them() -> None:
    """``keywords.named`` reads a text once for every detector's keywords: each detector's bit is
    set exactly where its own pattern's search finds a keyword, on every line of the test articles
    (as written, in capitals and glued to other words), whether its pattern has openings for the
    automaton or is searched for as it is. The patterns asked of whole articles only (the rules'
    subjects) are answered by ``keywords.named_in_article`` alone, exactly as well."""
    from monitor.plugins import make_plugin_manager
    from monitor.toolkit import Counted, Detector, keywords
    from monitor.toolkit.casing import openings, quick

    pm = make_plugin_manager(None, entry_points=False)
    detectors = [value for plugin in pm.get_plugins() for value in vars(plugin).values() if isinstance(value, Detector)]
    assert len(detectors) >= 6
    unanchored = Detector(Counted("m", noun="troops"), keywords=r"[a-z]+roop|\bKIA\b")
    assert openings(unanchored._quick_keywords.pattern) is None
    detectors.append(unanchored)
    # a plugin loaded again registers the same keywords, which keep their bit
    assert keywords.register(detectors[0]._quick_keywords) == detectors[0]._keyword_bit
    # a case-sensitive pattern (a subject's name) is found by its openings in lowercase, and
    # matched as written; one with an inline flag is searched for
    capitals = quick(re.compile(r"\bKremlin\b|Pyongyang(?:'s)?|\bDPRK\b"))
    keywords.register(capitals)
    assert keywords._patterns[capitals][1] == ("dprk", "kremlin", "pyongyan")
    flagged = quick(re.compile(r"(?i:kremlin)|DPRK"))
    keywords.register(flagged)
    assert keywords._patterns[flagged][1] is None
    assert keywords.named("the KREMLIN said") & keywords.register(capitals) == 0
    assert keywords.named("the KREMLIN said") & keywords.register(flagged) != 0
    lines = _data_lines()
    texts = [*lines, *(line.upper() for line in lines[::7]), *(line.replace(" ", "") for line in lines[::5]), "", "ĲSTANBUL"]
    # and the toolkit's own patterns found in the same pass: number words, "three of those"
    registered = [(1 << place, pattern, of_articles) for pattern, (place, _, of_articles) in keywords._patterns.items()]
    assert len(registered) >= len(detectors) + 2
    assert sum(of_articles for _, _, of_articles in registered) >= 3  # North Korea, the team, Russia
    # a pattern registered for articles only is not read in lines, until it is registered for lines too
    vatican = quick(re.compile(r"\bVatican\b"))
    bit = keywords.register(vatican, of_articles=True)
    assert not keywords.named("the Vatican said") & bit and keywords.named_in_article("the Vatican said") & bit
    assert keywords.register(vatican) == bit and keywords.named("the Vatican said") & bit
    for text in texts:
        found, in_article = keywords.named(text), keywords.named_in_article(text)
        for detector in detectors:
            assert bool(found & detector._keyword_bit) == bool(detector.keywords.search(text)), (detector.keywords.pattern, text)
        for bit, pattern, of_articles in registered:
            assert bool(in_article & bit) == bool(pattern.search(text)), (pattern.pattern.pattern, text)
            assert bool(found & bit) == (not of_articles and bool(pattern.search(text))), (pattern.pattern.pattern, text)


def test_endings_are_the_texts_every_match_ends_with_before_its_spaces() -> None:
    """``casing.endings`` reads a pattern backwards: spaces at its end are left aside, a small class
    is spread, a repeat ends the text; ``Ending.search`` finds what the pattern's search finds in
    any window, turning away at once the windows that end otherwise."""
    from monitor.toolkit.casing import ending, endings

    assert endings(re.compile(r"(?:(?:more|greater)\s+than|\bover|Number\s+|[$€])\s*$")) == ("$", "€", "over", "than", "Number")
    assert endings(re.compile(r"(?:one|a)\s+in\s+$")) == ("in",)
    assert endings(re.compile(r"(?:a\s|b)c$")) == ("c",)  # only the spaces at the very end are left aside
    assert endings(re.compile(r"\w+\s*$")) is None  # a class ends every match
    assert endings(re.compile(r"about\s+$", re.IGNORECASE)) is None  # only case-sensitive patterns
    hedged = ending(re.compile(r"\b(?:about|Some)\s+$", re.IGNORECASE))  # made lowercase, for the lowercased text
    assert hedged.endings == ("some", "about") and hedged.search("ABOUT ").span() == (0, 6)
    assert hedged.search("some 3", 0, 5) and not hedged.search("somewhere ")
    patterns = [re.compile(r"\b(?:about|more\s+than|up\s+to|(?:is|are)\s+(?:thought|believed)\s+to\s+be)\s+$"),
                re.compile(r"(?:no\.?\s*|\bjan(?:uary)?\.?\s*|[$€£]\s*|\d\s+/\s*)$")]
    words = ["about", "more", "than", "up", "to", "is", "thought", "believed", "be", "no", "no.", "jan", "january.",
             "$", "€", "3", "/", "over", "the", "news", "\n", "\xa0"]
    rng = random.Random(5)
    for _ in range(3000):
        text = "".join(rng.choice(words) + rng.choice(["", " ", "  ", "\t", "\n"]) for _ in range(rng.randint(0, 8)))
        end = rng.randint(0, len(text))
        start = rng.randint(0, end)
        for pattern in patterns:
            fast = ending(pattern)
            assert fast.endings is not None
            found, expected = fast.search(text, start, end), pattern.search(text, start, end)
            assert (found and found.span()) == (expected and expected.span()), (pattern.pattern, text, start)


def test_the_word_before_a_stop_is_read_as_its_pattern_finds_it() -> None:
    """``sentences._word_before`` reads the token before a stop at once; it gives what
    ``_WORD_BEFORE`` finds searching the window before the stop, at every place of generated lines
    (words, numbers, capitals, tabs and other spaces, tokens longer than the window)."""
    rng = random.Random(3)
    tokens = ["Troops", "troops", "NATO", "SpaceX", "sent", "a", "I", "14", "2024", "7", "x1", "U.S", "Weil.,Identically",
              "née", "ÉTAT", "١٢", "word" * 12, "-", "(", "\t", "\xa0", "  "]
    for _ in range(3000):
        line = "".join(rng.choice(tokens) + rng.choice([" ", "", ". ", "\t", "\xa0"]) for _ in range(rng.randint(1, 9)))
        for at in range(len(line) + 1):
            found = sentences._WORD_BEFORE.search(line, max(0, at - sentences._WORD_WINDOW), at)
            expected = (found.group("word"), found.group("number")) if found else (None, None)
            assert sentences._word_before(line, at) == expected, (line, at)


def test_the_toolkits_examples_hold() -> None:
    """The examples in the toolkit's docstrings (``>>>``) give what they show."""
    import doctest
    import importlib
    import pkgutil

    import monitor.toolkit

    for info in pkgutil.iter_modules(monitor.toolkit.__path__):
        module = importlib.import_module(f"monitor.toolkit.{info.name}")
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, module.__name__
