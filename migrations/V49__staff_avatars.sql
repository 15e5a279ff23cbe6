-- A staff member's photo, uploaded from wp-admin → Volixta → Staff. One row when there is one;
-- the type is sniffed from the bytes at upload, the hash is the photo's ETag.
CREATE TABLE {prefix}volixta_staff_avatars (
    staff_id     BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    content_type VARCHAR(20)     CHARACTER SET ascii NOT NULL,
    image        MEDIUMBLOB      NOT NULL,
    sha256       CHAR(64)        CHARACTER SET ascii NOT NULL,
    uploaded_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT fk_staff_avatar_staff FOREIGN KEY (staff_id) REFERENCES {prefix}volixta_staff (id)
) ENGINE=InnoDB;
