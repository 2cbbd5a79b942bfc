"""One structured log line per request, with its timings (issue 19, "Health and logs").

JSON on the `grassroots.request` logger: method, path (no query string: it may hold names being
searched), status, total and database milliseconds, the request thread's CPU milliseconds, query
count, user id, request id. The request id is also returned as X-Request-ID so a user's report can
be matched to the line.

`cpu_ms` is the CPU the thread serving the request used meanwhile (`time.thread_time`): under
load `ms` mostly measures waiting for a core, and the CPU is what a page costs the server
(bench/load_run.sh sums it per kind of request; docs/performance.md "Session 10").
"""

from __future__ import annotations

import json
import logging
import time
import uuid

from django.db import connections

logger = logging.getLogger("grassroots.request")


class _QueryTimer:
    def __init__(self) -> None:
        self.count, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        timer = _QueryTimer()
        started, cpu_started = time.perf_counter(), time.thread_time()
        wrappers = [conn.execute_wrapper(timer) for conn in connections.all()]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        response["X-Request-ID"] = request_id
        if logger.isEnabledFor(logging.INFO):
            user = getattr(request, "user", None)
            logger.info(
                json.dumps(
                    {
                        "event": "request",
                        "id": request_id,
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                        "db_ms": round(timer.seconds * 1000, 1),
                        "cpu_ms": round((time.thread_time() - cpu_started) * 1000, 1),
                        "db_queries": timer.count,
                        "user": user.pk if user is not None and user.is_authenticated else None,
                        "token": getattr(request, "api_token_id", None),
                    },
                    ensure_ascii=False,
                )
            )
        return response
