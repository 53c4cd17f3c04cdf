"""The Jinja2 environment of the public pages (templates/jinja2/).

The public pages render with Jinja2: a place's page writes hundreds of values, and Django's
template language spent more time on them than the lookup itself (bench/README.md). The admin,
the libraries' templates and the plain-text emails stay Django templates (templates/).

Django's own filters are used where a page needs them, so that a value reads the same in both
engines (dates, plurals, URL quoting); `url` and `static` are the `{% url %}` and `{% static %}`
of Django's templates.
"""

import functools

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from jinja2 import Environment, Undefined


def url(name: str, *args: object) -> str:
    if not args:  # the site's fixed addresses: the header and footer link nine on every page
        return _fixed_url(get_script_prefix(), get_urlconf(settings.ROOT_URLCONF), name)
    return reverse(name, args=args)


@functools.lru_cache(maxsize=256)
def _fixed_url(script_prefix: str, urlconf: str, name: str) -> str:
    # An address without arguments depends only on the URLconf and the script prefix.
    return reverse(name, urlconf=urlconf)


def percent(share: float) -> str:
    """A share (0.25) as a whole percentage ("25"), rounded as `{% widthratio %}` rounds."""
    return str(round(float(share) * 100))


class _Environment(Environment):
    def getattr(self, obj: object, attribute: str) -> object:
        # `row.name` reads a dict's key first, as Django's templates do: the views hand the
        # pages plain dicts, and Jinja2's attribute-first lookup raised and caught an
        # AttributeError for each of the hundreds of keys a place's page reads.
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def environment(**options) -> Environment:
    # A missing value is empty, as in Django's templates: with DEBUG the backend's default,
    # DebugUndefined, would print "{{ name }}" into the page.
    env = _Environment(**{**options, "undefined": Undefined})
    env.globals.update(url=url, static=static)
    env.filters.update(
        capfirst=defaultfilters.capfirst,
        date=defaultfilters.date,
        # Escapes a safe string too (Jinja2's forceescape leaves Django's SafeString as it is).
        force_escape=defaultfilters.force_escape,
        intcomma=intcomma,
        percent=percent,
        pluralize=defaultfilters.pluralize,
        urlencode=defaultfilters.urlencode,
    )
    return env
