"""Name material for the demo province: people, villages, agencies and enterprises of Lạng Sơn.

Family names and the ethnic mix follow the province (Nùng, Tày, Kinh, Dao, Sán Chay, Hoa); the
organization names follow the usual pattern of party organizations in a province's agencies.
The people are invented; the communes and districts are real (see adminunits.py).
"""

# (ethnicity, weight): roughly the province's mix (Nùng ~43%, Tày ~35%, Kinh ~16%, Dao ~3.5%).
ETHNICITIES = [("Nùng", 42), ("Tày", 35), ("Kinh", 17), ("Dao", 3.5), ("Sán Chay", 1.5), ("Hoa", 1)]

FAMILY_NAMES = {
    "Nùng": ["Hoàng", "Vi", "Lộc", "Nông", "Lăng", "Mã", "Triệu", "Hứa", "Chu", "Lương", "Vy", "Hà",
             "Lý", "Dương", "Đinh", "Nguyễn"],
    "Tày": ["Hoàng", "Nông", "Lương", "Vi", "Lộc", "Hà", "Triệu", "Mã", "Hứa", "Chu", "Lăng", "Đàm",
            "Lý", "Linh", "Bế", "Nguyễn", "Hoàng"],
    "Kinh": ["Nguyễn", "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô",
             "Dương", "Đinh", "Phan", "Lương"],
    "Dao": ["Triệu", "Bàn", "Đặng", "Lý", "Chìu", "Phùng", "Dương"],
    "Sán Chay": ["Hoàng", "Lâm", "Lục", "La", "Nịnh"],
    "Hoa": ["Lâm", "Lục", "Hoàng", "Dương", "Lý"],
}

MIDDLE_MALE = ["Văn"] * 12 + ["Đức", "Minh", "Hữu", "Quang", "Thanh", "Xuân", "Ngọc", "Công", "Thế", "Đình"]
MIDDLE_FEMALE = ["Thị"] * 14 + ["Thu", "Thanh", "Ngọc", "Minh", "Hồng", "Kim"]

GIVEN_MALE = [
    "An", "Ấn", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hùng", "Hưng", "Khánh", "Long", "Minh",
    "Nam", "Phong", "Quang", "Sơn", "Thắng", "Thành", "Tiến", "Toàn", "Trung", "Tuấn", "Việt",
    "Vinh", "Chiến", "Lâm", "Lực", "Kiên", "Huy", "Tùng", "Hoàn", "Khoa", "Pao", "Slinh", "Thao",
    "Quý", "Tường", "Nghĩa", "Hòa", "Lợi", "Thái", "Bảo", "Cảnh", "Định", "Giang", "Hiếu", "Kỳ",
]
GIVEN_FEMALE = [
    "Anh", "Chi", "Dung", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Huệ", "Hương", "Lan", "Liên",
    "Linh", "Loan", "Mai", "Nga", "Ngọc", "Nhung", "Phương", "Quyên", "Thảo", "Thu", "Thủy",
    "Trang", "Tuyết", "Vân", "Yến", "Lụa", "Mến", "Slao", "Duyên", "Giang", "Lý", "Oanh", "Thơm",
]

RELIGIONS = [("", 97), ("Phật giáo", 2), ("Công giáo", 1)]

# Syllables of Tày-Nùng place names (Nà = field, Khuổi = stream, Pác = mouth, Pò = hill...).
VILLAGE_HEADS = ["Nà", "Khuổi", "Pác", "Bản", "Pò", "Kéo", "Phiêng", "Lủng", "Cốc", "Khòn", "Khau",
                 "Co", "Pắc", "Tà", "Bó", "Nà", "Khuổi", "Slăng", "Còn", "Hang"]
VILLAGE_TAILS = ["Pàn", "Mò", "Làng", "Tát", "Chang", "Bây", "Sla", "Nưa", "Cải", "Lòa", "Háng",
                 "Phầy", "Nghiều", "Mạ", "Thẩu", "Riềng", "Lầy", "Pục", "Rọ", "Vằng", "Chu", "Hẩu",
                 "Lếch", "Sàn", "Mười", "Khoang", "Luông", "Pảng", "Cáy", "Nặm", "Tổng", "Đeng"]

