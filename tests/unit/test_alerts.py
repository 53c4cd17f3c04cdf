"""Alerts for a place: double opt-in, what counts as a change, and sending each event once."""

import datetime
import re
from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from legality.alerts import (
    UnknownSubscription,
    announce_changes,
    confirm_subscription,
    delete_unconfirmed,
    record_answer_changes,
    send_alert_messages,
    subscribe,
    unsubscribe,
)
from legality.curation import save_legal_status
from legality.models import AlertMessage, AlertOutbox, LegalStatus, Subscription
from tests.factories import CuratorFactory, LegalStatusFactory, SourceFactory
from tests.geo_factories import NamedCountyFactory, NamedPlaceFactory, UsStateFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 6)
NOW = datetime.datetime(2026, 12, 6, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def place(db):
    state = UsStateFactory(name="Mississippi", postal_code="MS")
    county = NamedCountyFactory(parent=state, name="Lee County")
    return NamedPlaceFactory(parent=state, name="Tupelo", counties=[county])


def follow(
    place, *, email="reader@example.org", substance=None, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signup = subscribe(email="reader@example.org", jurisdiction=place, substance=substance)
    token = Subscription.objects.get(pk=signup.subscription_id).token
    mail.outbox.clear()  # the confirmation email
    return confirm_subscription(token, now=NOW)


def change(entry: LegalStatus, **values) -> None:
    for name, value in values.items():
        setattr(entry, name, value)
    save_legal_status(entry, sources=entry.sources.all(), by=CuratorFactory())


def test_sign_up_emails_a_confirmation_link_after_commit(place, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signup = subscribe(email="Reader@Example.ORG", jurisdiction=place, substance=None)
    assert mail.outbox == []  # nothing before the commit

    for callback in callbacks:
        callback()

    subscription = Subscription.objects.get(pk=signup.subscription_id)
    assert subscription.email == "Reader@example.org"
    assert subscription.confirmed_at is None
    [email] = mail.outbox
    assert email.to == ["Reader@example.org"]
    assert f"/alerts/confirm/{subscription.token}/" in email.body


def test_second_sign_up_of_a_confirmed_address_sends_nothing(
    place, django_capture_on_commit_callbacks
):
    follow(place, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        signup = subscribe(email="reader@example.org", jurisdiction=place, substance=None)

    assert signup.confirmation_sent is False
    assert mail.outbox == []
    assert Subscription.objects.count() == 1


def test_unconfirmed_sign_up_gets_no_alert(place, kratom, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(email="reader@example.org", jurisdiction=place, substance=None)
    mail.outbox.clear()
    LegalStatusFactory(jurisdiction=place.parent, substance=kratom, status="banned")
    record_answer_changes([place.parent_id], reason="test")

    announce_changes(today=TODAY)

    assert send_alert_messages(now=NOW) == 0
    assert mail.outbox == []


def test_state_change_reaches_a_city_subscriber_once_with_old_new_date_and_sources(
    place, kratom, django_capture_on_commit_callbacks
):
    state_entry = LegalStatusFactory(
        jurisdiction=place.parent, substance=kratom, status="regulated", minimum_age=21
    )
    subscription = follow(
        place, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    mail.outbox.clear()
    source = SourceFactory(
        title="Senate Bill 2001", url="https://ms.example/sb2001", citation="Miss. SB 2001"
    )
    state_entry.sources.add(source)

    with django_capture_on_commit_callbacks(execute=False):
        change(
            state_entry,
            status="banned",
            minimum_age=None,
            effective_from=date(2026, 7, 1),
            effective_from_precision="day",
        )
    assert AlertOutbox.objects.pending().filter(jurisdiction=place.parent).exists()

    run = announce_changes(today=TODAY)
    sent = send_alert_messages(now=NOW)

    # Kratom changed, and 7-OH with it: the state's kratom ban covers 7-OH products.
    assert (run.places_compared, run.messages_queued, run.outbox_processed) == (1, 2, 1)
    assert sent == 1  # one email for both
    [email] = mail.outbox
    assert email.to == [subscription.email]
    assert "Kratom: regulated, 21 and over -> banned (decided by Mississippi)" in email.body
    assert "in force from 2026-07-01" in email.body
    assert "7-OH: no entry (we don't know) -> banned (decided by Mississippi)" in email.body
    assert "Senate Bill 2001 (Miss. SB 2001) https://ms.example/sb2001" in email.body
    unsubscribe_url = f"http://127.0.0.1:8000/alerts/unsubscribe/{subscription.token}/"
    assert email.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_url in email.body

    # Run again: the outbox is read, the answer was told, nothing is sent twice.
    assert announce_changes(today=TODAY).messages_queued == 0
    assert send_alert_messages(now=NOW) == 0
    assert len(mail.outbox) == 1


def test_county_change_reaches_subscribers_of_places_in_that_county(
    place, kratom, django_capture_on_commit_callbacks
):
    follow(
        place,
        substance=kratom,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    county = place.counties.get()
    LegalStatusFactory(jurisdiction=county, substance=kratom, status="banned", applies_to="whole")
    record_answer_changes([county.pk], reason="test")

    assert announce_changes(today=TODAY).messages_queued == 1


def test_a_change_elsewhere_compares_no_place(place, kratom, django_capture_on_commit_callbacks):
    follow(place, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    other = UsStateFactory(name="Ohio", postal_code="OH")
    record_answer_changes([other.pk], reason="test")

    run = announce_changes(today=TODAY)

    assert (run.places_compared, run.messages_queued, run.outbox_processed) == (0, 0, 1)


def test_an_edit_that_changes_no_answer_sends_nothing(
    place, kratom, django_capture_on_commit_callbacks
):
    entry = LegalStatusFactory(jurisdiction=place, substance=kratom, status="banned")
    follow(place, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)

    change(entry, summary="A clearer summary.")

    assert announce_changes(today=TODAY).messages_queued == 0


def test_seven_oh_only_subscriber_hears_nothing_of_kratom(
    place, kratom, seven_oh, django_capture_on_commit_callbacks
):
    follow(
        place,
        substance=seven_oh,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    LegalStatusFactory(jurisdiction=place, substance=kratom, status="legal")
    record_answer_changes([place.pk], reason="test")

    assert announce_changes(today=TODAY).messages_queued == 0


def test_dated_change_is_announced_once_when_thirty_days_away(
    place, kratom, django_capture_on_commit_callbacks
):
    LegalStatusFactory(
        jurisdiction=place,
        substance=kratom,
        status="legal",
        effective_until=date(2027, 1, 20),
    )
    LegalStatusFactory(
        jurisdiction=place, substance=kratom, status="banned", effective_from=date(2027, 1, 20)
    )
    follow(
        place,
        substance=kratom,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )

    too_early = announce_changes(today=date(2026, 12, 20), every_place=True)  # 31 days ahead
    in_time = announce_changes(today=date(2026, 12, 21), every_place=True)  # 30 days ahead
    again = announce_changes(today=date(2026, 12, 22), every_place=True)

    assert (too_early.messages_queued, again.messages_queued) == (0, 1)  # queued, then ignored
    assert in_time.messages_queued == 1
    [message] = AlertMessage.objects.all()
    assert message.kind == AlertMessage.Kind.UPCOMING
    send_alert_messages(now=NOW)
    assert "from 2027-01-20, Tupelo says banned (today: legal)" in mail.outbox[-1].body


def test_daily_run_sees_a_dated_change_take_effect_without_an_edit(
    place, kratom, django_capture_on_commit_callbacks
):
    LegalStatusFactory(
        jurisdiction=place, substance=kratom, status="legal", effective_until=date(2027, 1, 1)
    )
    LegalStatusFactory(
        jurisdiction=place, substance=kratom, status="banned", effective_from=date(2027, 1, 1)
    )
    follow(
        place,
        substance=kratom,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    AlertMessage.objects.all().delete()  # the 30-day notice is another test's subject

    announce_changes(today=date(2027, 1, 1), every_place=True)

    assert AlertMessage.objects.filter(kind="changed").count() == 1


def test_two_runs_seeing_one_change_queue_one_message(
    place, kratom, django_capture_on_commit_callbacks
):
    subscription = follow(
        place,
        substance=kratom,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    LegalStatusFactory(jurisdiction=place, substance=kratom, status="banned")
    record_answer_changes([place.pk], reason="test")
    told = dict(subscription.last_answer)

    announce_changes(today=TODAY)
    # A second run that read the subscription before the first one stored the new answer:
    Subscription.objects.filter(pk=subscription.pk).update(last_answer=told)
    record_answer_changes([place.pk], reason="test")
    announce_changes(today=TODAY)

    assert AlertMessage.objects.count() == 1


def test_failed_send_releases_its_claims_and_a_retry_sends_once(
    place, kratom, settings, django_capture_on_commit_callbacks
):
    follow(
        place,
        substance=kratom,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    LegalStatusFactory(jurisdiction=place, substance=kratom, status="banned")
    record_answer_changes([place.pk], reason="test")
    announce_changes(today=TODAY)
    settings.EMAIL_BACKEND = "tests.unit.test_alerts.RefusingBackend"

    with pytest.raises(ConnectionError):
        send_alert_messages(now=NOW)

    assert AlertMessage.objects.get().sent_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_alert_messages(now=NOW) == 1
    assert send_alert_messages(now=NOW) == 0
    assert len(mail.outbox) == 1


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, messages):
        raise ConnectionError("the mail server is down")


def test_unsubscribe_deletes_the_address(place, django_capture_on_commit_callbacks):
    subscription = follow(
        place, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )

    unsubscribe(subscription.token)

    assert not Subscription.objects.filter(email=subscription.email).exists()
    with pytest.raises(UnknownSubscription):
        unsubscribe(subscription.token)


def test_unconfirmed_sign_ups_are_deleted_after_seven_days(place):
    old = subscribe(email="old@example.org", jurisdiction=place, substance=None)
    Subscription.objects.filter(pk=old.subscription_id).update(
        created_at=NOW - datetime.timedelta(days=8)
    )
    recent = subscribe(email="new@example.org", jurisdiction=place, substance=None)

    assert delete_unconfirmed(now=NOW) == 1
    assert list(Subscription.objects.values_list("pk", flat=True)) == [recent.subscription_id]


RECORD = """\
entries:
- jurisdiction: {{ocd_id: '{ocd_id}', name: Mississippi, level: state, country: US, state: MS}}
  substance: kratom
  status: {status}
  effective_from: '2025-07-01'
  summary: Kratom rule.
  confidence: high
  confidence_reason: The statute says so.
  sources:
  - {{url: 'https://ms.example/law', title: Law, kind: statute, published: '2025-06-01'}}
"""


def test_loading_changed_facts_writes_the_outbox_and_unchanged_ones_do_not(
    place, kratom, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "ms.yaml"
    path.write_text(RECORD.format(ocd_id=place.parent.ocd_id, status="regulated"))
    call_command("load_statuses", str(path), stdout=StringIO())
    follow(
        place,
        substance=kratom,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    AlertOutbox.objects.all().delete()

    call_command("load_statuses", str(path), stdout=StringIO())
    assert not AlertOutbox.objects.exists()  # nothing changed, nothing to announce

    path.write_text(RECORD.format(ocd_id=place.parent.ocd_id, status="banned"))
    call_command("load_statuses", str(path), stdout=StringIO())
    assert list(AlertOutbox.objects.values_list("jurisdiction_id", flat=True)) == [place.parent_id]
    assert announce_changes(today=TODAY).messages_queued == 1


def test_confirm_link_token_must_match(place):
    with pytest.raises(UnknownSubscription):
        confirm_subscription("", now=NOW)
    with pytest.raises(UnknownSubscription):
        confirm_subscription("not-a-token", now=NOW)


def test_no_address_in_the_subscription_string(place):
    signup = subscribe(email="secret@example.org", jurisdiction=place, substance=None)
    subscription = Subscription.objects.get(pk=signup.subscription_id)
    assert not re.search("secret", str(subscription))
