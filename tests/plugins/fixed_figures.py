"""A test-only detector whose figures the alert tests fully control.

"<N> fixture troops", "<N> fixture casualties" and "<N> fixture widgets" (a
metric no seed reports) become figures; "another <N> fixture troops" is an
increment. The quote is the sentence, the span the number.
"""

import re

from monitor import Article, Figure, Metric, hookimpl

PATTERNS = {
    "fixture_troops": re.compile(r"(?P<more>another )?(?P<n>\d[\d,]*) fixture troops"),
    "fixture_casualties": re.compile(r"(?P<more>another )?(?P<n>\d[\d,]*) fixture casualties"),
    "fixture_widgets": re.compile(r"(?P<more>another )?(?P<n>\d[\d,]*) fixture widgets"),
}
SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


@hookimpl
def register_metrics() -> list[Metric]:
    return [
        Metric(key="fixture_troops", unit="soldiers", description="fixture soldiers sent abroad (tests)"),
        Metric(key="fixture_casualties", unit="persons", description="fixture soldiers killed and wounded (tests)"),
        Metric(key="fixture_widgets", unit="widgets", description="fixture widgets delivered (tests)"),
    ]


@hookimpl
def detect(article: Article) -> list[Figure]:
    figures = []
    for sentence in SENTENCE.finditer(article.text):
        quote = sentence.group(0).strip()
        for metric, pattern in PATTERNS.items():
            for match in pattern.finditer(quote):
                figures.append(Figure(metric=metric, value=int(match.group("n").replace(",", "")),
                                      increment=bool(match.group("more")), quote=quote, span=match.span("n")))
    return figures
