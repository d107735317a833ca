"""monitor: follow one story across many outlets and learn, once, when a reported number moves.

What plugin authors need is re-exported here; see docs/plugins.md.
"""

from .hookspecs import hookimpl
from .records import Article, Figure, Mention, Metric, Qualifier

__all__ = ["Article", "Figure", "Mention", "Metric", "Qualifier", "__version__", "hookimpl"]
__version__ = "0.1.0"
