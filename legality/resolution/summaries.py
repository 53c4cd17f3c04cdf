"""Summary answers for many targets at once: what a bulk lookup shows of each (status, minimum
age, who decides, the other sides of a ZIP code), computed once per group of targets that read
the same law.

A thousand ZIP codes lie in a few hundred counties and towns, and most towns and counties have
no entry of their own: such a layer says nothing, so the ZIP codes of a state whose counties and
towns are silent all get the state's answer. The rules run once per group; each ZIP code keeps
its own place and code. A summary leaves out the ZIP code's counties (`zip_counties`), which a
bulk lookup does not show: listing them cost a fifth of the summaries' time.
"""

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .answers import Answer, Enclosure, JurisdictionRef, SubstanceRef
from .rules import Shared, resolve_layers

if TYPE_CHECKING:
    from .loading import Loaded, ZipTarget


def layers_key(place: JurisdictionRef, enclosures: Sequence[Enclosure], zip_code: str | None):
    """Targets with equal keys have equal answers (but for the ZIP code itself): the same place
    and layers (the entries are the same for a jurisdiction id within one loading)."""
    return (
        place.id,
        zip_code is None,
        tuple(
            (e.jurisdiction.id, e.approximate, e.uninhabited, e.zip_share, e.beside, e.part)
            for e in enclosures
        ),
    )


def summary_answers(
    loaded: "Loaded", *, on: datetime.date, substances: Sequence[SubstanceRef]
) -> list[Answer]:
    """resolve_many(summary_only=True) on what it loaded, in the order of `loaded.targets`.

    A ZIP code's summary depends on its layers with an entry, on whether its assumed place is
    an incorporated town (the other side of the town limits is then a side of its own) and on
    which of its layers are there at all (a county's side). A layer with no entry answers
    nothing, whichever jurisdiction it is: the results keep only the layers with an entry (see
    rules.Shared), so it is read through one stand-in per level and flags. The results name a
    silent layer only in the words of a side (`Elsewhere.where`: "in Lee County (20% of the
    ZIP code's land)"): a summary with a side is shared only by ZIP codes with the same
    counties and shares. A ZIP code whose counties and town are all silent is told apart from
    the others by its ids alone: its layers are made only for the first of its group.
    """
    shared = Shared(summary_only=True)
    computed: dict[tuple, Answer] = {}
    stand_ins: dict[tuple, Enclosure] = {}

    def stand_in(enclosure: Enclosure) -> Enclosure:
        e = enclosure
        flags = (e.jurisdiction.level, e.approximate, e.uninhabited, e.beside, e.part)
        return stand_ins.setdefault(flags, e)

    def silent_answer(index: int, place: JurisdictionRef, zip_code: "ZipTarget") -> Answer:
        # No county or town of the ZIP code says anything: its answer is its state's and
        # country's, whichever its town and counties are (each side reads the same state and
        # country, so none answers otherwise). Only whether its place is a town (an assumed one,
        # with a note of its own), its county or its state sets such answers apart.
        # (A county's state is the ZIP code's in the census data; were it another, its layers
        # would be read too.)
        county = loaded.rows.get(zip_code.county_id)
        county_state = county.parent.pk if county and county.parent else None
        key = ("silent", place.level, zip_code.state_id, county_state)
        if (answer := computed.get(key)) is None:
            _, enclosures = loaded.layers(index)
            answer = computed[key] = resolve_layers(
                place,
                # Its silent counties would only add sides that cannot answer otherwise: the
                # rules read its state and country, and its assumed town for the town's note.
                [e for e in enclosures if e.jurisdiction.level in _BROAD or e.approximate],
                on=on,
                substances=substances,
                zip_code=zip_code.code,
                shared=shared,
            )
        return answer

    def local_answer(index: int, place: JurisdictionRef, code: str) -> Answer:
        # The answer of the first ZIP code whose layers with an entry, and silent layers' kinds,
        # are this one's; or, with a side that answers otherwise, whose counties are the same.
        _, enclosures = loaded.layers(index)
        town = (place.level, place.is_incorporated)
        silent = [e if e.entries else stand_in(e) for e in enclosures]
        broad_key = (*town, tuple(map(_read, silent)))
        if (answer := computed.get(broad_key)) is None:
            # Only a silent town is a stand-in: the sides' words name the counties.
            read = [
                e if e.entries or e.jurisdiction.level != "place" else stand_in(e)
                for e in enclosures
            ]
            exact_key = (*town, tuple((*_read(e), e.beside and e.zip_share) for e in read))
            if (answer := computed.get(exact_key)) is None:
                answer = computed[exact_key] = resolve_layers(
                    place, read, on=on, substances=substances, zip_code=code, shared=shared
                )
                if not any(result.elsewhere for result in answer.results):
                    computed[broad_key] = answer
        return answer

    answers = []
    entries = loaded.entries
    for index, target in enumerate(loaded.targets):
        if (zip_code := target.zip_code) is None:
            place, enclosures = loaded.layers(index)
            key = layers_key(place, enclosures, None)
            if (answer := computed.get(key)) is None:
                answer = computed[key] = resolve_layers(
                    place, enclosures, on=on, substances=substances, shared=shared
                )
            answers.append(answer)
            continue
        place = loaded.place(index)
        links = loaded.counties[index]
        if (
            zip_code.county_id in entries
            or zip_code.place_id in entries
            or not entries.keys().isdisjoint(links)
        ):
            answer = local_answer(index, place, zip_code.code)
        else:
            answer = silent_answer(index, place, zip_code)
        answers.append(
            Answer(as_of=on, place=place, results=answer.results, zip_code=zip_code.code)
        )
    return answers


_BROAD = ("country", "state")


def _read(enclosure: Enclosure) -> tuple:
    """What the rules read of an enclosure in a ZIP code's summary: not its share of the ZIP
    code's land, which only a side's words and `zip_counties` show."""
    e = enclosure
    return (e.jurisdiction.id, e.approximate, e.uninhabited, e.beside, e.part)
