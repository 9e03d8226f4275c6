"""/oauth/connect, /oauth/callback, magic links and providers' webhook deliveries."""

from django.urls import path

from connectors import views, webhooks_views

urlpatterns = [
    path("oauth/connect", views.oauth_connect, name="oauth-connect"),
    path("oauth/callback", views.oauth_callback, name="oauth-callback"),
    path("links/<str:token>", views.magic_link, name="magic-link"),
    path(
        "webhooks/<str:provider_name>/<str:public_id>",
        webhooks_views.webhook_receive,
        name="webhook-receive",
    ),
]
