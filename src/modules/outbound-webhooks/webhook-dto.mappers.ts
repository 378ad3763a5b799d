import type {
  WebhookDeliveryAttemptDto,
  WebhookDeliveryDto,
  OutboundEventDto,
} from './dto/webhook-delivery.dto.js';
import type { WebhookEndpointDto } from './dto/webhook-endpoint.dto.js';
import type { EventView } from './outbound-events.service.js';
import type { AttemptView, DeliveryView } from './delivery-log.service.js';
import type { EndpointView } from './webhook-endpoints.service.js';

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toEndpointDto(endpoint: EndpointView): WebhookEndpointDto {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    description: endpoint.description,
    enabled: endpoint.enabled,
    disabled_reason: endpoint.disabledReason,
    failing_since: iso(endpoint.failingSince),
    previous_secret_expires_at: iso(endpoint.previousSecretExpiresAt),
    created_at: endpoint.createdAt.toISOString(),
    updated_at: endpoint.updatedAt.toISOString(),
  };
}

export function toDeliveryDto(delivery: DeliveryView): WebhookDeliveryDto {
  return {
    id: delivery.id,
    event_id: delivery.eventId,
    event_type: delivery.eventType,
    endpoint_id: delivery.endpointId,
    status: delivery.status,
    attempt_count: delivery.attempts,
    next_attempt_at: iso(delivery.nextAttemptAt),
    last_status_code: delivery.lastStatusCode,
    last_error: delivery.lastError,
    created_at: delivery.createdAt.toISOString(),
    delivered_at: iso(delivery.deliveredAt),
  };
}

export function toAttemptDto(attempt: AttemptView): WebhookDeliveryAttemptDto {
  return {
    attempt: attempt.attemptNumber,
    status_code: attempt.statusCode,
    duration_ms: attempt.durationMs,
    error: attempt.error,
    response_excerpt: attempt.responseExcerpt,
    requested_at: attempt.requestedAt.toISOString(),
  };
}

export function toEventDto(event: EventView): OutboundEventDto {
  return {
    id: event.id,
    event: event.type,
    timestamp: Math.floor(event.createdAt.getTime() / 1000),
    data: event.data,
    created_at: event.createdAt.toISOString(),
  };
}
