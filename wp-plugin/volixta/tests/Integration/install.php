<?php
/**
 * Installs WordPress into the throwaway database and activates the plugin. Runs as its own
 * process because WP_INSTALLING, once defined, would keep the test process from loading plugins.
 *
 * @package Volixta
 */

declare(strict_types=1);

require __DIR__ . '/wp-constants.php';

$volixta_site = volixta_phpunit_site_from_env();
if ( '' === $volixta_site['db_name'] || '' === $volixta_site['content_dir'] ) {
	fwrite( STDERR, "install.php is started by the integration tests, with VOLIXTA_PHPUNIT_DB_NAME and VOLIXTA_PHPUNIT_CONTENT_DIR set\n" );
	exit( 2 );
}
volixta_phpunit_define_wp_constants( $volixta_site );
define( 'WP_INSTALLING', true );

// There is no mail transport on the test machine; wp_install() would try to announce the site.
function wp_new_blog_notification(): void {} // phpcs:ignore

require ABSPATH . 'wp-settings.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

wp_install( 'Volixta tests', 'admin', 'admin@example.com', true, '', 'admin-password' );

$volixta_activated = activate_plugin( 'volixta/volixta.php' );
if ( is_wp_error( $volixta_activated ) ) {
	fwrite( STDERR, 'activate_plugin: ' . $volixta_activated->get_error_message() . "\n" );
	exit( 1 );
}
echo "installed\n";
