"""Status badges: one substance's answer for one place as a small SVG that links back to us.

Sites embed the badge as an image; it says the status, the minimum age where one applies and the
day the deciding entry was last verified, so a copy on someone else's page is never undated.
"""

from dataclasses import dataclass

import pybadges

from legality.resolution import UNKNOWN, JurisdictionRef, Result

# Status colours with white text at 4.5:1 contrast or better; "unknown" is grey, never a
# colour that reads as "legal".
STATUS_COLOURS = {
    "legal": "#1b6e20",
    "regulated": "#275a8a",
    "restricted": "#8a4b00",
    "banned": "#b00020",
    UNKNOWN: "#555555",
}
# An age beside "banned" means nothing: the layer that sets it does not decide.
_STATUSES_WITH_AGE = ("legal", "regulated", "restricted")


@dataclass(frozen=True)
class BadgeText:
    """What a badge says, in words, before it is drawn."""

    label: str  # "kratom · Tupelo"
    message: str  # "banned · verified 2026-11-25"
    title: str  # the full sentence, for screen readers and hovering


def badge_text(result: Result, *, place: JurisdictionRef) -> BadgeText:
    """The words of a badge for `result` (one substance) in `place`.

    The message is the status, then "21+" where a minimum age applies to a status that allows
    anything, then "verified YYYY-MM-DD" for the deciding entry ("unverified" when the entry is
    not yet confirmed in a primary text). An unknown status says "no entry: check locally" and
    no date, because no entry was verified.
    """
    label = f"{result.substance.name} · {place.name}"
    if result.status == UNKNOWN:
        message = "no entry · check locally"
        title = f"{result.substance.name} in {place.name}: no entry, we don't know."
        return BadgeText(label, message, f"{title} Not legal advice.")
    parts = [result.status]
    if result.minimum_age is not None and result.status in _STATUSES_WITH_AGE:
        # The age is its own layer's condition, glued to the status only when that layer decides.
        set_by = result.minimum_age_set_by
        if set_by is None or (result.decided_by is not None and set_by.id == result.decided_by.id):
            parts[0] = f"{result.status} {result.minimum_age}+"
        else:
            parts.append(f"{set_by.name} {result.minimum_age}+")
    if result.unverified:
        parts.append("unverified")
    if result.last_verified_at is not None:
        parts.append(f"verified {result.last_verified_at.isoformat()}")
    message = " · ".join(parts)
    title = f"{result.substance.name} in {place.name}: {message}. Not legal advice."
    return BadgeText(label, message, title)


def badge_svg(result: Result, *, place: JurisdictionRef, link: str) -> str:
    """The badge as an SVG document whose whole area links to `link` (the place's page).

    pybadges measures the text (Verdana metrics) and escapes it and the link.
    """
    text = badge_text(result, place=place)
    return pybadges.badge(
        left_text=text.label,
        right_text=text.message,
        right_color=STATUS_COLOURS.get(result.status, STATUS_COLOURS[UNKNOWN]),
        whole_link=link,
        whole_title=text.title,
    )
