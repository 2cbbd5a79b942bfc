"""Shapes of the API's answers and inputs (they also write the OpenAPI schema)."""

from rest_framework import serializers

from grassroots.formats.vi.formats import DATE_INPUT_FORMATS


class DatesQuery(serializers.Serializer):
    at = serializers.DateField(required=False, input_formats=DATE_INPUT_FORMATS)
    since = serializers.DateField(required=False, input_formats=DATE_INPUT_FORMATS)

    def validate(self, data):
        if data.get("since") and data.get("at") and data["since"] > data["at"]:
            raise serializers.ValidationError({"since": "Ngày so sánh phải trước ngày xem."})
        return data


class TreeRow(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    type = serializers.CharField(allow_null=True)
    parent = serializers.CharField(allow_null=True)
    depth = serializers.IntegerField()


class Version(serializers.Serializer):
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    name = serializers.CharField()
    kind = serializers.CharField()
    type = serializers.CharField(allow_null=True)
    parent = serializers.CharField(allow_null=True)


class Organization(serializers.Serializer):
    code = serializers.CharField()
    established = serializers.DateField()
    ended = serializers.DateField(allow_null=True)
    versions = Version(many=True)


class MemberRow(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    profile_number = serializers.CharField()


class Member(MemberRow):
    gender = serializers.CharField()
    status = serializers.CharField(allow_null=True)
    cell = serializers.CharField(allow_null=True)
    version = serializers.IntegerField()
    profile = serializers.DictField()


class Event(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    date = serializers.DateField()
    unit = serializers.CharField(allow_null=True)
    decision_number = serializers.CharField()
    decision_date = serializers.DateField(allow_null=True)
    issuing_body = serializers.CharField()
    voided = serializers.BooleanField()


class EventInput(serializers.Serializer):
    kind = serializers.CharField()
    date = serializers.CharField(required=False, help_text="YYYY-MM-DD hoặc dd/mm/yyyy")
    unit_code = serializers.CharField(required=False)
    decision_number = serializers.CharField(required=False)
    decision_date = serializers.CharField(required=False)
    issuing_body = serializers.CharField(required=False)
    discipline_form = serializers.CharField(required=False)
    place = serializers.CharField(required=False)
    note = serializers.CharField(required=False)
    confirm_future = serializers.BooleanField(
        required=False,
        help_text="true: ghi sự kiện có ngày hiệu lực sau hơn FUTURE_EVENT_CONFIRM_DAYS ngày kể "
        "từ hôm nay (không có thì bị từ chối)",
    )
    expected_version = serializers.IntegerField(
        required=False, help_text="phiên bản hồ sơ đã đọc (khóa lạc quan); mặc định: hiện tại"
    )


class Village(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    arrangement = serializers.CharField()
    unit = serializers.CharField()
    cell = serializers.CharField()
    since = serializers.DateField()


class Villages(serializers.Serializer):
    at = serializers.DateField()
    counts = serializers.DictField(child=serializers.IntegerField())
    villages = Village(many=True)


class Population(serializers.Serializer):
    year = serializers.IntegerField()
    population = serializers.IntegerField()
