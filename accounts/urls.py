from django.urls import path

from accounts import api, views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("register", views.account_register, name="register"),
    path("login", views.account_login, name="login"),
    path("logout", views.account_logout, name="logout"),
]

api_urlpatterns = [
    path("auth/register", api.RegisterView.as_view(), name="api-register"),
    path("auth/login", api.LoginView.as_view(), name="api-login"),
    path("auth/refresh", api.RefreshView.as_view(), name="api-refresh"),
    path("auth/logout", api.LogoutView.as_view(), name="api-logout"),
    path("auth/me", api.MeView.as_view(), name="api-me"),
]