# Party organizations of the province's agencies (Đảng bộ Khối các cơ quan tỉnh), with how many
# subordinate cells each has when it is a đảng bộ cơ sở (0 = chi bộ cơ sở) and its type.
PROVINCE_AGENCIES = [
    ("Văn phòng Tỉnh ủy", 4, "agency", "party"), ("Ban Tổ chức Tỉnh ủy", 3, "agency", "party"),
    ("Ban Tuyên giáo Tỉnh ủy", 3, "agency", "party"), ("Ủy ban Kiểm tra Tỉnh ủy", 3, "agency", "party"),
    ("Ban Dân vận Tỉnh ủy", 0, "agency", "party"), ("Ban Nội chính Tỉnh ủy", 0, "agency", "party"),
    ("Trường Chính trị Hoàng Văn Thụ", 4, "public_service", "party"), ("Báo Lạng Sơn", 3, "public_service", "party"),
    ("Ủy ban Mặt trận Tổ quốc tỉnh", 3, "agency", "party"), ("Tỉnh đoàn Lạng Sơn", 0, "agency", "party"),
    ("Hội Liên hiệp Phụ nữ tỉnh", 0, "agency", "party"), ("Hội Nông dân tỉnh", 0, "agency", "party"),
    ("Hội Cựu chiến binh tỉnh", 0, "agency", "party"), ("Liên đoàn Lao động tỉnh", 3, "agency", "party"),
    ("Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh", 3, "agency", "state"),
    ("Văn phòng Ủy ban nhân dân tỉnh", 5, "agency", "state"), ("Sở Tài chính", 5, "agency", "state"),
    ("Sở Kế hoạch và Đầu tư", 4, "agency", "state"), ("Sở Nội vụ", 4, "agency", "state"),
    ("Sở Lao động - Thương binh và Xã hội", 5, "agency", "state"), ("Sở Tư pháp", 3, "agency", "state"),
    ("Sở Công Thương", 5, "agency", "state"), ("Sở Xây dựng", 4, "agency", "state"),
    ("Sở Giao thông vận tải", 5, "agency", "state"), ("Sở Nông nghiệp và Phát triển nông thôn", 8, "agency", "state"),
    ("Sở Tài nguyên và Môi trường", 5, "agency", "state"), ("Sở Giáo dục và Đào tạo", 5, "agency", "state"),
    ("Sở Y tế", 4, "agency", "state"), ("Sở Văn hóa, Thể thao và Du lịch", 6, "agency", "state"),
    ("Sở Khoa học và Công nghệ", 3, "agency", "state"), ("Sở Thông tin và Truyền thông", 3, "agency", "state"),
    ("Sở Ngoại vụ", 0, "agency", "state"), ("Thanh tra tỉnh", 3, "agency", "state"),
    ("Ban Dân tộc tỉnh", 0, "agency", "state"), ("Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng - Lạng Sơn", 4, "agency", "state"),
    ("Tòa án nhân dân tỉnh", 3, "agency", "state"), ("Viện Kiểm sát nhân dân tỉnh", 3, "agency", "state"),
    ("Cục Thi hành án dân sự tỉnh", 3, "agency", "state"), ("Cục Thuế tỉnh", 5, "agency", "state"),
    ("Cục Hải quan tỉnh", 0, "agency", "state"), ("Kho bạc Nhà nước tỉnh", 3, "agency", "state"),
    ("Bảo hiểm xã hội tỉnh", 4, "public_service", "state"), ("Cục Thống kê tỉnh", 3, "agency", "state"),
    ("Ngân hàng Nhà nước chi nhánh tỉnh", 0, "agency", "state"), ("Đài Phát thanh và Truyền hình tỉnh", 4, "public_service", "state"),
    ("Bệnh viện Đa khoa tỉnh", 9, "public_service", "state"), ("Bệnh viện Y dược cổ truyền tỉnh", 3, "public_service", "state"),
    ("Bệnh viện Phục hồi chức năng tỉnh", 0, "public_service", "state"), ("Trung tâm Kiểm soát bệnh tật tỉnh", 3, "public_service", "state"),
    ("Trường Cao đẳng Sư phạm Lạng Sơn", 4, "public_service", "state"), ("Trường Cao đẳng Y tế Lạng Sơn", 3, "public_service", "state"),
    ("Trường Cao đẳng Nghề Lạng Sơn", 3, "public_service", "state"), ("Trường THPT Chuyên Chu Văn An", 0, "public_service", "state"),
    ("Trường THPT Việt Bắc", 0, "public_service", "state"), ("Trường THPT Dân tộc nội trú tỉnh", 0, "public_service", "state"),
    ("Trường THPT Hoàng Văn Thụ", 0, "public_service", "state"), ("Trường THPT Ngô Thì Sỹ", 0, "public_service", "state"),
    ("Thư viện tỉnh", 0, "public_service", "state"), ("Bảo tàng tỉnh", 0, "public_service", "state"),
    ("Trung tâm Văn hóa, Điện ảnh tỉnh", 0, "public_service", "state"), ("Quỹ Đầu tư phát triển tỉnh", 0, "public_service", "state"),
    ("Hội Chữ thập đỏ tỉnh", 0, "other", "party"), ("Liên minh Hợp tác xã tỉnh", 0, "other", "state"),
    ("Hội Văn học Nghệ thuật tỉnh", 0, "other", "party"), ("Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp", 0, "public_service", "state"),
]

