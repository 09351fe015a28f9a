"""What a page prints is read by people: a notice's audit trail as field, before and after (structured
values as tables, times as times), and evidence naming its work by title, not by the association's ref."""

from __future__ import annotations

import re
from typing import Any


def _cells(html: str, testid: str) -> list[str]:
    return [c.strip() for c in re.findall(rf'data-testid="{testid}">(.*?)</td>', html, re.S)]


def test_a_notices_audit_trail_is_a_table_of_field_before_after(world: Any, tenants: Any, signed_in: Any) -> None:
    ops = signed_in(tenants.operator)
    ops.post(f"/ui/notices/{world.a_notice}/reject", {"reason": "wrong recipient"})
    page = ops.get(f"/ui/notices/{world.a_notice}").text
    trail = page.split('data-testid="audit"', 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for row in trail.split('<td data-testid="audit-field">')[1:]:
        field, values = row.split("</td></tr>\n", 1)[0].split("</td>", 1)
        before, after = (
            part.split('">', 1)[1].rsplit("</td>", 1)[0] for part in values.split('data-testid="audit-')[1:]
        )
        rows.setdefault(field.strip(), []).append(
            (re.sub(r"\s+", " ", before).strip(), re.sub(r"\s+", " ", after).strip())
        )
    assert '{"' not in trail and "&#34;" not in trail  # no raw JSON anywhere
    # the notice's creation: its values a table of their fields, named in words
    (created,) = rows["every field"]
    assert (
        created[0] == "—"
        and '<table class="kv"><tr><th>case id</th>' in created[1]
        and "<th>legal basis</th>" in created[1]
    )
    assert rows["rejection reason"] == [("—", "wrong recipient")]  # text as itself, not a JSON string
    (due,) = rows["due at"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", due[1])  # a time as the page writes times
    states = [tuple(re.findall(r'data-state="(\w+)"', b + a)) for b, a in rows["state"]]
    assert states == [("draft", "in_review"), ("in_review", "rejected")]  # state changes as state badges

    ops.http.cookies.set("pw_lang", "ja", path="/ui")
    japanese = ops.get(f"/ui/notices/{world.a_notice}").text.split('data-testid="audit"', 1)[1]
    assert "全項目" in japanese and 'data-state="rejected" data-testid="state">却下</span>' in japanese


def test_evidence_on_a_site_page_names_its_work_by_title(world: Any, tenants: Any, signed_in: Any) -> None:
    for key in (tenants.operator, tenants.a):
        page = signed_in(key).get(f"/ui/sites/{world.a_site}").text
        evidence = page.split('data-testid="evidence"', 1)[1].split("</table>", 1)[0]
        works = _cells(evidence, "evidence-work")
        assert len(works) == 2 and all(w == '<span title="WA">Work WA</span>' for w in works)
