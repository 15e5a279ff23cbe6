-- The order in which services are listed within their category (then by name); managers set it.
ALTER TABLE {prefix}volixta_services
    ADD COLUMN position INT NOT NULL DEFAULT 0 AFTER name;