# 1 March 2025: the provincial departments were merged (Nghị quyết 190/2025/QH15 and the
# Government's decrees on the structure of provincial departments); absorbing → absorbed, new name.
DEPARTMENT_MERGERS_2025 = [
    ("Sở Tài chính", ["Sở Kế hoạch và Đầu tư"], "Sở Tài chính"),
    ("Sở Xây dựng", ["Sở Giao thông vận tải"], "Sở Xây dựng"),
    ("Sở Nông nghiệp và Phát triển nông thôn", ["Sở Tài nguyên và Môi trường"], "Sở Nông nghiệp và Môi trường"),
    ("Sở Khoa học và Công nghệ", ["Sở Thông tin và Truyền thông"], "Sở Khoa học và Công nghệ"),
    ("Sở Nội vụ", ["Sở Lao động - Thương binh và Xã hội"], "Sở Nội vụ"),
]

# State enterprises under the Đảng bộ Khối doanh nghiệp tỉnh: (name, cells, type).
PROVINCE_ENTERPRISES = [
    ("Công ty Điện lực Lạng Sơn", 0, "enterprise_state"), ("Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh Lạng Sơn", 4, "enterprise_state"),
    ("Ngân hàng TMCP Ngoại thương chi nhánh Lạng Sơn", 3, "enterprise_state"), ("Ngân hàng TMCP Đầu tư và Phát triển chi nhánh Lạng Sơn", 3, "enterprise_state"),
    ("Ngân hàng TMCP Công thương chi nhánh Lạng Sơn", 3, "enterprise_state"), ("Ngân hàng Chính sách xã hội chi nhánh Lạng Sơn", 3, "enterprise_state"),
    ("Viễn thông Lạng Sơn", 4, "enterprise_state"), ("Viettel Lạng Sơn", 4, "enterprise_state"),
    ("Bưu điện tỉnh Lạng Sơn", 3, "enterprise_state"), ("Công ty Xổ số kiến thiết Lạng Sơn", 0, "enterprise_state"),
    ("Công ty Cấp thoát nước Lạng Sơn", 3, "enterprise_state"), ("Công ty Xi măng Đồng Bành", 4, "enterprise_state"),
    ("Công ty Xi măng Lạng Sơn", 3, "enterprise_state"), ("Công ty Than Na Dương", 5, "enterprise_state"),
    ("Nhà máy Nhiệt điện Na Dương", 4, "enterprise_state"), ("Công ty Quản lý và Xây dựng đường bộ Lạng Sơn", 3, "enterprise_state"),
    ("Công ty Môi trường và Dịch vụ đô thị Lạng Sơn", 3, "enterprise_state"), ("Công ty Khai thác công trình thủy lợi Lạng Sơn", 4, "enterprise_state"),
    ("Công ty Lâm nghiệp Lạng Sơn", 3, "enterprise_state"), ("Công ty Phát hành sách Lạng Sơn", 0, "enterprise_state"),
    ("Công ty Dược - Vật tư y tế Lạng Sơn", 0, "enterprise_state"), ("Công ty Bến xe Lạng Sơn", 0, "enterprise_state"),
    ("Công ty Thương mại Lạng Sơn", 0, "enterprise_state"), ("Công ty In Lạng Sơn", 0, "enterprise_state"),
    ("Công ty Xuất nhập khẩu Lạng Sơn", 0, "enterprise_state"), ("Công ty Du lịch Lạng Sơn", 0, "enterprise_state"),
]

