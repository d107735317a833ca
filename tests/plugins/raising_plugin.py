"""A test-only plugin whose detector raises on every article."""

from monitor import Article, hookimpl


@hookimpl
def detect(article: Article) -> list:
    raise RuntimeError(f"raising_plugin always fails (article of {len(article.text)} characters)")
