<?php
/**
 * Path and query rules of the REST proxy, free of WordPress so they are unit-tested directly.
 *
 * @package Volixta
 */

namespace Volixta\Rest;

/**
 * Which browser paths may reach the service, and how the query string is carried over.
 */
final class ProxyPath {

	/**
	 * First path segments a visitor who is not logged in may read (booking form data).
	 */
	public const GUEST_READABLE = array( 'availability', 'catalog', 'services', 'locations', 'staff', 'packages' );

	/**
	 * Paths of the public booking form a visitor who is not logged in may GET.
	 */
	public const GUEST_FORM_PATHS = array( 'render/booking-form', 'render/booking-form/slot-picker' );

	/**
	 * The one path a visitor who is not logged in may POST to (with WordPress's REST nonce).
	 */
	public const GUEST_BOOK_PATH = 'render/booking-form/book';

	/**
	 * The page a marketing e-mail's unsubscribe link opens (GET: a confirmation) and its button
	 * or a mail program's one-click unsubscribe posts to (POST). Visitors reach it without a
	 * REST nonce: they come from an e-mail, not from a page WordPress rendered, and the link's
	 * signed token, which the service checks, is what authorises the change.
	 */
	public const UNSUBSCRIBE_PATH = 'unsubscribe';

	/**
	 * First path segments never reachable through the proxy: WooCommerce signs its own webhook.
	 */
	private const BLOCKED = array( 'woocommerce' );

	/**
	 * Query parameters that belong to WordPress's REST layer, not to the service.
	 */
	private const WP_PARAMS = array( 'rest_route', '_wpnonce', '_method', '_envelope', '_jsonp', '_embed', '_fields', '_locale' );

	/**
	 * Segments of unreserved characters only; no empty, "." or ".." segment, so the target the
	 * service sees is exactly the one that was signed and cannot climb out of /v1/.
	 *
	 * @param string $path Path after /wp-json/volixta/v1/.
	 */
	public static function is_valid( string $path ): bool {
		if ( '' === $path || strlen( $path ) > 512 ) {
			return false;
		}
		foreach ( explode( '/', $path ) as $segment ) {
			if ( '' === $segment || '.' === $segment || '..' === $segment || ! preg_match( '/^[A-Za-z0-9._~-]+$/D', $segment ) ) {
				return false;
			}
		}
		return ! in_array( self::first_segment( $path ), self::BLOCKED, true );
	}

	/**
	 * Whether an anonymous visitor may make this request.
	 *
	 * @param string   $method        HTTP method.
	 * @param string   $path          Proxied path.
	 * @param string[] $guest_readable First segments open to guests.
	 */
	public static function guest_may( string $method, string $path, array $guest_readable = self::GUEST_READABLE ): bool {
		if ( ! self::is_valid( $path ) ) {
			return false;
		}
		$method = strtoupper( $method );
		if ( self::UNSUBSCRIBE_PATH === $path ) {
			return 'GET' === $method || 'POST' === $method;
		}
		if ( 'POST' === $method ) {
			return self::GUEST_BOOK_PATH === $path;
		}
		return 'GET' === $method
			&& ( in_array( self::first_segment( $path ), $guest_readable, true ) || in_array( $path, self::GUEST_FORM_PATHS, true ) );
	}

	/**
	 * Whether a visitor's non-GET request needs WordPress's REST nonce: every one does (the
	 * booking form's post comes from a page WordPress rendered) except the unsubscribe link's.
	 *
	 * @param string $method HTTP method.
	 * @param string $path   Proxied path.
	 */
	public static function guest_needs_nonce( string $method, string $path ): bool {
		return 'GET' !== strtoupper( $method ) && self::UNSUBSCRIBE_PATH !== $path;
	}

	/**
	 * The service target for a proxied path and an already-filtered query string.
	 *
	 * @param string $path  Proxied path.
	 * @param string $query Query string without "?".
	 */
	public static function target( string $path, string $query ): string {
		return '/v1/' . $path . ( '' === $query ? '' : '?' . $query );
	}

	/**
	 * The raw query string minus WordPress's own parameters, other pairs kept byte for byte.
	 *
	 * @param string $raw Raw query string (no leading "?").
	 */
	public static function strip_wp_params( string $raw ): string {
		$kept = array();
		foreach ( explode( '&', $raw ) as $pair ) {
			if ( '' === $pair ) {
				continue;
			}
			$key = urldecode( explode( '=', $pair, 2 )[0] );
			$key = explode( '[', $key, 2 )[0];
			if ( in_array( $key, self::WP_PARAMS, true ) ) {
				continue;
			}
			$kept[] = $pair;
		}
		return implode( '&', $kept );
	}

	/**
	 * Query string rebuilt from decoded parameters (when no trustworthy raw string exists).
	 *
	 * @param array<string,mixed> $params Decoded query parameters.
	 */
	public static function build_query( array $params ): string {
		foreach ( self::WP_PARAMS as $reserved ) {
			unset( $params[ $reserved ] );
		}
		return http_build_query( $params, '', '&', PHP_QUERY_RFC3986 );
	}

	/**
	 * Picks the raw query string when it says the same thing as the decoded parameters; the raw one
	 * preserves the caller's encoding and order, the rebuilt one is the fallback for internal calls.
	 *
	 * @param string|null         $raw    Raw query string of the HTTP request, if any.
	 * @param array<string,mixed> $params Decoded query parameters of the REST request.
	 */
	public static function forwardable_query( ?string $raw, array $params ): string {
		$rebuilt = self::build_query( $params );
		if ( null === $raw || '' === $raw ) {
			return $rebuilt;
		}
		$stripped = self::strip_wp_params( $raw );
		parse_str( $stripped, $from_raw );
		parse_str( $rebuilt, $from_params );
		return self::sorted( $from_raw ) === self::sorted( $from_params ) ? $stripped : $rebuilt;
	}

	/**
	 * Keys sorted recursively, so two parses compare regardless of parameter order.
	 *
	 * @param array<mixed> $data Parsed query.
	 * @return array<mixed>
	 */
	private static function sorted( array $data ): array {
		ksort( $data );
		foreach ( $data as $key => $value ) {
			if ( is_array( $value ) ) {
				$data[ $key ] = self::sorted( $value );
			}
		}
		return $data;
	}

	/**
	 * First segment of a path.
	 *
	 * @param string $path Path.
	 */
	private static function first_segment( string $path ): string {
		return explode( '/', $path, 2 )[0];
	}
}
