"""Channels: email over SMTP, GOV.UK Notify (email and SMS), and the in-app inbox.

A channel sends one message or raises: `TemporaryFailure` (try again later: server down, 4xx SMTP
replies, a refused SMTP login, Notify 403/429/5xx) or `PermanentFailure` (keep the message as
failed with the reason: refused recipient, Notify 400). Each message carries its idempotency
key (the email's Message-ID, Notify's `reference`), so a resend after a crash can be
recognised downstream.
"""

from __future__ import annotations

import hashlib
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any, Protocol


class TemporaryFailure(Exception):
    """Try again later."""


class PermanentFailure(Exception):
    """Do not try again; keep the message as failed with this reason."""


@dataclass(frozen=True)
class Outgoing:
    idempotency_key: str
    address: str
    subject: str
    body: str
    phone: str | None = None


class Channel(Protocol):
    name: str

    def send(self, message: Outgoing) -> str | None:
        """Send; return the provider's reference if it gives one."""
        ...


def message_id(idempotency_key: str, domain: str = "ehcp.invalid") -> str:
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


@dataclass
class SmtpChannel:
    host: str
    port: int
    mail_from: str
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0
    name: str = "email"

    def send(self, message: Outgoing) -> str | None:
        mail = EmailMessage()
        mail["From"], mail["To"] = self.mail_from, message.address
        mail["Subject"], mail["Date"] = message.subject, formatdate(localtime=False)
        mail["Message-ID"] = message_id(message.idempotency_key)
        mail.set_content(message.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(mail)
        except smtplib.SMTPAuthenticationError as exc:
            # The service's login, not this message, is wrong: keep it waiting until it is fixed.
            raise TemporaryFailure(
                f"SMTP login refused ({exc.smtp_code}): check EHCP_SMTP_USER and EHCP_SMTP_PASSWORD"
            ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipient refused: {exc.recipients}") from None
            raise TemporaryFailure(f"recipient deferred: {exc.recipients}") from None
        except smtplib.SMTPResponseException as exc:
            failure = PermanentFailure if exc.smtp_code >= 500 else TemporaryFailure
            raise failure(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"SMTP server unreachable: {exc}") from None
        return str(mail["Message-ID"])


@dataclass
class NotifyChannel:
    """GOV.UK Notify through notifications-python-client; one template id per message kind."""

    api_key: str
    base_url: str
    email_template_id: str
    sms_template_id: str | None = None
    name: str = "notify"

    def _client(self) -> Any:
        from notifications_python_client.notifications import NotificationsAPIClient

        return NotificationsAPIClient(self.api_key, base_url=self.base_url)  # type: ignore[no-untyped-call]

    def send(self, message: Outgoing) -> str | None:
        personalisation = {"subject": message.subject, "body": message.body}
        try:
            if message.phone and self.sms_template_id:
                reply = self._client().send_sms_notification(
                    phone_number=message.phone,
                    template_id=self.sms_template_id,
                    personalisation=personalisation,
                    reference=message.idempotency_key,
                )
            else:
                reply = self._client().send_email_notification(
                    email_address=message.address,
                    template_id=self.email_template_id,
                    personalisation=personalisation,
                    reference=message.idempotency_key,
                )
        except Exception as exc:  # the client raises HTTPError (status_code) or requests errors
            status = getattr(exc, "status_code", None)
            # 403 is Notify refusing the key (or the clock), not the message: try again later.
            if status is not None and status not in (403, 429) and 400 <= int(status) < 500:
                raise PermanentFailure(f"Notify {status}: {getattr(exc, 'message', exc)}") from None
            raise TemporaryFailure(f"Notify unavailable ({status or exc})") from None
        return str(reply.get("id")) if isinstance(reply, dict) else None


@dataclass
class InAppChannel:
    """The in-app inbox: nothing leaves the service; the message is there when they sign in."""

    name: str = "inapp"

    def send(self, message: Outgoing) -> str | None:
        return None
