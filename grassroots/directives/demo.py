"""Demo directives (issue 17): the Resolution 22 cascade in Lạng Sơn, and two later documents.

- the Centre's 22-NQ/TW (02/02/2008) on the leadership capacity of grassroots organizations;
- the province's plan to study and implement it, requiring every district-level committee to
  study it (committee members) and to issue its own programme by 30/06/2008, and every
  grassroots organization to study it with all its members by 30/09/2008;
- every district-level committee's programme, within the deadline but a few late;
- the bloc's resolutions 11 and 12 (03/04/2013), Văn Lãng's guidance on cell meetings, Văn
  Quan's project (when those districts are in the build: a small build keeps two districts);
- study sessions: the committees' own counts, and the grassroots organizations' as study
  meetings of the meetings module with the list derived from the registry on the day
  (`meetings.expected.expected_list`), a few absences marked;
- the 5-year sơ kết (2013) and the 10-year tổng kết (plan 2018, reports 2018–2019);
- QĐ 132-QĐ/TW (2018) and Chỉ thị 50-CT/TW (2025) cascaded the same way, smaller.

Documents go through `services.document_register` (checked and audited one by one: there are
a few dozen). Study meetings and sessions are written in bulk like the meetings demo, with one
audit record for the batch. Numbers and symbols of the province's and districts' documents are
illustrative; the Centre's are the real ones (domain.md, domain-processes.md §1).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from grassroots.audit.services import Actor, record
from grassroots.derived import maintain
from grassroots.meetings.expected import Person, _temp_hosts
from grassroots.meetings.models import Attendance, Mark, Meeting, MeetingKind, MinutesState
from grassroots.meetings.models import Role as MeetingRole
from grassroots.members.models import EventKind, MemberEvent, MemberStint, Status
from grassroots.organizations.models import Kind, Unit, UnitAncestry, UnitVersion
from grassroots.organizations.queries import on

from .models import Document, StudySession
from .services import document_register

SYSTEM = Actor.system()
D = dt.date.fromisoformat
NQ22_TITLE = (
    "Nghị quyết Hội nghị lần thứ sáu Ban Chấp hành Trung ương Đảng (khóa X) về nâng cao năng "
    "lực lãnh đạo, sức chiến đấu của tổ chức cơ sở đảng và chất lượng đội ngũ cán bộ, đảng viên"
)
GRASSROOTS = (Kind.GRASSROOTS_COMMITTEE, Kind.GRASSROOTS_CELL)
VAN_LANG, VAN_QUAN, BLOC = "LS-H182", "LS-H184", "LS-KCQ"


def _mark(code: str, name: str) -> str:
    """The issuer part of a district-level committee's symbols."""
    if code in ("LS-KCQ", "LS-KDN"):
        return "ĐUK"
    if name.startswith("Đảng bộ thành phố"):
        return "ThU"
    return "HU" if name.startswith("Đảng bộ huyện") else "ĐU"


def _day(rng: random.Random, start: str, end: str) -> dt.date:
    first, last = D(start), D(end)
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _register(**values) -> Document:
    return document_register(actor=SYSTEM, **values)


def _districts(province: Unit, day: dt.date) -> list[UnitVersion]:
    below = UnitAncestry.objects.filter(on(day), ancestor=province, depth=1)
    return list(
        UnitVersion.objects.filter(
            on(day), kind=Kind.DISTRICT, unit_id__in=below.values("descendant_id")
        )
        .select_related("unit")
        .order_by("unit__code")
    )


