-- Profile fields of a client (volixta-crm.txt, peer-b "Add / Edit Customer").
ALTER TABLE {prefix}volixta_clients
    ADD COLUMN street            VARCHAR(200) NOT NULL DEFAULT '' AFTER phone,
    ADD COLUMN zip               VARCHAR(20)  NOT NULL DEFAULT '' AFTER street,
    ADD COLUMN city              VARCHAR(100) NOT NULL DEFAULT '' AFTER zip,
    ADD COLUMN notes             TEXT         NOT NULL DEFAULT '' AFTER status,
    -- Permission level: what the client may do from the portal.
    ADD COLUMN can_book          TINYINT(1)   NOT NULL DEFAULT 1 AFTER notes,
    ADD COLUMN can_reschedule    TINYINT(1)   NOT NULL DEFAULT 1 AFTER can_book,
    ADD COLUMN can_cancel        TINYINT(1)   NOT NULL DEFAULT 1 AFTER can_reschedule,
    ADD COLUMN can_view_invoices TINYINT(1)   NOT NULL DEFAULT 1 AFTER can_cancel,
    -- The name of a default avatar, or 'upload' when {prefix}volixta_client_avatars holds an image.
    ADD COLUMN avatar            VARCHAR(40)  CHARACTER SET ascii NULL AFTER can_view_invoices,
    ADD COLUMN birthday          DATE         NULL AFTER avatar,
    ADD COLUMN anniversary       DATE         NULL AFTER birthday,
    ADD COLUMN gender            VARCHAR(10)  CHARACTER SET ascii NULL AFTER anniversary,
    ADD COLUMN notify_reminders  TINYINT(1)   NOT NULL DEFAULT 1 AFTER gender,
    ADD COLUMN notify_birthday   TINYINT(1)   NOT NULL DEFAULT 1 AFTER notify_reminders,
    ADD COLUMN notify_marketing  TINYINT(1)   NOT NULL DEFAULT 0 AFTER notify_birthday,
    -- Neither deleted nor merged: every list filter starts from it, so it leads the list indexes.
    ADD COLUMN live              TINYINT(1)   AS (deleted_at IS NULL AND merged_into_id IS NULL) PERSISTENT,
    ADD KEY idx_live_id (live, id),
    ADD KEY idx_live_status (live, status, id),
    ADD KEY idx_live_name (live, last_name, first_name, id),
    ADD KEY idx_merged_into (merged_into_id);

-- Statuses are custom: a status typed for a client is saved here and offered for later clients.
CREATE TABLE {prefix}volixta_client_statuses (
    id         INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name       VARCHAR(40)  NOT NULL,
    icon       VARCHAR(40)  NOT NULL DEFAULT '',
    position   INT          NOT NULL DEFAULT 0,
    created_at DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO {prefix}volixta_client_statuses (name, icon, position) VALUES
    ('New', 'sparkles', 1), ('VIP', 'star', 2), ('Returning', 'repeat', 3);

CREATE TABLE {prefix}volixta_client_groups (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name        VARCHAR(100)    NOT NULL,
    description VARCHAR(500)    NOT NULL DEFAULT '',
    created_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE {prefix}volixta_client_group_members (
    group_id  BIGINT UNSIGNED NOT NULL,
    client_id BIGINT UNSIGNED NOT NULL,
    added_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (group_id, client_id),
    KEY idx_client (client_id),
    CONSTRAINT fk_member_group FOREIGN KEY (group_id) REFERENCES {prefix}volixta_client_groups (id) ON DELETE CASCADE,
    CONSTRAINT fk_member_client FOREIGN KEY (client_id) REFERENCES {prefix}volixta_clients (id)
) ENGINE=InnoDB;

-- Uploaded profile photos. The content type is the one sniffed from the bytes at upload.
CREATE TABLE {prefix}volixta_client_avatars (
    client_id    BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    content_type VARCHAR(20)     CHARACTER SET ascii NOT NULL,
    image        MEDIUMBLOB      NOT NULL,
    sha256       CHAR(64)        CHARACTER SET ascii NOT NULL,
    uploaded_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT fk_avatar_client FOREIGN KEY (client_id) REFERENCES {prefix}volixta_clients (id)
) ENGINE=InnoDB;
