"""Email for accounts: the SMTP transport (settings PSOAS_SMTP_*) and the messages psoas sends.

Messages are short and plain, name no health information, and never say whether some other
address has an account. Sending happens after the web answer has gone (a background task), so
how long the mail server takes reveals nothing either.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from psoas.settings import Settings

log = logging.getLogger(__name__)

#: How long a reset link and an email check work.
RESET_HOURS = 1
VERIFY_HOURS = 48


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


class Mailer:
    """Sends through the configured SMTP server; ``configured`` is False without one."""

    def __init__(self, settings: Settings):
        self.settings = settings

    @property
    def configured(self) -> bool:
        return self.settings.mail_configured

    def link(self, path: str) -> str:
        return self.settings.public_url.rstrip("/") + path

    def send(self, mail: Mail) -> bool:
        """Send ``mail``; False (logged without the address or the text) when it failed."""
        st = self.settings
        message = EmailMessage()
        message["From"] = st.smtp_from
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=st.smtp_from.rpartition("@")[2] or None)
        message.set_content(mail.body)
        try:
            if st.smtp_tls == "ssl":
                context = ssl.create_default_context()
                server: smtplib.SMTP = smtplib.SMTP_SSL(
                    st.smtp_host, st.smtp_port, timeout=30, context=context
                )
            else:
                server = smtplib.SMTP(st.smtp_host, st.smtp_port, timeout=30)
            with server:
                if st.smtp_tls == "starttls":
                    server.starttls(context=ssl.create_default_context())
                if st.smtp_user:
                    server.login(st.smtp_user, st.smtp_password.get_secret_value())
                server.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            log.error("could not send an account email: %s", type(exc).__name__)
            return False
        return True


SIGN_OFF = "\n\nIf you did not ask for this, you can ignore this email: nothing changes.\n"


def reset_mail(to: str, link: str) -> Mail:
    return Mail(
        to=to,
        subject="Reset your psoas password",
        body=(
            "Someone asked to reset the password of your psoas account.\n\n"
            f"To choose a new password, open this link (it works once, for {RESET_HOURS} hour):"
            f"\n\n{link}" + SIGN_OFF
        ),
    )


def verify_mail(to: str, link: str) -> Mail:
    return Mail(
        to=to,
        subject="Confirm your email for psoas",
        body=(
            "To finish creating your psoas account, open this link "
            f"(it works once, for {VERIFY_HOURS} hours):\n\n{link}" + SIGN_OFF
        ),
    )


def already_registered_mail(to: str, signin_link: str, reset_link: str) -> Mail:
    return Mail(
        to=to,
        subject="You already have a psoas account",
        body=(
            "Someone tried to create a psoas account with this email, but you already have "
            f"one.\n\nTo sign in: {signin_link}\n\n"
            f"Forgot your password? Choose a new one (this link works once, for {RESET_HOURS} "
            f"hour):\n\n{reset_link}" + SIGN_OFF
        ),
    )


def clinic_invitation_mail(to: str, *, clinic: str, inviter: str, link: str, days: int) -> Mail:
    """An administrator's invitation for a clinician to join their clinic."""
    return Mail(
        to=to,
        subject=f"Join {clinic} on psoas",
        body=(
            f"{inviter} invites you to join {clinic} on psoas as a clinician.\n\n"
            f"To make your clinician account, open this link (it works once, for {days} days):"
            f"\n\n{link}\n\nIf you were not expecting this, you can ignore this email: no "
            "account is made without the link.\n"
        ),
    )