# Subdivisions used for subordinate cells of agency and enterprise committees.
AGENCY_CELLS = [
    "Văn phòng", "Phòng Tổ chức cán bộ", "Phòng Kế hoạch - Tài chính", "Thanh tra", "Phòng Nghiệp vụ 1",
    "Phòng Nghiệp vụ 2", "Phòng Quản lý", "Chi cục", "Trung tâm", "Phòng Pháp chế", "Phòng Tổng hợp",
    "Ban Quản lý dự án", "Phòng Hành chính - Quản trị", "Phòng Kiểm tra", "Phòng Chính sách",
    "Đội Kiểm tra", "Trung tâm Dịch vụ", "Phòng Công nghệ thông tin", "Hưu trí",
]
HOSPITAL_CELLS = ["Khối Nội", "Khối Ngoại", "Khoa Sản", "Khoa Nhi", "Khối Cận lâm sàng", "Khoa Khám bệnh",
                  "Khoa Hồi sức cấp cứu", "Phòng chức năng", "Khoa Truyền nhiễm"]
ENTERPRISE_CELLS = ["Văn phòng", "Phòng Kế toán", "Phòng Kỹ thuật", "Phân xưởng 1", "Phân xưởng 2",
                    "Đội Sản xuất", "Phòng Kinh doanh", "Chi nhánh", "Đội Vận tải", "Phòng Giao dịch"]

# Grassroots organizations of a district, with type, kind (cells: 0 = chi bộ cơ sở) and a role
# that decides what happens to it in July 2025.
DISTRICT_ORGS = [
    ("Cơ quan Huyện ủy", 0, "agency", "d_party"),
    ("Cơ quan Mặt trận và các đoàn thể huyện", 0, "agency", "d_party"),
    ("Cơ quan Chính quyền huyện", 6, "agency", "d_gov"),
    ("Tòa án nhân dân huyện", 0, "agency", "d_judicial"),
    ("Viện Kiểm sát nhân dân huyện", 0, "agency", "d_judicial"),
    ("Chi cục Thi hành án dân sự huyện", 0, "agency", "d_judicial"),
    ("Chi cục Thuế huyện", 0, "agency", "d_vertical"),
    ("Kho bạc Nhà nước huyện", 0, "agency", "d_vertical"),
    ("Bảo hiểm xã hội huyện", 0, "public_service", "d_vertical"),
    ("Trung tâm Y tế huyện", 3, "public_service", "d_service"),
    ("Trường THPT", 0, "public_service", "d_service"),
    ("Trường Phổ thông Dân tộc nội trú huyện", 0, "public_service", "d_service"),
    ("Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên huyện", 0, "public_service", "d_service"),
    ("Phòng Giáo dục và Đào tạo huyện", 0, "agency", "d_service"),
    ("Trung tâm Văn hóa, Thể thao và Truyền thông huyện", 0, "public_service", "d_service"),
    ("Hạt Kiểm lâm huyện", 0, "agency", "d_service"),
    ("Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh huyện", 0, "enterprise_state", "d_service"),
    ("Ngân hàng Chính sách xã hội phòng giao dịch huyện", 0, "public_service", "d_service"),
    ("Bưu điện huyện", 0, "enterprise_state", "d_service"),
    ("Ban Quản lý dự án đầu tư xây dựng huyện", 0, "public_service", "d_service"),
    ("Trung tâm Dịch vụ nông nghiệp huyện", 0, "public_service", "d_service"),
    ("Trung tâm Phát triển quỹ đất huyện", 0, "public_service", "d_service"),
    ("Hạt Quản lý đường bộ huyện", 0, "public_service", "d_service"),
    ("Đội Quản lý thị trường huyện", 0, "agency", "d_service"),
    ("Chi nhánh Văn phòng đăng ký đất đai huyện", 0, "public_service", "d_service"),
    ("Trường THCS thị trấn", 0, "public_service", "d_service"),
    ("Trường Tiểu học thị trấn", 0, "public_service", "d_service"),
    ("Trường Mầm non thị trấn", 0, "public_service", "d_service"),
    ("Cửa hàng Xăng dầu huyện", 0, "enterprise_state", "d_service"),
    ("Ban Chỉ huy Quân sự huyện", 0, "armed_forces", "d_military"),
    ("Công an huyện", 4, "armed_forces", "d_police"),
]

