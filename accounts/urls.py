from django.urls import path

from accounts import api, key_api, key_views, settings_views, views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("register", views.account_register, name="register"),
    path("login", views.account_login, name="login"),
    path("logout", views.account_logout, name="logout"),
    path("password-reset", views.password_reset, name="password-reset"),
    path("password-reset/sent", views.password_reset_sent, name="password-reset-sent"),
    path("password-reset/<str:uidb64>/<str:token>", views.password_reset_confirm_view, name="password-reset-confirm"),
    path("verify-email/resend", views.verify_email_resend, name="verify-email-resend"),
    path("verify-email/<str:token>", views.verify_email, name="verify-email"),
    path("email-change/<str:token>", views.email_change_confirm_view, name="email-change-confirm"),
    path("settings", settings_views.account_settings, name="account-settings"),
    path("settings/password", settings_views.password_change, name="settings-password"),
    path("settings/email", settings_views.email_change, name="settings-email"),
    path("settings/sign-out-everywhere", settings_views.sign_out_everywhere, name="settings-sign-out-everywhere"),
    path("settings/sessions/<str:session_key>/end", settings_views.session_end, name="settings-session-end"),
    path("settings/tokens/<str:family_id>/revoke", settings_views.token_family_revoke, name="settings-token-revoke"),
    path("settings/delete", settings_views.account_delete, name="settings-delete"),
    path("settings/keys", key_views.api_keys_page, name="settings-keys"),
    path("settings/keys/<str:key_id>/revoke", key_views.api_key_revoke_page, name="settings-key-revoke"),
]

api_urlpatterns = [
    path("auth/register", api.RegisterView.as_view(), name="api-register"),
    path("auth/login", api.LoginView.as_view(), name="api-login"),
    path("auth/refresh", api.RefreshView.as_view(), name="api-refresh"),
    path("auth/logout", api.LogoutView.as_view(), name="api-logout"),
    path("auth/password-change", api.PasswordChangeView.as_view(), name="api-password-change"),
    path("auth/password-reset", api.PasswordResetView.as_view(), name="api-password-reset"),
    path("auth/password-reset/confirm", api.PasswordResetConfirmView.as_view(), name="api-password-reset-confirm"),
    path("auth/verify-email", api.VerifyEmailView.as_view(), name="api-verify-email"),
    path("auth/verify-email/resend", api.VerifyEmailResendView.as_view(), name="api-verify-email-resend"),
    path("auth/me", api.MeView.as_view(), name="api-me"),
    path("keys", key_api.ApiKeyCollectionView.as_view(), name="api-keys"),
    path("keys/<str:key_id>", key_api.ApiKeyDetailView.as_view(), name="api-key"),
]
