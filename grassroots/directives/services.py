"""Every change to the register goes through one of these functions (pages, CLI, Excel).

Each validates with a Vietnamese message (nothing written when refused), writes, and records
the audit row in one transaction (docs/directives.md "Rules").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit.services import Actor, record
from grassroots.core import scans
from grassroots.core.dates import vn
from grassroots.core.text import clean
from grassroots.derived import maintain
from grassroots.organizations.models import Unit, UnitAncestry, UnitVersion
from grassroots.organizations.queries import on, version_at

from . import search
from .kinds import AUDIENCE_CHOICES, CENTRAL_BODIES, DOC_KINDS, LEVELS, parse_symbol
from .models import Document, DocumentFile, Requirement, StudySession

ACCEPTED_FILES = ("pdf", "docx", "png", "jpg", "tif")
AUDIENCES = dict(AUDIENCE_CHOICES)


def max_file_bytes() -> int:
    return settings.DIRECTIVES_MAX_FILE_BYTES


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _authorize(actor: Actor, issuer: Unit | None, day: dt.date) -> None:
    """Clerks record their own organization's documents; a central body's document is shared by
    every account, so only approvers (and the system) register it."""
    if issuer is not None:
        access.require_unit_write(actor, issuer, day, role=Role.CLERK)
        return
    user = getattr(actor, "user", None)
    if user is not None:
        access.require_role(user, Role.APPROVER)
    elif actor.source in ("ui", "api"):
        raise PermissionDenied(access.ROLE_TOO_LOW)


def _check_parent(parent: Document | None, kind: str, day: dt.date) -> None:
    if DOC_KINDS[kind].review and parent is None:
        raise _error("parent", "Báo cáo sơ kết, tổng kết phải ghi văn bản được sơ kết, tổng kết.")
    if parent is None:
        return
    if parent.voided_at is not None:
        raise _error("parent", f"Văn bản {parent.symbol} đã bị hủy.")
    if day < parent.date:
        raise _error(
            "date",
            f"Văn bản thực hiện ngày {vn(day)} không thể ban hành trước văn bản {parent.symbol} "
            f"(ngày {vn(parent.date)}).",
        )


def _check_unique(symbol: str, issuer: Unit | None, body: str, day: dt.date, exclude=None):
    # The rule: one number and symbol per issuer and year. HD 36 numbers per kind within
    # a committee term (domain-processes.md §1.4); terms are not in the registry yet, and within
    # a year the two rules agree except across a congress.
    clash = Document.objects.filter(symbol=symbol, date__year=day.year, voided_at__isnull=True)
    clash = clash.filter(issuer=issuer) if issuer else clash.filter(issuer__isnull=True)
    if not issuer:
        clash = clash.filter(central_body=body)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise _error(
            "symbol",
            f"Số và ký hiệu {symbol} đã đăng ký cho cơ quan ban hành này trong năm {day.year}.",
        )


def level_exists_under(level: str, issuer: Unit | None, day: dt.date) -> bool:
    """Some organization of `level` lies below the issuer (anywhere, for a central body) on day."""
    versions = UnitVersion.objects.filter(on(day), kind__in=LEVELS[level].unit_kinds)
    if issuer is not None:
        below = UnitAncestry.objects.filter(on(day), ancestor=issuer, depth__gt=0)
        versions = versions.filter(unit_id__in=below.values("descendant_id"))
    return versions.exists()


def _clean_requirement(doc: Document, values: dict[str, Any]) -> dict[str, Any]:
    level = values.get("level") or ""
    action = values.get("action") or ""
    out = {
        "level": level,
        "action": action,
        "audience": values.get("audience") or "",
        "doc_kind": values.get("doc_kind") or "",
        "deadline": values.get("deadline"),
        "note": clean(values.get("note")),
    }
    if level not in LEVELS:
        raise _error("level", f"Cấp thực hiện không hợp lệ: {level!r}.")
    if action not in ("study", "issue", "report"):
        raise _error("action", f"Việc phải làm không hợp lệ: {action!r}.")
    if not level_exists_under(level, doc.issuer, doc.date):
        where = doc.issuer_code
        raise _error(
            "level",
            f"Ngày {vn(doc.date)} không có tổ chức cấp “{LEVELS[level].label}” trực thuộc {where}.",
        )
    if action == "study" and out["audience"] not in AUDIENCES:
        raise _error("audience", "Yêu cầu học tập phải ghi đối tượng học tập.")
    if action == "report" and not (out["doc_kind"] and DOC_KINDS[out["doc_kind"]].review):
        raise _error("doc_kind", "Yêu cầu báo cáo phải ghi loại báo cáo (sơ kết hoặc tổng kết).")
    if out["doc_kind"] and out["doc_kind"] not in DOC_KINDS:
        raise _error("doc_kind", f"Loại văn bản không hợp lệ: {out['doc_kind']!r}.")
    if not isinstance(out["deadline"], dt.date):
        raise _error("deadline", "Cần ghi thời hạn thực hiện.")
    if out["deadline"] < doc.date:
        raise _error(
            "deadline", f"Thời hạn {vn(out['deadline'])} trước ngày ban hành {vn(doc.date)}."
        )
    return out


def requirement_check(*, document: Document, values: dict[str, Any]) -> dict[str, Any]:
    """The requirement's rules without writing (the import checks each row before writing)."""
    return _clean_requirement(document, dict(values))


