"""The job schedules (django-celery-beat's periodic tasks): "Run selected tasks" says when the
broker is down instead of answering 500."""

from django.contrib import admin, messages
from django.http import HttpRequest
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask
from kombu.exceptions import OperationalError


class BrokerAwarePeriodicTaskAdmin(PeriodicTaskAdmin):
    @admin.action(description="Run selected tasks")
    def run_tasks(self, request: HttpRequest, queryset) -> None:
        try:
            super().run_tasks(request, queryset)
        except OperationalError as error:
            self.message_user(
                request,
                "The task queue (broker) cannot be reached, so nothing was started: "
                f"{error}. The schedule runs them once it is back; /healthz shows its state.",
                messages.ERROR,
            )


admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, BrokerAwarePeriodicTaskAdmin)
