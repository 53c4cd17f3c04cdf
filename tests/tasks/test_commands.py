"""Each job runs once from a command; running a command twice changes nothing the second time."""

import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command

from legality.locks import job_lock
from legality.models import ReviewFlag, SourceCheck
from tests.factories import LegalStatusFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_flag_stale_twice_opens_flags_once(capsys):
    LegalStatusFactory(status="banned", last_verified_at=date(2026, 1, 1))

    call_command("flag_stale", "--as-of", "2026-06-01")
    call_command("flag_stale", "--as-of", "2026-06-01")

    out = capsys.readouterr().out.splitlines()
    assert out == [
        "Flags as of 2026-06-01: opened 1 overdue, 0 effective_date_reached; "
        "closed 0 overdue, 0 effective_date_reached.",
        "Flags as of 2026-06-01: opened 0 overdue, 0 effective_date_reached; "
        "closed 0 overdue, 0 effective_date_reached.",
    ]
    assert ReviewFlag.objects.count() == 1


def test_a_command_refuses_while_the_job_runs_elsewhere():
    with job_lock("flag_stale_entries", owner="elsewhere", ttl=timedelta(minutes=1)):
        with pytest.raises(CommandError, match="in progress"):
            call_command("flag_stale")


class Ok(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        self.send_response(200)
        self.send_header("Content-Length", "7")
        self.end_headers()
        self.wfile.write(b"Statute")


@pytest.fixture
def local_url(settings):
    settings.SOURCE_CHECK_ALLOW_PRIVATE_NETWORKS = ["127.0.0.1/32"]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_check_sources_twice_records_two_checks_and_flags_nothing(local_url, capsys):
    source = SourceFactory(url=f"{local_url}/statute")
    LegalStatusFactory(sources=[source])

    call_command("check_sources")
    call_command("check_sources")

    out = capsys.readouterr().out.splitlines()
    assert [line.split(" in ")[0] for line in out] == ["Checked 1 sources"] * 2
    assert all("1 reachable, 0 failed, 0 changed" in line for line in out)
    assert SourceCheck.objects.filter(source=source).count() == 2
    assert not ReviewFlag.objects.exists()
