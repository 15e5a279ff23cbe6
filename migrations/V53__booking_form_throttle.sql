-- Bookings asked for by visitors of the public booking form, per bucket (`address:<ip>` or
-- `email:<sha-256 of the lower-cased address>`), in a window that starts with the bucket's first
-- attempt. An attempt is let through only by a conditional UPDATE of its buckets' rows in a
-- transaction of its own, which commits whatever the booking then does: the count is decided by
-- these rows on every replica. The e-mail bucket's row is also what a booking for a new client
-- locks while it looks for a client with that e-mail, so two visitors typing one address at once
-- cannot both create a client.
CREATE TABLE {prefix}volixta_booking_form_throttle (
    bucket            VARCHAR(80)  CHARACTER SET ascii NOT NULL PRIMARY KEY,
    attempts          INT UNSIGNED NOT NULL DEFAULT 0,
    window_started_at DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY idx_window (window_started_at)
) ENGINE=InnoDB;
