-- Nonces of signed requests: a replay is refused by every replica through the primary key.
CREATE TABLE {prefix}volixta_nonces (
    nonce      VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    expires_at DATETIME(6) NOT NULL,
    KEY idx_expires (expires_at)
) ENGINE=InnoDB;

-- Answers of state-changing requests, so a retry with the same Idempotency-Key gets the first answer.
CREATE TABLE {prefix}volixta_idempotency (
    actor         VARCHAR(40)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    idem_key      VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    request_hash  CHAR(64)     CHARACTER SET ascii NOT NULL,
    status_code   SMALLINT UNSIGNED NULL,
    response_body MEDIUMBLOB   NULL,
    created_at    DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (actor, idem_key),
    KEY idx_created (created_at)
) ENGINE=InnoDB;

CREATE TABLE {prefix}volixta_settings (
    name       VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
    value      JSON        NOT NULL,
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB;
