"""Create (or reset) the demo curator login that `make run` prints."""

import secrets

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create or reset a demo curator account (staff, in the Curators group) and print it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default="curator")
        parser.add_argument("--email", default="curator@localhost")

    def handle(self, *args, username: str, email: str, **options) -> None:
        password = secrets.token_urlsafe(12)
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        user.is_staff = True
        user.email = user.email or email
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name="Curators"))
        verb = "Created" if created else "Reset"
        login = f"username {username!r}, password {password!r}"
        self.stdout.write(self.style.SUCCESS(f"{verb} the demo curator: {login}"))
