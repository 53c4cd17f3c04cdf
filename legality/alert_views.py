"""Alert sign-up, confirmation and unsubscription pages.

The sign-up form sits on every jurisdiction page, which must stay cookie-free and cacheable: so
these endpoints are CSRF-exempt. That is safe here: a forged sign-up only makes us send a
confirmation link, and nothing is sent about a place until the address's owner confirms. The
confirm and unsubscribe links carry a secret token, the only key to a subscription; their GET
shows a button (link scanners that prefetch mail links change nothing), and POST acts. The
unsubscribe POST is also what RFC 8058 one-click unsubscribe sends.
"""

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from legality.alerts import (
    UnknownSubscription,
    confirm_subscription,
    find_subscription,
    subscribe,
    unsubscribe,
)
from legality.models import Jurisdiction, Substance


class SubscribeForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Your email address")
    jurisdiction = forms.CharField(max_length=255, widget=forms.HiddenInput)
    substance = forms.CharField(max_length=20, required=False)

    def clean_jurisdiction(self) -> Jurisdiction:
        ocd_id = self.cleaned_data["jurisdiction"]
        jurisdiction = Jurisdiction.objects.filter(ocd_id=ocd_id).first()
        if jurisdiction is None:
            raise forms.ValidationError("We have no place with that OCD id.")
        return jurisdiction

    def clean_substance(self) -> Substance | None:
        slug = self.cleaned_data["substance"]
        if not slug:
            return None
        substance = Substance.objects.filter(slug=slug).first()
        if substance is None:
            raise forms.ValidationError("Choose kratom, 7-OH, or both.")
        return substance


@csrf_exempt
@require_POST
def alerts_subscribe(request: HttpRequest) -> HttpResponse:
    # Two limits: per client address (a flood from one host) and per email address (someone
    # signing a victim up for many places). Counted before validation, so probing costs too.
    for key, rate in (("ip", settings.ALERT_SIGNUP_RATE_PER_IP), ("post:email", "5/d")):
        if is_ratelimited(request, group="alerts-signup", key=key, rate=rate, increment=True):
            return _page(
                request,
                "Too many sign-ups",
                "Too many sign-ups came from here or for this address. Try again tomorrow.",
                status=429,
            )
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        reasons = " ".join(m for errors in form.errors.values() for m in errors)
        return _page(request, "We could not sign you up", reasons, status=400)
    subscribe(
        email=form.cleaned_data["email"],
        jurisdiction=form.cleaned_data["jurisdiction"],
        substance=form.cleaned_data["substance"],
    )
    # The same words whether the address was new, unconfirmed or already confirmed, so the form
    # does not tell anyone who follows what.
    return render(
        request, "legality/alerts/check_inbox.html", {"place": form.cleaned_data["jurisdiction"]}
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def alerts_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            subscription = confirm_subscription(token, now=timezone.now())
            return render(
                request, "legality/alerts/confirmed.html", {"place": subscription.jurisdiction}
            )
        subscription = find_subscription(token)
    except UnknownSubscription as error:
        return _page(request, "This link has expired", str(error), status=404)
    return render(
        request,
        "legality/alerts/confirm.html",
        {"place": subscription.jurisdiction, "is_confirmed": subscription.confirmed_at},
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def alerts_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            unsubscribe(token)
            return _page(
                request,
                "Unsubscribed",
                "You will get no more alerts, and we deleted your address.",
            )
        subscription = find_subscription(token)
    except UnknownSubscription as error:
        return _page(request, "Already unsubscribed", str(error), status=404)
    return render(request, "legality/alerts/unsubscribe.html", {"place": subscription.jurisdiction})


def _page(request: HttpRequest, heading: str, message: str, *, status: int = 200) -> HttpResponse:
    return render(
        request,
        "legality/alerts/message.html",
        {"heading": heading, "message": message},
        status=status,
    )
