-- Who changed what and when, for any entity. Append-only.
CREATE TABLE {prefix}volixta_audit_log (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    entity     VARCHAR(40)     CHARACTER SET ascii NOT NULL,
    entity_id  BIGINT UNSIGNED NOT NULL,
    actor      VARCHAR(40)     CHARACTER SET ascii NOT NULL,
    action     VARCHAR(40)     CHARACTER SET ascii NOT NULL,
    -- {"field": {"before": …, "after": …}, …}
    changes    JSON            NOT NULL,
    created_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY idx_entity (entity, entity_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
