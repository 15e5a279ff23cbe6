CREATE TABLE {prefix}volixta_service_categories (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name       VARCHAR(150)  NOT NULL,
    position   INT           NOT NULL DEFAULT 0,
    created_at DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_category_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The time-rule columns are per-service overrides; NULL means "use the site setting".
CREATE TABLE {prefix}volixta_services (
    id                         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    category_id                BIGINT UNSIGNED NULL,
    name                       VARCHAR(150)  NOT NULL,
    description                TEXT          NOT NULL,
    duration_minutes           SMALLINT UNSIGNED NOT NULL,
    price                      DECIMAL(19,4) NOT NULL,
    capacity                   SMALLINT UNSIGNED NOT NULL DEFAULT 1,
    buffer_before_minutes      SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    buffer_after_minutes       SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    min_booking_notice_minutes INT UNSIGNED  NULL,
    min_change_notice_minutes  INT UNSIGNED  NULL,
    slot_interval_minutes      INT UNSIGNED  NULL,
    max_booking_ahead_days     INT UNSIGNED  NULL,
    active                     TINYINT(1)    NOT NULL DEFAULT 1,
    created_at                 DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at                 DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    KEY idx_services_category (category_id),
    CONSTRAINT fk_services_category FOREIGN KEY (category_id)
        REFERENCES {prefix}volixta_service_categories (id),
    CONSTRAINT chk_services_duration CHECK (duration_minutes BETWEEN 5 AND 1440),
    CONSTRAINT chk_services_capacity CHECK (capacity >= 1),
    CONSTRAINT chk_services_hold CHECK (duration_minutes + buffer_before_minutes + buffer_after_minutes <= 1440),
    CONSTRAINT chk_services_price CHECK (price >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- No row for a service means it is offered at every location where one of its staff works.
CREATE TABLE {prefix}volixta_service_locations (
    service_id  BIGINT UNSIGNED NOT NULL,
    location_id BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (service_id, location_id),
    KEY idx_service_locations_location (location_id),
    CONSTRAINT fk_service_locations_service FOREIGN KEY (service_id)
        REFERENCES {prefix}volixta_services (id) ON DELETE CASCADE,
    CONSTRAINT fk_service_locations_location FOREIGN KEY (location_id)
        REFERENCES {prefix}volixta_locations (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- Optional extras a client adds to a service; retired ones stay (active = 0) for old bookings.
CREATE TABLE {prefix}volixta_service_addons (
    id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    service_id       BIGINT UNSIGNED NOT NULL,
    name             VARCHAR(150)  NOT NULL,
    price            DECIMAL(19,4) NOT NULL,
    duration_minutes SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    max_quantity     SMALLINT UNSIGNED NOT NULL DEFAULT 1,
    position         INT           NOT NULL DEFAULT 0,
    active           TINYINT(1)    NOT NULL DEFAULT 1,
    KEY idx_addons_service (service_id, position),
    CONSTRAINT fk_addons_service FOREIGN KEY (service_id)
        REFERENCES {prefix}volixta_services (id) ON DELETE CASCADE,
    CONSTRAINT chk_addons_quantity CHECK (max_quantity >= 1),
    CONSTRAINT chk_addons_duration CHECK (duration_minutes <= 720),
    CONSTRAINT chk_addons_price CHECK (price >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
