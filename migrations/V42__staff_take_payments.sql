-- Whether an employee may handle money on its own bookings (record payments as paid, take the
-- client's wallet credits, give a discount). Off by default: until a manager allows it, money at
-- booking is the managers' alone, as for payments recorded later.
ALTER TABLE {prefix}volixta_staff
    ADD COLUMN can_take_payments TINYINT(1) NOT NULL DEFAULT 0;
