"""``python -m evaluation.portal adduser NAME --role coordinator --site P03`` (or ``peer-eval portal adduser``)."""

from __future__ import annotations

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ...models import ROLES
from ...service import create_account


class Command(BaseCommand):
    help = "Make a portal account: a coordinator of one or more prisons, an evaluator or a data controller."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=[r for r, _ in ROLES], default="coordinator")
        parser.add_argument("--site", action="append", default=[], metavar="CODE",
                            help="a prison the coordinator submits for (repeat for several)")
        parser.add_argument("--language", choices=["nl", "fr", "en"], default="nl")
        parser.add_argument("--password-stdin", action="store_true",
                            help="read the password from standard input instead of asking")

    def handle(self, *args, **opts):
        if opts["password_stdin"]:
            import sys

            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the two passwords differ; nothing was made")
        try:
            create_account(opts["username"], password, role=opts["role"], sites=opts["site"],
                           language=opts["language"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"account {opts['username']} ({opts['role']}) made")
