-- Words a client is found by: name words, e-mail and its parts (accent-folded, lowercase), and
-- the trailing digits of the phone. A search word matches the start of a token, so the list
-- search is an index range scan rather than a scan of every client.
CREATE TABLE {prefix}volixta_client_search (
    token     VARCHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    client_id BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (token, client_id),
    KEY idx_client (client_id),
    CONSTRAINT fk_search_client FOREIGN KEY (client_id) REFERENCES {prefix}volixta_clients (id)
) ENGINE=InnoDB;

-- Clients written before this table existed: their ASCII names and e-mail, lowercased. Saving a
-- client rebuilds its tokens in full.
INSERT INTO {prefix}volixta_client_search (token, client_id)
SELECT DISTINCT LEFT(CONVERT(LOWER(t.word) USING ascii), 64), t.client_id FROM (
    SELECT first_name AS word, id AS client_id FROM {prefix}volixta_clients
    UNION SELECT last_name, id FROM {prefix}volixta_clients
    UNION SELECT email, id FROM {prefix}volixta_clients WHERE email IS NOT NULL
) t WHERE t.word <> '' AND t.word NOT REGEXP '[^ -~]';
