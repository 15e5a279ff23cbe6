-- Side effects (e-mails, webhook deliveries) leave through this table: a row is written in the
-- transaction of the change that causes it, so a change that rolls back sends nothing. Workers on
-- every replica claim due rows with FOR UPDATE SKIP LOCKED; a claim pushes next_attempt_at one
-- lease ahead and stamps claim_token, so a replica that dies mid-send leaves the row due again
-- once the lease runs out, and a late answer of a superseded claim changes nothing.
CREATE TABLE {prefix}volixta_outbox (
    id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    channel          VARCHAR(10)     CHARACTER SET ascii NOT NULL,
    topic            VARCHAR(60)     CHARACTER SET ascii NOT NULL,
    -- One message per occasion and recipient: a second writer of the same key adds nothing.
    dedupe_key       VARCHAR(191)    CHARACTER SET ascii NOT NULL,
    -- The e-mail's Message-ID or the webhook's delivery id: the same on every try, so a
    -- resend after a crash is recognisable by the receiver.
    message_id       VARCHAR(100)    CHARACTER SET ascii NOT NULL,
    -- An e-mail address, or the webhook endpoint's id.
    recipient        VARCHAR(254)    NOT NULL,
    webhook_id       BIGINT UNSIGNED NULL,
    payload          LONGTEXT        NOT NULL,
    status           VARCHAR(10)     CHARACTER SET ascii NOT NULL DEFAULT 'pending',
    attempts         INT UNSIGNED    NOT NULL DEFAULT 0,
    next_attempt_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    claim_token      CHAR(32)        CHARACTER SET ascii NULL,
    last_error       VARCHAR(1000)   NOT NULL DEFAULT '',
    last_status_code SMALLINT UNSIGNED NULL,
    last_attempt_at  DATETIME(6)     NULL,
    created_at       DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    sent_at          DATETIME(6)     NULL,
    UNIQUE KEY uq_dedupe (dedupe_key),
    UNIQUE KEY uq_message (message_id),
    KEY idx_due (status, next_attempt_at),
    KEY idx_webhook (webhook_id, id),
    KEY idx_status_id (status, id),
    CONSTRAINT chk_outbox_channel CHECK (channel IN ('email', 'webhook')),
    CONSTRAINT chk_outbox_status CHECK (status IN ('pending', 'sent', 'failed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
