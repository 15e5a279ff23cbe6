-- CSV files uploaded from wp-admin and the state of their dry run or import. The file waits here
-- between the steps (upload, column mapping, dry run, import), and the replica running an import
-- writes its progress here, so whichever replica answers the screen's polling can show it.
CREATE TABLE {prefix}volixta_client_imports (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    actor       VARCHAR(40)     CHARACTER SET ascii NOT NULL,
    file_name   VARCHAR(255)    NOT NULL DEFAULT '',
    csv         LONGBLOB        NOT NULL,
    -- `field → column header` of the last run, JSON.
    mapping     TEXT            NULL,
    -- uploaded, running, done or failed.
    state       VARCHAR(10)     CHARACTER SET ascii NOT NULL DEFAULT 'uploaded',
    dry_run     TINYINT(1)      NOT NULL DEFAULT 0,
    rows_total  INT UNSIGNED    NOT NULL DEFAULT 0,
    rows_done   INT UNSIGNED    NOT NULL DEFAULT 0,
    -- The report of the last finished run, JSON.
    report      LONGTEXT        NULL,
    error       TEXT            NULL,
    created_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    KEY idx_created (created_at)
) ENGINE=InnoDB;
