"""The monthly meeting-quality self-assessment sheet ("biểu tự đánh giá chất lượng sinh hoạt chi
bộ") as dated configuration, like `rules.py`.

domain.md §5: many committees use a monthly score sheet; it is a local practice with no national
template [UNCONFIRMED]. The default sheet below follows the published examples (preparation,
attendance, content, democracy and criticism, conclusions and minutes; 100 points). A committee
that adopts its own sheet sets `settings.MEETING_QUALITY_SHEETS` (each version from its
`effective` day) without touching code. A sheet recorded under one version keeps that version's
code, so later versions never rescore old months. Pure: no database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from .rules import in_force


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    points: int  # the most a cell can give itself


@dataclass(frozen=True)
class QualitySheet:
    code: str
    effective: dt.date
    source: str
    criteria: tuple[Criterion, ...]
    # (lowest total, grade) from the highest: the grade of a month's total.
    grades: tuple[tuple[int, str], ...] = (
        (90, "Tốt"),
        (70, "Khá"),
        (50, "Trung bình"),
        (0, "Chưa đạt"),
    )

    @property
    def total_points(self) -> int:
        return sum(c.points for c in self.criteria)

    def grade(self, total: int) -> str:
        for lowest, label in self.grades:
            if total >= lowest:
                return label
        return self.grades[-1][1]


SHEETS: tuple[QualitySheet, ...] = (
    QualitySheet(
        code="MAU-2022",
        effective=dt.date(1900, 1, 1),
        source=(
            "Biểu tự đánh giá chất lượng sinh hoạt chi bộ hằng tháng (mẫu thường dùng ở cơ sở, "
            "không có mẫu toàn quốc) [CHƯA XÁC NHẬN]"
        ),
        criteria=(
            Criterion("preparation", "Chuẩn bị: chi ủy họp trước, thông báo, tài liệu", 15),
            Criterion("schedule", "Sinh hoạt đúng định kỳ, đủ thời lượng", 10),
            Criterion("attendance", "Đảng viên dự đầy đủ, vắng có lý do", 15),
            Criterion("content", "Nội dung đúng trọng tâm, học tập và làm theo Bác, thời sự", 20),
            Criterion("democracy", "Phát huy dân chủ, tự phê bình và phê bình", 15),
            Criterion("conclusions", "Kết luận, nghị quyết rõ việc, rõ người, rõ thời hạn", 15),
            Criterion(
                "minutes", "Biên bản ghi đầy đủ, đúng mẫu; thực hiện nghị quyết tháng trước", 10
            ),
        ),
    ),
)


def versions() -> tuple[QualitySheet, ...]:
    configured = getattr(settings, "MEETING_QUALITY_SHEETS", None)
    chosen = tuple(configured) if configured else SHEETS
    return tuple(sorted(chosen, key=lambda s: s.effective))


def sheet_on(day: dt.date) -> QualitySheet:
    """The sheet in force on `day` (the latest effective on or before it)."""
    return in_force(versions(), day)


def sheet_by_code(code: str) -> QualitySheet | None:
    return next((s for s in versions() if s.code == code), None)
