"""Benchmark: every page of the demo, timed one request at a time (issue 11: "every page of the
demo under 1 s p95").

    DEBUG=1 GRASSROOTS_VAR_DIR=... [DATABASE_URL=...] .venv/bin/python bench/pages_bench.py \
        [--users admin_ls,xa_canbo] [--repeat 5] [--only results] [--json FILE]

Needs the demo province (`grassroots demo`). Runs in this process through Django's test client
(no server, no network), logged in as each account in turn: the province administrator
(`admin_ls`), the clerk of today's commune (`xa_canbo`) and the province's inspector
(`kiemtra_ls`, the inspection pages). Every URL pattern of the project (the
persona matrix's rows, tests/access_rules/) is either timed here with demo data or named with the
reason it is not (POST-only actions, the Django admin). Prints, per account and page, the status,
the p50 and p95 of the wall time over `--repeat` requests (after one warm-up request), and the
SQL statements of one request. Reading the member page writes a profile-view record, as it
does for a person; nothing else is written (each account gets one API token, revoked at the end).

The machine is shared: say the load (`uptime`) next to any number recorded from here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

from pg_cpu import proc_cpu  # bench/ is the script's own folder on sys.path

ROOT = Path(__file__).resolve().parent.parent

# Patterns that are not a page to time, and why (every other pattern must have a URL below).
NOT_TIMED = {
    "admin/": "the Django admin (superusers only)",
    "logout/": "POST only",
    "i18n/setlang/": "POST only",
    "login/": "timed anonymously as 'login'",
    "accounts/2fa/verify/": "needs a pending second factor",
    "api/tokens/<int:pk>/revoke/": "POST only",
    "assessments/open/": "POST only",
    "assessments/results/<str:code>/<int:year>/plan/": "POST only",
    "assessments/rounds/<int:pk>/<str:code>/save/": "POST only",
    "assessments/rounds/<int:pk>/<str:code>/approve/": "POST only",
    "assessments/rounds/<int:pk>/<str:code>/send-back/": "POST only",
    "assessments/rounds/<int:pk>/<str:code>/import/": "POST only",
    "excel/import/": "POST only (upload)",
    "excel/import/<int:pk>/confirm/": "POST only",
    "development/units/<str:code>/import/": "POST only (upload)",
    "development/candidates/<int:pk>/documents/": "POST only (upload)",
    "events/<int:pk>/void/": "a form; timed as 'event void form'",
    "units/<str:code>/villages/<str:village>/arrangement/": "a form; timed when the demo has a village",
    # Later modules' actions that only accept a POST (or answer a GET with 405).
    "development/candidates/<int:pk>/steps/<int:step_pk>/void/": "a form for an entry made by mistake",
    "development/rules/holidays/<int:pk>/remove/": "POST only",
    "directives/documents/<int:pk>/files/": "POST only (upload)",
    "directives/documents/<int:pk>/studies/": "POST only",
    "inspection/units/<str:code>/import/": "POST only (upload)",
    "inspection/cases/<int:pk>/scans/": "POST only (upload)",
    "inspection/suspensions/<int:pk>/lift/": "POST only",
    "cadres/posts/<int:pk>/end/": "POST only",
    "cadres/courses/<int:pk>/enrol/": "POST only",
    "cadres/courses/<int:pk>/result/": "POST only",
    "meetings/units/<str:code>/import/": "POST only (upload)",
    "meetings/<int:pk>/approve/": "POST only",
    "plans/upload/": "POST only (upload)",
    "plans/<int:pk>/apply/": "POST only",
    "api/v1/plans/<int:pk>/check/": "POST only",
    "api/v1/plans/<int:pk>/apply/": "POST only",
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def demo_objects(user) -> dict:
    """The demo rows each page is opened on, inside the account's scope."""
    from grassroots.assessments.models import Round
    from grassroots.development.models import Candidate, Document
    from grassroots.excel.models import ExportJob, ImportJob
    from grassroots.members.models import MemberEvent, MemberStint
    from grassroots.organizations.models import Unit, UnitAncestry, UnitVersion
    from grassroots.organizations.queries import on
    from grassroots.reports.models import ReportJob
    from grassroots.territory.models import Village

    today = dt.date.today()
    scope = user.scope
    subtree = UnitAncestry.objects.filter(on(today), ancestor=scope).values("descendant_id")
    commune = Unit.objects.get(code="LS-XM06613")
    cell = (
        UnitVersion.objects.filter(on(today), kind="subordinate_cell", parent=commune)
        .order_by("unit__code")
        .first()
    )
    stint = (
        MemberStint.objects.filter(unit_id=cell.unit_id, end__isnull=True).order_by("id").first()
    )
    member = stint.member
    event = MemberEvent.objects.filter(member=member).order_by("date", "id").first()
    rounds = Round.objects.filter(unit__in=subtree.values("descendant_id")).order_by("-year")
    round_ = (
        Round.objects.filter(unit__code="LS").order_by("-year").first()
        if scope.code == "LS"
        else rounds.first()
    )
    candidate = Candidate.objects.filter(cell__in=subtree.values("descendant_id")).first()
    document = Document.objects.filter(candidate=candidate).first() if candidate else None
    village = Village.objects.filter(versions__unit=commune).first()
    return module_objects(user, subtree) | {
        "scope": scope.code,
        "commune": commune.code,
        "cell": cell.unit.code,
        "member": member.pk,
        "event": event.pk,
        "round": round_,
        "candidate": candidate,
        "document": document,
        "village": village,
        "import_job": ImportJob.objects.filter(user=user).order_by("-pk").first(),
        "report_job": ReportJob.objects.filter(user=user).order_by("-pk").first(),
        "export_job": ExportJob.objects.filter(user=user).order_by("-pk").first(),
    }


