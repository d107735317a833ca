"""The ``email`` channel: one multipart (text + HTML) message over SMTP. The only home of smtplib.

STARTTLS, implicit TLS (``ssl``) or none, with the server's certificate always
verified (against ``smtp.ca_file`` when set, else the system's CAs); a login
when ``smtp.username`` is set, with the password read from the environment
variable ``smtp.password_env`` names (never from the config, never logged). The
Message-ID is derived from the digest's key, so a digest sent again after a
crash between the server's 250 and our commit, or after the server dropped the
connection before answering DATA, is recognisably the same message.
``sendmail`` raises only when every recipient is refused; a partial refusal is
a warning and the note stored with the digest names the refused recipients,
and the digest counts as sent (resending would duplicate it for the others).
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from ..errors import DeliveryError
from ..records import Digest

log = logging.getLogger(__name__)


def message_id(digest: Digest, sender: str) -> str:
    """A Message-ID that is the same for every attempt at the same digest."""
    domain = sender.rpartition("@")[2].strip("<> ") or "monitor.invalid"
    return f"<digest-{digest.key}@{domain}>"


def build_message(digest: Digest, smtp: Any) -> EmailMessage:
    """The email for ``digest``: text part first, HTML alternative second."""
    message = EmailMessage()
    message["Subject"] = " ".join(digest.subject.split())  # never a CR or LF in a header
    message["From"] = smtp.sender
    message["To"] = ", ".join(smtp.recipients)
    message["Date"] = format_datetime(digest.created_at)
    message["Message-ID"] = message_id(digest, smtp.sender)
    message.set_content(digest.text)
    message.add_alternative(digest.html, subtype="html")
    return message


def _password(smtp: Any) -> str | None:
    if not smtp.username:
        return None
    password = os.environ.get(smtp.password_env)
    if password is None:
        raise DeliveryError(
            f"email via {smtp.host}:{smtp.port}: smtp.username is set but ${smtp.password_env} is not "
            f"(export the password in that environment variable)"
        )
    return password


def _connect(smtp: Any) -> smtplib.SMTP:
    context = ssl.create_default_context(cafile=smtp.ca_file)
    if smtp.security == "ssl":
        return smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=context)
    client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
    if smtp.security == "starttls":
        client.starttls(context=context)
    return client


def deliver_email(digest: Digest, config: Any) -> str:
    """Send ``digest`` to every recipient; raise ``DeliveryError`` naming the server (never the password)."""
    smtp = config.smtp
    where = f"email via {smtp.host}:{smtp.port}"
    password = _password(smtp)
    message = build_message(digest, smtp)
    try:
        with _connect(smtp) as client:
            if password is not None:
                client.login(smtp.username, password)
            refused = client.send_message(message, from_addr=smtp.sender, to_addrs=list(smtp.recipients))
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"{where}: every recipient refused: {_refusals(exc.recipients)}") from None
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"{where}: login as {smtp.username} refused ({exc.smtp_code})") from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"{where}: server answered {exc.smtp_code} {_text(exc.smtp_error)}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(f"{where}: {exc} (check smtp.security)") from None
    except smtplib.SMTPServerDisconnected as exc:
        raise DeliveryError(f"{where}: SMTPServerDisconnected: {exc} before confirming the message; it may "
                            "have arrived, and is sent again next time with the same Message-ID") from None
    except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
        raise DeliveryError(f"{where}: {exc.__class__.__name__}: {exc}") from None
    if not refused:
        return f"{len(smtp.recipients)} recipient{'s' if len(smtp.recipients) != 1 else ''}"
    accepted = [address for address in smtp.recipients if address not in refused]
    note = f"partial delivery: sent to {', '.join(accepted)}; refused: {_refusals(refused)}"
    log.warning("%s: digest %s: %s (not resent)", where, digest.key, note)
    return note


def _text(error: bytes | str) -> str:
    return error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return ", ".join(f"{address} ({code} {_text(text)})" for address, (code, text) in refused.items())
