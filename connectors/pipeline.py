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
    state = backend.oauth_state
    connection = connection_save_oauth(
        customer_id=state.customer_id,
        provider=state.provider,
        token=response,
        remote_account_id=backend.get_user_id({}, response),
    )
    return HttpResponseRedirect(
        return_url_with(
            state.return_url,
            connected="1",
            customerId=connection.customer.customer_id,
            providerName=connection.provider.name,
        )
    )
