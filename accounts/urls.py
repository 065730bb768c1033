from django.urls import path

from accounts import api, views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("register", views.register, name="register"),
    path("login", views.login_view, name="login"),
    path("logout", views.logout_view, name="logout"),
]

api_urlpatterns = [
    path("auth/register", api.RegisterView.as_view(), name="api-register"),
    path("auth/login", api.LoginView.as_view(), name="api-login"),
    path("auth/refresh", api.RefreshView.as_view(), name="api-refresh"),
    path("auth/logout", api.LogoutView.as_view(), name="api-logout"),
    path("auth/password-change", api.PasswordChangeView.as_view(), name="api-password-change"),
    path("auth/me", api.MeView.as_view(), name="api-me"),
]
