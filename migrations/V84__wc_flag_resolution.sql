-- A manager's answer to a flagged WooCommerce payment (a wrong total, a refund, a payment that
-- could not be counted as asked): who marked it resolved, when, and the note saying what was
-- done. A new flag on the same intent clears resolved_at (the note stays, as the earlier answer).
ALTER TABLE {prefix}volixta_wc_intents
    ADD COLUMN resolved_at     DATETIME(6)   NULL AFTER flagged_at,
    ADD COLUMN resolved_by     VARCHAR(40)   CHARACTER SET ascii NULL AFTER resolved_at,
    ADD COLUMN resolution_note VARCHAR(1000) NULL AFTER resolved_by,
    ADD KEY idx_wc_intent_flag_open (resolved_at, flag, id);
