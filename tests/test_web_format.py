"""Vietnamese display formats (issue 2 §7): 23/02/2019, 61.491, 8,9%."""

import datetime as dt

from django.template import Context, Template

from grassroots.web.templatetags.vn import vdate, vnum, vpct, vsigned


def test_numbers_dates_and_percentages():
    assert vnum(61491) == "61.491"
    assert vnum(1234567) == "1.234.567"
    assert vnum(0) == "0"
    assert vnum(None) == "–"
    assert vsigned(20290) == "+20.290" and vsigned(-1200) == "−1.200" and vsigned(0) == "0"
    assert vpct(8.94) == "8,9%" and vpct(8.95) == "9,0%" and vpct(12.3456) == "12,3%"
    assert vpct(None) == "–"
    assert vdate(dt.date(2019, 2, 23)) == "23/02/2019"
    assert vdate(None) == ""


def test_filters_in_a_template():
    template = Template("{% load vn %}{{ n|vnum }} {{ p|vpct }} {{ d|vdate }}")
    out = template.render(Context({"n": 41201, "p": 8.9, "d": dt.date(2008, 2, 2)}))
    assert out == "41.201 8,9% 02/02/2008"
