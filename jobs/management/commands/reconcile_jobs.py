from django.core.management.base import BaseCommand

from jobs.reconciler import reconcile_once


class Command(BaseCommand):
    help = "Re-enqueue queued jobs Redis lost and recover jobs whose worker died (runs once)."

    def add_arguments(self, parser):
        parser.add_argument("--stale-after", type=float, default=None, help="Seconds without a heartbeat.")

    def handle(self, *args, stale_after=None, **options):
        report = reconcile_once(stale_after=stale_after)
        self.stdout.write(str(report))
