"""Request guards for the whole site: bounded input, and a statement timeout for web requests."""

from collections.abc import Callable

import psycopg.errors
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from legality.input_limits import MAX_PARAMETER_LENGTH, MAX_PATH_LENGTH, control_characters_in

RETRY_AFTER_SECONDS = 30


def _refuse(request: HttpRequest, reason: str, *, status: int) -> HttpResponse:
    headers = {"Cache-Control": "no-store"}
    if status == 503:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": reason}, status=status, headers=headers)
    # The page template reads no database: it must render after a cancelled statement too.
    title = "Try again shortly" if status == 503 else "Bad request"
    context = {"reason": reason, "title": title}
    response = render(request, "legality/bad_request.html", context, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


class RequestBoundsMiddleware:
    """Answer 400, before any other work, to a path or query string no reader would send.

    Control characters anywhere (a NUL reached the database as a 500); an over-long path; an
    over-long query-string value outside the admin. Field-specific limits (a place query's length
    and parts) live with the fields, in forms and serializers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if reason := self._reason_to_refuse(request):
            return _refuse(request, reason, status=400)
        return self.get_response(request)

    @staticmethod
    def _reason_to_refuse(request: HttpRequest) -> str:
        if control_characters_in(request.path):
            return "The address has control characters."
        if len(request.path) > MAX_PATH_LENGTH:
            return f"The address is longer than {MAX_PATH_LENGTH} characters."
        for name, values in request.GET.lists():
            for value in (name, *values):
                if control_characters_in(value):
                    return f"The parameter “{name[:40]}” has control characters."
                if len(value) > MAX_PARAMETER_LENGTH and not request.path.startswith("/admin/"):
                    return f"The parameter “{name[:40]}” is longer than {MAX_PARAMETER_LENGTH}."
        return ""


class StatementTimeoutMiddleware:
    """On PostgreSQL, bound every statement of a web request by WEB_STATEMENT_TIMEOUT seconds.

    The request runs in one transaction that starts with SET LOCAL statement_timeout, so the
    limit ends with the request: workers, commands and migrations never see it. A statement
    cancelled by it answers 503 with a reason instead of pinning a worker.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        milliseconds = int(settings.WEB_STATEMENT_TIMEOUT * 1000)
        if connection.vendor != "postgresql" or milliseconds <= 0:
            return self.get_response(request)
        # No savepoint: inside a test's transaction the limit covers that transaction instead.
        with transaction.atomic(savepoint=False):
            connection.ensure_connection()
            # Straight on the driver's connection: a per-request setting, not a query of the page.
            connection.connection.execute(f"SET LOCAL statement_timeout = {milliseconds}")
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError) and isinstance(
            exception.__cause__, psycopg.errors.QueryCanceled
        ):
            return _refuse(
                request,
                "This request took too long to answer and was stopped. Try again in a moment, "
                "or ask for less (a shorter query, a smaller page).",
                status=503,
            )
        return None
