-- Wrong gift codes per bucket (`client:<id>` or `address:<ip>`), in a window that starts with
-- the bucket's first wrong code. A redemption may try a code only after a conditional UPDATE of
-- its buckets' rows (failures < limit) in its own transaction, so concurrent tries on every
-- replica, and on every Galera node, are decided by these written rows.
CREATE TABLE {prefix}volixta_gift_code_throttle (
    bucket            VARCHAR(60)  CHARACTER SET ascii NOT NULL PRIMARY KEY,
    failures          INT UNSIGNED NOT NULL DEFAULT 0,
    window_started_at DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY idx_window (window_started_at)
) ENGINE=InnoDB;