@transaction.atomic
def seed_demo_directives(
    code: str = "LS", seed: int = 17, today: dt.date | None = None
) -> dict[str, int]:
    rng = random.Random(seed)
    today = today or timezone.localdate()
    province = Unit.objects.filter(code=code).first()
    if province is None or Document.objects.filter(symbol="22-NQ/TW").exists():
        return {"documents": 0, "study_sessions": 0, "study_meetings": 0}
    before = Document.objects.count()
    sessions: list[StudySession] = []

    def committee_study(doc, unit_id, day, size):
        absent = rng.choice([0, 0, 1, 1, 2, 3])
        sessions.append(
            StudySession(
                document=doc, unit_id=unit_id, date=day, audience="committee",
                expected=size, attended=size - absent,
            )
        )  # fmt: skip

    nq22 = _register(
        kind="nghi_quyet", symbol="22-NQ/TW", date=D("2008-02-02"), central_body="TW",
        title=NQ22_TITLE,
        summary="Nâng cao năng lực lãnh đạo, sức chiến đấu của tổ chức cơ sở đảng; đổi mới "
        "nội dung, hình thức sinh hoạt chi bộ; nâng cao chất lượng đội ngũ cán bộ, đảng viên.",
        requirements=[
            {"level": "province", "action": "study", "audience": "committee",
             "deadline": D("2008-03-31")},
            {"level": "province", "action": "issue", "doc_kind": "ke_hoach",
             "deadline": D("2008-04-30")},
            {"level": "province", "action": "report", "doc_kind": "so_ket",
             "deadline": D("2013-06-30")},
            {"level": "province", "action": "report", "doc_kind": "tong_ket",
             "deadline": D("2019-03-31")},
        ],
    )  # fmt: skip
    committee_study(nq22, province.pk, D("2008-03-10"), 51)
    plan = _register(
        kind="ke_hoach", symbol="15-KH/TU", date=D("2008-03-20"), issuer=province, parent=nq22,
        title="Kế hoạch học tập, quán triệt, tuyên truyền và triển khai thực hiện Nghị quyết "
        "Hội nghị lần thứ sáu Ban Chấp hành Trung ương Đảng (khóa X)",
        summary="Quán triệt đến Ủy viên Ban Chấp hành Đảng bộ tỉnh, trưởng các sở, ban, ngành, "
        "ban thường vụ các huyện ủy, thành ủy, đảng ủy trực thuộc; chỉ đạo các cấp ủy xây dựng "
        "chương trình hành động và tổ chức học tập đến từng đảng viên.",
        requirements=[
            {"level": "district", "action": "study", "audience": "committee",
             "deadline": D("2008-05-31")},
            {"level": "district", "action": "issue", "doc_kind": "chuong_trinh",
             "deadline": D("2008-06-30")},
            {"level": "grassroots", "action": "study", "audience": "members",
             "deadline": D("2008-09-30")},
            {"level": "district", "action": "report", "doc_kind": "so_ket",
             "deadline": D("2013-04-30")},
        ],
    )  # fmt: skip

    districts = _districts(province, plan.date)
    late = set(rng.sample([v.unit_id for v in districts], max(1, round(len(districts) * 0.2))))
    programmes: dict[str, Document] = {}
    for v in districts:
        late_one = v.unit_id in late
        day = (
            _day(rng, "2008-07-05", "2008-09-15")
            if late_one
            else _day(rng, "2008-04-20", "2008-06-28")
        )
        mark = _mark(v.unit.code, v.name)
        programmes[v.unit.code] = _register(
            kind="chuong_trinh", symbol=f"{rng.randint(1, 12):02d}-CTr/{mark}", date=day,
            issuer=v.unit, parent=plan,
            title=f"Chương trình hành động của {v.name} thực hiện Nghị quyết 22-NQ/TW về nâng "
            "cao năng lực lãnh đạo, sức chiến đấu của tổ chức cơ sở đảng",
        )  # fmt: skip
        committee_study(plan, v.unit_id, _day(rng, "2008-04-01", "2008-05-30"), rng.randint(25, 45))

    extra = _local_documents(programmes)
    meetings, marks = _grassroots_studies(rng, province, plan, sessions)
    _reviews(rng, province, nq22, plan, programmes, today)
    _later_documents(rng, province, today, committee_study)

    StudySession.objects.bulk_create(sessions, batch_size=2000)
    maintain.cascade_duties_rebuild()  # the sessions above were written in bulk
    counts = {
        "documents": Document.objects.count() - before,
        "study_sessions": len(sessions),
        "study_meetings": meetings,
        "absences": marks,
        "local_documents": extra,
    }
    record(
        SYSTEM, obj=nq22, action="demo", object_type="directive",
        changes={"demo_study_sessions": [0, len(sessions)], "demo_study_meetings": [0, meetings]},
    )  # fmt: skip
    return counts


