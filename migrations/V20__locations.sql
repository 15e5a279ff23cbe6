-- Where services happen. Opening hours are wall-clock minutes of the location's own zone.
CREATE TABLE {prefix}volixta_locations (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name       VARCHAR(150)  NOT NULL,
    address    VARCHAR(500)  NOT NULL DEFAULT '',
    timezone   VARCHAR(64)   CHARACTER SET ascii NOT NULL,
    active     TINYINT(1)    NOT NULL DEFAULT 1,
    created_at DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- No row at all for a location means "no opening hours set": staff hours alone decide.
CREATE TABLE {prefix}volixta_location_hours (
    location_id  BIGINT UNSIGNED  NOT NULL,
    weekday      TINYINT UNSIGNED NOT NULL,
    start_minute SMALLINT UNSIGNED NOT NULL,
    end_minute   SMALLINT UNSIGNED NOT NULL,
    PRIMARY KEY (location_id, weekday, start_minute),
    CONSTRAINT fk_location_hours_location FOREIGN KEY (location_id)
        REFERENCES {prefix}volixta_locations (id) ON DELETE CASCADE,
    CONSTRAINT chk_location_hours_weekday CHECK (weekday BETWEEN 1 AND 7),
    CONSTRAINT chk_location_hours_range CHECK (start_minute < end_minute AND end_minute <= 1440)
) ENGINE=InnoDB;
