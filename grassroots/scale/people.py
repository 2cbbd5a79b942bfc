"""The synthetic country's members: names, profiles and whole histories drawn with a seeded RNG.

Every history passes the same lifecycle validation as the services (the bulk loader checks it).
"""

from __future__ import annotations

import datetime as dt
import random

from grassroots.bulkload.loader import EventSpec, MemberSpec
from grassroots.core.dates import add_months
from grassroots.members.models import DisciplineForm, EventKind

from .national import O_ORIGIN, O_TODAY, YEAR, Cell, Plan, from_ordinal

_SURNAMES = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Lương",
    "Hà",
    "Nông",
    "Lục",
    "Hứa",
    "Triệu",
    "Mai",
)
_SURNAME_W = (
    38,
    11,
    9.5,
    7,
    5.1,
    2.1,
    4.5,
    3.9,
    2,
    2.1,
    2,
    1.4,
    1.3,
    1.3,
    1,
    0.5,
    1,
    0.6,
    0.6,
    0.6,
    0.3,
    0.3,
    0.3,
    0.5,
)
_MIDDLE_M = ("Văn", "Đức", "Hữu", "Quang", "Minh", "Công", "Thanh", "Xuân", "Ngọc", "Đình")
_MIDDLE_F = ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim", "Hồng", "Thùy")
_GIVEN_M = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đạt",
    "Hải",
    "Hùng",
    "Huy",
    "Khánh",
    "Long",
    "Minh",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Tài",
    "Thắng",
    "Thành",
    "Toàn",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
    "Ấn",
)
_GIVEN_F = (
    "Anh",
    "Châu",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Liên",
    "Linh",
    "Mai",
    "Ngân",
    "Nga",
    "Nhung",
    "Oanh",
    "Phương",
    "Quỳnh",
    "Thảo",
    "Thu",
    "Trang",
    "Uyên",
    "Vân",
    "Yến",
)
_ETHNIC = ("Kinh",) * 17 + ("Tày", "Thái", "Mường", "Nùng", "Khmer", "Dao", "H'Mông")
_EDUCATION = ("12/12", "12/12", "12/12", "9/12", "10/10")
_THEORY = ("Sơ cấp", "Trung cấp", "Cao cấp", "")