def _local_documents(programmes: dict[str, Document]) -> int:
    """The bloc's thematic resolutions 11 and 12 (03/04/2013), Văn Lãng's guidance on cell
    meetings and Văn Quan's project (the seed), each implementing its committee's programme."""
    made = 0
    bloc = programmes.get(BLOC)
    if bloc is not None:
        for number, title in (
            (11, "Nghị quyết chuyên đề về nâng cao chất lượng sinh hoạt chi bộ trong Đảng bộ "
                 "Khối các cơ quan tỉnh"),
            (12, "Nghị quyết chuyên đề về nâng cao chất lượng đội ngũ cán bộ, đảng viên và công "
                 "tác phát triển đảng viên trong Đảng bộ Khối các cơ quan tỉnh"),
        ):  # fmt: skip
            _register(
                kind="nghi_quyet", symbol=f"{number}-NQ/ĐUK", date=D("2013-04-03"),
                issuer=bloc.issuer, parent=bloc, title=title,
            )  # fmt: skip
            made += 1
    if VAN_LANG in programmes:
        p = programmes[VAN_LANG]
        _register(
            kind="huong_dan", symbol="05-HD/HU", date=max(p.date, D("2008-10-15")),
            issuer=p.issuer, parent=p,
            title="Hướng dẫn nâng cao chất lượng sinh hoạt chi bộ ở các chi bộ thôn, bản",
            summary="Nội dung, quy trình sinh hoạt chi bộ thường kỳ và chuyên đề; chuẩn bị "
            "trước, thảo luận, ra nghị quyết tháng.",
        )  # fmt: skip
        made += 1
    if VAN_QUAN in programmes:
        p = programmes[VAN_QUAN]
        _register(
            kind="de_an", symbol="02-ĐA/HU", date=max(p.date, D("2009-03-12")), issuer=p.issuer,
            parent=p,
            title="Đề án nâng cao năng lực lãnh đạo, sức chiến đấu của tổ chức cơ sở đảng "
            "huyện Văn Quan giai đoạn 2009–2015",
        )  # fmt: skip
        made += 1
    return made


