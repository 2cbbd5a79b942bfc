"""A realistic vocabulary for the register's search benchmark (bench/documents_bench.py).

Titles and summaries of Party documents are built from a few hundred recurring domain phrases
(the demo's titles and the usual subjects of resolutions, directives and plans) and from place
names (the real communes, districts and provinces of `demo.adminunits`, 10,794 names). Terms are
drawn with Zipf-like frequencies (weight 1 / rank ** 1.07): the domain phrases are the head, the
place names the long tail, so a typed word is as selective as in a real register — "thực hiện"
is in most documents, "Phúc Xá" in a handful.
"""

from __future__ import annotations

import bisect
import itertools
import random

# The demo's titles (directives/demo.py) and the subjects Party committees write about.
DOMAIN = """
nâng cao năng lực lãnh đạo; sức chiến đấu; tổ chức cơ sở đảng; chất lượng đảng viên;
sinh hoạt chi bộ; học tập, quán triệt; tuyên truyền; triển khai thực hiện; kiểm tra, giám sát;
kỷ luật đảng; công tác cán bộ; phát triển đảng viên; công tác dân vận; quốc phòng, an ninh;
phát triển kinh tế - xã hội; xây dựng nông thôn mới; giảm nghèo bền vững; khu vực biên giới;
đồng bào dân tộc thiểu số; công tác tôn giáo; văn hóa; giáo dục và đào tạo; y tế cơ sở;
chuyển đổi số; cải cách hành chính; phòng, chống tham nhũng, lãng phí, tiêu cực;
Hội nghị lần thứ sáu Ban Chấp hành Trung ương Đảng (khóa X); Bộ Chính trị; Ban Bí thư;
đổi mới nội dung, hình thức sinh hoạt; chi bộ thôn, bản; chi bộ trường học; doanh nghiệp nhà nước;
kiểm điểm, đánh giá, xếp loại chất lượng hằng năm; tập thể, cá nhân; thi đua khen thưởng;
đại hội đảng bộ các cấp; nhiệm kỳ 2020 - 2025; nhiệm kỳ 2015 - 2020; nhiệm kỳ 2025 - 2030;
bầu cử đại biểu Quốc hội và Hội đồng nhân dân; Mặt trận Tổ quốc; đoàn thể chính trị - xã hội;
Đoàn Thanh niên Cộng sản Hồ Chí Minh; Hội Liên hiệp Phụ nữ; Hội Nông dân; Hội Cựu chiến binh;
học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh; bảo vệ nền tảng tư tưởng của Đảng;
đấu tranh phản bác các quan điểm sai trái, thù địch; suy thoái tư tưởng chính trị;
tự diễn biến, tự chuyển hóa; nêu gương của cán bộ, đảng viên; người đứng đầu;
tinh gọn tổ chức bộ máy; sắp xếp đơn vị hành chính cấp huyện, cấp xã; tinh giản biên chế;
quy hoạch cán bộ; luân chuyển cán bộ; đào tạo, bồi dưỡng; lý luận chính trị; cán bộ trẻ;
cán bộ nữ; cán bộ người dân tộc thiểu số; bảo vệ chính trị nội bộ; thu, nộp đảng phí;
quản lý hồ sơ đảng viên; thẻ đảng viên; đảng viên dự bị; quần chúng ưu tú; chuyển sinh hoạt đảng;
giới thiệu đảng viên đang công tác thường xuyên giữ mối liên hệ với nơi cư trú;
sơ kết 5 năm; tổng kết 10 năm; báo cáo chính trị; chương trình công tác toàn khóa;
quy chế làm việc; quy chế dân chủ ở cơ sở; tiếp công dân; giải quyết khiếu nại, tố cáo;
an toàn giao thông; phòng, chống ma túy; phòng, chống thiên tai; phòng, chống dịch bệnh;
bảo vệ môi trường; quản lý đất đai; tài nguyên khoáng sản; bảo vệ và phát triển rừng;
nông nghiệp hữu cơ; sản xuất hàng hóa; hợp tác xã; kinh tế tập thể; thu hút đầu tư;
khu kinh tế cửa khẩu; xuất nhập khẩu; thương mại biên giới; du lịch cộng đồng;
hạ tầng giao thông; kiên cố hóa kênh mương; điện lưới quốc gia; nước sạch nông thôn;
xây dựng trường chuẩn quốc gia; phổ cập giáo dục; bảo hiểm y tế; dân số và phát triển;
chăm sóc sức khỏe nhân dân; người có công; an sinh xã hội; việc làm cho lao động nông thôn;
xây dựng gia đình văn hóa; thôn, bản văn hóa; bảo tồn di sản; lễ hội truyền thống;
báo chí, xuất bản; thông tin cơ sở; mạng xã hội; an ninh mạng; dữ liệu dân cư;
lực lượng vũ trang; dân quân tự vệ; biên phòng; khu vực phòng thủ; diễn tập;
công tác đối ngoại; hợp tác quốc tế; người Việt Nam ở nước ngoài;
kiểm tra tài chính đảng; ủy ban kiểm tra; dấu hiệu vi phạm; thi hành kỷ luật; khiếu nại kỷ luật;
chế độ, chính sách; chính quyền địa phương hai cấp; hội đồng nhân dân; ủy ban nhân dân;
kế hoạch phát triển kinh tế - xã hội 5 năm; dự toán ngân sách; đầu tư công; vốn vay ưu đãi;
chương trình mục tiêu quốc gia; vùng đồng bào dân tộc thiểu số và miền núi;
nhà ở cho người nghèo; xóa nhà tạm, nhà dột nát; hỗ trợ sản xuất; chuyển đổi cơ cấu cây trồng
"""
CONNECTORS = ("về", "về việc", "thực hiện", "triển khai", "tiếp tục", "đẩy mạnh", "tăng cường",
              "nâng cao hiệu quả", "lãnh đạo", "chỉ đạo", "về công tác", "đối với")  # fmt: skip