@transaction.atomic
def document_register(
    *,
    actor: Actor,
    kind: str,
    symbol: str,
    date: dt.date,
    title: str,
    summary: str = "",
    issuer: Unit | None = None,
    central_body: str = "",
    parent: Document | None = None,
    requirements: list[dict[str, Any]] = (),
) -> Document:
    """Register a document with what it requires of the levels below (docs/directives.md)."""
    if kind not in DOC_KINDS:
        raise _error("kind", f"Loại văn bản không hợp lệ: {kind!r}.")
    parsed = parse_symbol(symbol or "")
    if parsed is None:
        raise _error(
            "symbol", f"Số và ký hiệu “{symbol}” không đúng dạng (ví dụ 22-NQ/TW, 11-NQ/ĐUK)."
        )
    if parsed.abbreviation not in DOC_KINDS[kind].abbreviations:
        raise _error(
            "symbol",
            f"Ký hiệu {parsed.abbreviation} không phải của loại {DOC_KINDS[kind].label} "
            f"(dùng {', '.join(DOC_KINDS[kind].abbreviations)}).",
        )
    if not isinstance(date, dt.date):
        raise _error("date", "Cần ghi ngày ban hành.")
    if date > timezone.localdate():
        raise _error("date", f"Ngày ban hành {vn(date)} ở tương lai.")
    if issuer is None:
        central_body = clean(central_body).upper() or parsed.issuer_mark
        if central_body not in CENTRAL_BODIES:
            raise _error(
                "issuer", "Cần ghi cơ quan ban hành (tổ chức đảng hoặc cơ quan Trung ương)."
            )
    else:
        central_body = ""
        if version_at(issuer, date) is None:
            raise _error("issuer", f"Tổ chức {issuer.code} không tồn tại ngày {vn(date)}.")
    if not clean(title):
        raise _error("title", "Cần ghi trích yếu văn bản.")
    _authorize(actor, issuer, date)
    _check_parent(parent, kind, date)
    text = str(parsed)
    _check_unique(text, issuer, central_body, date)
    doc = Document(
        kind=kind, number=parsed.number, symbol=text, issuer=issuer, central_body=central_body,
        date=date, title=clean(title)[:500], summary=clean(summary), parent=parent,
        created_by=getattr(actor, "user", None),
    )  # fmt: skip
    cleaned = [_clean_requirement(doc, dict(r)) for r in requirements]
    doc.search_text = search.search_text(text, doc.title, doc.summary)
    doc.save()
    doc.root = parent.root if parent else doc
    doc.path = f"{parent.path if parent else '/'}{doc.pk}/"
    doc.save(update_fields=["root", "path"])
    Requirement.objects.bulk_create(Requirement(document=doc, **r) for r in cleaned)
    # the tracker's placed duties: new requirements bind organizations all over the tree; a
    # plan or review only moves its issuer's done days
    if cleaned:
        maintain.cascade_documents_changed([doc.pk])
    elif issuer is not None:
        maintain.cascade_documents_changed([doc.pk], units=[issuer.pk])
    record(
        actor, obj=doc, action="create", object_type="directive",
        changes={
            "kind": [None, kind], "symbol": [None, text], "date": [None, date],
            "issuer": [None, doc.issuer_code], "title": [None, doc.title],
            "parent": [None, parent.symbol if parent else None],
            "requirements": [None, [_describe(r) for r in cleaned]],
        },
    )  # fmt: skip
    return doc


