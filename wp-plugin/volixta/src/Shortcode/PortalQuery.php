<?php
/**
 * What the portal page's address (and the browser's remembered time zone) says to the service.
 *
 * @package Volixta
 */

namespace Volixta\Shortcode;

/**
 * The portal's state lives in the page's query string (links and filters are plain links, so
 * they also work without script); the service reads it. Only the portal's own keys go, so the
 * page's other parameters (page_id, a theme's) never reach the signed request.
 */
final class PortalQuery {

	/**
	 * The keys the service's portal reads (service/src/portal/domain.rs, PortalState).
	 */
	public const KEYS = array( 'tz', 'from', 'to', 'status', 'payment_status', 'cursor', 'wallet', 'booking', 'tab', 'invoices', 'invoice' );

	/**
	 * The cookie the portal script keeps the chosen time zone in.
	 */
	public const ZONE_COOKIE = 'volixta_tz';

	/**
	 * The query string for the service: the portal's keys of the page's query, and the
	 * remembered zone when the address names none.
	 *
	 * @param array<string,mixed> $get    The page's query parameters, unslashed.
	 * @param string              $cookie The remembered zone, as the browser sent it.
	 */
	public static function build( array $get, string $cookie ): string {
		$kept = array();
		foreach ( self::KEYS as $key ) {
			$value = $get[ $key ] ?? null;
			if ( is_string( $value ) && '' !== $value && strlen( $value ) <= 200 ) {
				$kept[ $key ] = $value;
			}
		}
		if ( ! isset( $kept['tz'] ) && self::is_zone( $cookie ) ) {
			$kept['tz'] = $cookie;
		}
		return http_build_query( $kept, '', '&', PHP_QUERY_RFC3986 );
	}

	/**
	 * Whether a value looks like an IANA zone name (the service decides whether it is one).
	 *
	 * @param string $value Candidate.
	 */
	public static function is_zone( string $value ): bool {
		return 1 === preg_match( '#^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$#D', $value );
	}
}
