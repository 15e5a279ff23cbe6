-- Which root key made a gift code's hash and sealed copy: the shared secret (every code made
-- before VOLIXTA_DATA_KEY existed), or the service's own data key. With a data key set, codes of
-- either kind are found and opened, and the shared secret's are moved to the data key.
ALTER TABLE {prefix}volixta_gift_codes
    ADD COLUMN sealed_with ENUM('shared_secret', 'data_key') NOT NULL DEFAULT 'shared_secret'
        AFTER code_sealed;
