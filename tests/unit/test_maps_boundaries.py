"""Map boundaries: TopoJSON arcs to SVG paths, and shapes and points tied to jurisdictions."""

import re

import pytest

from legality.maps import boundaries
from legality.maps.topojson import decode_arcs, features, ring_points, svg_path
from tests.factories import CountryFactory, CountyFactory, PlaceFactory
from tests.geo_factories import UsStateFactory

# A quantized, delta-encoded topology: two squares sharing the arc 0 (x = 2 from y = 0 to 2).
TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
    "arcs": [
        [[4, 0], [0, 4]],  # (12, 20) -> (12, 22)
        [[4, 4], [-4, 0], [0, -4], [4, 0]],  # (12, 22) -> (10, 22) -> (10, 20) -> (12, 20)
        [[4, 0], [4, 0], [0, 4], [-4, 0]],  # (12, 20) -> (14, 20) -> (14, 22) -> (12, 22)
    ],
    "objects": {
        "squares": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "id": "01", "arcs": [[0, 1]], "properties": {"name": "W"}},
                {"type": "MultiPolygon", "id": "02", "arcs": [[[2, -1]]]},
                {"type": None},  # no shape, no id: left out
            ],
        }
    },
}


def test_arcs_are_dequantized_and_delta_decoded():
    arcs = decode_arcs(TOPOLOGY)
    assert arcs[0] == [(12.0, 20.0), (12.0, 22.0)]
    assert arcs[1] == [(12.0, 22.0), (10.0, 22.0), (10.0, 20.0), (12.0, 20.0)]


def test_a_negative_index_reads_the_arc_backwards_and_shared_points_appear_once():
    arcs = decode_arcs(TOPOLOGY)
    assert ring_points([2, -1], arcs) == [(12, 20), (14, 20), (14, 22), (12, 22), (12, 20)]


def test_paths_are_relative_steps_in_tenths_closed_by_z():
    arcs = decode_arcs(TOPOLOGY)
    # From (12, 20): +2 x, +2 y, -2 x; Z closes back to the start.
    assert svg_path([[[2, -1]]], arcs) == "M12,20l2,0,0,2-2,0Z"
    assert svg_path([[[0, 1]]], arcs) == "M12,20l0,2-2,0,0-2Z"


def test_features_by_id_with_name_and_bounds():
    found = features(TOPOLOGY, "squares")
    assert sorted(found) == ["01", "02"]
    assert found["01"].name == "W" and found["02"].name == ""
    assert found["02"].bounds == (12, 20, 14, 22)


def test_fractions_are_kept_to_a_tenth_and_steps_add_up_exactly():
    topology = {
        "arcs": [[[0.04, 0.06], [1.26, 0.0], [1.26, 1.33], [0.04, 0.06]]],
        "objects": {"o": {"geometries": [{"type": "Polygon", "id": "x", "arcs": [[0]]}]}},
    }
    path = features(topology, "o")["x"].path
    assert path == "M0,.1l1.3-.1,0,1.3Z"
    numbers = [float(n) for n in re.findall(r"-?\d*\.?\d+", path)]
    assert round(numbers[0] + numbers[2] + numbers[4], 1) == 1.3  # the rounded x of the 3rd point


def test_the_shipped_us_boundaries_have_every_state_and_county():
    assert len(boundaries.us_states()) == 51  # 50 states and DC
    assert len(boundaries.us_counties()) == 3142
    assert boundaries.us_states()["28"].name == "Mississippi"
    assert boundaries.us_counties()["28081"].name == "Lee"


def test_dots_share_the_projection_of_the_shapes():
    # Tupelo lies in Lee County, San Diego in San Diego County, Fairbanks in Alaska's inset.
    for ocd_id, county in (
        ("ocd-division/country:us/state:ms/place:tupelo", "28081"),
        ("ocd-division/country:us/state:ca/place:san_diego", "06073"),
        ("ocd-division/country:us/state:ak/place:fairbanks", "02090"),
    ):
        x, y = boundaries.place_point(ocd_id)
        left, top, right, bottom = boundaries.us_counties()[county].bounds
        assert left <= x <= right and top <= y <= bottom, ocd_id


def test_census_designated_places_are_found_by_census_code_and_territories_have_no_point():
    assert boundaries.place_point("ocd-division/country:us/state:la/cdp:metairie", "2250115")
    assert boundaries.place_point("ocd-division/country:us/territory:pr/place:san_juan") is None


def test_a_country_shape_by_its_iso_code():
    assert boundaries.country_shape_id("TH") == "764"
    assert boundaries.country_shape_id("SG") == "702"  # from the 1:50m file: too small for 1:110m
    assert boundaries.country_shape_id("XK") is None  # Kosovo: no ISO numeric code
    assert boundaries.country_shape_id("US-CA") is None


@pytest.mark.django_db
def test_renamed_counties_map_to_their_new_shapes():
    south_dakota = UsStateFactory(name="South Dakota", postal_code="SD", census_geoid="46")
    shannon = CountyFactory(parent=south_dakota, name="Oglala Lakota County", census_geoid="46113")
    targets = boundaries.county_shape_targets(south_dakota)
    assert targets == {"46102": shannon.pk}
    assert boundaries.county_shape_id("46113") == "46102"
    assert boundaries.county_shape_id("02270") == "02158"  # Kusilvak, once Wade Hampton
    assert boundaries.county_shape_id("02261") == "02261"  # Valdez-Cordova, in 2017's files


@pytest.mark.django_db
def test_independent_cities_shapes_link_to_the_city():
    virginia = UsStateFactory(name="Virginia", postal_code="VA", census_geoid="51")
    richmond = PlaceFactory(parent=virginia, name="Richmond", official_name="Richmond city")
    henrico = CountyFactory(parent=virginia, name="Henrico County", census_geoid="51087")
    targets = boundaries.county_shape_targets(virginia)
    assert targets["51760"] == richmond.pk  # Richmond city, not Richmond County (51159)
    assert targets["51087"] == henrico.pk
    assert "51159" not in targets  # no jurisdiction stands for it in this database


@pytest.mark.django_db
def test_dc_is_its_own_county_shape():
    dc = UsStateFactory(
        parent=CountryFactory(), name="District of Columbia", postal_code="DC", census_geoid="11"
    )
    assert boundaries.county_shape_targets(dc) == {"11001": dc.pk}
