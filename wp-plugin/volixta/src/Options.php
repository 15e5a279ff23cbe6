<?php
/**
 * The plugin's options. Their names are fixed: deployment scripts set them with update_option().
 *
 * @package Volixta
 */

namespace Volixta;

use Volixta\Http\ClientAddress;

/**
 * Typed access to the options.
 */
final class Options {

	public const SERVICE_URL     = 'volixta_service_url';
	public const SHARED_SECRET   = 'volixta_shared_secret';
	public const DELETE_DATA     = 'volixta_delete_data';
	public const TRUSTED_PROXIES = 'volixta_trusted_proxies';

	public const DEFAULT_SERVICE_URL = 'http://127.0.0.1:8787';

	public static function service_url(): string {
		$url = get_option( self::SERVICE_URL, self::DEFAULT_SERVICE_URL );
		return is_string( $url ) ? rtrim( trim( $url ), '/' ) : '';
	}

	public static function shared_secret(): string {
		$secret = get_option( self::SHARED_SECRET, '' );
		return is_string( $secret ) ? $secret : '';
	}

	/**
	 * The reverse proxies whose X-Forwarded-For is believed: IP addresses and CIDR ranges, as
	 * typed (malformed entries are ignored where they are used).
	 *
	 * @return string[]
	 */
	public static function trusted_proxies(): array {
		return ClientAddress::entries( get_option( self::TRUSTED_PROXIES, '' ) );
	}

	public static function delete_data(): bool {
		return self::truthy( get_option( self::DELETE_DATA, false ) );
	}

	/**
	 * Scripts store "1", 1, true or "yes"; the settings form stores "1"/"".
	 *
	 * @param mixed $value Stored value.
	 */
	public static function truthy( $value ): bool {
		if ( is_string( $value ) ) {
			return in_array( strtolower( trim( $value ) ), array( '1', 'true', 'yes', 'on' ), true );
		}
		return (bool) $value;
	}

	/**
	 * Validates a service URL typed by the owner: http(s), a host, no query or fragment.
	 *
	 * @param string $url Candidate URL.
	 * @return string|null Normalised URL, or null when unusable.
	 */
	public static function normalise_service_url( string $url ): ?string {
		$url   = rtrim( trim( $url ), '/' );
		$parts = wp_parse_url( $url );
		if ( ! is_array( $parts ) || empty( $parts['host'] ) || ! in_array( strtolower( $parts['scheme'] ?? '' ), array( 'http', 'https' ), true ) ) {
			return null;
		}
		if ( isset( $parts['query'] ) || isset( $parts['fragment'] ) || isset( $parts['user'] ) ) {
			return null;
		}
		return $url;
	}
}
