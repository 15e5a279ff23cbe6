-- The fewest of an add-on a booking that chooses it takes (a "2 to 4 hot stones" option); 1 keeps
-- every existing add-on as it was. The database refuses a minimum above the maximum.
ALTER TABLE {prefix}volixta_service_addons
    ADD COLUMN min_quantity SMALLINT UNSIGNED NOT NULL DEFAULT 1 AFTER duration_minutes,
    ADD CONSTRAINT chk_addons_min_quantity CHECK (min_quantity >= 1 AND min_quantity <= max_quantity);