def _grassroots_studies(rng, province: Unit, plan: Document, sessions: list) -> tuple[int, int]:
    """Every grassroots organization under the province studies the resolution with all its
    members between April and September 2008 (a few later, a few never): one study meeting of
    the meetings module each, its list derived from the registry on the day."""
    below = UnitAncestry.objects.filter(ancestor=province).values("descendant_id")
    window_end = D("2008-12-31")
    versions = UnitVersion.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=plan.date), kind__in=GRASSROOTS,
        valid_from__lte=window_end, unit_id__in=below,
    ).values_list("unit_id", "valid_from", "valid_to")  # fmt: skip
    spans: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for unit_id, start, end in versions:
        spans[unit_id].append((start, end or dt.date.max))
    # A few study days (grouping the lists' queries by day keeps the build to seconds).
    on_time = [D(f"2008-{m:02d}-{d:02d}") for m in range(4, 10) for d in (8, 22)]
    late = [D("2008-10-15"), D("2008-11-12"), D("2008-12-10")]
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for unit_id in sorted(spans):
        roll = rng.random()
        if roll < 0.03:
            continue  # never studied: late on the tracker
        first = min(s for s, _e in spans[unit_id]) + dt.timedelta(days=14)
        choices = [day for day in (late if roll < 0.07 else on_time) if day >= first] or [
            day for day in on_time + late if day >= first
        ]
        valid = [day for day in choices if any(s <= day < e for s, e in spans[unit_id])]
        if valid:
            by_day[rng.choice(valid)].append(unit_id)
    meetings, lists = [], []
    for day in sorted(by_day):
        for unit_id, people in _lists_on(day, by_day[day]):
            _study_meeting(rng, plan, unit_id, day, people, meetings, lists)
    Meeting.objects.bulk_create(meetings, batch_size=2000)
    rows = [
        Attendance(
            meeting_id=m.pk,
            member_id=p.member_id,
            role=p.role,
            mark=Mark.EXCUSED,
            reason=rng.choice(["Ốm", "Đi công tác", "Việc gia đình"]),
            unit_id=m.unit_id,
            date=m.date,
        )  # fmt: skip
        for m, absent in zip(meetings, lists, strict=True)
        for p in absent
    ]
    Attendance.objects.bulk_create(rows, batch_size=5000)
    for m in meetings:
        sessions.append(
            StudySession(
                document=plan, unit_id=m.unit_id, date=m.date, audience="members", meeting=m
            )
        )
    if meetings:
        record(
            SYSTEM, obj=meetings[0], action="demo", object_type="meeting",
            changes={"demo_study_meetings": [0, len(meetings)]},
        )  # fmt: skip
    return len(meetings), len(rows)


def _study_meeting(rng, plan, unit_id, day, people, meetings: list, lists: list) -> None:
    """One study meeting with its totals computed like `meetings.services` does."""
    absent = [p for p in people if rng.random() < 0.04]
    gone = defaultdict(int)
    for p in absent:
        gone[p.role] += 1
    count = defaultdict(int)
    for p in people:
        count[p.role] += 1
    meetings.append(
        Meeting(
            unit_id=unit_id, kind=MeetingKind.STUDY, date=day, start=dt.time(8, 0),
            end=dt.time(11, 0), duration=180, subject=f"Học tập, quán triệt {plan.parent.symbol}",
            agenda="Quán triệt Nghị quyết Hội nghị lần thứ sáu Ban Chấp hành Trung ương "
            "Đảng (khóa X); thảo luận, xây dựng kế hoạch thực hiện của tổ chức.",
            documents=f"Nghị quyết {plan.parent.symbol}, Kế hoạch {plan.symbol}",
            expected_official=count[MeetingRole.OFFICIAL],
            expected_probationary=count[MeetingRole.PROBATIONARY],
            expected_attached=count[MeetingRole.ATTACHED],
            present_official=count[MeetingRole.OFFICIAL] - gone[MeetingRole.OFFICIAL],
            present_probationary=count[MeetingRole.PROBATIONARY]
            - gone[MeetingRole.PROBATIONARY],
            present_attached=count[MeetingRole.ATTACHED] - gone[MeetingRole.ATTACHED],
            absent_excused=len(absent), minutes_state=MinutesState.APPROVED,
        )
    )  # fmt: skip
    lists.append(absent)


