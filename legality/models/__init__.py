from .jurisdictions import Jurisdiction, JurisdictionName, OcdAlias, ZipCode
from .review import ReviewFlag, StalenessReport
from .statuses import DatePrecision, LegalStatus, Source, Substance

__all__ = [
    "DatePrecision",
    "Jurisdiction",
    "JurisdictionName",
    "LegalStatus",
    "OcdAlias",
    "ReviewFlag",
    "Source",
    "StalenessReport",
    "Substance",
    "ZipCode",
]
