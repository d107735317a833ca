"""The built-in channels, declared through the same hook a plugin uses."""

from __future__ import annotations

from ..hookspecs import hookimpl
from ..records import Channel
from .file import deliver_file
from .smtp import deliver_email
from .stdout import deliver_stdout


@hookimpl
def register_channels() -> list[Channel]:
    return [
        Channel(name="file", deliver=deliver_file, description="markdown/HTML/text files in digest_dir"),
        Channel(name="stdout", deliver=deliver_stdout, description="the digest on standard output"),
        Channel(name="email", deliver=deliver_email, description="one multipart email over SMTP"),
    ]
