-- Delivery log of the notification service: one row per notification per channel.
-- Until Slack delivery arrives every notification is recorded on the 'log' channel.
CREATE TABLE notification_deliveries (
  -- UUIDv7: time-ordered, so "newest first" and keyset pagination use the id alone.
  id               uuid        PRIMARY KEY,
  tenant_id        uuid        NOT NULL,
  -- Idempotency key: the outbox id the incident service sent as header log0-notification-id,
  -- or topic:partition:offset for records without it. Redelivery never records twice.
  notification_id  text        NOT NULL,
  incident_id      uuid        NOT NULL,
  notification_type text       NOT NULL,
  channel          text        NOT NULL,
  status           text        NOT NULL,
  payload          jsonb       NOT NULL,
  recorded_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, notification_id, channel)
);

CREATE INDEX notification_deliveries_tenant_recent
  ON notification_deliveries (tenant_id, id DESC);
CREATE INDEX notification_deliveries_tenant_incident
  ON notification_deliveries (tenant_id, incident_id, id DESC);
