"""The receiver of providers' webhook deliveries: POST /webhooks/<provider>/<public id>.

Unauthenticated by design (the provider cannot log in): the proof is the signature over the
raw body, keyed by the connection's callback token, checked by `webhook_event_receive`. A
delivery that fails it gets 401 and leaves no row. A good one is stored, then answered at
once (the provider retries slow answers); a worker applies it.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from connectors.services import WebhookRefused, webhook_event_receive

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def webhook_receive(request: HttpRequest, provider_name: str, public_id: str) -> JsonResponse:
    try:
        event, created = webhook_event_receive(
            provider_name=provider_name,
            public_id=public_id,
            body=request.body,
            headers=request.headers,
        )
    except WebhookRefused as exc:
        logger.warning("Refused a %s webhook delivery: %s", provider_name, exc)
        return JsonResponse({"error": "unauthorized"}, status=401)
    return JsonResponse({"status": "received" if created else "duplicate"})
