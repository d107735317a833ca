"""The phrases that hedge or extend an amount, and the words that name North Korea.

Kept apart so that adding a phrase is a one-line change; each group of
``QUALIFIER_BEFORE`` is named after the ``Qualifier`` value it stands for.
"""

from __future__ import annotations

import re

__all__ = [
    "BESIDES",
    "INCREMENT_AFTER",
    "INCREMENT_BEFORE",
    "NORTH_KOREA",
    "PAST_WAR",
    "QUALIFIER_AFTER",
    "QUALIFIER_BEFORE",
]

_ABOUT = (
    r"about|around|approximately|approx\.|roughly|some|an\s+estimated|estimated|est\.|nearly|almost|"
    r"close\s+to|circa|ca\.|c\.|approaching|nearing|just\s+(?:under|below|shy\s+of)|"
    r"an?\s+(?:approximate|rough|estimated)(?:\s+(?:total|number))?\s+of|estimated\s+at|put\s+at|"
    r"(?:is|are|was|were)\s+(?:(?:now|widely|generally|still|already)\s+)?(?:thought|believed|estimated|assessed)\s+to\s+(?:be|number|total)|"
    r"(?:on\s+the\s+)?order\s+of|in\s+the\s+region\s+of|the\s+equivalent\s+of"
)
_AT_LEAST = (
    r"at\s+least|no\s+(?:fewer|less)\s+than|not\s+(?:fewer|less)\s+than|a\s+minimum\s+of|"
    r"at\s+a\s+minimum|a\s+least|as\s+least"
)
_MORE_THAN = (
    r"(?:well\s+|just\s+|far\s+|many\s+|much\s+|slightly\s+)?(?:more|greater)\s+than|"
    # "handed over 120 guns", "took over 300": a verb's particle, not a qualifier
    r"(?<!\bhanded\s)(?<!\bhand\s)(?<!\bhands\s)(?<!\bhanding\s)(?<!\bturned\s)(?<!\bturning\s)(?<!\btook\s)"
    r"(?:well\s+|just\s+|slightly\s+)?(?:over|above)|in\s+excess\s+of|upwards?\s+of|north\s+of|"
    r"exceeding|exceeded|exceeds?|topping|topped|tops?|past|passed|surpassing|surpassed|surpass(?:es)?|"
    r"beyond|better\s+than|over\s+and\s+above"
)
_UP_TO = (
    r"up\s+to|as\s+many\s+as|as\s+much\s+as|as\s+high\s+as|no\s+more\s+than|not\s+more\s+than|at\s+(?:the\s+)?most|"
    r"a\s+maximum\s+of|at\s+a\s+maximum|(?:fewer|less)\s+than|under|below|maximum\s+of|up\s+to\s+about"
)

#: qualifier words ending right before an amount ("more than 11,000"); every phrase starts a
#: word with a letter, tested first so that the search skips every other place at once
QUALIFIER_BEFORE = re.compile(
    rf"\b(?=[^\W\d_])(?:(?P<about>{_ABOUT})|(?P<at_least>{_AT_LEAST})|(?P<more_than>{_MORE_THAN})"
    rf"|(?P<up_to>{_UP_TO}))\s+$",
    re.IGNORECASE,
)
#: qualifier words right after an amount ("11,000 or so", "11,000-odd")
QUALIFIER_AFTER = re.compile(
    r"(?:(?P<about>\s+or\s+so\b|-odd\b|\s+odd\b(?=\s+[a-z])|\s+or\s+thereabouts\b)"
    r"|(?P<at_least>\s+at\s+(?:the\s+)?least\b(?!\s+(?:for|in|until)\b))"
    r"|(?P<up_to>\s+at\s+(?:the\s+)?most\b))",
    re.IGNORECASE,
)

#: increment words ending right before an amount ("an additional 3,000")
INCREMENT_BEFORE = re.compile(
    r"\b(?P<word>another|an\s+additional|additional|a\s+further|further|an\s+extra|extra|"
    r"a\s+fresh|fresh|a\s+new\s+batch\s+of|a\s+second\s+batch\s+of|a\s+further\s+batch\s+of|"
    # translated copy: "and additionally dispatched about 3,000 troops"
    r"additionally\s+(?:[a-z]+\s+){0,2}?(?:sent|dispatched|deployed|shipped|supplied|provided|delivered|transferred))\s+$",
    re.IGNORECASE,
)
#: increment words right after an amount ("3,000 more", "3,000 additional troops")
INCREMENT_AFTER = re.compile(r"\s+(?:more|additional|extra|further|fresh)\b(?!\s+than\b)", re.IGNORECASE)
#: "besides", "apart from": an "another" after these means "of another kind", not "more of the same"
BESIDES = re.compile(
    r"\b(?:besides|apart\s+from|aside\s+from|other\s+than|in\s+addition\s+to|on\s+top\s+of|"
    r"beyond|as\s+well\s+as|along\s+with|alongside)\b",
    re.IGNORECASE,
)

#: after an amount's noun, in its clause: a past war's count, not one of the war in Ukraine
#: ("the 50 or 60 casualties of any year since the armistice", "400 guns captured in the 1950–53 war")
PAST_WAR = r"[^.;—–]{0,80}?\b(?:Korean\s+War|armistice|World\s+War|19\d\d)\b"

#: North Korea, its people and its army, however an outlet names them
NORTH_KOREA = re.compile(
    r"\bNorth\s+Korea(?:n|ns|'s|’s)?\b|\bN\.\s?Korea(?:n|ns|'s|’s)?\b|\bNorth\s+Korean\b|\bDPRK\b|\bD\.P\.R\.K\.|"
    r"\bNORTH\s+KOREA(?:N|NS|'S|’S)?\b|\bPYONGYANG\b|\bPyongyang(?:'s|’s)?\b|\bKim\s+Jong[\s-]?[Uu]n\b|\bKim(?:'s|’s)\s+(?:troops|soldiers|regime|army|forces|war|men|workers|labou?rers|government|military|missiles|shells|weapons|arms|generals|deployment)\b|"
    r"\b[Tt]he\s+North(?![\s-]+(?:Atlantic|Sea|Pole|America|Caucasus|Korea\b))(?:'s|’s)?\b|\bKorean\s+People(?:'s|’s)\s+Army\b|\bDemocratic\s+People(?:'s|’s)\s+Republic\s+of\s+Korea\b|\bKPA\b|\bNK\b|\bNorthern\s+Korea",
)