def module_objects(user, subtree) -> dict:
    """One row of each later module inside the account's scope (the newest), or None."""
    from grassroots.cadres.models import Course, Holding, Term
    from grassroots.directives.models import Document, DocumentFile
    from grassroots.inspection.models import (
        Appeal,
        Case,
        Decision,
        Programme,
        Recommendation,
        Scan,
        Suspension,
    )  # fmt: skip
    from grassroots.meetings.models import Meeting
    from grassroots.plans.models import Plan

    inside = subtree.values("descendant_id")

    def newest(queryset):
        return queryset.order_by("-pk").first()

    meeting = newest(Meeting.objects.filter(unit__in=inside, kind="regular"))
    return {
        "meeting": meeting,
        "quality_month": meeting and (meeting.unit.code, meeting.date.year, meeting.date.month),
        "directive": newest(Document.objects.filter(issuer__in=inside)),
        "directive_file": newest(DocumentFile.objects.filter(document__issuer__in=inside)),
        "term": newest(Term.objects.filter(unit__in=inside, voided_at__isnull=True)),
        "holding": newest(Holding.objects.filter(unit__in=inside, voided_at__isnull=True)),
        "course": newest(Course.objects.filter(unit__in=inside)),
        "case": newest(Case.objects.filter(unit__in=inside)),
        "decision": newest(Decision.objects.filter(unit__in=inside)),
        "suspension": newest(Suspension.objects.filter(unit__in=inside)),
        "recommendation": newest(Recommendation.objects.filter(case__unit__in=inside)),
        "appeal": newest(Appeal.objects.filter(decision__unit__in=inside)),
        "programme": newest(Programme.objects.filter(unit__in=inside)),
        "scan": newest(Scan.objects.filter(case__unit__in=inside)),
        "plan": newest(Plan.objects.filter(scope__in=inside)),
    }