def _describe(r: dict) -> str:
    what = r["action"] + (f":{r['audience']}" if r["audience"] else "")
    what += f":{r['doc_kind']}" if r["doc_kind"] else ""
    return f"{r['level']} {what} ≤ {r['deadline'].isoformat()}"


@transaction.atomic
def requirement_add(*, actor: Actor, document: Document, **values) -> Requirement:
    """Add what a level must do to a registered document (the issuer's clerks)."""
    _authorize(actor, document.issuer, document.date)
    cleaned = _clean_requirement(document, values)
    req = Requirement.objects.create(document=document, **cleaned)
    maintain.cascade_documents_changed([document.pk])
    record(
        actor, obj=req, action="create", object_type="requirement",
        changes={"document": [None, document.symbol], "requirement": [None, _describe(cleaned)]},
    )  # fmt: skip
    return req


@transaction.atomic
def file_attach(*, actor: Actor, document: Document, name: str, content: bytes) -> DocumentFile:
    """Store a PDF, DOCX or image of the document and add its text to the search index."""
    _authorize(actor, document.issuer, document.date)
    ext = scans.extension(name)
    if ext not in ACCEPTED_FILES:
        raise _error("file", "Chỉ nhận tệp PDF, DOCX hoặc ảnh (PNG, JPEG, TIFF).")
    limit = max_file_bytes()
    if not content:
        raise _error("file", "Tệp trống.")
    if len(content) > limit:
        raise _error("file", f"Tệp lớn hơn giới hạn {limit // (1024 * 1024)} MB.")
    kind = scans.sniff(content)
    if kind is None or kind[1] != ext:
        raise _error("file", f"Nội dung tệp không phải {ext.upper()} như phần mở rộng của tên tệp.")
    path = scans.store_as("directives", document.pk, content, ext)
    text = search.file_text(content, ext)
    item = DocumentFile.objects.create(
        document=document, name=clean(name)[:255] or f"tep.{ext}", path=path,
        content_type=kind[0], size=len(content), text_chars=len(text),
        uploaded_by=getattr(actor, "user", None),
    )  # fmt: skip
    if text.strip():
        document.search_text = f"{document.search_text} {search.search_text(text)}"
        document.save(update_fields=["search_text"])
    record(
        actor, obj=item, action="create", object_type="directivefile",
        changes={"document": [None, document.symbol], "name": [None, item.name]},
    )  # fmt: skip
    return item


def file_log_download(*, actor: Actor, item: DocumentFile) -> None:
    """Every download is recorded (who read which document's file, from where)."""
    record(actor, obj=item, action="view", object_type="directivefile")


