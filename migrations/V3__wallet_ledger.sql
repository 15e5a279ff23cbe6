-- Append-only: a row is never updated or deleted. balance_after chains every row to the previous one.
CREATE TABLE {prefix}volixta_wallet_ledger (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    client_id     BIGINT UNSIGNED NOT NULL,
    amount        DECIMAL(19,4)   NOT NULL,
    balance_after DECIMAL(19,4)   NOT NULL,
    kind          VARCHAR(32)     CHARACTER SET ascii NOT NULL,
    reason        VARCHAR(500)    NOT NULL DEFAULT '',
    actor         VARCHAR(40)     CHARACTER SET ascii NOT NULL,
    booking_id    BIGINT UNSIGNED NULL,
    gift_code_id  BIGINT UNSIGNED NULL,
    wc_order_id   BIGINT UNSIGNED NULL,
    created_at    DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY idx_client (client_id, id),
    KEY idx_booking (booking_id),
    CONSTRAINT fk_ledger_client FOREIGN KEY (client_id) REFERENCES {prefix}volixta_clients (id),
    CONSTRAINT chk_balance_after_nonnegative CHECK (balance_after >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
