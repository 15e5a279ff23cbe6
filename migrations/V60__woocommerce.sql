-- What the service asked WooCommerce to collect: one row per WooCommerce order it created, for a
-- booking's balance, a wallet top-up or a package sale. open_key ('booking:12', 'top_up:3',
-- 'package:5:client:9') is set only while the intent waits for its order to be created or
-- paid, so a second checkout of the same thing finds the same order instead of making another.
CREATE TABLE {prefix}volixta_wc_intents (
    id                 BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    -- Sent as the order's meta volixta_payment_intent.
    uuid               CHAR(36)        CHARACTER SET ascii NOT NULL,
    kind               ENUM('booking','top_up','package') CHARACTER SET ascii NOT NULL,
    client_id          BIGINT UNSIGNED NOT NULL,
    booking_id         BIGINT UNSIGNED NULL,
    -- The booking's pending payment row this order pays.
    booking_payment_id BIGINT UNSIGNED NULL,
    top_up_id          BIGINT UNSIGNED NULL,
    package_id         BIGINT UNSIGNED NULL,
    -- The client package made when the sale was paid.
    client_package_id  BIGINT UNSIGNED NULL,
    amount             DECIMAL(19,4)   NOT NULL,
    currency           CHAR(3)         CHARACTER SET ascii NOT NULL,
    status             ENUM('creating','pending','paid','cancelled','refunded') CHARACTER SET ascii NOT NULL DEFAULT 'creating',
    open_key           VARCHAR(64)     CHARACTER SET ascii NULL,
    -- While one replica creates the order in WooCommerce, others wait instead of making a second.
    creating_until     DATETIME(6)     NULL,
    wc_order_id        BIGINT UNSIGNED NULL,
    order_key          VARCHAR(64)     NULL,
    payment_url        VARCHAR(1000)   NULL,
    -- The newest order state acted on (date_modified_gmt): an older one arriving later is ignored.
    order_status       VARCHAR(32)     NULL,
    order_modified_gmt DATETIME(6)     NULL,
    flag               VARCHAR(32)     CHARACTER SET ascii NULL,
    flag_detail        VARCHAR(500)    NULL,
    flagged_at         DATETIME(6)     NULL,
    requested_by       VARCHAR(40)     CHARACTER SET ascii NOT NULL,
    next_poll_at       DATETIME(6)     NULL,
    polls              INT UNSIGNED    NOT NULL DEFAULT 0,
    last_polled_at     DATETIME(6)     NULL,
    created_at         DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    paid_at            DATETIME(6)     NULL,
    updated_at         DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_wc_intent_uuid (uuid),
    UNIQUE KEY uq_wc_intent_open (open_key),
    UNIQUE KEY uq_wc_intent_order (wc_order_id),
    KEY idx_wc_intent_poll (status, next_poll_at),
    KEY idx_wc_intent_flag (flag, id),
    KEY idx_wc_intent_booking (booking_id, id),
    KEY idx_wc_intent_top_up (top_up_id),
    CONSTRAINT chk_wc_intent_amount CHECK (amount > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- An order counted as paid. The primary key is the exactly-once guarantee: however many
-- deliveries, polls and replicas report the same payment, one insert wins and only that
-- transaction credits the booking, the wallet or the package.
CREATE TABLE {prefix}volixta_wc_receipts (
    wc_order_id    BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    intent_id      BIGINT UNSIGNED NOT NULL,
    amount         DECIMAL(19,4)   NOT NULL,
    currency       CHAR(3)         CHARACTER SET ascii NOT NULL,
    date_paid_gmt  DATETIME(6)     NOT NULL,
    transaction_id VARCHAR(200)    NOT NULL DEFAULT '',
    source         ENUM('webhook','poll') CHARACTER SET ascii NOT NULL,
    created_at     DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_wc_receipt_intent (intent_id)
) ENGINE=InnoDB;

-- Refunds WooCommerce reported, once each; a manager decides what they mean for the booking.
CREATE TABLE {prefix}volixta_wc_refunds (
    wc_order_id  BIGINT UNSIGNED NOT NULL,
    wc_refund_id BIGINT UNSIGNED NOT NULL,
    intent_id    BIGINT UNSIGNED NOT NULL,
    amount       DECIMAL(19,4)   NOT NULL,
    reason       VARCHAR(500)    NOT NULL DEFAULT '',
    created_at   DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (wc_order_id, wc_refund_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every delivery to /v1/woocommerce/webhook, authentic or not, for support: what came, what
-- the service did with it. Purged after 90 days.
CREATE TABLE {prefix}volixta_wc_deliveries (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    received_at     DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    webhook_id      VARCHAR(20)     CHARACTER SET ascii NULL,
    delivery_id     VARCHAR(64)     CHARACTER SET ascii NULL,
    topic           VARCHAR(64)     CHARACTER SET ascii NULL,
    source          VARCHAR(255)    NULL,
    signature_valid TINYINT(1)      NOT NULL,
    wc_order_id     BIGINT UNSIGNED NULL,
    order_status    VARCHAR(32)     NULL,
    outcome         VARCHAR(32)     CHARACTER SET ascii NOT NULL,
    detail          VARCHAR(500)    NOT NULL DEFAULT '',
    -- The request's headers as JSON (the signature shortened), and the body's size and hash.
    headers         TEXT            NOT NULL,
    body_bytes      INT UNSIGNED    NOT NULL,
    body_sha256     CHAR(64)        CHARACTER SET ascii NOT NULL,
    KEY idx_wc_deliveries_received (received_at, id),
    KEY idx_wc_deliveries_order (wc_order_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Background work that one replica at a time does (the WooCommerce poll): whoever updates the
-- row while it is free or expired holds it until expires_at.
CREATE TABLE {prefix}volixta_leases (
    name       VARCHAR(64)  CHARACTER SET ascii NOT NULL PRIMARY KEY,
    holder     VARCHAR(64)  CHARACTER SET ascii NOT NULL DEFAULT '',
    expires_at DATETIME(6)  NOT NULL DEFAULT '1970-01-01 00:00:01'
) ENGINE=InnoDB;
INSERT INTO {prefix}volixta_leases (name) VALUES ('wc_poll');
