"""The demo province's members: every member's life as dated events (admission, recognition,
transfers, exemption, discipline, death, ...), fitted at scale 1.0 to the published member
counts. A Plan mixin, run by grassroots/demo/plan.py."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import Counter, defaultdict

from grassroots.bulkload.loader import EventSpec as PEvent  # the loader's own event record
from grassroots.core.dates import add_months
from grassroots.demo import names
from grassroots.demo.model import (
    _CITY_ETHNICITIES,
    _ETHNICITIES,
    _RELIGIONS,
    D1,
    D2,
    DINH_LAP,
    DISTRICT,
    GC,
    ONE_DAY,
    PROVINCE,
    START,
    TARGETS,
    TODAY,
    D,
    PMember,
    _weighted,
    committee,
    decision_suffix,
    rand_date,
    snap,
)

# Probationers left unrecognized today (see `life`): probation ended between 75 and 55 days
# before TODAY, so the 30 working days to consider them (domain.md §2.3) are over, and their
# admission lies in the development demo's window of the last 15 months.
LATE_RECOGNITIONS_TODAY = 3
LATE_WINDOW = (dt.timedelta(days=75), dt.timedelta(days=55))


class MemberPlan:
    """Members' profiles and lives; each history passes the services' lifecycle rules."""

    # Members -----------------------------------------------------------------
    def prepare_cells(self) -> None:
        """Index the cells by year and district, so a member's cell can be drawn quickly."""
        self.spans: dict[str, tuple[dt.date, dt.date]] = {}
        for unit in self.units.values():
            span = unit.member_span()
            if span:
                self.spans[unit.code] = span
        by_year: dict[object, list[tuple[str, float]]] = defaultdict(list)
        for code, (s, e) in self.spans.items():
            unit = self.units[code]
            if unit.weight <= 0:
                continue
            weight = unit.weight * (0.8 if unit.district == DINH_LAP else 1.0)
            for year in range(max(s.year, 1945), min(e.year, TODAY.year) + 1):
                by_year[year].append((code, weight))
                if unit.district:
                    by_year[(year, unit.district)].append((code, weight))
        self.candidates = {
            key: ([c for c, _ in items], list(itertools.accumulate(w for _, w in items)))
            for key, items in by_year.items()
        }
        self.village_of_cell = {v.cell: v for v in self.villages if v.cell}
        # Admissions, arrivals and most decisions about members are taken at the cell's monthly meeting.
        self.meeting = {
            code: self.rng.choice((2, 5, 8, 10, 15, 20, 25)) for code in sorted(self.spans)
        }
        self._bodies: dict[tuple[str, int], str] = {}
        self._decision_seq: Counter = Counter()

    def alive(self, code: str, day: dt.date) -> bool:
        s, e = self.spans[code]
        return s <= day < e

    def pick_cell(
        self, day: dt.date, district: str | None = None, exclude: str | None = None
    ) -> str:
        rng = self.rng
        key = (
            (day.year, district)
            if district and (day.year, district) in self.candidates
            else day.year
        )
        codes, cum = self.candidates[key]
        total, spans, random_ = cum[-1], self.spans, rng.random
        for _ in range(40):
            code = codes[bisect.bisect_right(cum, random_() * total)]
            s, e = spans[code]
            if code != exclude and s <= day < e:
                return code
        pool = [c for c in codes if c != exclude and self.alive(c, day)]
        if not pool and key != day.year:
            return self.pick_cell(day, None, exclude)
        if not pool:
            pool = [
                c
                for c in sorted(self.spans)
                if c != exclude and self.alive(c, day) and self.units[c].weight > 0
            ]
        if not pool:
            raise RuntimeError(f"no cell on {day}")
        return rng.choice(pool)

    def successor(self, code: str, day: dt.date) -> str:
        unit = self.units[code]
        real = [
            s
            for s in unit.successors
            if not s.startswith("@") and s in self.spans and self.alive(s, day)
        ]
        if real:
            return self.rng.choice(real)
        district = unit.district
        for s in unit.successors:
            if s.startswith("@district:") and s[10:]:
                district = s[10:]
        return self.pick_cell(day, district, exclude=code)

    def decision(self, cell: str, day: dt.date) -> tuple[str, str]:
        """(number, issuing body) of a decision about a member of `cell` (the committee with the
        power to admit: district level before 2025, then the new commune or the bloc)."""
        key = (cell, day.year)
        body = self._bodies.get(key)
        if body is None:
            code = cell
            while True:
                v = self.units[code].at(day) or self.units[code].versions[-1]
                if v.kind == DISTRICT or v.parent is None or (v.kind == GC and v.parent == "LS"):
                    break
                code = v.parent
            v = self.units[code].at(day) or self.units[code].versions[-1]
            if v.kind == DISTRICT:
                body = "Ban Thường vụ " + committee(v.name)
            elif v.kind == PROVINCE:
                body = "Ban Thường vụ Tỉnh ủy Lạng Sơn"
            else:
                body = committee(v.name)
            self._bodies[key] = body
        self._decision_seq[(body, day.year)] += 1
        return f"{self._decision_seq[(body, day.year)]}-QĐ/{decision_suffix(body)}", body

    def person(self, cell: str, birth: dt.date, female: bool) -> dict:
        rng = self.rng
        unit = self.units[cell]
        if unit.district is None:
            ethnicity = _weighted(rng, _CITY_ETHNICITIES)
        else:
            ethnicity = _weighted(rng, _ETHNICITIES)
        family = rng.choice(names.FAMILY_NAMES[ethnicity])
        middle = rng.choice(names.MIDDLE_FEMALE if female else names.MIDDLE_MALE)
        given = rng.choice(names.GIVEN_FEMALE if female else names.GIVEN_MALE)
        district = unit.district or rng.choice(self.districts).code
        wards = self.wards.get(district) or self.all_wards
        home = rng.choice(wards)
        dname = self.district_by_code[district]
        village = self.village_of_cell.get(cell)
        place = self.ward_names.get(unit.commune or "") or rng.choice(wards)
        residence = f"{place.name}, {dname.kind} {dname.short_name}, tỉnh Lạng Sơn"
        if village:
            residence = f"{village.name}, {residence}"
        role = unit.role
        if role in ("c_village", "commune"):
            occupation = rng.choice(
                [
                    "Nông dân",
                    "Nông dân",
                    "Nông dân",
                    "Cán bộ thôn",
                    "Buôn bán nhỏ",
                    "Lao động tự do",
                ]
            )
            expertise = rng.choice(["", "", "Sơ cấp nông nghiệp", "Trung cấp nông lâm"])
        elif role == "c_school" or "Trường" in unit.name:
            occupation, expertise = "Giáo viên", rng.choice(["Đại học Sư phạm", "Cao đẳng Sư phạm"])
        elif role == "c_health" or "Y tế" in unit.name or "Bệnh viện" in unit.name:
            occupation, expertise = rng.choice(["Bác sĩ", "Y sĩ", "Điều dưỡng"]), "Đại học Y"
        elif (
            role in ("c_military", "d_military")
            or "Quân sự" in unit.name
            or "Biên phòng" in unit.name
        ):
            occupation, expertise = (
                "Quân nhân",
                rng.choice(["Đại học Chính trị", "Trung cấp Quân sự"]),
            )
        elif (
            role in ("c_police", "d_police")
            or "Công an" in unit.name
            or unit.code.startswith("LS-CA")
        ):
            occupation, expertise = (
                "Công an",
                rng.choice(["Đại học An ninh", "Đại học Cảnh sát", "Trung cấp Cảnh sát"]),
            )
        elif "enterprise" in role or "Công ty" in unit.name or "Ngân hàng" in unit.name:
            occupation = rng.choice(["Công nhân", "Nhân viên", "Kỹ sư", "Kế toán"])
            expertise = rng.choice(
                ["Đại học Kinh tế", "Đại học Kỹ thuật", "Trung cấp kỹ thuật", "Cao đẳng nghề"]
            )
        else:
            occupation = rng.choice(["Công chức", "Viên chức"])
            expertise = rng.choice(
                ["Đại học Luật", "Đại học Kinh tế", "Đại học Hành chính", "Đại học Nông lâm"]
            )
        old = birth.year < 1958
        while True:
            serial = f"{rng.randrange(10**6):06d}"
            century = (0 if birth.year < 2000 else 2) + (1 if female else 0)
            citizen = f"020{century}{birth.year % 100:02d}{serial}"
            if citizen not in self.citizen_serials:
                self.citizen_serials.add(citizen)
                break
        return {
            "full_name": f"{family} {middle} {given}",
            "gender": "F" if female else "M",
            "birth_date": birth,
            "ethnicity": ethnicity,
            "religion": _weighted(rng, _RELIGIONS),
            "hometown": f"{home.name}, {dname.kind} {dname.short_name}, tỉnh Lạng Sơn",
            "residence": residence,
            "education": rng.choice(["7/10", "10/10"])
            if old
            else rng.choice(["12/12", "12/12", "12/12", "9/12"]),
            "expertise": expertise,
            "theory_level": rng.choice(["Sơ cấp", "Sơ cấp", "Trung cấp", "Cao cấp"])
            if occupation in ("Công chức", "Viên chức", "Quân nhân", "Công an")
            else rng.choice(["", "Sơ cấp"]),
            "occupation": "Hưu trí"
            if (TODAY - birth).days > 62 * 365 and occupation not in ("Nông dân",)
            else occupation,
            "citizen_id": citizen,
            "profile_number": f"{next(self.profile_numbers):06d}LS",
        }

    def life(
        self,
        *,
        entry: str,
        day: dt.date,
        cell: str,
        birth: dt.date,
        ceremony: dt.date,
        exit_after: dt.date | None = None,
        forced_exit: tuple[str, dt.date] | None = None,
        quiet: bool = False,
    ) -> tuple[list[PEvent], list[tuple[dt.date, dt.date]], bool]:
        """One member's events from `day` (admission in the province, an admission before 2000, or
        arrival from outside) to today. Returns (events, presence spans, became official)."""
        rng = self.rng
        events: list[PEvent] = []

        def years(n: float) -> dt.timedelta:
            return dt.timedelta(days=int(min(n, 150) * 365.25))

        age = lambda d: (d - birth).days / 365.25  # noqa: E731
        official_day = add_months(ceremony, 12)
        number, body = self.decision(cell, ceremony if entry != "transfer_in" else day)
        decided = ceremony - dt.timedelta(days=rng.randint(7, 40))
        if entry == "transfer_in":
            events.append(
                PEvent(
                    "admission",
                    ceremony,
                    None,
                    decided,
                    number,
                    "Cấp ủy có thẩm quyền ngoài tỉnh",
                    place="Ngoài tỉnh",
                )
            )
        else:
            events.append(PEvent("admission", ceremony, cell, decided, number, body))
        if entry == "transfer_in":
            events.append(
                PEvent(
                    "transfer_in",
                    day,
                    cell,
                    day - dt.timedelta(days=rng.randint(10, 60)),
                    place=rng.choice(
                        [
                            "Tỉnh Cao Bằng",
                            "Tỉnh Bắc Giang",
                            "Thành phố Hà Nội",
                            "Tỉnh Thái Nguyên",
                            "Tỉnh Bắc Ninh",
                            "Tỉnh Quảng Ninh",
                        ]
                    ),
                )
            )
        # The end: death, or leaving the province or the Party. History is simulated from 2000 on.
        origin = max(day, START)
        now_age = age(origin)
        death_age = rng.gauss(72, 10)
        tries = 0
        while death_age <= now_age + 0.2 and tries < 20:
            death_age, tries = rng.gauss(72, 10), tries + 1
        if death_age <= now_age + 0.2:
            death_age = now_age + rng.uniform(0.5, 12)
        exits = [(birth + years(death_age), "death")]
        if not quiet:
            exits.append(
                (origin + years(rng.expovariate(0.004 if now_age < 55 else 0.001)), "transfer_out")
            )
            exits.append((origin + years(rng.expovariate(0.0011)), "removal"))
            exits.append((origin + years(rng.expovariate(0.0003)), "leaving"))
            exits.append((origin + years(rng.expovariate(0.00025)), "expulsion"))
        end_day, end_kind = min(exits)
        if forced_exit:
            end_kind, end_day = forced_exit
        if exit_after and end_day <= exit_after:
            end_day, end_kind = exit_after + years(rng.uniform(0.1, 40)), "death"
        if end_day <= origin:
            end_day = origin + ONE_DAY * rng.randint(30, 900)
        meeting = self.meeting[cell]
        if end_kind != "death" and not forced_exit:
            end_day = snap(end_day, meeting)
        if end_kind == "expulsion" and end_day <= official_day:
            end_kind = "removal"
        stop = min(end_day, TODAY + ONE_DAY)  # events strictly before `stop`
        # What happens in between.
        intents: list[tuple[dt.date, str]] = []
        rate = 0.012 if self.units[cell].role in ("c_village", "commune") else 0.035
        t = origin
        while not quiet:
            t = t + years(rng.expovariate(rate))
            if t >= stop:
                break
            intents.append((t, "transfer"))
        t = origin
        while not quiet:
            t = t + years(rng.expovariate(0.008))
            if t >= stop:
                break
            intents.append((t, "temp"))
        if not quiet and rng.random() < 0.4 and death_age > 70:
            t = birth + years(rng.uniform(68, min(death_age, 86)))
            if origin < t < stop:
                intents.append((t, "exempt"))
                if rng.random() < 0.15:
                    back = t + years(rng.uniform(0.5, 3))
                    if back < stop:
                        intents.append((back, "exempt_end"))
        t = origin
        while not quiet:
            t = t + years(rng.expovariate(0.004))
            if t >= stop:
                break
            intents.append((t, "discipline"))
        intents = sorted((snap(t, meeting) if what != "temp" else t, what) for t, what in intents)
        current = cell
        temp_until: dt.date | None = None

        def follow(until: dt.date) -> None:
            nonlocal current
            while self.spans[current][1] <= until and self.spans[current][1] < stop:
                when = self.spans[current][1]
                unit = self.units[current]
                target = self.successor(current, when)
                kind = "transfer" if unit.move_kind == "transfer" else "restructure"
                note = f"Theo sắp xếp tổ chức: {unit.name}" if kind == "restructure" else ""
                events.append(
                    PEvent(kind, when, target, when if kind == "transfer" else None, note=note)
                )
                current = target

        for when, what in intents:
            if when < origin or when >= stop:
                continue
            follow(when)
            if what == "transfer":
                if temp_until and when <= temp_until:
                    continue
                same = rng.random() < 0.75
                target = self.pick_cell(
                    when, self.units[current].district if same else None, exclude=current
                )
                number, body = self.decision(current, when)
                events.append(
                    PEvent(
                        "transfer",
                        when,
                        target,
                        when - dt.timedelta(days=rng.randint(5, 40)),
                        number.replace("QĐ", "GT"),
                        body,
                    )
                )
                current = target
            elif what == "temp":
                if temp_until and when <= temp_until:
                    continue
                host = self.pick_cell(when, None, exclude=current)
                back = when + dt.timedelta(days=rng.randint(100, 330))
                events.append(
                    PEvent(
                        "temp_attach",
                        when,
                        host,
                        place=self.units[host].name,
                        note=rng.choice(
                            ["Đi học tập trung", "Làm việc có thời hạn", "Điều trị bệnh"]
                        ),
                    )
                )
                temp_until = back
                if back < stop:
                    events.append(PEvent("temp_return", back, None))
            elif what == "exempt":
                events.append(
                    PEvent("exemption", when, None, note="Tuổi cao, sức yếu (HD 27-HD/BTCTW)")
                )
            elif what == "exempt_end":
                events.append(PEvent("exemption_end", when, None))
            elif what == "discipline":
                form = "reprimand" if rng.random() < 0.6 else "warning"
                if when >= official_day and rng.random() < 0.12:
                    form = "dismissal"
                events.append(
                    PEvent(
                        "discipline",
                        when,
                        None,
                        when - ONE_DAY * rng.randint(0, 10),
                        discipline_form=form,
                        issuing_body="Ủy ban Kiểm tra",
                    )
                )
        follow(stop - ONE_DAY)
        official = official_day < stop and official_day <= TODAY
        if official:
            recognized_on = min(official_day + ONE_DAY * rng.randint(0, 45), TODAY)
            # A few probationers still in the Party today whose probation ended two to three
            # months ago are not recognized yet (the cell is late: the development board shows
            # them overdue, docs/development.md). Chosen without drawing from `rng`, so every
            # other member's history stays the same.
            late = (
                end_day > TODAY
                and TODAY - LATE_WINDOW[0] <= official_day <= TODAY - LATE_WINDOW[1]
                and getattr(self, "_late_recognitions", 0) < LATE_RECOGNITIONS_TODAY
            )
            if late:
                self._late_recognitions = getattr(self, "_late_recognitions", 0) + 1
                official = False
            else:
                events.append(PEvent("official", official_day, None, recognized_on, number, body))
        spans = [(day, end_day if end_day <= TODAY else D(9999, 12, 31))]
        if end_day <= TODAY:
            events.append(
                PEvent(
                    end_kind,
                    end_day,
                    None,
                    end_day if end_kind != "death" else None,
                    place=rng.choice(
                        [
                            "Tỉnh Bắc Giang",
                            "Thành phố Hà Nội",
                            "Tỉnh Thái Nguyên",
                            "Tỉnh Quảng Ninh",
                        ]
                    )
                    if end_kind == "transfer_out"
                    else "",
                )
            )
            # domain.md §2.1: re-admission is possible once; a few who left come back.
            if (
                not quiet
                and end_kind in ("removal", "leaving")
                and rng.random() < 0.15
                and official
                and age(end_day) < 52
            ):
                back = end_day + years(rng.uniform(2, 8))
                if back < TODAY:
                    home = self.pick_cell(back, self.units[current].district)
                    number, body = self.decision(home, back)
                    events.append(
                        PEvent(
                            "readmission",
                            back,
                            home,
                            back - ONE_DAY * rng.randint(7, 40),
                            number,
                            body,
                        )
                    )
                    again = add_months(back, 12)
                    if again <= TODAY and again < self.spans[home][1]:
                        events.append(
                            PEvent(
                                "official",
                                again,
                                None,
                                min(again + ONE_DAY * 20, TODAY),
                                number,
                                body,
                            )
                        )
                    if self.spans[home][1] <= TODAY:
                        when = self.spans[home][1]
                        events.append(
                            PEvent(
                                "restructure",
                                when,
                                self.successor(home, when),
                                note=f"Theo sắp xếp tổ chức: {self.units[home].name}",
                            )
                        )
                    spans.append((back, D(9999, 12, 31)))
        events.sort(key=lambda e: e.date)
        return events, spans, official

    def _new_member(
        self,
        *,
        entry: str,
        day: dt.date,
        cell: str | None = None,
        tag: str = "",
        before: dt.date = TODAY + ONE_DAY,
        **kwargs,
    ) -> PMember:
        rng = self.rng
        cell = cell or self.pick_cell(day)
        if entry != "pre":
            snapped = snap(day, self.meeting[cell])
            if snapped < min(before, self.spans[cell][1]):
                day = snapped
        if entry == "pre":
            female = rng.random() < 0.25
            est = self.spans[cell][0]
            year = min(1999, max(1950, round(rng.triangular(1950, 2000, 1990))))
            ceremony = rand_date(rng, D(year, 1, 1), D(year + 1, 1, 1))
            ceremony = max(ceremony, est + ONE_DAY)
            if ceremony >= START:
                ceremony = rand_date(rng, est, START)
            snapped = snap(ceremony, self.meeting[cell])
            if snapped < START:
                ceremony = snapped
            admit_age = rng.triangular(18.2, 45, 24)
        elif entry == "transfer_in":
            female = rng.random() < 0.4
            admit_age = rng.triangular(18.2, 40, 24)
            ceremony = day - dt.timedelta(days=rng.randint(200, 20 * 365))
        else:
            female = rng.random() < 0.45
            ceremony = day
            admit_age = rng.triangular(18.2, 45, 22)
        birth = ceremony - dt.timedelta(days=round(admit_age * 365.25) + 45)
        profile = self.person(cell, birth, female)
        start = day if entry != "pre" else ceremony
        events, spans, official = self.life(
            entry=entry, day=start, cell=cell, birth=birth, ceremony=ceremony, **kwargs
        )
        if official:
            profile["card_number"] = f"{next(self.card_numbers):08d}"
        return PMember(profile, events, spans, tag)

    def build_members(self, admissions: dict[int, int] | None = None) -> None:
        rng = self.rng
        s = self.scale
        self.prepare_cells()
        for _ in range(round(31_000 * s)):
            self.members.append(
                self._new_member(entry="pre", day=START, cell=self.pick_cell(START))
            )
        for year in range(2000, TODAY.year + 1):
            last = D(year + 1, 1, 1) if year < TODAY.year else TODAY + ONE_DAY
            n = (admissions or {}).get(year) or (
                1450 if year < 2008 else 2240 if year < 2019 else 2100
            )
            for _ in range(round(n * s * (last - D(year, 1, 1)).days / 365)):
                self.members.append(
                    self._new_member(entry="admission", day=rand_date(rng, D(year, 1, 1), last))
                )
            for _ in range(round(260 * s * (last - D(year, 1, 1)).days / 365)):
                self.members.append(
                    self._new_member(entry="transfer_in", day=rand_date(rng, D(year, 1, 1), last))
                )

    def member_counts(self) -> tuple[int, int]:
        return (sum(m.present(D1) for m in self.members), sum(m.present(D2) for m in self.members))

    def fit_members(self) -> None:
        """Exact member counts on both dates: first D1 with people counted on D1 but not on D2
        (older members who die in between), then D2 with people admitted in between."""
        rng = self.rng
        t1, t2 = TARGETS[D1][2], TARGETS[D2][2]
        c1, _ = self.member_counts()
        delta = t1 - c1
        if delta < 0:
            pool = [i for i, m in enumerate(self.members) if m.present(D1) and not m.present(D2)]
            drop = set(rng.sample(pool, -delta))
            self.members = [m for i, m in enumerate(self.members) if i not in drop]
        for _ in range(max(delta, 0)):
            self.members.append(
                self._new_member(
                    entry="pre",
                    day=START,
                    cell=self.pick_cell(START),
                    tag="A",
                    forced_exit=("death", rand_date(rng, D1 + ONE_DAY, D2)),
                    quiet=True,
                )
            )
        _, c2 = self.member_counts()
        delta = t2 - c2
        if delta < 0:
            pool = [i for i, m in enumerate(self.members) if m.present(D2) and not m.present(D1)]
            drop = set(rng.sample(pool, -delta))
            self.members = [m for i, m in enumerate(self.members) if i not in drop]
        for _ in range(max(delta, 0)):
            self.members.append(
                self._new_member(
                    entry="admission",
                    day=rand_date(rng, D1 + ONE_DAY, D2 + ONE_DAY),
                    tag="B",
                    exit_after=D2,
                )
            )
        assert self.member_counts() == (t1, t2), self.member_counts()
