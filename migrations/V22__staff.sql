CREATE TABLE {prefix}volixta_staff (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    wp_user_id BIGINT UNSIGNED NULL,
    first_name VARCHAR(100)  NOT NULL,
    last_name  VARCHAR(100)  NOT NULL DEFAULT '',
    email      VARCHAR(254)  NULL,
    phone      VARCHAR(20)   NULL,
    active     TINYINT(1)    NOT NULL DEFAULT 1,
    created_at DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_staff_wp_user (wp_user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE {prefix}volixta_staff_services (
    staff_id   BIGINT UNSIGNED NOT NULL,
    service_id BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (staff_id, service_id),
    KEY idx_staff_services_service (service_id),
    CONSTRAINT fk_staff_services_staff FOREIGN KEY (staff_id)
        REFERENCES {prefix}volixta_staff (id) ON DELETE CASCADE,
    CONSTRAINT fk_staff_services_service FOREIGN KEY (service_id)
        REFERENCES {prefix}volixta_services (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- Weekly working hours: wall-clock minutes in the zone of the location they are worked at.
CREATE TABLE {prefix}volixta_staff_hours (
    staff_id     BIGINT UNSIGNED  NOT NULL,
    location_id  BIGINT UNSIGNED  NOT NULL,
    weekday      TINYINT UNSIGNED NOT NULL,
    start_minute SMALLINT UNSIGNED NOT NULL,
    end_minute   SMALLINT UNSIGNED NOT NULL,
    PRIMARY KEY (staff_id, weekday, start_minute),
    KEY idx_staff_hours_location (location_id),
    CONSTRAINT fk_staff_hours_staff FOREIGN KEY (staff_id)
        REFERENCES {prefix}volixta_staff (id) ON DELETE CASCADE,
    CONSTRAINT fk_staff_hours_location FOREIGN KEY (location_id)
        REFERENCES {prefix}volixta_locations (id),
    CONSTRAINT chk_staff_hours_weekday CHECK (weekday BETWEEN 1 AND 7),
    CONSTRAINT chk_staff_hours_range CHECK (start_minute < end_minute AND end_minute <= 1440)
) ENGINE=InnoDB;

-- Weekly breaks, cut out of that weekday's working hours wherever they are worked.
CREATE TABLE {prefix}volixta_staff_breaks (
    staff_id     BIGINT UNSIGNED  NOT NULL,
    weekday      TINYINT UNSIGNED NOT NULL,
    start_minute SMALLINT UNSIGNED NOT NULL,
    end_minute   SMALLINT UNSIGNED NOT NULL,
    PRIMARY KEY (staff_id, weekday, start_minute),
    CONSTRAINT fk_staff_breaks_staff FOREIGN KEY (staff_id)
        REFERENCES {prefix}volixta_staff (id) ON DELETE CASCADE,
    CONSTRAINT chk_staff_breaks_weekday CHECK (weekday BETWEEN 1 AND 7),
    CONSTRAINT chk_staff_breaks_range CHECK (start_minute < end_minute AND end_minute <= 1440)
) ENGINE=InnoDB;

-- Dates (inclusive) are the local dates of whichever location the day would be worked at.
CREATE TABLE {prefix}volixta_staff_days_off (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    staff_id   BIGINT UNSIGNED NOT NULL,
    first_date DATE          NOT NULL,
    last_date  DATE          NOT NULL,
    reason     VARCHAR(200)  NOT NULL DEFAULT '',
    KEY idx_days_off_staff (staff_id, first_date),
    CONSTRAINT fk_days_off_staff FOREIGN KEY (staff_id)
        REFERENCES {prefix}volixta_staff (id) ON DELETE CASCADE,
    CONSTRAINT chk_days_off_order CHECK (first_date <= last_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A date with special hours replaces that date's weekly hours and breaks entirely.
CREATE TABLE {prefix}volixta_staff_special_days (
    staff_id     BIGINT UNSIGNED  NOT NULL,
    day          DATE             NOT NULL,
    location_id  BIGINT UNSIGNED  NOT NULL,
    start_minute SMALLINT UNSIGNED NOT NULL,
    end_minute   SMALLINT UNSIGNED NOT NULL,
    PRIMARY KEY (staff_id, day, start_minute),
    CONSTRAINT fk_special_days_staff FOREIGN KEY (staff_id)
        REFERENCES {prefix}volixta_staff (id) ON DELETE CASCADE,
    CONSTRAINT fk_special_days_location FOREIGN KEY (location_id)
        REFERENCES {prefix}volixta_locations (id),
    CONSTRAINT chk_special_days_range CHECK (start_minute < end_minute AND end_minute <= 1440)
) ENGINE=InnoDB;
