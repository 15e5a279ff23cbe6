-- Dates on which a location keeps other hours than its weekly ones, or is closed. A closed date
-- is one row with closed = 1 and no period; a date with other hours has one row per period.
-- Minutes are wall clock of the location's own zone, like its weekly hours.
CREATE TABLE {prefix}volixta_location_special_days (
    location_id  BIGINT UNSIGNED   NOT NULL,
    day          DATE              NOT NULL,
    start_minute SMALLINT UNSIGNED NOT NULL,
    end_minute   SMALLINT UNSIGNED NOT NULL,
    closed       TINYINT(1)        NOT NULL DEFAULT 0,
    PRIMARY KEY (location_id, day, start_minute),
    CONSTRAINT fk_location_special_days_location FOREIGN KEY (location_id)
        REFERENCES {prefix}volixta_locations (id) ON DELETE CASCADE,
    CONSTRAINT chk_location_special_days_range CHECK (
        (closed = 1 AND start_minute = 0 AND end_minute = 0)
        OR (closed = 0 AND start_minute < end_minute AND end_minute <= 1440))
) ENGINE=InnoDB;