def module_pages(o: dict, s: str, c: str, cell: str, m: int) -> list[tuple[str, str, str]]:
    """The later modules' pages (meetings, directives, cadres, inspection, plans, their API)."""

    def on(key, url):  # a None URL is reported as skipped (no such object in the demo)
        return o[key] and url.format(pk=o[key].pk)

    year = dt.date.today().year
    q = o["quality_month"]
    return [
        ("meetings/mine/", "my meetings (403 unless member)", "/meetings/mine/"),
        ("meetings/units/<str:code>/", "meeting book (commune)", f"/meetings/units/{c}/"),
        ("meetings/units/<str:code>/", "meeting book (cell)", f"/meetings/units/{cell}/"),
        ("meetings/units/<str:code>/new/", "meeting form", f"/meetings/units/{cell}/new/"),
        (
            "meetings/units/<str:code>/export.xlsx",
            "meetings xlsx (commune)",
            f"/meetings/units/{c}/export.xlsx?year={year}",
        ),
        (
            "meetings/units/<str:code>/quality/<int:year>/<int:month>/",
            "quality sheet",
            q and f"/meetings/units/{q[0]}/quality/{q[1]}/{q[2]}/",
        ),
        ("meetings/<int:pk>/", "meeting", on("meeting", "/meetings/{pk}/")),
        (
            "meetings/<int:pk>/attendance/",
            "attendance",
            on("meeting", "/meetings/{pk}/attendance/"),
        ),
        ("meetings/<int:pk>/correct/", "meeting correct", on("meeting", "/meetings/{pk}/correct/")),
        (
            "meetings/<int:pk>/minutes.<str:fmt>",
            "minutes docx",
            on("meeting", "/meetings/{pk}/minutes.docx"),
        ),
        ("directives/", "directives search", "/directives/?q=nghi quyet"),
        ("directives/units/<str:code>/", "directives inbox", f"/directives/units/{s}/"),
        ("directives/units/<str:code>/new/", "document form", f"/directives/units/{s}/new/"),
        (
            "directives/units/<str:code>/export.xlsx",
            "directives xlsx",
            f"/directives/units/{s}/export.xlsx",
        ),
        (
            "directives/documents/<int:pk>/",
            "document",
            on("directive", "/directives/documents/{pk}/"),
        ),
        (
            "directives/documents/<int:pk>/cascade/<str:code>/",
            "cascade tree",
            on("directive", "/directives/documents/{pk}/cascade/" + s + "/"),
        ),
        (
            "directives/files/<int:pk>/",
            "document file",
            on("directive_file", "/directives/files/{pk}/"),
        ),
        ("cadres/units/<str:code>/", "committee", f"/cadres/units/{c}/"),
        (
            "cadres/units/<str:code>/terms/new/",
            "term form (GET: 405)",
            f"/cadres/units/{c}/terms/new/",
        ),
        (
            "cadres/units/<str:code>/posts/new/",
            "post form (GET: 405)",
            f"/cadres/units/{c}/posts/new/",
        ),
        (
            "cadres/posts/<int:pk>/void/",
            "post void form",
            on("holding", "/cadres/posts/{pk}/void/"),
        ),
        ("cadres/terms/<int:pk>/void/", "term void form", on("term", "/cadres/terms/{pk}/void/")),
        ("cadres/units/<str:code>/courses/", "courses", f"/cadres/units/{s}/courses/"),
        ("cadres/units/<str:code>/courses/new/", "course form", f"/cadres/units/{s}/courses/new/"),
        ("cadres/units/<str:code>/standards/", "standards gaps", f"/cadres/units/{s}/standards/"),
        (
            "cadres/units/<str:code>/standards.xlsx",
            "standards xlsx",
            f"/cadres/units/{s}/standards.xlsx",
        ),
        ("cadres/courses/<int:pk>/", "course", on("course", "/cadres/courses/{pk}/")),
        ("inspection/units/<str:code>/", "inspection", f"/inspection/units/{s}/"),
        (
            "inspection/units/<str:code>/export/",
            "inspection xlsx",
            f"/inspection/units/{s}/export/",
        ),
        (
            "inspection/units/<str:code>/programmes/new/",
            "programme form",
            f"/inspection/units/{s}/programmes/new/",
        ),
        (
            "inspection/programmes/<int:pk>/",
            "programme",
            on("programme", "/inspection/programmes/{pk}/"),
        ),
        (
            "inspection/programmes/<int:pk>/items/new/",
            "programme item form",
            on("programme", "/inspection/programmes/{pk}/items/new/"),
        ),
        (
            "inspection/units/<str:code>/cases/new/",
            "case form",
            f"/inspection/units/{s}/cases/new/",
        ),
        ("inspection/cases/<int:pk>/", "case", on("case", "/inspection/cases/{pk}/")),
        (
            "inspection/cases/<int:pk>/conclude/",
            "conclude form",
            on("case", "/inspection/cases/{pk}/conclude/"),
        ),
        (
            "inspection/cases/<int:pk>/recommendations/new/",
            "recommendation form",
            on("case", "/inspection/cases/{pk}/recommendations/new/"),
        ),
        (
            "inspection/cases/<int:pk>/decisions/new/",
            "decision form",
            on("case", "/inspection/cases/{pk}/decisions/new/"),
        ),
        (
            "inspection/cases/<int:pk>/conclusion.<docfmt:fmt>",
            "conclusion docx",
            on("case", "/inspection/cases/{pk}/conclusion.docx"),
        ),
        (
            "inspection/cases/<int:pk>/suspensions/new/",
            "suspension form",
            on("case", "/inspection/cases/{pk}/suspensions/new/"),
        ),
        (
            "inspection/suspensions/<int:pk>/",
            "suspension",
            on("suspension", "/inspection/suspensions/{pk}/"),
        ),
        (
            "inspection/suspensions/<int:pk>/extend/",
            "suspension extend form",
            on("suspension", "/inspection/suspensions/{pk}/extend/"),
        ),
        (
            "inspection/recommendations/<int:pk>/",
            "recommendation",
            on("recommendation", "/inspection/recommendations/{pk}/"),
        ),
        (
            "inspection/decisions/<int:pk>/",
            "decision",
            on("decision", "/inspection/decisions/{pk}/"),
        ),
        (
            "inspection/decisions/<int:pk>/appeal/",
            "appeal form",
            on("decision", "/inspection/decisions/{pk}/appeal/"),
        ),
        (
            "inspection/decisions/<int:pk>/decision.<docfmt:fmt>",
            "decision docx",
            on("decision", "/inspection/decisions/{pk}/decision.docx"),
        ),
        (
            "inspection/appeals/<int:pk>/decide/",
            "appeal decide form",
            on("appeal", "/inspection/appeals/{pk}/decide/"),
        ),
        ("inspection/scans/<int:pk>/", "inspection scan", on("scan", "/inspection/scans/{pk}/")),
        ("plans/", "plans", "/plans/"),
        ("plans/new/", "plan form", "/plans/new/"),
        ("plans/<int:pk>/", "plan", on("plan", "/plans/{pk}/")),
        ("plans/<int:pk>/changes/", "plan change form", on("plan", "/plans/{pk}/changes/")),
        (
            "plans/<int:pk>/changes/<int:change_pk>/void/",
            "plan change void form",
            o["plan"]
            and o["plan"].changes.first()
            and (f"/plans/{o['plan'].pk}/changes/{o['plan'].changes.first().pk}/void/"),
        ),
        (
            "plans/<int:pk>/changes/<int:change_pk>/edit/",
            "plan change edit form",
            o["plan"]
            and o["plan"].changes.first()
            and (f"/plans/{o['plan'].pk}/changes/{o['plan'].changes.first().pk}/edit/"),
        ),
        (
            "plans/<int:pk>/preview.xlsx",
            "plan preview xlsx",
            on("plan", "/plans/{pk}/preview.xlsx"),
        ),
        ("development/rules/", "development rules", "/development/rules/"),
        ("development/rules/new/", "development rule form", "/development/rules/new/"),
        ("development/rules/holidays/", "holidays", "/development/rules/holidays/"),
        (
            "api/v1/organizations/<str:code>/training/",
            "API training",
            f"/api/v1/organizations/{s}/training/?from={year}-01-01&to={dt.date.today()}",
        ),
        (
            "api/v1/organizations/<str:code>/cadre-standards/",
            "API cadre standards",
            f"/api/v1/organizations/{c}/cadre-standards/",
        ),
        (
            "api/v1/organizations/<str:code>/development/",
            "API development",
            f"/api/v1/organizations/{s}/development/",
        ),
        (
            "api/v1/organizations/<str:code>/candidates/",
            "API candidates",
            f"/api/v1/organizations/{c}/candidates/",
        ),
        (
            "api/v1/organizations/<str:code>/inspection-summary/",
            "API inspection summary",
            f"/api/v1/organizations/{s}/inspection-summary/?from={year}-01-01&to={dt.date.today()}",
        ),
        (
            "api/v1/organizations/<str:code>/meetings/",
            "API meetings",
            f"/api/v1/organizations/{c}/meetings/",
        ),
        ("api/v1/documents/", "API documents", "/api/v1/documents/?q=nghi quyet"),
        (
            "api/v1/documents/<int:pk>/cascade/<str:code>/",
            "API cascade",
            on("directive", "/api/v1/documents/{pk}/cascade/" + s + "/"),
        ),
        (
            "api/v1/documents/files/<int:pk>/",
            "API document file",
            on("directive_file", "/api/v1/documents/files/{pk}/"),
        ),
        ("api/v1/plans/", "API plans", "/api/v1/plans/"),
        ("api/v1/plans/<int:pk>/", "API plan", on("plan", "/api/v1/plans/{pk}/")),
        (
            "api/v1/plans/<int:pk>/preview/",
            "API plan preview",
            on("plan", "/api/v1/plans/{pk}/preview/"),
        ),
    ]


