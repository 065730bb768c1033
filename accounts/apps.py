from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from accounts import sessions

        # Every sign-in path (pages, admin, force_login) ends in Django's login():
        # the signal is the one place that sees them all, to list sessions on /settings.
        def remember(sender, request, user, **kwargs):
            if request is not None and hasattr(request, "session"):
                sessions.browser_session_record(request=request, user=user)

        def forget(sender, request, user, **kwargs):
            if user is not None and request is not None and request.session.session_key:
                sessions.browser_session_end(user=user, session_key=request.session.session_key)

        # weak=False: the receivers are local functions, which a weak reference would
        # let the garbage collector drop as soon as ready() returns.
        user_logged_in.connect(remember, weak=False, dispatch_uid="accounts.remember_session")
        user_logged_out.connect(forget, weak=False, dispatch_uid="accounts.forget_session")
