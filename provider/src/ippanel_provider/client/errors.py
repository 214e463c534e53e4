"""The IPPanel exception tree.

Every exception message is built from non-secret facts only (status codes, message codes, the
server's Persian message, field names, a request summary). API keys, tokens, passwords, OTPs and
message texts are never passed in, so ``str(exc)`` is safe to log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

MESSAGE_CODE_HINTS: dict[str, str] = {
    "400-1": "the request was refused: bad credentials or token (HTTP 401), "
    "a business rule of the account (HTTP 400), or nothing found (HTTP 404)",
    "400-2": "the input failed validation; the fields below say what is wrong",
    "400-31": "the report filter's state_id is not a known outbox state",
    "404-1": "not found: the object does not exist for this account",
    "422-1": "the login request failed validation (username or password missing or malformed)",
}
"""English meanings of the ``message_code`` values IPPanel documents (the messages are Persian)."""

AUTH_HINT_401 = "bad credentials, or an expired or logged-out token"


def message_code_hint(http_status: int, message_code: str | None) -> str | None:
    """A short English explanation of ``message_code``, or None for an undocumented code.

    :param http_status: the HTTP status of the answer; ``400-1`` means bad credentials under
        401, a refused business rule under 400 and not found under 404 (the cancel endpoint).
    :param message_code: ``meta.message_code`` of the answer, e.g. ``"400-2"``.
    """
    if message_code == "400-1" and http_status == 401:
        return AUTH_HINT_401
    if message_code == "400-1" and http_status == 400:
        return "refused by a business rule of the account or the API"
    if message_code == "400-1" and http_status == 404:
        return MESSAGE_CODE_HINTS["404-1"]
    return MESSAGE_CODE_HINTS.get(message_code or "")


class IPPanelError(Exception):
    """Base of every error raised by the IPPanel client.

    When a send split into several requests fails at chunk ``failed_chunk`` (0-based),
    ``sent_outbox_ids`` holds the outbox ids of the chunks IPPanel already accepted, in order,
    so a caller knows what went out; for other errors it is empty.
    """

    sent_outbox_ids: list[int]
    failed_chunk: int | None = None
    chunks: int | None = None

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.sent_outbox_ids = []


class IPPanelApiError(IPPanelError):
    """IPPanel answered and said no: a non-2xx status or ``meta.status`` false.

    The text keeps the server's Persian ``message`` and adds an English explanation of its
    ``message_code`` where IPPanel documents the code (:func:`message_code_hint`).

    :param http_status: the answer's HTTP status.
    :param message_code: ``meta.message_code``, e.g. ``"400-2"``; None when absent.
    :param message: ``meta.message``, the server's (Persian) text.
    :param errors: ``errors``: field name -> messages, for validation failures.
    :param request_summary: what was asked, without secrets (e.g. ``send webservice to 2
        recipient(s)``).

    ``retry_after`` holds the seconds of a ``Retry-After`` header (429 and 503 send one);
    ``hint`` the English explanation, or None.
    """

    retry_after: float | None = None

    def __init__(
        self,
        http_status: int,
        message_code: str | None,
        message: str | None,
        errors: Mapping[str, Sequence[str]] | None = None,
        *,
        request_summary: str = "",
    ) -> None:
        self.http_status = http_status
        self.message_code = message_code
        self.message = message or ""
        self.errors: dict[str, list[str]] = {k: list(v) for k, v in (errors or {}).items()}
        self.request_summary = request_summary
        self.hint = message_code_hint(http_status, message_code)
        super().__init__(self._describe())

    def _describe(self) -> str:
        text = f"IPPanel answered HTTP {self.http_status}"
        if self.message_code:
            text += f" ({self.message_code})"
        if self.message:
            text += f": {self.message}"
        if self.errors:
            fields = "; ".join(f"{k}: {', '.join(v)}" for k, v in self.errors.items())
            text += f" [{fields}]"
        if self.hint:
            text += f" (in English: {self.hint})"
        if self.request_summary:
            text += f" — request: {self.request_summary}"
        return text


class IPPanelAuthError(IPPanelApiError):
    """Bad credentials, an expired token or OTP (401, or ``400-1`` on an auth route)."""


class IPPanelValidationError(IPPanelApiError):
    """The server rejected the input (422, ``400-2``, ``422-1``, or a business 400)."""


class IPPanelNotFoundError(IPPanelApiError):
    """The object does not exist for this account (404)."""


class IPPanelRateLimitError(IPPanelApiError):
    """Too many requests (429); ``retry_after`` is in seconds when the server said so.

    :param http_status: the answer's HTTP status (429).
    :param message_code: ``meta.message_code``, or None.
    :param message: ``meta.message``, the server's text.
    :param errors: ``errors`` of the answer, if any.
    :param request_summary: what was asked, without secrets.
    :param retry_after: seconds of the ``Retry-After`` header, or None.
    """

    def __init__(
        self,
        http_status: int,
        message_code: str | None,
        message: str | None,
        errors: Mapping[str, Sequence[str]] | None = None,
        *,
        request_summary: str = "",
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(
            http_status, message_code, message, errors, request_summary=request_summary
        )


class IPPanelServerError(IPPanelApiError):
    """IPPanel failed (5xx)."""


class IPPanelTransportError(IPPanelError):
    """The request certainly never reached IPPanel (refused, DNS failure, connect timeout).

    :param message: what went wrong, without secrets.
    :param request_summary: what was asked, without secrets.
    """

    def __init__(self, message: str, *, request_summary: str = "") -> None:
        self.request_summary = request_summary
        super().__init__(f"{message} — request: {request_summary}" if request_summary else message)


class IPPanelTLSError(IPPanelTransportError):
    """The server's TLS certificate failed verification; nothing was sent.

    Never retried: a certificate that does not verify will not start verifying a second later.

    :param detail: the verification failure, e.g. ``certificate has expired``.
    :param request_summary: what was asked, without secrets.
    """

    def __init__(self, detail: str, *, request_summary: str = "") -> None:
        self.detail = detail
        super().__init__(
            f"TLS verification of IPPanel's certificate failed ({detail}); not retried. If the "
            "server uses a private CA, set `verify` (the connection extra 'verify') to the path "
            "of its CA bundle; verify=False turns checking off",
            request_summary=request_summary,
        )


class IPPanelResponseLostError(IPPanelError):
    """A read request went out but no complete answer came back (read timeout, reset).

    Harmless for reads (they are retried); a send in this situation raises
    :class:`IPPanelSendOutcomeUnknown` instead.

    :param message: what went wrong, without secrets.
    :param request_summary: what was asked, without secrets.
    """

    def __init__(self, message: str, *, request_summary: str = "") -> None:
        self.request_summary = request_summary
        super().__init__(f"{message} — request: {request_summary}" if request_summary else message)


class IPPanelSendOutcomeUnknown(IPPanelError):
    """A send may or may not have been accepted by IPPanel; it is never retried automatically.

    Raised on a read timeout, a connection reset or closed after the request was written, an
    empty reply, or a 500/502/504 answer to a send. Check the outbox report before sending again,
    or the recipients may get the SMS twice.

    :param request_summary: the send, without secrets or the text (e.g. ``send webservice to
        2 recipient(s)``).
    :param reason: why the outcome is unknown (``read timeout``, ``HTTP 502``, ...).
    :param http_status: the answer's HTTP status when there was one (500/502/504).
    """

    def __init__(
        self,
        request_summary: str,
        reason: str,
        *,
        http_status: int | None = None,
    ) -> None:
        self.request_summary = request_summary
        self.reason = reason
        self.http_status = http_status
        super().__init__(
            f"Outcome of the send is unknown ({reason}): IPPanel may or may not have accepted "
            f"{request_summary}. It was not retried; check the outbox report before resending."
        )


class IPPanelCredentialsError(IPPanelAuthError):
    """The client cannot authenticate with what it was given; raised before or during login
    without the server being at fault (``http_status`` is 401 so auth handlers catch it).

    :param message: what is wrong with the credentials, without secrets.
    :param request_summary: what was asked, without secrets.
    """

    def __init__(self, message: str, *, request_summary: str = "") -> None:
        super().__init__(401, None, message, request_summary=request_summary)

    def _describe(self) -> str:
        if self.request_summary:
            return f"{self.message} — request: {self.request_summary}"
        return self.message


class IPPanelLoginError(IPPanelCredentialsError):
    """The account cannot log in unattended (it uses SMS one-time passwords).

    :param username_hint: the username as shown in the message.
    """

    def __init__(self, username_hint: str) -> None:
        super().__init__(
            f"account {username_hint!r} confirms logins with an SMS one-time password, which "
            "cannot be done unattended; use an API key, or an account with Google Authenticator "
            "(give its totp_secret) instead"
        )


class InvalidRecipientsError(ValueError):
    """Some recipients are not Iranian mobile numbers; nothing was sent.

    :param invalid: ``(position, value)`` pairs for every bad entry; positions count from 1.
    :param total: how many recipients were given.
    :param context: where they were given, e.g. ``peer-to-peer item 2``; empty for none.
    """

    def __init__(
        self, invalid: Sequence[tuple[int, str]], total: int, *, context: str = ""
    ) -> None:
        self.invalid = list(invalid)
        self.total = total
        self.context = context
        shown = ", ".join(f"#{i}: {v!r}" for i, v in self.invalid[:20])
        more = f" and {len(self.invalid) - 20} more" if len(self.invalid) > 20 else ""
        where = f" in {context}" if context else ""
        super().__init__(
            f"{len(self.invalid)} of {total} recipient(s){where} are not Iranian mobile numbers "
            f"(expected forms like 09121234567 or +989121234567): {shown}{more}"
        )
