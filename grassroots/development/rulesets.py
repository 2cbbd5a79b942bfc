"""Writes to the dated rule values and the public holidays (one function per action).

Rule values change by a new `RuleSet` from a date, never by editing one in force: the years a set
governed keep their numbers (as the rating schemes do). Holidays follow the government's yearly
schedule (Tết and Giỗ Tổ move with the lunar calendar): administrators add the year's days and
remove a wrong one, which is kept and marked, never deleted. Only an administrator whose scope is
a province (or above) changes them: they apply to every organization. Each write takes the audit
chain's lock first and leaves an audit record.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit.models import Source
from grassroots.audit.services import Actor, for_update, record
from grassroots.core import limits
from grassroots.core.dates import vn
from grassroots.core.text import clean
from grassroots.organizations.models import Kind
from grassroots.organizations.queries import version_at

from .config import LABELS
from .models import Holiday, RuleSet, RuleValue

NOT_PROVINCE = "Chỉ quản trị viên cấp tỉnh được thay đổi quy định kết nạp và ngày nghỉ lễ."


def require_rule_admin(actor: Actor) -> None:
    """An administrator of a province (or a superuser, or the system itself)."""
    user = getattr(actor, "user", None)
    if user is None:
        if getattr(actor, "source", Source.SYSTEM) in (Source.UI, Source.API):
            raise PermissionDenied(NOT_PROVINCE)
        return
    access.require_role(user, Role.ADMIN)
    if access.sees_everything(user):
        return
    scope = getattr(user, "scope", None)
    version = version_at(scope, timezone.localdate()) if scope is not None else None
    if version is None or version.kind not in (Kind.PROVINCE, Kind.CENTRAL):
        raise PermissionDenied(NOT_PROVINCE)


def _check_values(values: dict) -> dict[str, int]:
    problems, out = {}, {}
    for key, (label, unit, lo, hi) in LABELS.items():
        raw = values.get(key)
        try:
            number = int(raw)
        except (TypeError, ValueError):
            problems[key] = [f"“{label}” phải là số nguyên."]
            continue
        if not lo <= number <= hi:
            problems[key] = [f"“{label}” phải từ {lo} đến {hi} {unit}".strip() + "."]
            continue
        out[key] = number
    if not problems:
        if out["vote_numerator"] > out["vote_denominator"]:
            problems["vote_numerator"] = ["Tỷ lệ tán thành không thể lớn hơn 1 (tử số ≤ mẫu số)."]
    if problems:
        raise ValidationError(problems)
    return out


@transaction.atomic
def ruleset_create(
    *,
    actor: Actor,
    effective: dt.date,
    name: str,
    values: dict,
    source: str = "",
    unconfirmed: tuple[str, ...] = (),
    note: str = "",
) -> RuleSet:
    """A new version of the rules from `effective` on, after the latest one: the values of the
    sets already in force stay as they were (history is never rewritten)."""
    require_rule_admin(actor)
    latest = for_update(RuleSet.objects.order_by("-effective")).first()
    limits.check_date(effective, "effective", "Ngày hiệu lực")
    name = clean(name)
    if not name:
        raise ValidationError({"name": ["Cần tên văn bản quy định."]})
    if latest is not None and effective <= latest.effective:
        raise ValidationError(
            {
                "effective": [
                    f"Ngày hiệu lực phải sau ngày hiệu lực của quy định mới nhất (“{latest.name}”, "
                    f"{vn(latest.effective)}): không sửa quy định đã áp dụng cho thời gian trước."
                ]
            }
        )
    checked = _check_values(values)
    unknown = set(unconfirmed) - set(LABELS)
    if unknown:
        raise ValidationError("Quy định chưa xác minh không hợp lệ.")
    rule_set = RuleSet.objects.create(
        code=f"R{effective:%Y%m%d}", name=name, effective=effective, note=clean(note)
    )
    RuleValue.objects.bulk_create(
        RuleValue(
            rule_set=rule_set,
            key=key,
            value=value,
            confirmed=key not in unconfirmed,
            source=clean(source),
        )  # fmt: skip
        for key, value in checked.items()
    )
    record(
        actor,
        obj=rule_set,
        action="create",
        changes={"effective": [None, effective.isoformat()], "name": [None, name]}
        | {key: [None, value] for key, value in checked.items()},
    )
    return rule_set


@transaction.atomic
def holiday_add(*, actor: Actor, date: dt.date, name: str) -> Holiday:
    """A public holiday (a day off the working-day deadlines count); a removed one comes back."""
    require_rule_admin(actor)
    locked = for_update(Holiday.objects.all())
    limits.check_date(date, "date", "Ngày nghỉ lễ")
    name = clean(name)
    if not name:
        raise ValidationError({"name": ["Cần tên ngày lễ."]})
    holiday = locked.filter(date=date).first()
    if holiday is not None and holiday.removed_at is None:
        raise ValidationError({"date": [f"Ngày {vn(date)} đã là ngày nghỉ lễ ({holiday.name})."]})
    if holiday is None:
        holiday = Holiday.objects.create(date=date, name=name)
        record(actor, obj=holiday, action="create", changes={"date": [None, date.isoformat()],
                                                             "name": [None, name]})  # fmt: skip
        return holiday
    old_name = holiday.name
    holiday.name, holiday.removed_at = name, None
    holiday.save(update_fields=["name", "removed_at"])
    record(actor, obj=holiday, action="restore", changes={"name": [old_name, name]})
    return holiday


@transaction.atomic
def holiday_remove(*, actor: Actor, holiday: Holiday, reason: str) -> Holiday:
    """Take a day off the schedule (kept and marked as removed, with the reason audited)."""
    require_rule_admin(actor)
    holiday = for_update(Holiday.objects.filter(pk=holiday.pk)).get()
    if holiday.removed_at is not None:
        raise ValidationError(f"Ngày {vn(holiday.date)} đã được bỏ khỏi danh sách ngày nghỉ lễ.")
    reason = clean(reason)
    if not reason:
        raise ValidationError({"reason": ["Cần ghi lý do."]})
    holiday.removed_at = timezone.now()
    holiday.save(update_fields=["removed_at"])
    record(actor, obj=holiday, action="remove", changes={"removed": [False, True]}, reason=reason)
    return holiday
