"""Alerts for a place: double opt-in sign-ups, the outbox of changes, and the emails they cause.

Flow: every write path that changes an entry calls `record_answer_changes` inside its own
transaction (an outbox row per jurisdiction touched). `announce_changes` compares the answer of
each followed place that such a jurisdiction encloses (or of every followed place, on the daily
run, so a dated change that takes effect without an edit is seen too) with what its subscribers
were last told, and queues an AlertMessage per difference and per dated change 30 days ahead.
`send_alert_messages` emails each subscriber's queued messages in one email and marks them sent.
Each step is idempotent: messages are unique per subscription and event, and sending claims
messages with a conditional update first, so a retried or doubled run sends nothing twice.
"""

import datetime
import hashlib
import json
import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from legality.errors import TrackerError
from legality.models import AlertMessage, AlertOutbox, Jurisdiction, Subscription, Substance
from legality.models.alerts import UNCONFIRMED_DAYS
from legality.resolution import UNKNOWN, Result, resolve

UPCOMING_NOTICE_DAYS = 30  # a dated change is announced once, when it is this close
SEND_BATCH = 500  # subscriptions emailed per run; the periodic run sends the rest
SEND_ALERTS_TASK = "legality.send_alerts"


class UnknownSubscription(TrackerError):
    default_message = (
        "This link is not valid any more: the sign-up was deleted (unconfirmed sign-ups are "
        "kept for 7 days) or you already unsubscribed. You can sign up again on the place's page."
    )


@dataclass(frozen=True)
class SignUp:
    subscription_id: int
    confirmation_sent: bool  # False when the address already follows the place


@dataclass(frozen=True)
class AnnounceRun:
    places_compared: int
    messages_queued: int
    outbox_processed: int


# Sign-ups


def normalize_email(address: str) -> str:
    """The address as stored and compared: trimmed, the domain lower-cased (local parts are
    case-sensitive in principle, so they stay as typed)."""
    local, _, domain = address.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def subscribe(*, email: str, jurisdiction: Jurisdiction, substance: Substance | None) -> SignUp:
    """Start a double opt-in: store an unconfirmed sign-up and email its confirmation link.

    A second sign-up for the same address, place and substance reuses the first row: an
    unconfirmed one gets its link again, a confirmed one gets nothing (the caller shows the same
    page either way, so the form never tells whether an address is subscribed). The email is sent
    after the transaction commits.
    """
    email = normalize_email(email)
    lookup = {"email": email, "jurisdiction": jurisdiction, "substance": substance}
    existing = Subscription.objects.filter(**lookup).first()
    if existing is not None and existing.confirmed_at is not None:
        return SignUp(existing.pk, confirmation_sent=False)
    if existing is None:
        try:
            with transaction.atomic():
                existing = Subscription.objects.create(token=secrets.token_urlsafe(32), **lookup)
        except IntegrityError:  # the same sign-up posted twice at once: the first one stands
            existing = Subscription.objects.get(**lookup)
            if existing.confirmed_at is not None:
                return SignUp(existing.pk, confirmation_sent=False)
    subscription_id = existing.pk
    transaction.on_commit(lambda: _send_confirmation(subscription_id))
    return SignUp(subscription_id, confirmation_sent=True)


def confirm_subscription(token: str, *, now: datetime.datetime) -> Subscription:
    """Confirm a sign-up by its token; from now on its place's changes are announced.

    Stores today's answer as the last one told, so the first alert is a real change. Confirming
    twice is harmless. Raises UnknownSubscription for a token we don't hold.
    """
    subscription = find_subscription(token)
    if subscription.confirmed_at is None:
        answer = _answer_for(subscription, on=now.date())
        Subscription.objects.filter(pk=subscription.pk, confirmed_at__isnull=True).update(
            confirmed_at=now, last_answer=answer
        )
        subscription.refresh_from_db()
    return subscription


