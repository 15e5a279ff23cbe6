-- Integrators' endpoints: every event of a subscribed topic becomes one outbox row per endpoint
-- (channel 'webhook', webhook_id = this id), POSTed and signed with the endpoint's secret.
CREATE TABLE {prefix}volixta_webhooks (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    url             VARCHAR(2000)   NOT NULL,
    -- Comma-separated topic names (booking.created,…): FIND_IN_SET picks the subscribers.
    topics          VARCHAR(1000)   CHARACTER SET ascii NOT NULL,
    -- The HMAC-SHA256 key of X-Volixta-Webhook-Signature; answered once, at creation.
    secret          VARCHAR(200)    NOT NULL,
    description     VARCHAR(200)    NOT NULL DEFAULT '',
    active          TINYINT(1)      NOT NULL DEFAULT 1,
    -- Failed tries since the last delivered one.
    failures        INT UNSIGNED    NOT NULL DEFAULT 0,
    disabled_at     DATETIME(6)     NULL,
    disabled_reason VARCHAR(300)    NOT NULL DEFAULT '',
    created_by      VARCHAR(40)     CHARACTER SET ascii NOT NULL,
    created_at      DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at      DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    KEY idx_active (active, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