def _lists_on(day: dt.date, unit_ids: list[int]):
    """(unit id, expected people) for the organizations studying on `day`: the same rules as
    `meetings.expected.expected_list` (members of every cell under the organization; exempt and
    temporarily away not expected; temporarily attached expected), in a few queries for all."""
    cells: dict[int, set[int]] = defaultdict(set)
    for ancestor, descendant in UnitAncestry.objects.filter(
        on(day), ancestor_id__in=unit_ids
    ).values_list("ancestor_id", "descendant_id"):
        cells[ancestor].add(descendant)
    owner = {cell: org for org, own in cells.items() for cell in own}
    stints = MemberStint.objects.filter(
        Q(end__isnull=True) | Q(end__gt=day), start__lte=day, unit_id__in=list(owner)
    ).values_list("member_id", "unit_id", "status", "exempt")
    home = {m: (owner[u], status, exempt) for m, u, status, exempt in stints}
    attach = MemberEvent.objects.filter(
        kind=EventKind.TEMP_ATTACH, unit_id__in=list(owner), voided_at__isnull=True,
        date__lte=day,
    ).values_list("member_id", flat=True)  # fmt: skip
    guests = set(attach)
    hosts = _temp_hosts(list(set(home) | guests), day)
    counted = set(home) | set(
        MemberStint.objects.filter(
            Q(end__isnull=True) | Q(end__gt=day), member_id__in=guests, start__lte=day
        ).values_list("member_id", flat=True)
    )
    people: dict[int, list[Person]] = defaultdict(list)
    for member_id, (org, status, exempt) in home.items():
        host = hosts.get(member_id)
        if exempt or (host is not None and owner.get(host) != org):
            continue  # exempt or away: listed, not expected
        role = MeetingRole.OFFICIAL if status == Status.OFFICIAL else MeetingRole.PROBATIONARY
        people[org].append(Person(member_id, "", "", role))
    for member_id in guests:
        org = owner.get(hosts.get(member_id))
        at_home = member_id in home and home[member_id][0] == org
        if member_id in counted and org is not None and not at_home:
            people[org].append(Person(member_id, "", "", MeetingRole.ATTACHED))
    for unit_id in unit_ids:
        if people.get(unit_id):
            yield unit_id, sorted(people[unit_id], key=lambda p: p.member_id)