def unsubscribe(token: str) -> None:
    """Delete the subscription (and with it the address). Raises UnknownSubscription."""
    deleted, _ = Subscription.objects.filter(token=token).delete()
    if not deleted:
        raise UnknownSubscription()


def delete_unconfirmed(*, now: datetime.datetime) -> int:
    """Delete sign-ups never confirmed within UNCONFIRMED_DAYS; returns how many."""
    cutoff = now - datetime.timedelta(days=UNCONFIRMED_DAYS)
    deleted, _ = Subscription.objects.filter(
        confirmed_at__isnull=True, created_at__lt=cutoff
    ).delete()
    return deleted


def find_subscription(token: str) -> Subscription:
    """The subscription a link's token names, with its place. Raises UnknownSubscription."""
    subscription = (
        Subscription.objects.select_related("jurisdiction", "substance").filter(token=token).first()
    )
    if subscription is None or not token:
        raise UnknownSubscription()
    return subscription


# The outbox


def record_answer_changes(jurisdiction_ids: Iterable[int], *, reason: str) -> None:
    """Note, in the caller's transaction, that entries of these jurisdictions changed.

    Every write path calls this (curation.save_legal_status for the admin and CSV imports, the
    dataset loader). After the commit the alert job is asked to run; if the broker is down the
    periodic run picks the rows up later, so saving never fails for want of a broker.
    """
    ids = sorted(set(jurisdiction_ids))
    if not ids:
        return
    AlertOutbox.objects.bulk_create(
        AlertOutbox(jurisdiction_id=pk, reason=reason[:200]) for pk in ids
    )
    transaction.on_commit(_enqueue_alert_job, robust=True)


def _enqueue_alert_job() -> None:
    # By name: the domain does not import the tasks module (tasks import the domain).
    from celery import current_app

    current_app.send_task(SEND_ALERTS_TASK)
    current_app.send_task("legality.refresh_zip_table")  # sooner than its 5-minute run


# Comparing answers


def announce_changes(*, today: datetime.date, every_place: bool = False) -> AnnounceRun:
    """Queue a message for each subscriber whose place's answer changed or has a dated change
    within UPCOMING_NOTICE_DAYS; mark the outbox rows read.

    With `every_place` (the daily run) every confirmed subscription is compared, which also
    catches dated changes taking effect; otherwise only the places enclosed by pending outbox
    rows' jurisdictions: the place itself, its state and country, and its counties. One
    resolution per distinct followed place.
    """
    pending = list(AlertOutbox.objects.pending().values_list("pk", "jurisdiction_id"))
    changed = {jurisdiction_id for _, jurisdiction_id in pending}
    subscriptions = Subscription.objects.confirmed().select_related("substance")
    if not every_place:
        if not changed:
            return AnnounceRun(0, 0, 0)
        subscriptions = subscriptions.filter(_encloses_any(changed)).distinct()
    by_place: dict[int, list[Subscription]] = defaultdict(list)
    for subscription in subscriptions.order_by("pk"):
        by_place[subscription.jurisdiction_id].append(subscription)
    places = Jurisdiction.objects.in_bulk(by_place)
    queued = 0
    for place_id, followers in by_place.items():
        answer = resolve(places[place_id], on=today)
        queued += _queue_messages(followers, answer.results, today=today)
    processed = AlertOutbox.objects.filter(pk__in=[pk for pk, _ in pending]).update(
        processed_at=datetime.datetime.now(tz=datetime.UTC)
    )
    return AnnounceRun(len(by_place), queued, processed)


def _encloses_any(jurisdiction_ids: set[int]) -> Q:
    """Subscriptions whose place has one of these jurisdictions among its layers."""
    return (
        Q(jurisdiction_id__in=jurisdiction_ids)
        | Q(jurisdiction__parent_id__in=jurisdiction_ids)
        | Q(jurisdiction__parent__parent_id__in=jurisdiction_ids)
        | Q(jurisdiction__parent__parent__parent_id__in=jurisdiction_ids)
        | Q(jurisdiction__counties__in=jurisdiction_ids)
    )


