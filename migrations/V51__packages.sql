-- Packages: a number of sessions of some services, sold or given to clients.
-- quantity_left is the stock still for sale or to give (NULL = unlimited); every client package
-- made takes one, by an UPDATE that the CHECK refuses below zero, so the stock holds on every
-- replica.
CREATE TABLE {prefix}volixta_packages (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name          VARCHAR(150)  NOT NULL,
    description   TEXT          NOT NULL,
    sessions      INT UNSIGNED  NOT NULL,
    -- NULL = unlimited validity.
    validity_days INT UNSIGNED  NULL,
    price         DECIMAL(19,4) NOT NULL,
    quantity_left INT           NULL,
    active        TINYINT(1)    NOT NULL DEFAULT 1,
    created_by    VARCHAR(40)   CHARACTER SET ascii NOT NULL,
    created_at    DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at    DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    CONSTRAINT chk_packages_sessions CHECK (sessions BETWEEN 1 AND 1000),
    CONSTRAINT chk_packages_validity CHECK (validity_days IS NULL OR validity_days BETWEEN 1 AND 3650),
    CONSTRAINT chk_packages_price CHECK (price >= 0),
    CONSTRAINT chk_packages_quantity CHECK (quantity_left IS NULL OR quantity_left >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The services a package pays for (at least one).
CREATE TABLE {prefix}volixta_package_services (
    package_id BIGINT UNSIGNED NOT NULL,
    service_id BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (package_id, service_id),
    CONSTRAINT fk_package_services_package FOREIGN KEY (package_id)
        REFERENCES {prefix}volixta_packages (id) ON DELETE CASCADE,
    CONSTRAINT fk_package_services_service FOREIGN KEY (service_id)
        REFERENCES {prefix}volixta_services (id)
) ENGINE=InnoDB;

-- The locations it may be used at; none = every location.
CREATE TABLE {prefix}volixta_package_locations (
    package_id  BIGINT UNSIGNED NOT NULL,
    location_id BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (package_id, location_id),
    CONSTRAINT fk_package_locations_package FOREIGN KEY (package_id)
        REFERENCES {prefix}volixta_packages (id) ON DELETE CASCADE,
    CONSTRAINT fk_package_locations_location FOREIGN KEY (location_id)
        REFERENCES {prefix}volixta_locations (id)
) ENGINE=InnoDB;

-- A package a client owns. Its status is computed when read (pending, active, expired,
-- inactive), never stored. sessions_used only moves under this row's lock, in the transaction
-- of the booking that uses or gives back a session; the CHECK is the last word on "never more
-- used than total", also for a manager lowering the total.
-- A removed package keeps its row and its uses (traceability): removed_at, removed_by and the
-- reason say why it is gone from the profile.
CREATE TABLE {prefix}volixta_client_packages (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    package_id      BIGINT UNSIGNED NOT NULL,
    client_id       BIGINT UNSIGNED NOT NULL,
    sessions_total  INT UNSIGNED  NOT NULL,
    sessions_used   INT UNSIGNED  NOT NULL DEFAULT 0,
    activation_date DATE          NOT NULL,
    -- NULL = never expires. The last day it may be used.
    expires_on      DATE          NULL,
    active          TINYINT(1)    NOT NULL DEFAULT 1,
    -- Recorded as sold by a manager: the price and how it was paid.
    sold_price      DECIMAL(19,4) NULL,
    sold_method     ENUM('cash','card','bank_transfer') CHARACTER SET ascii NULL,
    created_by      VARCHAR(40)   CHARACTER SET ascii NOT NULL,
    created_at      DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at      DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    removed_at      DATETIME(6)   NULL,
    removed_by      VARCHAR(40)   CHARACTER SET ascii NULL,
    removed_reason  VARCHAR(500)  NULL,
    KEY idx_client_packages_client (client_id, removed_at, id),
    KEY idx_client_packages_package (package_id, client_id),
    CONSTRAINT fk_client_packages_package FOREIGN KEY (package_id)
        REFERENCES {prefix}volixta_packages (id),
    CONSTRAINT fk_client_packages_client FOREIGN KEY (client_id)
        REFERENCES {prefix}volixta_clients (id),
    CONSTRAINT chk_client_packages_sessions CHECK (sessions_total BETWEEN 1 AND 1000 AND sessions_used <= sessions_total),
    CONSTRAINT chk_client_packages_expiry CHECK (expires_on IS NULL OR expires_on >= activation_date),
    CONSTRAINT chk_client_packages_sale CHECK ((sold_price IS NULL) = (sold_method IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Which booking used which session. A booking uses at most one session (the unique key);
-- cancelling it gives the session back (returned_at) and keeps the row as history.
CREATE TABLE {prefix}volixta_package_uses (
    id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    client_package_id BIGINT UNSIGNED NOT NULL,
    booking_id        BIGINT UNSIGNED NOT NULL,
    -- "session n of m" as it was when used.
    session_number    INT UNSIGNED  NOT NULL,
    sessions_total    INT UNSIGNED  NOT NULL,
    actor             VARCHAR(40)   CHARACTER SET ascii NOT NULL,
    used_at           DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    returned_at       DATETIME(6)   NULL,
    returned_by       VARCHAR(40)   CHARACTER SET ascii NULL,
    UNIQUE KEY uq_package_uses_booking (booking_id),
    KEY idx_package_uses_package (client_package_id, id),
    CONSTRAINT fk_package_uses_package FOREIGN KEY (client_package_id)
        REFERENCES {prefix}volixta_client_packages (id),
    CONSTRAINT fk_package_uses_booking FOREIGN KEY (booking_id)
        REFERENCES {prefix}volixta_bookings (id)
) ENGINE=InnoDB;