KINDS = (
    ("nghi_quyet", "Nghị quyết", "NQ"), ("chi_thi", "Chỉ thị", "CT"),
    ("ket_luan", "Kết luận", "KL"), ("huong_dan", "Hướng dẫn", "HD"),
    ("ke_hoach", "Kế hoạch", "KH"), ("chuong_trinh", "Chương trình hành động", "CTr"),
    ("de_an", "Đề án", "ĐA"), ("cong_van", "Công văn", "CV"),
)  # fmt: skip
KIND_WEIGHTS = (8, 3, 2, 6, 30, 4, 2, 45)


def domain_phrases() -> list[str]:
    return [p.strip() for p in DOMAIN.replace("\n", " ").split(";") if p.strip()]


def place_names() -> list[str]:
    from grassroots.demo import adminunits

    names = []
    for p in adminunits.legacy_provinces():
        names.append(f"tỉnh {p.short_name}")
        for d in adminunits.legacy_districts(p.code):
            names.append(d.name)
            names += [w.name for w in adminunits.legacy_wards(d.code)]
    return names


class Vocabulary:
    """Terms in rank order (domain phrases, then place names, each shuffled) and a Zipf-like
    sampler over them."""

    def __init__(self, rng: random.Random, exponent: float = 1.07):
        domain, places = domain_phrases(), place_names()
        rng.shuffle(domain)
        rng.shuffle(places)
        self.terms = domain + places
        weights = [1 / (rank**exponent) for rank in range(1, len(self.terms) + 1)]
        self.cumulative = list(itertools.accumulate(weights))
        self.rng = rng

    def term(self) -> str:
        x = self.rng.random() * self.cumulative[-1]
        return self.terms[bisect.bisect_left(self.cumulative, x)]

    def title(self, kind_label: str, issuer_name: str) -> str:
        parts = [kind_label, self.rng.choice(CONNECTORS), self.term()]
        for _ in range(self.rng.randint(0, 2)):
            parts += [self.rng.choice((",", "gắn với", "và", "trong")), self.term()]
        return " ".join([*parts, "của", issuer_name]).replace(" ,", ",")

    def summary(self) -> str:
        return "; ".join(
            f"{self.rng.choice(CONNECTORS)} {self.term()}" for _ in range(self.rng.randint(3, 8))
        )

    def typed(self) -> str:
        """What a person types: 1–3 consecutive words of one or two terms."""
        words = self.term().replace(",", "").split()
        if self.rng.random() < 0.3:
            words += self.term().replace(",", "").split()
        n = min(len(words), self.rng.randint(1, 3))
        start = self.rng.randint(0, len(words) - n)
        return " ".join(w for w in words[start : start + n] if w != "-") or words[0]
