from .activities import ActivityRule
from .alerts import AlertMessage, AlertOutbox, Subscription
from .checks import JobLock, SourceCheck
from .downloads import ZipTable
from .jurisdictions import (
    Jurisdiction,
    JurisdictionName,
    OcdAlias,
    PlaceCounty,
    PlaceKind,
    ZipCode,
    ZipCodeCounty,
)
from .policy import ReviewPolicy
from .review import ReviewFlag, StalenessReport
from .statuses import DatePrecision, LegalStatus, Source, SourceLink, Substance

__all__ = [
    "ActivityRule",
    "AlertMessage",
    "AlertOutbox",
    "DatePrecision",
    "JobLock",
    "Jurisdiction",
    "JurisdictionName",
    "LegalStatus",
    "OcdAlias",
    "PlaceCounty",
    "PlaceKind",
    "ReviewFlag",
    "ReviewPolicy",
    "Source",
    "SourceCheck",
    "SourceLink",
    "StalenessReport",
    "Subscription",
    "Substance",
    "ZipCode",
    "ZipCodeCounty",
    "ZipTable",
]