def _letters(i: int) -> str:
    return chr(65 + i // 26 % 26) + chr(65 + i % 26)


# Members ----------------------------------------------------------------------------------------


class MemberMaker:
    """Draws one member's profile and whole history; every history passes lifecycle validation."""

    def __init__(self, plan: Plan, seed: int) -> None:
        self.rng = random.Random(seed * 7919 + 1)
        self.cells = plan.cells
        self.by_code = {c.code: c for c in plan.cells}
        self.province_of_cell = plan.province_of_cell
        self.seq = [0] * len(plan.provinces)
        # Cells planned to open after the data's end (an organization's later cells) take no
        # admissions: an admission there would be dated after TODAY, which the registry refuses
        # (core.limits: at most a year ahead of the real today).
        self.open_cells = [i for i, c in enumerate(plan.cells) if c.start <= O_TODAY - 20]

    def _cell_on(self, day: int, exclude: str | None) -> Cell | None:
        for _ in range(8):
            cell = self.cells[self.rng.randrange(len(self.cells))]
            if cell.start <= day and (cell.end is None or day < cell.end) and cell.code != exclude:
                return cell
        return None

    def _enter(self, events: list, cell: Cell, until: int) -> Cell:
        """Member is in `cell` from now; restructure them along successors while cells end before `until`."""
        while cell.end is not None and cell.end < until and cell.successor:
            nxt = self.by_code[cell.successor]
            events.append((cell.end, EventKind.RESTRUCTURE, nxt.code))
            cell = nxt
        return cell

    def make(self, index: int) -> MemberSpec:
        rng = self.rng
        ci = self.open_cells[rng.randrange(len(self.open_cells))]
        cell = self.cells[ci]
        lo = max(O_ORIGIN, cell.start)
        hi = min(O_TODAY - 20, cell.end - 1 if cell.end else O_TODAY - 20)
        if hi < lo:
            hi = lo
        adm = lo + int((hi - lo) * rng.random() ** 0.55)  # more admissions in recent decades
        age = 18 + int(abs(rng.gauss(0, 8)))
        birth = adm - age * YEAR - rng.randrange(YEAR)
        male = rng.random() < 0.67
        # life: death by age, or an end of membership by removal / leaving / expulsion
        death = birth + int(rng.gauss(79, 9) * YEAR)
        end_day, end_kind = None, None
        if death <= O_TODAY and death > adm + 30:
            end_day, end_kind = death, EventKind.DEATH
        r = rng.random()
        if r < 0.03:
            day = rng.randint(adm + 60, adm + 20 * YEAR)
            if day < (end_day or O_TODAY):
                official_by = add_months(from_ordinal(adm), 12).toordinal()
                kind = (
                    EventKind.REMOVAL
                    if (r < 0.018 or day <= official_by)
                    else (EventKind.LEAVING if r < 0.026 else EventKind.EXPULSION)
                )
                end_day, end_kind = day, kind
        limit = end_day or O_TODAY
        events: list[tuple] = [(adm, EventKind.ADMISSION, cell.code)]
        official = add_months(from_ordinal(adm), 12).toordinal()
        if official < limit:
            events.append((official, EventKind.OFFICIAL, None))
        # moves: transfers within the system, now and then one out of it
        moves = sorted(
            rng.randint(adm + 400, limit - 1)
            for _ in range(rng.choices((0, 1, 2, 3), (70, 20, 7, 3))[0])
            if adm + 400 < limit - 1
        )
        out_day = None
        if rng.random() < 0.01 and adm + 800 < limit - 1:
            out_day = rng.randint(adm + 800, limit - 1)
            moves = [m for m in moves if m < out_day]
        here = self._enter(events, cell, moves[0] if moves else (out_day or limit))
        last = adm
        for k, day in enumerate(moves):
            if day <= last:
                continue
            target = self._cell_on(day, here.code)
            if target is None:
                continue
            events.append((day, EventKind.TRANSFER, target.code))
            last = day
            nxt = moves[k + 1] if k + 1 < len(moves) else (out_day or limit)
            here = self._enter(events, target, nxt)
        if out_day is not None and out_day > last:
            events.append((out_day, EventKind.TRANSFER_OUT, None))
            if end_kind is not EventKind.DEATH:
                end_day = end_kind = None  # gone from the system, nothing more on record
        counted_until = out_day or limit
        # exemption from party work for the elderly (Điều lệ Điều 7), sometimes ended
        ex = birth + 70 * YEAR + rng.randrange(5 * YEAR)
        if ex < counted_until and ex > adm + 30 and rng.random() < 0.5:
            events.append((ex, EventKind.EXEMPTION, None))
            if rng.random() < 0.1 and ex + 400 < counted_until:
                events.append((ex + 400, EventKind.EXEMPTION_END, None))
        if rng.random() < 0.03 and official + 30 < counted_until:
            day = rng.randint(official + 1, counted_until - 1)
            form = DisciplineForm.REPRIMAND if rng.random() < 0.6 else DisciplineForm.WARNING
            events.append((day, EventKind.DISCIPLINE, None, form))
        if end_day is not None:
            events.append((end_day, end_kind, None))
            if end_kind is not EventKind.DEATH and rng.random() < 0.2:
                day = end_day + rng.randint(3 * YEAR, 10 * YEAR)
                target = self._cell_on(day, None) if day < min(death, O_TODAY) else None
                if target is not None:
                    events.append((day, EventKind.READMISSION, target.code))
                    later = self._enter(events, target, min(death, O_TODAY))
                    del later
                    if add_months(from_ordinal(day), 12).toordinal() < min(death, O_TODAY):
                        events.append(
                            (
                                add_months(from_ordinal(day), 12).toordinal(),
                                EventKind.OFFICIAL,
                                None,
                            )
                        )
                    if death <= O_TODAY:
                        events.append((death, EventKind.DEATH, None))
        events.sort(key=lambda e: e[0])
        pidx = self.province_of_cell[ci]
        self.seq[pidx] += 1
        gender = "M" if male else "F"
        if male:
            name = f"{rng.choices(_SURNAMES, _SURNAME_W)[0]} {rng.choice(_MIDDLE_M)} {rng.choice(_GIVEN_M)}"
        else:
            name = f"{rng.choices(_SURNAMES, _SURNAME_W)[0]} {rng.choice(_MIDDLE_F)} {rng.choice(_GIVEN_F)}"
        profile = {
            "full_name": name,
            "gender": gender,
            "birth_date": from_ordinal(birth),
            "ethnicity": rng.choice(_ETHNIC),
            "education": rng.choice(_EDUCATION),
            "theory_level": rng.choice(_THEORY),
            "profile_number": f"{self.seq[pidx]:06d}{_letters(pidx)}"
            if self.seq[pidx] < 1_000_000
            else f"{self.seq[pidx]}{_letters(pidx)}",
            "card_number": f"{index + 1:08d}",
        }
        specs = []
        for e in events:
            day = from_ordinal(e[0])
            kind = e[1]
            if kind in (EventKind.ADMISSION, EventKind.READMISSION):
                specs.append(
                    EventSpec(
                        kind,
                        day,
                        e[2],
                        decision_date=day - dt.timedelta(days=rng.randint(3, 40)),
                        decision_number=f"{rng.randint(1, 999)}-QĐ/HU",
                    )
                )
            elif kind is EventKind.DISCIPLINE:
                specs.append(EventSpec(kind, day, None, discipline_form=e[3]))
            else:
                specs.append(EventSpec(kind, day, e[2]))
        return MemberSpec(profile, specs)