def _reviews(rng, province, nq22, plan, programmes: dict[str, Document], today) -> None:
    """The 5-year sơ kết (2013): each district-level committee's report, then the province's;
    the 10-year tổng kết: the province's plan (2018), the committees' reports, the province's
    report (01/2019)."""
    late = set(rng.sample(sorted(programmes), max(1, len(programmes) // 8)))
    for code, programme in programmes.items():
        if programme.issuer.ended and programme.issuer.ended <= D("2013-03-01"):
            continue
        day = (
            _day(rng, "2013-05-06", "2013-06-20")
            if code in late
            else _day(rng, "2013-02-25", "2013-04-26")
        )
        _register(
            kind="so_ket", symbol=f"{rng.randint(60, 140)}-BC/{programme.symbol.split('/')[1]}",
            date=day, issuer=programme.issuer, parent=programme,
            title=f"Báo cáo sơ kết 5 năm thực hiện Nghị quyết {nq22.symbol}",
        )  # fmt: skip
    _register(
        kind="so_ket", symbol="168-BC/TU", date=D("2013-05-24"), issuer=province, parent=nq22,
        title="Báo cáo sơ kết 5 năm thực hiện Nghị quyết Hội nghị lần thứ sáu Ban Chấp hành "
        "Trung ương Đảng (khóa X)",
    )  # fmt: skip
    review_plan = _register(
        kind="ke_hoach", symbol="112-KH/TU", date=D("2018-06-15"), issuer=province, parent=nq22,
        title="Kế hoạch tổng kết 10 năm thực hiện Nghị quyết Hội nghị lần thứ sáu Ban Chấp "
        "hành Trung ương Đảng (khóa X)",
        requirements=[{"level": "district", "action": "report", "doc_kind": "tong_ket",
                       "deadline": D("2018-10-31")}],
    )  # fmt: skip
    district_days = {}
    for v in _districts(province, review_plan.date):
        mark = _mark(v.unit.code, v.name)
        day = _day(rng, "2018-08-20", "2018-10-30")
        if v.unit.code in late:
            day = _day(rng, "2018-11-05", "2018-12-15")
        district_days[v.unit.code] = day
        _register(
            kind="tong_ket", symbol=f"{rng.randint(150, 320)}-BC/{mark}", date=day, issuer=v.unit,
            parent=review_plan, title=f"Báo cáo tổng kết 10 năm thực hiện Nghị quyết {nq22.symbol}",
        )  # fmt: skip
    _register(
        kind="tong_ket", symbol="245-BC/TU", date=D("2019-01-18"), issuer=province, parent=nq22,
        title="Báo cáo tổng kết 10 năm thực hiện Nghị quyết Hội nghị lần thứ sáu Ban Chấp hành "
        "Trung ương Đảng (khóa X) về nâng cao năng lực lãnh đạo, sức chiến đấu của tổ chức cơ "
        "sở đảng và chất lượng đội ngũ cán bộ, đảng viên",
        summary="Sau 10 năm, số tổ chức cơ sở đảng tăng từ 731 lên 800, đảng viên tăng từ "
        "41.201 lên 61.491; tỷ lệ tổ chức cơ sở đảng trong sạch, vững mạnh từ 45,55% năm 2008 "
        "lên 56,05% năm 2017.",
    )  # fmt: skip


def _later_documents(rng, province: Unit, today: dt.date, committee_study) -> None:
    """QĐ 132-QĐ/TW (08/03/2018) and Chỉ thị 50-CT/TW (23/07/2025): the province's plan, each
    district-level committee studying it (committee members) and issuing its plan, a few late."""
    for central, province_plan, deadline in (
        (
            dict(kind="quy_dinh", symbol="132-QĐ/TW", date=D("2018-03-08"),
                 title="Quy định về việc kiểm điểm và đánh giá, xếp loại chất lượng hằng năm "
                 "đối với tập thể, cá nhân trong hệ thống chính trị"),
            dict(symbol="98-KH/TU", date=D("2018-04-10"),
                 title="Kế hoạch triển khai thực hiện Quy định 132-QĐ/TW của Bộ Chính trị"),
            D("2018-06-30"),
        ),
        (
            dict(kind="chi_thi", symbol="50-CT/TW", date=D("2025-07-23"),
                 title="Chỉ thị về tiếp tục nâng cao chất lượng sinh hoạt chi bộ"),
            dict(symbol="12-KH/TU", date=D("2025-08-20"),
                 title="Kế hoạch thực hiện Chỉ thị 50-CT/TW của Ban Bí thư về tiếp tục nâng cao "
                 "chất lượng sinh hoạt chi bộ"),
            D("2025-10-31"),
        ),
    ):  # fmt: skip
        if province_plan["date"] > today:
            continue
        top = _register(
            central_body="TW", **central,
            requirements=[{"level": "province", "action": "issue", "doc_kind": "ke_hoach",
                           "deadline": central["date"] + dt.timedelta(days=60)}],
        )  # fmt: skip
        kh = _register(
            kind="ke_hoach", issuer=province, parent=top, **province_plan,
            requirements=[
                {"level": "district", "action": "study", "audience": "committee",
                 "deadline": deadline},
                {"level": "district", "action": "issue", "doc_kind": "ke_hoach",
                 "deadline": deadline},
            ],
        )  # fmt: skip
        districts = _districts(province, kh.date)
        late = {v.unit_id for v in rng.sample(districts, max(1, len(districts) // 6))}
        for v in districts:
            over = (
                dt.timedelta(days=rng.randint(10, 40))
                if v.unit_id in late
                else -dt.timedelta(days=rng.randint(3, 45))
            )
            day = min(deadline + over, today)
            if day <= kh.date:
                day = kh.date + dt.timedelta(days=5)
            if v.unit.ended and v.unit.ended <= day:
                continue
            _register(
                kind="ke_hoach", issuer=v.unit, parent=kh, date=day,
                symbol=f"{rng.randint(20, 180)}-KH/{_mark(v.unit.code, v.name)}",
                title=f"Kế hoạch thực hiện {top.symbol} của {v.name}",
            )  # fmt: skip
            committee_study(kh, v.unit_id, day - dt.timedelta(days=2), rng.randint(20, 45))
