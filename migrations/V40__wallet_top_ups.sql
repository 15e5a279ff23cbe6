-- A client's request to buy credits. It is credited once, when its payment is confirmed
-- (status pending → paid, with the ledger row that credited it); a payment that does not match
-- is recorded in flag/flag_detail for a manager and credits nothing.
CREATE TABLE {prefix}volixta_wallet_top_ups (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    client_id    BIGINT UNSIGNED NOT NULL,
    amount       DECIMAL(19,4)   NOT NULL,
    status       VARCHAR(16)     CHARACTER SET ascii NOT NULL DEFAULT 'pending',
    wc_order_id  BIGINT UNSIGNED NULL,
    amount_paid  DECIMAL(19,4)   NULL,
    ledger_id    BIGINT UNSIGNED NULL,
    flag         VARCHAR(32)     CHARACTER SET ascii NULL,
    flag_detail  VARCHAR(500)    NULL,
    flagged_at   DATETIME(6)     NULL,
    requested_by VARCHAR(40)     CHARACTER SET ascii NOT NULL,
    created_at   DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    paid_at      DATETIME(6)     NULL,
    cancelled_at DATETIME(6)     NULL,
    -- One WooCommerce order pays one top-up.
    UNIQUE KEY uq_wc_order (wc_order_id),
    UNIQUE KEY uq_ledger (ledger_id),
    KEY idx_client (client_id, id),
    KEY idx_status (status, id),
    KEY idx_flag (flag, id),
    CONSTRAINT fk_top_up_client FOREIGN KEY (client_id) REFERENCES {prefix}volixta_clients (id),
    CONSTRAINT fk_top_up_ledger FOREIGN KEY (ledger_id) REFERENCES {prefix}volixta_wallet_ledger (id),
    CONSTRAINT chk_top_up_amount CHECK (amount > 0),
    CONSTRAINT chk_top_up_status CHECK (status IN ('pending', 'paid', 'cancelled'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- History filtered by kind and period.
ALTER TABLE {prefix}volixta_wallet_ledger ADD KEY idx_client_kind (client_id, kind, id);
