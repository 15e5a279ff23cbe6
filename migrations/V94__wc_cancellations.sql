-- Paid WooCommerce orders that were later cancelled, failed, trashed or deleted in the store,
-- once per such change. The money had arrived (its receipt stays), so the service changes
-- nothing on the booking, the wallet or the package: it flags the intent and a manager decides.
-- The unique key is the order and the state that showed the change (its status and
-- date_modified_gmt; for a deletion, when the service learned of it), so a state delivered
-- again, to any replica, is recorded once.
CREATE TABLE {prefix}volixta_wc_cancellations (
    id                 BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    wc_order_id        BIGINT UNSIGNED NOT NULL,
    intent_id          BIGINT UNSIGNED NOT NULL,
    order_status       VARCHAR(32)     CHARACTER SET ascii NOT NULL,
    order_modified_gmt DATETIME(6)     NOT NULL,
    date_paid_gmt      DATETIME(6)     NULL,
    created_at         DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_wc_cancellation (wc_order_id, order_status, order_modified_gmt),
    KEY idx_wc_cancellation_intent (intent_id, id)
) ENGINE=InnoDB;
