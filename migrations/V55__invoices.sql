-- One row per series and year: the last number given. The transaction that issues an invoice
-- or credit note bumps it and keeps the row locked until it commits, so numbers are gapless
-- (a rolled-back transaction gives its number back) and never shared, on every replica.
CREATE TABLE {prefix}volixta_invoice_counters (
    series      VARCHAR(20)   CHARACTER SET ascii NOT NULL,
    year        SMALLINT UNSIGNED NOT NULL,
    last_number INT UNSIGNED  NOT NULL,
    PRIMARY KEY (series, year)
) ENGINE=InnoDB;

-- Invoices and credit notes. Nothing here is updated once money was paid against it, and
-- nothing is ever deleted: a cancelled or re-priced booking gets a credit note for its invoice
-- (and, when re-priced, a corrected invoice).
CREATE TABLE {prefix}volixta_invoices (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    kind          ENUM('invoice','credit_note') CHARACTER SET ascii NOT NULL,
    series        VARCHAR(20)   CHARACTER SET ascii NOT NULL,
    year          SMALLINT UNSIGNED NOT NULL,
    seq           INT UNSIGNED  NOT NULL,
    number        VARCHAR(40)   CHARACTER SET ascii NOT NULL,
    booking_id    BIGINT UNSIGNED NOT NULL,
    client_id     BIGINT UNSIGNED NOT NULL,
    -- A credit note: the invoice it credits. A corrected invoice: the invoice it replaces.
    related_id    BIGINT UNSIGNED NULL,
    -- open: the booking's invoice in force; credited: a credit note cancelled it.
    state         ENUM('open','credited') CHARACTER SET ascii NOT NULL DEFAULT 'open',
    -- The booking id while this is the booking's open invoice, else NULL: the unique key makes
    -- "one invoice in force per booking" the database's rule.
    open_booking_id BIGINT UNSIGNED NULL,
    -- cancelled | changed, for credit notes and corrected invoices.
    reason        VARCHAR(20)   CHARACTER SET ascii NOT NULL DEFAULT '',
    issued_at     DATETIME(6)   NOT NULL,
    currency      CHAR(3)       CHARACTER SET ascii NOT NULL,
    prices_include_tax TINYINT(1) NOT NULL,
    subtotal      DECIMAL(19,4) NOT NULL,
    discount_total DECIMAL(19,4) NOT NULL,
    tax_total     DECIMAL(19,4) NOT NULL,
    total         DECIMAL(19,4) NOT NULL,
    deposit_amount DECIMAL(19,4) NOT NULL DEFAULT 0,
    -- Who sold and who bought, as they were when the document was issued.
    seller_name   VARCHAR(200)  NOT NULL DEFAULT '',
    seller_address VARCHAR(500) NOT NULL DEFAULT '',
    seller_tax_number VARCHAR(60) NOT NULL DEFAULT '',
    buyer_name    VARCHAR(200)  NOT NULL DEFAULT '',
    buyer_email   VARCHAR(190)  NOT NULL DEFAULT '',
    buyer_address VARCHAR(500)  NOT NULL DEFAULT '',
    UNIQUE KEY uq_invoices_number (number),
    UNIQUE KEY uq_invoices_seq (series, year, seq),
    UNIQUE KEY uq_invoices_open (open_booking_id),
    KEY idx_invoices_booking (booking_id, id),
    KEY idx_invoices_client (client_id, issued_at, id),
    KEY idx_invoices_issued (issued_at, id),
    CONSTRAINT fk_invoices_booking FOREIGN KEY (booking_id) REFERENCES {prefix}volixta_bookings (id),
    CONSTRAINT fk_invoices_related FOREIGN KEY (related_id) REFERENCES {prefix}volixta_invoices (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The lines as the booking's price computed them (a credit note's are the credited invoice's,
-- negated).
CREATE TABLE {prefix}volixta_invoice_lines (
    invoice_id  BIGINT UNSIGNED NOT NULL,
    position    SMALLINT UNSIGNED NOT NULL,
    kind        ENUM('service','addon') CHARACTER SET ascii NOT NULL,
    description VARCHAR(200)  NOT NULL,
    quantity    SMALLINT UNSIGNED NOT NULL,
    unit_price  DECIMAL(19,4) NOT NULL,
    amount      DECIMAL(19,4) NOT NULL,
    discount    DECIMAL(19,4) NOT NULL,
    tax_rate_percent DECIMAL(7,4) NOT NULL,
    tax         DECIMAL(19,4) NOT NULL,
    total       DECIMAL(19,4) NOT NULL,
    PRIMARY KEY (invoice_id, position),
    CONSTRAINT fk_invoice_lines_invoice FOREIGN KEY (invoice_id)
        REFERENCES {prefix}volixta_invoices (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
