"""Webhooks in the admin: endpoints (enable, disable, send a test), events,
deliveries and their attempts (read-only: they are a log)."""

from __future__ import annotations

from django.contrib import admin, messages

from jobs.webhooks import services
from jobs.webhooks.delivery import endpoint_disable
from jobs.webhooks.models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage
from videogen.admin_access import StaffModelAdmin


class ReadOnlyAdmin(StaffModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(StaffModelAdmin):
    list_display = ("url", "user", "enabled", "events", "failing_since", "disabled_reason", "created_at")
    list_filter = ("enabled",)
    search_fields = ("url", "user__email", "description", "id")
    readonly_fields = ("id", "user", "url", "secret", "previous_secret", "previous_expires_at", "failing_since",
                       "disabled_reason", "created_at", "updated_at", "events", "enabled", "description")
    actions = ("disable_endpoints", "enable_endpoints", "send_test_events")

    def has_add_permission(self, request):
        return False  # owners add endpoints (the URL check and secret come with the service)

    @admin.action(description="Disable the selected endpoints")
    def disable_endpoints(self, request, queryset):
        for endpoint in queryset:
            endpoint_disable(endpoint=endpoint, reason=f"Disabled by staff ({request.user.email}).")
        messages.success(request, f"Disabled {queryset.count()} endpoint(s).")

    @admin.action(description="Enable the selected endpoints")
    def enable_endpoints(self, request, queryset):
        for endpoint in queryset:
            services.endpoint_update(endpoint=endpoint, fields=services.EndpointFields(enabled=True))
        messages.success(request, f"Enabled {queryset.count()} endpoint(s).")

    @admin.action(description="Send a test event")
    def send_test_events(self, request, queryset):
        for endpoint in queryset:
            services.endpoint_send_test(endpoint=endpoint)
        messages.success(request, f"Sent {queryset.count()} test event(s).")


@admin.register(WebhookMessage)
class WebhookMessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "type", "user", "job_id", "created_at")
    list_filter = ("type",)
    search_fields = ("id", "job_id", "user__email")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "message", "url", "state", "attempts", "last_status_code", "next_attempt_at", "created_at")
    list_filter = ("state",)
    search_fields = ("id", "message__id", "url")
    list_select_related = ("message",)


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    list_display = ("attempted_at", "delivery", "number", "status_code", "duration_ms", "succeeded", "error")
    list_filter = ("succeeded",)
    search_fields = ("delivery__id", "delivery__message__id")
    list_select_related = ("delivery",)
