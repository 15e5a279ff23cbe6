-- Kept equal to the last balance_after of the client's reward ledger; its row lock serialises changes.
ALTER TABLE {prefix}volixta_clients
    ADD COLUMN reward_points BIGINT UNSIGNED NOT NULL DEFAULT 0 AFTER wallet_balance;

-- Append-only, like the wallet ledger.
CREATE TABLE {prefix}volixta_reward_ledger (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    client_id     BIGINT UNSIGNED NOT NULL,
    points        BIGINT          NOT NULL,
    balance_after BIGINT          NOT NULL,
    action        VARCHAR(20)     CHARACTER SET ascii NOT NULL,
    reason        VARCHAR(500)    NOT NULL DEFAULT '',
    actor         VARCHAR(40)     CHARACTER SET ascii NOT NULL,
    created_at    DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY idx_client (client_id, id),
    CONSTRAINT fk_reward_client FOREIGN KEY (client_id) REFERENCES {prefix}volixta_clients (id),
    CONSTRAINT chk_reward_balance_nonnegative CHECK (balance_after >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