def pages(o: dict) -> list[tuple[str, str, str]]:
    """(pattern, label, URL) for the account's objects `o`; a None URL is reported as skipped."""
    s, c, cell, m = o["scope"], o["commune"], o["cell"], o["member"]
    r = o["round"]
    cand, doc = o["candidate"], o["document"]
    out = [
        ("", "home (dashboard)", "/"),
        ("healthz", "healthz", "/healthz"),
        ("pick/", "picker organization", "/pick/?q=dinh lap"),
        ("pick/", "picker member", "/pick/?type=member&q=nguyen van"),
        ("tree/", "tree", "/tree/"),
        ("tree/", "tree 2019", "/tree/?at=2019-02-23"),
        ("tree/<str:code>/", "tree of the commune", f"/tree/{c}/"),
        ("units/<str:code>/", "organization (scope)", f"/units/{s}/"),
        (
            "units/<str:code>/",
            "organization compare 2008/2019",
            f"/units/{s}/?at=2019-02-23&since=2008-02-02",
        ),
        ("units/<str:code>/", "organization (commune)", f"/units/{c}/"),
        ("units/<str:code>/", "organization (cell)", f"/units/{cell}/"),
        ("units/<str:code>/admit/", "admit form", f"/units/{cell}/admit/"),
        ("units/<str:code>/<str:action>/", "rename form", f"/units/{cell}/rename/"),
        ("units/<str:code>/villages/", "villages", f"/units/{c}/villages/"),
        ("units/<str:code>/villages/new/", "village form", f"/units/{c}/villages/new/"),
        ("units/<str:code>/population/", "population", f"/units/{c}/population/"),
        ("members/", "search 'nguyen van'", "/members/?q=nguyen van"),
        ("members/", "search 'tran'", "/members/?q=tran"),
        ("members/<int:pk>/", "member", f"/members/{m}/"),
        ("members/<int:pk>/edit/", "member edit form", f"/members/{m}/edit/"),
        (
            "members/<int:pk>/events/<str:kind>/",
            "event form (transfer)",
            f"/members/{m}/events/transfer/",
        ),
        ("events/<int:pk>/correct/", "event correct form", f"/events/{o['event']}/correct/"),
        ("events/<int:pk>/void/", "event void form", f"/events/{o['event']}/void/"),
        ("accounts/", "accounts", "/accounts/"),
        ("accounts/new/", "account form", "/accounts/new/"),
        ("accounts/<int:pk>/", "account edit", f"/accounts/{o['user_pk']}/"),
        ("accounts/profile-views/", "profile-view log", "/accounts/profile-views/"),
        ("accounts/password/", "password form", "/accounts/password/"),
        ("accounts/2fa/", "two-factor setup", "/accounts/2fa/"),
        ("excel/", "excel", "/excel/"),
        (
            "excel/templates/<str:kind>.xlsx",
            "template members.xlsx",
            "/excel/templates/members.xlsx",
        ),
        (
            "excel/export/<str:what>/",
            "export figures csv",
            f"/excel/export/figures/?unit={c}&format=csv",
        ),
        (
            "excel/export/<str:what>/",
            "export organizations csv",
            f"/excel/export/organizations/?unit={c}&format=csv",
        ),
        (
            "excel/export/<str:what>/",
            "member export request (commune)",
            f"/excel/export/members/?unit={c}&format=csv",
        ),
        ("assessments/", "assessments", "/assessments/"),
        ("assessments/schemes/", "regulations", "/assessments/schemes/"),
        ("assessments/results/<str:code>/", "rating results (scope)", f"/assessments/results/{s}/"),
        (
            "assessments/results/<str:code>/",
            "rating results (commune)",
            f"/assessments/results/{c}/",
        ),
        (
            "assessments/rounds/<int:pk>/<str:code>/",
            "rating sheet (scope)",
            r and f"/assessments/rounds/{r.pk}/{s}/",
        ),
        (
            "assessments/rounds/<int:pk>/<str:code>/",
            "rating sheet (commune)",
            r and f"/assessments/rounds/{r.pk}/{c}/",
        ),
        (
            "assessments/rounds/<int:pk>/<str:code>/export.xlsx",
            "rating sheet xlsx (commune)",
            r and f"/assessments/rounds/{r.pk}/{c}/export.xlsx",
        ),
        ("development/units/<str:code>/", "development board", f"/development/units/{c}/"),
        ("development/units/<str:code>/new/", "candidate form", f"/development/units/{cell}/new/"),
        (
            "development/units/<str:code>/export.xlsx",
            "development xlsx",
            f"/development/units/{c}/export.xlsx",
        ),
        (
            "development/candidates/<int:pk>/",
            "candidate",
            cand and f"/development/candidates/{cand.pk}/",
        ),
        (
            "development/candidates/<int:pk>/steps/<str:kind>/",
            "step form",
            cand and f"/development/candidates/{cand.pk}/steps/application/",
        ),
        (
            "development/candidates/<int:pk>/resolution.docx",
            "resolution docx",
            cand and f"/development/candidates/{cand.pk}/resolution.docx",
        ),
        ("development/documents/<int:pk>/", "scan", doc and f"/development/documents/{doc.pk}/"),
        ("reports/", "reports", "/reports/"),
        (
            "reports/review/",
            "review (commune 2025-2026)",
            f"/reports/review/?unit={c}&since=2025-07-01&at={dt.date.today()}",
        ),
        (
            "reports/statistics/",
            "statistics gender x age",
            f"/reports/statistics/?unit={s}&at={dt.date.today()}&by=gender,age",
        ),
        ("reports/jobs/", "report jobs (GET: 405)", "/reports/jobs/"),
        (
            "reports/jobs/<int:pk>/",
            "report job",
            o["report_job"] and f"/reports/jobs/{o['report_job'].pk}/",
        ),
        (
            "reports/jobs/<int:pk>/status.json",
            "report job status",
            o["report_job"] and f"/reports/jobs/{o['report_job'].pk}/status.json",
        ),
        (
            "reports/jobs/<int:pk>/download/",
            "report download",
            o["report_job"] and f"/reports/jobs/{o['report_job'].pk}/download/",
        ),
        ("excel/exports/", "export jobs (GET: 405)", "/excel/exports/"),
        (
            "excel/exports/<int:pk>/",
            "export job",
            o["export_job"] and f"/excel/exports/{o['export_job'].pk}/",
        ),
        (
            "excel/exports/<int:pk>/status.json",
            "export job status",
            o["export_job"] and f"/excel/exports/{o['export_job'].pk}/status.json",
        ),
        (
            "excel/exports/<int:pk>/download/",
            "export download",
            o["export_job"] and f"/excel/exports/{o['export_job'].pk}/download/",
        ),
        (
            "excel/import/<int:pk>/",
            "import job",
            o["import_job"] and f"/excel/import/{o['import_job'].pk}/",
        ),
        (
            "excel/import/<int:pk>/status.json",
            "import job status",
            o["import_job"] and f"/excel/import/{o['import_job'].pk}/status.json",
        ),
        (
            "units/<str:code>/villages/<str:village>/arrangement/",
            "village arrangement form",
            o["village"] and f"/units/{c}/villages/{o['village'].code}/arrangement/",
        ),
        ("api/tokens/", "API tokens", "/api/tokens/"),
        ("api/schema/", "API schema", "/api/schema/"),
        ("api/docs/", "API docs", "/api/docs/"),
        ("api/v1/tree/", "API tree", "/api/v1/tree/"),
        ("api/v1/organizations/<str:code>/", "API organization", f"/api/v1/organizations/{c}/"),
        (
            "api/v1/organizations/<str:code>/figures/",
            "API figures",
            f"/api/v1/organizations/{c}/figures/?at={dt.date.today()}&since=2025-07-01",
        ),
        (
            "api/v1/organizations/<str:code>/villages/",
            "API villages",
            f"/api/v1/organizations/{c}/villages/",
        ),
        (
            "api/v1/organizations/<str:code>/population/",
            "API population",
            f"/api/v1/organizations/{c}/population/",
        ),
        (
            "api/v1/organizations/<str:code>/assessments/<int:year>/",
            "API assessments",
            f"/api/v1/organizations/{c}/assessments/{dt.date.today().year - 1}/",
        ),
        ("api/v1/members/", "API search", "/api/v1/members/?q=nguyen van"),
        ("api/v1/members/<int:pk>/", "API member", f"/api/v1/members/{m}/"),
        ("api/v1/members/<int:pk>/events/", "API member events", f"/api/v1/members/{m}/events/"),
    ]
    return out + module_pages(o, s, c, cell, m)


