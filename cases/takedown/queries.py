"""Reading cases and notices with the tenant rule applied.

A submitter sees the cases of the sites its association submitted, and only its own association's
notices in them (never another association's URLs or evidence); another association's notice is
"not found". Operators and admins see everything.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from cases.errors import NotFoundError
from cases.providers.models import Provider
from cases.sites.queries import get_visible_site
from cases.takedown.models import Notice, NoticeItem, TakedownCase
from cases.takedown.schemas import CasePublic, NoticeDetail, NoticeItemPublic, NoticeSummary
from cases.tenants.services import Principal


def get_visible_notice(session: Session, principal: Principal, notice_id: int) -> Notice:
    """The notice, if the caller may see it; otherwise :class:`NotFoundError`."""
    notice = session.get(Notice, notice_id)
    if notice is None or (not principal.sees_everything and notice.association_id != principal.association_id):
        raise NotFoundError(f"notice {notice_id} not found")
    return notice


def notice_detail(session: Session, principal: Principal, notice_id: int) -> NoticeDetail:
    """A notice with its text and items."""
    notice = get_visible_notice(session, principal, notice_id)
    items = session.exec(select(NoticeItem).where(col(NoticeItem.notice_id) == notice.id).order_by(col(NoticeItem.id)))
    # Read the attributes, not model_dump(): rows loaded from the store hold plain strings in enum fields.
    fields = {name: getattr(notice, name) for name in NoticeDetail.model_fields if name != "items"}
    return NoticeDetail.model_validate({**fields, "items": [NoticeItemPublic.model_validate(i) for i in items]})


def site_cases(session: Session, principal: Principal, site_id: int) -> list[CasePublic]:
    """The cases of a site the caller may see, each with the notices the caller may see."""
    get_visible_site(session, principal, site_id)
    cases = list(
        session.exec(select(TakedownCase).where(col(TakedownCase.site_id) == site_id).order_by(col(TakedownCase.id)))
    )
    query = select(Notice).where(col(Notice.site_id) == site_id).order_by(col(Notice.id))
    if not principal.sees_everything:
        query = query.where(col(Notice.association_id) == principal.association_id)
    notices = list(session.exec(query))
    out = []
    for case in cases:
        provider = session.get(Provider, case.provider_id)
        out.append(
            CasePublic(
                id=case.id or 0,
                site_id=case.site_id,
                provider_id=case.provider_id,
                provider=provider.name if provider else "",
                step=case.step,
                status=case.status,
                opened_at=case.opened_at,
                notices=[NoticeSummary.model_validate(n) for n in notices if n.case_id == case.id],
            )
        )
    return out
