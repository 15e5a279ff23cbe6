-- The rules a booking was priced by (tax rate, prices with or without tax, the service's standing
-- discount, the booking's own discount, the deposit rule), so that options changed later are
-- priced exactly as the first lines were. NULL for a booking placed before they were kept: its
-- options stay as booked.
ALTER TABLE {prefix}volixta_bookings
    ADD COLUMN price_rules JSON NULL AFTER prices_include_tax;
