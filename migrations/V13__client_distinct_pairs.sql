-- Pairs a manager confirmed are two different people: no longer offered as likely duplicates.
CREATE TABLE {prefix}volixta_client_distinct_pairs (
    low_id     BIGINT UNSIGNED NOT NULL,
    high_id    BIGINT UNSIGNED NOT NULL,
    actor      VARCHAR(40)     CHARACTER SET ascii NOT NULL,
    created_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (low_id, high_id),
    CONSTRAINT chk_distinct_pair_order CHECK (low_id < high_id),
    CONSTRAINT fk_distinct_low FOREIGN KEY (low_id) REFERENCES {prefix}volixta_clients (id),
    CONSTRAINT fk_distinct_high FOREIGN KEY (high_id) REFERENCES {prefix}volixta_clients (id)
) ENGINE=InnoDB;
