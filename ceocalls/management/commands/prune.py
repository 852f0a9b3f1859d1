from django.core.management.base import BaseCommand

from ceocalls.retention import BATCH_SIZE, prune_summary, records_prune


class Command(BaseCommand):
    help = (
        "Deletes webhook events, e-mail deliveries, sign-in logs and sessions past their retention "
        "(WEBHOOK_RETENTION_DAYS, EMAIL_DELIVERY_RETENTION_DAYS, SIGNIN_LOG_RETENTION_DAYS), in batches."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Rows per DELETE (default %(default)s).")

    def handle(self, *args, batch_size: int, **options):
        self.stdout.write(prune_summary(records_prune(batch_size=max(1, batch_size))))
