"""``python -m monitor``: the same CLI as the ``monitor`` command."""

from .cli import main

main()
