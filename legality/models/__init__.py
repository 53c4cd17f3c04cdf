from .checks import JobLock, SourceCheck
from .jurisdictions import Jurisdiction, JurisdictionName, OcdAlias, ZipCode
from .policy import ReviewPolicy
from .review import ReviewFlag, StalenessReport
from .statuses import DatePrecision, LegalStatus, Source, Substance

__all__ = [
    "DatePrecision",
    "JobLock",
    "Jurisdiction",
    "JurisdictionName",
    "LegalStatus",
    "OcdAlias",
    "ReviewFlag",
    "ReviewPolicy",
    "Source",
    "SourceCheck",
    "StalenessReport",
    "Substance",
    "ZipCode",
]
