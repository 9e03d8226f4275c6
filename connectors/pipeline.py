"""The social-auth pipeline of a connect flow (settings.SOCIAL_AUTH_PIPELINE).

One step: save the connection and send the customer back. Returning a response ends the
pipeline, so social-auth never looks for, creates or logs in a Django user, and stores no
`UserSocialAuth` row (the tokens live encrypted on the `Connection` only).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseRedirect

from connectors.services import connection_save_oauth, return_url_with


def connection_save(
    *, backend: Any, response: dict[str, Any], **kwargs: Any
) -> HttpResponseRedirect:
    session = backend.oauth_state.session
    connection = connection_save_oauth(
        session=session, token=response, identity=response["remote_identity"]
    )
    return HttpResponseRedirect(
        return_url_with(
            session.return_url,
            connected="1",
            customerId=connection.customer.customer_id,
            providerName=connection.provider.name,
        )
    )
