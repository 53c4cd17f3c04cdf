"""Shared by the API tests."""

import pytest

from legality.api import views
from legality.api.lookup_data import lookup_data
from legality.api.serializers import LookupSerializer


@pytest.fixture(autouse=True)
def data_matches_the_serializer(monkeypatch):
    """Every lookup answer of the API tests is written by lookup_data; it must be what the
    documented LookupSerializer gives for the same answer."""

    def checked(answer, match):
        data = lookup_data(answer, match)
        assert data == LookupSerializer({"answer": answer, "match": match}).data
        return data

    monkeypatch.setattr(views, "lookup_data", checked)
