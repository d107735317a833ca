"""The numbers toolkit: what every detector shares (sentences, amounts, qualifiers, periods, subjects).

Pure functions and small records, no I/O. A detector plugin is a few lines
of patterns on top of it::

    from monitor.toolkit import Counted, Detector

    PANTSIR = Detector(
        Counted("pantsir_to_dprk", noun=r"systems?|vehicles?", context=r"Pantsir"),
        keywords=r"Pantsir",
    )

Modules: ``sentences`` (splitting), ``numbers`` (amounts, ranges, qualifiers,
increments), ``periods``, ``words`` (the phrase lists), ``subjects`` (who a
sentence is about), ``rules`` (``Counted`` and ``Detector``), ``casing`` (patterns
made fast) and ``keywords`` (every detector's keywords found in one pass).
"""

from .casing import lowered
from .numbers import HAS_NUMBER, Quantity, find_quantities, parse_amount
from .periods import Period, find_period, find_periods
from .rules import Counted, Detector, article_text
from .sentences import Sentence, split_sentences
from .subjects import FOREIGN, MODIFIER, acting_country, is_foreign_owned, names_other_country
from .words import (
    BESIDES,
    INCREMENT_AFTER,
    INCREMENT_BEFORE,
    NORTH_KOREA,
    PAST_WAR,
    QUALIFIER_AFTER,
    QUALIFIER_BEFORE,
)

__all__ = [
    "BESIDES",
    "FOREIGN",
    "HAS_NUMBER",
    "INCREMENT_AFTER",
    "INCREMENT_BEFORE",
    "MODIFIER",
    "NORTH_KOREA",
    "PAST_WAR",
    "QUALIFIER_AFTER",
    "QUALIFIER_BEFORE",
    "Counted",
    "Detector",
    "Period",
    "Quantity",
    "Sentence",
    "acting_country",
    "article_text",
    "find_period",
    "find_periods",
    "find_quantities",
    "is_foreign_owned",
    "lowered",
    "names_other_country",
    "parse_amount",
    "split_sentences",
]