def answer_snapshot(result: Result) -> dict:
    """What subscribers are told about: the status, the minimum age and the deciding layer."""
    return {
        "status": result.status,
        "minimum_age": result.minimum_age,
        "decided_by": result.decided_by.ocd_id if result.decided_by is not None else None,
    }


def _queue_messages(
    followers: list[Subscription], results: Iterable[Result], *, today: datetime.date
) -> int:
    results = list(results)
    messages: list[AlertMessage] = []
    updates: list[Subscription] = []
    for subscription in followers:
        wanted = [
            r
            for r in results
            if subscription.substance is None or r.substance.slug == subscription.substance.slug
        ]
        told = dict(subscription.last_answer)
        for result in wanted:
            slug, now = result.substance.slug, answer_snapshot(result)
            before = told.get(slug)
            if before is not None and before != now:
                messages.append(_changed_message(subscription, result, before, now, today=today))
            told[slug] = now
            messages += [
                _upcoming_message(subscription, result, change)
                for change in result.upcoming
                if change.date <= today + datetime.timedelta(days=UPCOMING_NOTICE_DAYS)
            ]
        if told != subscription.last_answer:
            subscription.last_answer = told
            updates.append(subscription)
    with transaction.atomic():
        # Conflicts are events another run already queued: the constraint keeps one of each.
        AlertMessage.objects.bulk_create(messages, ignore_conflicts=True)
        Subscription.objects.bulk_update(updates, ["last_answer"])
    return len(messages)


def _fingerprint(value: dict) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


def _changed_message(
    subscription: Subscription, result: Result, before: dict, now: dict, *, today: datetime.date
) -> AlertMessage:
    entry = result.entry
    details = {
        "substance": result.substance.name,
        "before": before,
        "now": now,
        "decided_by_name": result.decided_by.name if result.decided_by else "",
        "effective_from": entry.start.isoformat() if entry and entry.start else None,
        "summary": entry.summary if entry else "",
        "sources": _sources(result),
    }
    return AlertMessage(
        subscription=subscription,
        kind=AlertMessage.Kind.CHANGED,
        # The same change seen twice on one day (two runs at once) is one event.
        key=f"changed:{result.substance.slug}:{_fingerprint(now)}:{today.isoformat()}",
        substance=result.substance.slug,
        details=details,
    )


def _upcoming_message(subscription: Subscription, result: Result, change) -> AlertMessage:
    now = answer_snapshot(result)
    coming = {"status": change.status, "minimum_age": change.minimum_age}
    where = change.jurisdiction
    return AlertMessage(
        subscription=subscription,
        kind=AlertMessage.Kind.UPCOMING,
        key=f"upcoming:{result.substance.slug}:{where.ocd_id}:{change.date.isoformat()}:"
        f"{_fingerprint(coming)}",
        substance=result.substance.slug,
        details={
            "substance": result.substance.name,
            "before": now,
            "coming": coming,
            "where": where.name,
            "date": change.date.isoformat(),
            "precision": change.precision,
            "sources": _sources(result),
        },
    )


def _sources(result: Result) -> list[dict]:
    seen, sources = set(), []
    for layer in result.layers:
        for source in layer.sources if layer.applies else ():
            if source.id not in seen:
                seen.add(source.id)
                sources.append(
                    {"title": source.title, "url": source.url, "citation": source.citation}
                )
    return sources


def _answer_for(subscription: Subscription, *, on: datetime.date) -> dict:
    slugs = [subscription.substance.slug] if subscription.substance else None
    answer = resolve(subscription.jurisdiction, on=on, substances=slugs)
    return {r.substance.slug: answer_snapshot(r) for r in answer.results}


# Sending


