CREATE TABLE {prefix}volixta_clients (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    wp_user_id     BIGINT UNSIGNED NULL,
    first_name     VARCHAR(100)  NOT NULL,
    last_name      VARCHAR(100)  NOT NULL DEFAULT '',
    email          VARCHAR(254)  NULL,
    phone          VARCHAR(20)   NULL,
    status         VARCHAR(40)   NOT NULL DEFAULT 'New',
    blocked        TINYINT(1)    NOT NULL DEFAULT 0,
    -- Kept equal to the sum of the wallet ledger; the row lock on it serialises wallet changes.
    wallet_balance DECIMAL(19,4) NOT NULL DEFAULT 0,
    created_at     DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at     DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    deleted_at     DATETIME(6)   NULL,
    merged_into_id BIGINT UNSIGNED NULL,
    -- A WordPress user links to at most one live client; deleted ones keep their link.
    live_wp_user_id BIGINT UNSIGNED AS (IF(deleted_at IS NULL AND merged_into_id IS NULL, wp_user_id, NULL)) PERSISTENT,
    UNIQUE KEY uq_live_wp_user (live_wp_user_id),
    KEY idx_wp_user (wp_user_id),
    KEY idx_email (email),
    KEY idx_phone (phone),
    KEY idx_name (last_name, first_name, id),
    KEY idx_deleted (deleted_at),
    CONSTRAINT chk_wallet_nonnegative CHECK (wallet_balance >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
