-- Live clients per status and per group, kept by triggers (installed after the migrations by
-- `clients::install_count_triggers`) so the Clients screen's quick filters do not count 100,000
-- rows on every render. NULL means "not kept": without the TRIGGER privilege the columns stay
-- NULL and readers count the rows instead.
ALTER TABLE {prefix}volixta_client_statuses ADD COLUMN live_clients BIGINT NULL DEFAULT NULL;
ALTER TABLE {prefix}volixta_client_groups ADD COLUMN live_clients BIGINT NULL DEFAULT NULL;
