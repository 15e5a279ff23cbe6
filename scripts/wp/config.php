<?php
/**
 * WordPress configuration for local Volixta sites served by `php -S` (the demo and the
 * end-to-end test). Installed by scripts/wp-install.php as /etc/wordpress/config-<host>.php,
 * which Debian's wp-config.php loads. Every value comes from the environment, with the demo's
 * defaults, so that several sites on one host (the demo on :8080 with database `wordpress`, the
 * e2e test on a free port with `volixta_e2e`) share this file without clashing.
 */

$volixta_env = static function ( string $name, string $fallback ): string {
	$value = getenv( $name );
	return ( false === $value || '' === $value ) ? $fallback : $value;
};

define( 'DB_NAME', $volixta_env( 'VOLIXTA_WP_DB_NAME', 'wordpress' ) );
define( 'DB_USER', $volixta_env( 'VOLIXTA_WP_DB_USER', 'root' ) );
define( 'DB_PASSWORD', (string) getenv( 'VOLIXTA_WP_DB_PASSWORD' ) );
define( 'DB_HOST', $volixta_env( 'VOLIXTA_WP_DB_HOST', '127.0.0.1:3306' ) );
define( 'DB_CHARSET', 'utf8mb4' );
$table_prefix = $volixta_env( 'VOLIXTA_WP_TABLE_PREFIX', 'wp_' );

// The e2e test gives each run its own content folder (plugins, uploads), made by wp-install.php.
define( 'WP_CONTENT_DIR', $volixta_env( 'VOLIXTA_WP_CONTENT_DIR', '/var/lib/wordpress/wp-content' ) );
define( 'FS_METHOD', 'direct' );
define( 'WP_ENVIRONMENT_TYPE', 'local' );

// A local site calls no one outside this machine (no update checks to wordpress.org: there is no
// network here anyway, and each try slows a page down). The site itself, localhost and
// 127.0.0.1 (where volixta-service listens) stay reachable.
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'WP_ACCESSIBLE_HOSTS', $volixta_env( 'VOLIXTA_WP_ACCESSIBLE_HOSTS', '127.0.0.1,localhost' ) );
define( 'AUTOMATIC_UPDATER_DISABLED', true );

// PHP notices go to a log file when asked (the e2e test keeps one), never into the page.
$volixta_debug_log = getenv( 'VOLIXTA_WP_DEBUG_LOG' );
if ( $volixta_debug_log ) {
	define( 'WP_DEBUG', true );
	define( 'WP_DEBUG_LOG', $volixta_debug_log );
	define( 'WP_DEBUG_DISPLAY', false );
}
unset( $volixta_env, $volixta_debug_log );