@transaction.atomic
def study_record(
    *,
    actor: Actor,
    document: Document,
    unit: Unit,
    date: dt.date,
    audience: str,
    meeting=None,
    expected: int = 0,
    attended: int = 0,
    makeup_of: StudySession | None = None,
    online: bool = False,
    note: str = "",
) -> StudySession:
    """Record a study of a document. For all members it is a meeting of the meetings module
    (kind "study", recorded there with its attendance) and the counts come from it; for
    committee members or key cadres the session records `expected` and `attended` itself."""
    access.require_unit_write(actor, unit, date, role=Role.CLERK)
    if document.voided_at is not None:
        raise _error("document", f"Văn bản {document.symbol} đã bị hủy.")
    if audience not in AUDIENCES:
        raise _error("audience", "Cần ghi đối tượng học tập.")
    if not isinstance(date, dt.date) or date < document.date:
        raise _error("date", f"Ngày học tập phải từ ngày ban hành {vn(document.date)}.")
    if date > timezone.localdate():
        raise _error("date", f"Ngày học tập {vn(date)} ở tương lai.")
    if version_at(unit, date) is None:
        raise _error("unit", f"Tổ chức {unit.code} không tồn tại ngày {vn(date)}.")
    if audience == "members":
        _check_meeting(meeting, unit, date)
        expected = attended = 0  # the meeting's attendance is the record
    else:
        if meeting is not None:
            raise _error("meeting", "Chỉ buổi học tập toàn thể đảng viên gắn với buổi sinh hoạt.")
        if expected is None or expected <= 0:
            raise _error("expected", "Số người phải học tập phải lớn hơn 0.")
        if attended is None or attended < 0 or attended > expected:
            raise _error("attended", "Số người đã học không được âm hay lớn hơn số phải học.")
    if makeup_of is not None and (makeup_of.unit_id != unit.pk or makeup_of.date > date):
        raise _error("makeup_of", "Buổi học bù phải của cùng tổ chức và sau buổi học chính.")
    session = StudySession.objects.create(
        document=document, unit=unit, date=date, audience=audience, meeting=meeting,
        expected=expected, attended=attended, makeup_of=makeup_of, online=online,
        note=clean(note),
    )  # fmt: skip
    maintain.cascade_documents_changed([document.pk], units=[unit.pk])
    record(
        actor, obj=session, action="create", object_type="studysession",
        changes={
            "document": [None, document.symbol], "unit": [None, unit.code],
            "date": [None, date], "meeting": [None, meeting.pk if meeting else None],
            "expected": [None, expected], "attended": [None, attended],
        },
    )  # fmt: skip
    return session


def _check_meeting(meeting, unit: Unit, date: dt.date) -> None:
    from grassroots.meetings.models import MeetingKind

    if meeting is None:
        raise _error(
            "meeting",
            "Học tập toàn thể đảng viên phải ghi buổi sinh hoạt học tập (sổ sinh hoạt) với "
            "danh sách và điểm danh.",
        )
    if meeting.kind != MeetingKind.STUDY or meeting.voided_at is not None:
        raise _error("meeting", "Buổi sinh hoạt phải là buổi học tập, quán triệt chưa bị hủy.")
    if meeting.unit_id != unit.pk or meeting.date != date:
        raise _error("meeting", "Buổi sinh hoạt phải của cùng tổ chức và cùng ngày học tập.")
    if StudySession.objects.filter(meeting=meeting).exists():
        raise _error("meeting", "Buổi sinh hoạt này đã được ghi là buổi học tập một văn bản.")


@transaction.atomic
def document_void(*, actor: Actor, document: Document, reason: str) -> Document:
    """A wrong registration is voided (kept, marked), never deleted."""
    _authorize(actor, document.issuer, document.date)
    if not clean(reason):
        raise _error("reason", "Cần ghi lý do hủy.")
    if document.children.filter(voided_at__isnull=True).exists():
        raise _error("reason", "Còn văn bản thực hiện văn bản này: hủy chúng trước.")
    document.voided_at = timezone.now()
    document.void_reason = clean(reason)[:255]
    document.save(update_fields=["voided_at", "void_reason"])
    # its requirements leave the tracker (every organization); otherwise only its issuer's done
    # days move (it has no implementing document left, checked above)
    if document.requirements.exists():
        maintain.cascade_documents_changed([document.pk])
    elif document.issuer_id is not None:
        maintain.cascade_documents_changed([document.pk], units=[document.issuer_id])
    record(actor, obj=document, action="void", reason=reason, object_type="directive")
    return document