COMPANY_FORMS = ["Công ty TNHH", "Công ty Cổ phần", "Công ty TNHH", "Hợp tác xã"]
COMPANY_SECTORS = ["Thương mại", "Xây dựng", "Vận tải", "Xuất nhập khẩu", "Đầu tư", "Dịch vụ", "Lâm sản",
                   "Vật liệu xây dựng", "Du lịch", "Chế biến nông sản", "Khai khoáng", "Dược liệu"]
COMPANY_BRANDS = ["Hoàng Long", "Kỳ Lừa", "Mẫu Sơn", "Đồng Đăng", "Xứ Lạng", "Tân Thanh", "Hữu Nghị",
                  "Nhị Thanh", "Tam Thanh", "Chi Lăng", "Bắc Sơn", "Phú Lộc", "Thành Đạt", "Minh Phát",
                  "Việt Bắc", "Đông Bắc", "Kim Anh", "Hoàng Gia", "Trường Thịnh", "An Phú", "Phai Vệ",
                  "Na Sầm", "Bình Gia", "Hồng Phong", "Đại Phát", "Thiên Long", "Hải Yến", "Lộc Thành"]

# The provincial police and military.
POLICE_UNITS = ["Phòng Tham mưu", "Phòng An ninh chính trị nội bộ", "Phòng An ninh kinh tế",
                "Phòng Cảnh sát hình sự", "Phòng Cảnh sát kinh tế", "Phòng Cảnh sát điều tra tội phạm về ma túy",
                "Phòng Cảnh sát giao thông", "Phòng Cảnh sát quản lý hành chính về trật tự xã hội",
                "Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ", "Phòng Cảnh sát cơ động",
                "Phòng Quản lý xuất nhập cảnh", "Phòng Hậu cần", "Phòng Tổ chức cán bộ", "Trại tạm giam",
                "Phòng Cảnh sát điều tra", "Phòng An ninh đối ngoại", "Phòng Kỹ thuật hình sự", "Phòng Hồ sơ"]
MILITARY_UNITS = ["Cơ quan Bộ Chỉ huy Quân sự tỉnh", "Trường Quân sự tỉnh", "Tiểu đoàn Bộ binh",
                  "Đại đội Trinh sát", "Đại đội Công binh", "Đại đội Thông tin", "Kho Kỹ thuật",
                  "Ban Chỉ huy Quân sự thành phố", "Trung đội Pháo phòng không", "Đại đội Hóa học"]
BORDER_POSTS = ["Hữu Nghị", "Đồng Đăng", "Tân Thanh", "Bảo Lâm", "Chi Ma", "Cốc Nam", "Thanh Lòa",
                "Pò Mã", "Bình Nghi", "Tân Mỹ", "Tú Mịch", "Mẫu Sơn", "Cao Lâu", "Xuất Lễ", "Quốc Khánh",
                "Đội Cấn"]
