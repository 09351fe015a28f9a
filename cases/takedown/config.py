"""Settings of notices: delivery channels, the pre-send re-check and its allow-list.

Declared here, once, with their defaults; the composition root nests them in its settings
(``PIRATEWATCH_NOTICES__SMTP_HOST=...``) and passes them in, so ``cases`` never reads the environment.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class NoticeSettings(BaseModel):
    """How notices leave, and how their URLs are re-checked just before."""

    #: the relay notices are e-mailed through
    smtp_host: str = "127.0.0.1"
    #: the relay's port
    smtp_port: int = Field(default=25, ge=1, le=65535)
    #: the envelope sender (and From) of notice e-mails
    smtp_sender: str = "notices@piratewatch.invalid"
    #: seconds for one SMTP exchange before the send is settled as failed or in doubt
    smtp_timeout: float = Field(default=30.0, gt=0)
    #: connections to the relay kept open while notices go out (and so messages in flight at once)
    smtp_connections: int = Field(default=16, ge=1, le=100)
    #: base URL of Cloudflare's API, e.g. https://api.cloudflare.com/client/v4 (empty: the API channel is off)
    api_url: str = ""
    #: the Cloudflare account abuse reports are filed under (``/accounts/{account_id}/abuse-reports``)
    api_account_id: str = ""
    #: the abuse-reports API's bearer token (never logged)
    api_token: str = ""
    #: seconds for one abuse-reports API request
    api_timeout: float = Field(default=30.0, gt=0)
    #: where the file channel writes notices for web forms and bulk uploads
    export_dir: Path | None = None
    #: URL prefixes of legitimate pages: an item redirected to one of them is dropped before sending
    allow_list: list[str] = Field(default_factory=list)
    #: URL prefixes of registrars' and registries' suspension pages: a site redirected to one is suspended
    suspension_pages: list[str] = Field(default_factory=list)
    #: days a recipient's rejection waits for an operator's decision (fix, escalate, close) before upkeep escalates it
    rejection_decision_days: int = Field(default=14, ge=1, le=365)
    #: re-check every URL of a notice just before it is sent (off: notices leave as approved)
    recheck_before_send: bool = True
    #: seconds for one URL's pre-send re-check (and later outcome check)
    recheck_timeout: float = Field(default=10.0, gt=0)
    #: URLs re-checked at once
    recheck_concurrency: int = Field(default=8, ge=1)
    #: redirects a re-check follows; more counts as a failure
    recheck_max_redirects: int = Field(default=5, ge=0)
