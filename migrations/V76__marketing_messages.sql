-- A manager's marketing message. Its e-mails are outbox rows (one per client, dedupe key
-- marketing:<id>:<client>), written in the transaction that records it here.
CREATE TABLE {prefix}volixta_marketing_messages (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    subject         VARCHAR(200)    NOT NULL,
    body            TEXT            NOT NULL,
    -- The page the unsubscribe links open (the site's, through the plugin).
    unsubscribe_url VARCHAR(500)    NOT NULL,
    recipients      INT UNSIGNED    NOT NULL DEFAULT 0,
    created_by      VARCHAR(40)     CHARACTER SET ascii NOT NULL,
    created_at      DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
