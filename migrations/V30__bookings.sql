-- A booking holds its staff member's time from start_at - buffer_before to end_at + buffer_after
-- while pending or confirmed. end_at = start_at + service duration + add-on durations.
-- The buffers are copied from the service at booking time, so later catalog edits do not move
-- the time an existing booking holds.
CREATE TABLE {prefix}volixta_bookings (
    id                    BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    client_id             BIGINT UNSIGNED NOT NULL,
    service_id            BIGINT UNSIGNED NOT NULL,
    location_id           BIGINT UNSIGNED NOT NULL,
    staff_id              BIGINT UNSIGNED NOT NULL,
    start_at              DATETIME(6)   NOT NULL,
    end_at                DATETIME(6)   NOT NULL,
    buffer_before_minutes SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    buffer_after_minutes  SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    people                SMALLINT UNSIGNED NOT NULL DEFAULT 1,
    status                ENUM('pending','confirmed','cancelled','completed','no_show')
                          CHARACTER SET ascii NOT NULL DEFAULT 'pending',
    created_at            DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at            DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    -- The availability query reads one staff member's window through this index.
    KEY idx_bookings_staff_start (staff_id, start_at),
    KEY idx_bookings_client (client_id, start_at),
    KEY idx_bookings_service (service_id),
    KEY idx_bookings_location (location_id),
    CONSTRAINT fk_bookings_client FOREIGN KEY (client_id) REFERENCES {prefix}volixta_clients (id),
    CONSTRAINT fk_bookings_service FOREIGN KEY (service_id) REFERENCES {prefix}volixta_services (id),
    CONSTRAINT fk_bookings_location FOREIGN KEY (location_id) REFERENCES {prefix}volixta_locations (id),
    CONSTRAINT fk_bookings_staff FOREIGN KEY (staff_id) REFERENCES {prefix}volixta_staff (id),
    -- The availability query looks one day around its window (availability::MAX_HOLD_MINUTES):
    -- a booking holding its staff longer would be missed by it.
    CONSTRAINT chk_bookings_hold CHECK (end_at > start_at AND
        TIMESTAMPDIFF(MINUTE, start_at, end_at) + buffer_before_minutes + buffer_after_minutes <= 1440),
    CONSTRAINT chk_bookings_people CHECK (people >= 1)
) ENGINE=InnoDB;
