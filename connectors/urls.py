"""/oauth/connect and /oauth/callback."""

urlpatterns: list = []
