-- Gift codes. The code itself is never stored: code_hash is HMAC-SHA256 of the normalised code
-- under a key derived from the shared secret (to find it), code_sealed is the code encrypted
-- under another such key (to e-mail it when a manager asks), code_hint its last 4 characters.
CREATE TABLE {prefix}volixta_gift_codes (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    code_hash       BINARY(32)      NOT NULL,
    code_sealed     VARBINARY(128)  NOT NULL,
    code_hint       VARCHAR(4)      CHARACTER SET ascii NOT NULL,
    value           DECIMAL(19,4)   NOT NULL,
    expires_at      DATETIME(6)     NULL,
    max_redemptions INT UNSIGNED    NULL,
    redemptions     INT UNSIGNED    NOT NULL DEFAULT 0,
    restricted      TINYINT(1)      NOT NULL DEFAULT 0,
    note            VARCHAR(200)    NOT NULL DEFAULT '',
    created_by      VARCHAR(40)     CHARACTER SET ascii NOT NULL,
    created_at      DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    revoked_at      DATETIME(6)     NULL,
    revoked_by      VARCHAR(40)     CHARACTER SET ascii NULL,
    UNIQUE KEY uq_code_hash (code_hash),
    CONSTRAINT chk_gift_value CHECK (value > 0),
    CONSTRAINT chk_gift_redemptions CHECK (max_redemptions IS NULL OR redemptions <= max_redemptions)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The clients a restricted code is for.
CREATE TABLE {prefix}volixta_gift_code_clients (
    gift_code_id BIGINT UNSIGNED NOT NULL,
    client_id    BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (gift_code_id, client_id),
    KEY idx_client (client_id),
    CONSTRAINT fk_gcc_code FOREIGN KEY (gift_code_id) REFERENCES {prefix}volixta_gift_codes (id),
    CONSTRAINT fk_gcc_client FOREIGN KEY (client_id) REFERENCES {prefix}volixta_clients (id)
) ENGINE=InnoDB;

-- Once per client, whoever applies it: the unique key is the referee.
CREATE TABLE {prefix}volixta_gift_code_redemptions (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    gift_code_id BIGINT UNSIGNED NOT NULL,
    client_id    BIGINT UNSIGNED NOT NULL,
    amount       DECIMAL(19,4)   NOT NULL,
    ledger_id    BIGINT UNSIGNED NOT NULL,
    actor        VARCHAR(40)     CHARACTER SET ascii NOT NULL,
    created_at   DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_code_client (gift_code_id, client_id),
    KEY idx_client (client_id),
    CONSTRAINT fk_gcr_code FOREIGN KEY (gift_code_id) REFERENCES {prefix}volixta_gift_codes (id),
    CONSTRAINT fk_gcr_client FOREIGN KEY (client_id) REFERENCES {prefix}volixta_clients (id),
    CONSTRAINT fk_gcr_ledger FOREIGN KEY (ledger_id) REFERENCES {prefix}volixta_wallet_ledger (id)
) ENGINE=InnoDB;

-- A manager's request to e-mail a code to a client; the notifications worker delivers pending
-- rows (sent_at IS NULL) and stamps them.
CREATE TABLE {prefix}volixta_gift_code_sends (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    gift_code_id BIGINT UNSIGNED NOT NULL,
    client_id    BIGINT UNSIGNED NOT NULL,
    requested_by VARCHAR(40)     CHARACTER SET ascii NOT NULL,
    requested_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    sent_at      DATETIME(6)     NULL,
    KEY idx_code (gift_code_id, id),
    KEY idx_pending (sent_at, id),
    CONSTRAINT fk_gcs_code FOREIGN KEY (gift_code_id) REFERENCES {prefix}volixta_gift_codes (id),
    CONSTRAINT fk_gcs_client FOREIGN KEY (client_id) REFERENCES {prefix}volixta_clients (id)
) ENGINE=InnoDB;

-- Wrong codes, counted in a sliding window per client and per address by every replica.
CREATE TABLE {prefix}volixta_gift_code_attempts (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    client_id  BIGINT UNSIGNED NULL,
    address    VARCHAR(45)     CHARACTER SET ascii NULL,
    created_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY idx_client (client_id, created_at),
    KEY idx_address (address, created_at),
    KEY idx_created (created_at)
) ENGINE=InnoDB;
