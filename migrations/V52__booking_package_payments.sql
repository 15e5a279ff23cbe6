-- A booking may be paid with one session of a client package: a payment row of method
-- 'package' (its amount is the service line the session pays for), and a refund row of the same
-- method when the booking is cancelled and the session goes back.
ALTER TABLE {prefix}volixta_booking_payments
    MODIFY COLUMN method ENUM('wallet','cash','bank_transfer','card','woocommerce','package')
        CHARACTER SET ascii NOT NULL;
ALTER TABLE {prefix}volixta_bookings
    MODIFY COLUMN payment_method ENUM('wallet','cash','bank_transfer','card','woocommerce','package')
        CHARACTER SET ascii NULL;