def all_routes() -> list[str]:
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    return list(walk(get_resolver().url_patterns))


def server_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL backends of this database (the pool's
    connections; the server runs on this machine: /proc of each process), 0 on SQLite (its
    work is this process's CPU). Only meaningful when nothing else uses the database."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend'"
        )
        pids = [row[0] for row in cursor.fetchall()]
    return sum(filter(None, map(proc_cpu, pids)), 0.0)  # a backend gone meanwhile: left out


def time_page(client, url: str, repeat: int, headers: dict) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    client.get(url, **headers)  # warm-up: caches, the first compile of templates
    walls, cpus, servers = [], [], []
    for number in range(repeat):
        server = server_cpu()
        start, cpu = time.perf_counter(), time.process_time()
        if number == 0:
            # DEBUG keeps the last 9,000 statements: once full, a capture would count none.
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url, **headers)
            # now: `captured_queries` slices the live log, which the next request resets
            queries = len(ctx.captured_queries)
        else:
            response = client.get(url, **headers)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        servers.append(server_cpu() - server)
    return {
        "status": response.status_code,
        "p50": statistics.median(walls),
        "p95": percentile(walls, 0.95),
        # This process's CPU (SQLite works inside it; PostgreSQL's own CPU is not counted): on
        # a machine shared with other work, the closer estimate of a quiet machine's wall time.
        "cpu_p50": statistics.median(cpus),
        "cpu_p95": percentile(cpus, 0.95),
        # PostgreSQL: its backend's CPU for the request (client CPU + this ≈ a quiet wall)
        "server_cpu_p50": statistics.median(servers),
        "queries": queries,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    # kiemtra_ls: the province's inspector (the only demo account besides the superuser that
    # opens inspection cases; admin_ls gets their 403/404 by design).
    parser.add_argument("--users", default="admin_ls,xa_canbo,kiemtra_ls")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="", help="time only pages whose label contains this")
    parser.add_argument("--json", default="", help="write the results to this file")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    import logging

    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # 403/404 are rows, not noise
    logging.getLogger("grassroots.request").setLevel(logging.WARNING)
    from django.conf import settings
    from django.test import Client

    from grassroots.accounts.models import User
    from grassroots.api.services import token_create, token_revoke
    from grassroots.audit.services import Actor, Source

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.API_RATE_LIMIT = "100000/min"
    results = {"load_before": os.getloadavg(), "database": settings.DATABASES["default"]["ENGINE"]}
    print(f"load average before: {os.getloadavg()}  database: {results['database']}")
    covered: set[str] = set()
    anonymous = Client()
    login = time_page(anonymous, "/login/", args.repeat, {})
    print(f"{'anonymous':<10} {'login':<34} {login['status']} p50 {login['p50'] * 1000:7.0f} ms")
    results["anonymous"] = {"login": login}
    for username in args.users.split(","):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        token, key = token_create(actor=Actor(user, Source.CLI), name="pages_bench")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        objects = demo_objects(user) | {"user_pk": user.pk}
        rows = {}
        try:
            for pattern, label, url in pages(objects):
                covered.add(pattern)
                if args.only and args.only not in label:
                    continue
                if not url:
                    print(f"{username:<10} {label:<34} skipped: no such object in the demo")
                    continue
                row = time_page(client, url, args.repeat, headers if "/api/v1/" in url else {})
                row["url"] = url
                rows[label] = row
                flag = "  > 1 s" if row["p95"] > 1 else ""
                print(
                    f"{username:<10} {label:<34} {row['status']} p50 {row['p50'] * 1000:7.0f} ms"
                    f"  p95 {row['p95'] * 1000:7.0f} ms  cpu p50 {row['cpu_p50'] * 1000:6.0f} ms"
                    f"  server {row['server_cpu_p50'] * 1000:5.0f} ms"
                    f"  {row['queries']:4d} queries{flag}",
                    flush=True,
                )
        finally:
            token_revoke(actor=Actor(user, Source.CLI), token=token)
        results[username] = rows
    missing = [
        r for r in all_routes() if r not in covered and not any(r.startswith(k) for k in NOT_TIMED)
    ]
    results["load_after"] = os.getloadavg()
    print(f"load average after: {os.getloadavg()}")
    print("not timed: " + "; ".join(f"{k} ({v})" for k, v in NOT_TIMED.items()))
    if missing:
        print(f"URL patterns with neither a page here nor a reason: {missing}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