def send_alert_messages(*, now: datetime.datetime) -> int:
    """Email each subscriber its unsent messages, one email each; returns emails sent.

    Messages are claimed (sent_at set, with this run's claim mark) before the email goes out, so
    two runs never send the same message; if sending fails, this run's claims are released and
    the error propagates (the task retries transient mail errors). A crash between the mail
    server accepting and the claim being kept cannot resend: the claim is already committed.
    """
    pending = (
        AlertMessage.objects.filter(sent_at__isnull=True)
        .order_by("subscription_id")
        .values_list("subscription_id", flat=True)
        .distinct()[:SEND_BATCH]
    )
    claim = uuid.uuid4().hex
    claimed = AlertMessage.objects.filter(
        subscription_id__in=list(pending), sent_at__isnull=True
    ).update(sent_at=now, claim=claim)
    if not claimed:
        return 0
    mine = AlertMessage.objects.filter(claim=claim).select_related(
        "subscription__jurisdiction__parent"
    )
    by_subscription: dict[int, list[AlertMessage]] = defaultdict(list)
    for message in mine.order_by("subscription_id", "created_at", "pk"):
        by_subscription[message.subscription_id].append(message)
    emails = [_email(messages[0].subscription, messages) for messages in by_subscription.values()]
    try:
        with get_connection() as connection:
            connection.send_messages(emails)
    except Exception:
        AlertMessage.objects.filter(claim=claim).update(sent_at=None, claim="")
        raise
    return len(emails)


def _email(subscription: Subscription, messages: list[AlertMessage]) -> EmailMultiAlternatives:
    place = subscription.jurisdiction
    unsubscribe_url = settings.SITE_URL + reverse(
        "legality:alerts-unsubscribe", args=[subscription.token]
    )
    context = {
        "place": place,
        "place_name": _place_name(place),
        "page_url": settings.SITE_URL + reverse("legality:jurisdiction", args=[place.ocd_id]),
        "unsubscribe_url": unsubscribe_url,
        "messages": [_message_words(m) for m in messages],
    }
    return EmailMultiAlternatives(
        subject=f"Kratom law alert: {context['place_name']}",
        body=render_to_string("legality/alerts/alert_email.txt", context),
        to=[subscription.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            # RFC 8058: mail clients may POST here to unsubscribe in one click.
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _place_name(place: Jurisdiction) -> str:
    parent = place.parent
    return f"{place.name}, {parent.name}" if parent is not None else place.name


def _answer_words(snapshot: dict | None) -> str:
    if not snapshot or snapshot.get("status") in (None, UNKNOWN):
        return "no entry (we don't know)"
    words = snapshot["status"]
    if snapshot.get("minimum_age") is not None and snapshot["status"] != "banned":
        words += f", {snapshot['minimum_age']} and over"
    return words


def _message_words(message: AlertMessage) -> dict:
    details = message.details
    if message.kind == AlertMessage.Kind.CHANGED:
        return {
            "kind": message.kind,
            "substance": details["substance"],
            "before": _answer_words(details["before"]),
            "now": _answer_words(details["now"]),
            "decided_by": details.get("decided_by_name", ""),
            "effective_from": details.get("effective_from"),
            "summary": details.get("summary", ""),
            "sources": details.get("sources", []),
        }
    return {
        "kind": message.kind,
        "substance": details["substance"],
        "before": _answer_words(details["before"]),
        "now": _answer_words(details["coming"]),
        "where": details["where"],
        "date": details["date"],
        "sources": details.get("sources", []),
    }


def _send_confirmation(subscription_id: int) -> None:
    subscription = Subscription.objects.select_related("jurisdiction__parent", "substance").get(
        pk=subscription_id
    )
    place = subscription.jurisdiction
    context = {
        "place_name": _place_name(place),
        "substance": subscription.substance.name if subscription.substance else "",
        "confirm_url": settings.SITE_URL
        + reverse("legality:alerts-confirm", args=[subscription.token]),
        "days": UNCONFIRMED_DAYS,
    }
    EmailMultiAlternatives(
        subject=f"Confirm your kratom law alerts for {context['place_name']}",
        body=render_to_string("legality/alerts/confirm_email.txt", context),
        to=[subscription.email],
    ).send()
