"""The Django admin where curators keep statuses and sources right and work the review queue.

Split like legality/models: jurisdictions (geography), statuses (what the law says), review
(flags, reports, the review policy), checks (what the jobs log) and schedules (the jobs'
periodic tasks). Writes that carry a rule go
through legality.curation, one call each. Curators' CSV import and export of statuses and sources:
imports (the admin's side), resources (the rows and their rules) and csv_rows (their base).
"""

from django.contrib import admin

from . import checks, jurisdictions, review, schedules, statuses

admin.site.site_header = "Kratom Legality Tracker"
admin.site.site_title = "Kratom Legality Tracker admin"

__all__ = ["checks", "jurisdictions", "review", "schedules", "statuses"]
