-- One row per staff member, written by every booking transaction that takes or moves one of
-- their slots. On a single server the row lock serialises those transactions; on a multi-primary
-- cluster, where a lock taken on one node is not seen by the others, two of them writing the same
-- row conflict at commit and the loser runs again and finds the slot taken.
CREATE TABLE {prefix}volixta_staff_booking_guard (
    staff_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    version  BIGINT UNSIGNED NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
