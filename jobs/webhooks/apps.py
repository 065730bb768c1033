from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "jobs.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # jobs never imports webhooks: it records events and runs repairs through
        # registries that this app joins at start-up.
        from jobs import events, reconciler
        from jobs.webhooks import fanout, reconcile

        events.listen(fanout.on_job_event, quiet=fanout.quiet)
        reconciler.register_repair(reconcile.reconcile_deliveries)
