"""A test-only detector without the toolkit: "<N> ships" in a sentence naming Russia."""

import re

from monitor import Article, Figure, Metric, hookimpl

SHIPS = re.compile(r"\b(\d+) (?:cargo )?ships\b")


@hookimpl
def register_metrics() -> list[Metric]:
    return [Metric(key="test_ships_to_russia", unit="ships", description="ships sailing to Russia (tests)")]


@hookimpl
def detect(article: Article) -> list[Figure]:
    return [
        Figure(metric="test_ships_to_russia", value=int(match.group(1)), quote=article.text,
               span=match.span(1))
        for match in SHIPS.finditer(article.text)
        if "Russia" in article.text
    ]
