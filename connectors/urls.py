"""/oauth/connect, /oauth/callback and magic links."""

from django.urls import path

from connectors import views

urlpatterns = [
    path("oauth/connect", views.oauth_connect, name="oauth-connect"),
    path("oauth/callback", views.oauth_callback, name="oauth-callback"),
    path("links/<str:token>", views.magic_link, name="magic-link"),
]
