from django.urls import path

from accounts import api, key_api, key_views, views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("register", views.account_register, name="register"),
    path("login", views.account_login, name="login"),
    path("logout", views.account_logout, name="logout"),
    path("settings/keys", key_views.api_keys_page, name="settings-keys"),
    path("settings/keys/<str:key_id>/revoke", key_views.api_key_revoke_page, name="settings-key-revoke"),
]

api_urlpatterns = [
    path("auth/register", api.RegisterView.as_view(), name="api-register"),
    path("auth/login", api.LoginView.as_view(), name="api-login"),
    path("auth/refresh", api.RefreshView.as_view(), name="api-refresh"),
    path("auth/logout", api.LogoutView.as_view(), name="api-logout"),
    path("auth/me", api.MeView.as_view(), name="api-me"),
    path("keys", key_api.ApiKeyCollectionView.as_view(), name="api-keys"),
    path("keys/<str:key_id>", key_api.ApiKeyDetailView.as_view(), name="api-key"),
]
