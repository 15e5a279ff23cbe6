-- What a booking costs and what was paid, computed by the service when it was placed.
-- amount_paid and payment_status are kept equal to the booking's payments (same transaction,
-- under the booking's row lock) so lists can filter by them.
ALTER TABLE {prefix}volixta_bookings
    ADD COLUMN notes            TEXT          NOT NULL DEFAULT '' AFTER people,
    ADD COLUMN currency         CHAR(3)       CHARACTER SET ascii NOT NULL DEFAULT 'EUR' AFTER notes,
    ADD COLUMN subtotal         DECIMAL(19,4) NOT NULL DEFAULT 0 AFTER currency,
    ADD COLUMN discount_total   DECIMAL(19,4) NOT NULL DEFAULT 0 AFTER subtotal,
    ADD COLUMN tax_total        DECIMAL(19,4) NOT NULL DEFAULT 0 AFTER discount_total,
    ADD COLUMN total            DECIMAL(19,4) NOT NULL DEFAULT 0 AFTER tax_total,
    ADD COLUMN prices_include_tax TINYINT(1)  NOT NULL DEFAULT 1 AFTER total,
    -- The deposit the payer could choose, and what they chose (full or deposit).
    ADD COLUMN deposit_amount   DECIMAL(19,4) NOT NULL DEFAULT 0 AFTER prices_include_tax,
    ADD COLUMN payment_choice   ENUM('full','deposit') CHARACTER SET ascii NOT NULL DEFAULT 'full' AFTER deposit_amount,
    ADD COLUMN payment_method   ENUM('wallet','cash','bank_transfer','card','woocommerce') CHARACTER SET ascii NULL AFTER payment_choice,
    ADD COLUMN amount_paid      DECIMAL(19,4) NOT NULL DEFAULT 0 AFTER payment_method,
    ADD COLUMN payment_status   ENUM('unpaid','pending','partially_paid','paid','refunded')
                                CHARACTER SET ascii NOT NULL DEFAULT 'unpaid' AFTER amount_paid,
    ADD COLUMN created_by       VARCHAR(40)   CHARACTER SET ascii NOT NULL DEFAULT '' AFTER payment_status,
    ADD COLUMN cancelled_at     DATETIME(6)   NULL AFTER created_by,
    ADD KEY idx_bookings_client_status (client_id, status, start_at),
    ADD CONSTRAINT chk_bookings_money CHECK (total >= 0 AND amount_paid >= 0 AND deposit_amount <= total);

-- The price lines: the service (unit price × people) and each add-on (unit price × quantity).
-- Every amount is rounded when computed; the booking's totals are the sums of these columns.
CREATE TABLE {prefix}volixta_booking_lines (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    booking_id  BIGINT UNSIGNED NOT NULL,
    position    SMALLINT UNSIGNED NOT NULL,
    kind        ENUM('service','addon') CHARACTER SET ascii NOT NULL,
    -- The service id or the add-on id.
    item_id     BIGINT UNSIGNED NOT NULL,
    name        VARCHAR(150)  NOT NULL,
    unit_price  DECIMAL(19,4) NOT NULL,
    quantity    SMALLINT UNSIGNED NOT NULL,
    -- Extra minutes per unit (add-ons), as booked.
    duration_minutes SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    amount      DECIMAL(19,4) NOT NULL,
    discount    DECIMAL(19,4) NOT NULL,
    tax_rate_percent DECIMAL(7,4) NOT NULL,
    tax         DECIMAL(19,4) NOT NULL,
    total       DECIMAL(19,4) NOT NULL,
    UNIQUE KEY uq_booking_lines (booking_id, position),
    CONSTRAINT fk_booking_lines_booking FOREIGN KEY (booking_id)
        REFERENCES {prefix}volixta_bookings (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every payment and refund of a booking. amount_paid = paid payments − paid refunds.
CREATE TABLE {prefix}volixta_booking_payments (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    booking_id  BIGINT UNSIGNED NOT NULL,
    kind        ENUM('payment','refund') CHARACTER SET ascii NOT NULL DEFAULT 'payment',
    method      ENUM('wallet','cash','bank_transfer','card','woocommerce') CHARACTER SET ascii NOT NULL,
    amount      DECIMAL(19,4) NOT NULL,
    status      ENUM('paid','pending','failed','cancelled') CHARACTER SET ascii NOT NULL,
    -- The wallet ledger row of a wallet payment or refund.
    ledger_id   BIGINT UNSIGNED NULL,
    wc_order_id BIGINT UNSIGNED NULL,
    note        VARCHAR(500)  NOT NULL DEFAULT '',
    actor       VARCHAR(40)   CHARACTER SET ascii NOT NULL,
    created_at  DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at  DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    KEY idx_booking_payments_booking (booking_id, id),
    KEY idx_booking_payments_wc_order (wc_order_id),
    CONSTRAINT fk_booking_payments_booking FOREIGN KEY (booking_id)
        REFERENCES {prefix}volixta_bookings (id),
    CONSTRAINT chk_booking_payments_amount CHECK (amount > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Who did what to a booking, and when: shown in its details, read by the notification e-mails.
CREATE TABLE {prefix}volixta_booking_history (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    booking_id  BIGINT UNSIGNED NOT NULL,
    actor       VARCHAR(40)   CHARACTER SET ascii NOT NULL,
    action      VARCHAR(32)   CHARACTER SET ascii NOT NULL,
    -- {"field": {"before": …, "after": …}}
    changes     TEXT          NOT NULL,
    created_at  DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY idx_booking_history_booking (booking_id, id),
    CONSTRAINT fk_booking_history_booking FOREIGN KEY (booking_id)
        REFERENCES {prefix}volixta_bookings (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Per-service pricing rules for bookings: deposit, a standing discount, a tax rate of its own.
-- No row: no deposit, no discount, the site's tax rate.
CREATE TABLE {prefix}volixta_service_pricing (
    service_id       BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    deposit_kind     ENUM('none','fixed','percent') CHARACTER SET ascii NOT NULL DEFAULT 'none',
    deposit_value    DECIMAL(19,4) NOT NULL DEFAULT 0,
    discount_kind    ENUM('none','amount','percent') CHARACTER SET ascii NOT NULL DEFAULT 'none',
    discount_value   DECIMAL(19,4) NOT NULL DEFAULT 0,
    tax_rate_percent DECIMAL(7,4)  NULL,
    CONSTRAINT fk_service_pricing_service FOREIGN KEY (service_id)
        REFERENCES {prefix}volixta_services (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- What an employee (a staff member linked to a WordPress user) may do to bookings.
ALTER TABLE {prefix}volixta_staff
    ADD COLUMN can_edit_bookings   TINYINT(1) NOT NULL DEFAULT 0,
    ADD COLUMN can_cancel_bookings TINYINT(1) NOT NULL DEFAULT 0;
