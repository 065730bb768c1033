from django.urls import path

from accounts.two_factor import api, views

app_name = "two_factor"

urlpatterns = [
    path("login/two-factor", views.login_step, name="login"),
    path("settings/two-factor", views.settings_page, name="settings"),
    path("settings/two-factor/setup", views.setup, name="setup"),
    path("settings/two-factor/confirm", views.confirm, name="confirm"),
    path("settings/two-factor/disable", views.disable, name="disable"),
    path("settings/two-factor/recovery-codes", views.regenerate, name="recovery-codes"),
]

api_urlpatterns = [
    path("auth/login/2fa", api.LoginSecondStepView.as_view(), name="api-login-2fa"),
]
