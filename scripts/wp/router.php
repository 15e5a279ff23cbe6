<?php
/**
 * Router for `php -S 127.0.0.1:PORT -t /usr/share/wordpress scripts/wp/router.php`.
 *
 * Debian keeps WordPress's code in /usr/share/wordpress but its content (plugins, themes,
 * uploads) in /var/lib/wordpress/wp-content (or VOLIXTA_WP_CONTENT_DIR), so the built-in server alone would 404 on plugin
 * assets. This serves static files from the content folder, lets the built-in server handle
 * files that exist under the document root, and sends everything else to index.php (pretty
 * permalinks).
 */

$volixta_path    = rawurldecode( (string) parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) );
$volixta_docroot = rtrim( $_SERVER['DOCUMENT_ROOT'], '/' );

if ( str_contains( $volixta_path, '..' ) ) {
	http_response_code( 400 );
	return true;
}

if ( is_file( $volixta_docroot . $volixta_path ) || is_dir( $volixta_docroot . $volixta_path ) ) {
	return false;
}

if ( str_starts_with( $volixta_path, '/wp-content/' ) ) {
	$volixta_content = getenv( 'VOLIXTA_WP_CONTENT_DIR' ) ?: '/var/lib/wordpress/wp-content';
	$volixta_file    = $volixta_content . substr( $volixta_path, strlen( '/wp-content' ) );
	if ( is_file( $volixta_file ) && ! str_ends_with( $volixta_file, '.php' ) ) {
		$volixta_types = array(
			'css'   => 'text/css; charset=utf-8',
			'js'    => 'text/javascript; charset=utf-8',
			'mjs'   => 'text/javascript; charset=utf-8',
			'json'  => 'application/json',
			'svg'   => 'image/svg+xml',
			'png'   => 'image/png',
			'jpg'   => 'image/jpeg',
			'jpeg'  => 'image/jpeg',
			'gif'   => 'image/gif',
			'webp'  => 'image/webp',
			'ico'   => 'image/x-icon',
			'woff'  => 'font/woff',
			'woff2' => 'font/woff2',
			'ttf'   => 'font/ttf',
			'map'   => 'application/json',
			'txt'   => 'text/plain; charset=utf-8',
		);
		$volixta_ext   = strtolower( pathinfo( $volixta_file, PATHINFO_EXTENSION ) );
		header( 'Content-Type: ' . ( $volixta_types[ $volixta_ext ] ?? 'application/octet-stream' ) );
		header( 'Content-Length: ' . filesize( $volixta_file ) );
		readfile( $volixta_file );
		return true;
	}
	http_response_code( 404 );
	return true;
}

$_SERVER['SCRIPT_NAME']     = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $volixta_docroot . '/index.php';
$_SERVER['PHP_SELF']        = '/index.php';
require $volixta_docroot . '/index.php';
