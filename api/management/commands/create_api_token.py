"""``manage.py create_api_token USER [--name NAME] [--expires DAYS] [--read-only]``: prints the token once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from api.services import token_create
from poc.models import User


class Command(BaseCommand):
    help = "Create a personal access token for a user and print it (it cannot be shown again)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")
        parser.add_argument("--expires", type=int, metavar="DAYS", help="days until it expires (default: never)")
        parser.add_argument("--read-only", action="store_true")

    def handle(self, *args, **options) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}")
        try:
            token, secret = token_create(user=user, name=options["name"], expires_days=options["expires"], read_only=options["read_only"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stderr.write(f"Token {token.prefix}… for {user.username}{' (read only)' if token.read_only else ''}:")
        self.stdout.write(secret)
