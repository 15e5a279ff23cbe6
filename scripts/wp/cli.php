<?php
/**
 * Shared start of the PHP command-line scripts (wp-install.php, demo-data.php): reads
 * `--name=value` options, points the Debian WordPress configuration at the right site through
 * the environment, and offers small helpers. It does not load WordPress itself.
 */

declare(strict_types=1);

/** @return array<string,string|true> */
function volixta_cli_options( array $argv ): array {
	$options = array();
	foreach ( array_slice( $argv, 1 ) as $arg ) {
		if ( ! str_starts_with( $arg, '--' ) ) {
			volixta_cli_fail( "unexpected argument: $arg" );
		}
		$parts                  = explode( '=', substr( $arg, 2 ), 2 );
		$options[ $parts[0] ] = $parts[1] ?? true;
	}
	return $options;
}

function volixta_cli_fail( string $message ): never {
	fwrite( STDERR, 'error: ' . $message . "\n" );
	exit( 1 );
}

function volixta_cli_say( string $message ): void {
	fwrite( STDERR, '    ' . $message . "\n" );
}

/**
 * Makes WordPress, loaded from the command line, act as the site at $url with database $db:
 * the Debian wp-config.php picks /etc/wordpress/config-<host>.php from HTTP_HOST, and that file
 * reads the database name from VOLIXTA_WP_DB_NAME.
 */
function volixta_cli_site( string $url, string $db ): void {
	$parts = parse_url( $url );
	if ( ! $parts || empty( $parts['host'] ) ) {
		volixta_cli_fail( "not a URL: $url" );
	}
	putenv( 'VOLIXTA_WP_DB_NAME=' . $db );
	$_SERVER['HTTP_HOST']   = $parts['host'] . ( isset( $parts['port'] ) ? ':' . $parts['port'] : '' );
	$_SERVER['SERVER_NAME'] = $parts['host'];
	$_SERVER['SERVER_PORT'] = (string) ( $parts['port'] ?? 80 );
	$_SERVER['REQUEST_URI'] = '/';
	$_SERVER['HTTPS']       = 'off';
}
