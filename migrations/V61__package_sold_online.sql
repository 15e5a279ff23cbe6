-- A package a client bought online through WooCommerce.
ALTER TABLE {prefix}volixta_client_packages
    MODIFY COLUMN sold_method ENUM('cash','card','bank_transfer','woocommerce') CHARACTER SET ascii NULL;
