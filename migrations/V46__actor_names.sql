-- The names WordPress gives the people who act (`manager:2` → "Maria Manager"), as the plugin
-- reports them with each change, so that screens say who did something instead of an id.
CREATE TABLE {prefix}volixta_actor_names (
    actor        VARCHAR(40)  CHARACTER SET ascii NOT NULL PRIMARY KEY,
    display_name VARCHAR(250) NOT NULL,
    updated_at   DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
