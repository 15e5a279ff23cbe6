<?php
/**
 * The configuration wp-config.php would give, shared by the installer subprocess and the
 * in-process boot. Defining it here (instead of a file in /etc/wordpress) keeps the tests off
 * system files and away from the site the demo runs.
 *
 * @package Volixta
 */

declare(strict_types=1);

/**
 * Defines WordPress's constants for the throwaway site.
 *
 * @param array{db_name: string, db_host: string, db_user: string, db_password: string, abspath: string, content_dir: string} $site Site settings.
 */
function volixta_phpunit_define_wp_constants( array $site ): void {
	$_SERVER['HTTP_HOST']       = 'volixta.test';
	$_SERVER['SERVER_NAME']     = 'volixta.test';
	$_SERVER['SERVER_PORT']     = '80';
	$_SERVER['REQUEST_URI']     = '/';
	$_SERVER['REQUEST_METHOD']  = 'GET';
	$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
	$_SERVER['REMOTE_ADDR']     = '127.0.0.1';
	$_SERVER['PHP_SELF']        = '/index.php';

	define( 'ABSPATH', rtrim( $site['abspath'], '/' ) . '/' );
	define( 'DB_NAME', $site['db_name'] );
	define( 'DB_USER', $site['db_user'] );
	define( 'DB_PASSWORD', $site['db_password'] );
	define( 'DB_HOST', $site['db_host'] );
	define( 'DB_CHARSET', 'utf8mb4' );
	define( 'DB_COLLATE', '' );
	define( 'WP_CONTENT_DIR', $site['content_dir'] );
	define( 'WP_CONTENT_URL', 'http://volixta.test/wp-content' );
	define( 'WP_HOME', 'http://volixta.test' );
	define( 'WP_SITEURL', 'http://volixta.test' );
	foreach ( array( 'AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT' ) as $key ) {
		define( $key, 'volixta-phpunit-' . $key );
	}
	// Every notice must surface: PHPUnit turns it into a failure.
	define( 'WP_DEBUG', true );
	define( 'WP_DEBUG_DISPLAY', false );
	define( 'WP_DEBUG_LOG', false );
	// The test site must not call out: no cron spawn, no update checks, no internet.
	define( 'DISABLE_WP_CRON', true );
	define( 'WP_HTTP_BLOCK_EXTERNAL', true );
	// A site that blocks external requests must list the service host, or every call fails.
	define( 'WP_ACCESSIBLE_HOSTS', '127.0.0.1' );
	define( 'AUTOMATIC_UPDATER_DISABLED', true );
	define( 'WP_AUTO_UPDATE_CORE', false );
	define( 'WP_DEFAULT_THEME', 'default' );

	$GLOBALS['table_prefix'] = 'vxt_';
}

/**
 * Site settings from the environment (see Environment::from_env()).
 *
 * @return array{db_name: string, db_host: string, db_user: string, db_password: string, abspath: string, content_dir: string}
 */
function volixta_phpunit_site_from_env(): array {
	return array(
		'db_name'     => (string) getenv( 'VOLIXTA_PHPUNIT_DB_NAME' ),
		'db_host'     => getenv( 'VOLIXTA_WP_DB_HOST' ) ?: '127.0.0.1:3306',
		'db_user'     => getenv( 'VOLIXTA_WP_DB_USER' ) ?: 'root',
		'db_password' => (string) getenv( 'VOLIXTA_WP_DB_PASSWORD' ),
		'abspath'     => getenv( 'VOLIXTA_WP_ABSPATH' ) ?: '/usr/share/wordpress/',
		'content_dir' => (string) getenv( 'VOLIXTA_PHPUNIT_CONTENT_DIR' ),
	);
}
