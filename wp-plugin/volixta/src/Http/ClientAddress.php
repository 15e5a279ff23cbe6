<?php
/**
 * The visitor's address behind trusted reverse proxies, free of WordPress so it is unit-tested
 * directly.
 *
 * @package Volixta
 */

namespace Volixta\Http;

/**
 * The service throttles wrong gift-code attempts per visitor address. Behind a reverse proxy
 * REMOTE_ADDR is the proxy for everyone, so the owner names the proxies they run; only their
 * X-Forwarded-For is believed, and only as far as the chain of those proxies reaches.
 */
final class ClientAddress {

	/**
	 * The entries of the trusted-proxy setting: a string (one per line, or separated by commas or
	 * spaces, as typed on the settings page) or a list (as a deployment script may store it).
	 *
	 * @param mixed $setting Stored value.
	 * @return string[]
	 */
	public static function entries( $setting ): array {
		if ( is_string( $setting ) ) {
			$setting = preg_split( '/[\s,]+/', $setting );
		}
		if ( ! is_array( $setting ) ) {
			return array();
		}
		$entries = array();
		foreach ( $setting as $entry ) {
			if ( is_string( $entry ) && '' !== trim( $entry ) ) {
				$entries[] = trim( $entry );
			}
		}
		return $entries;
	}

	/**
	 * The usable ranges among the entries; malformed ones are left out.
	 *
	 * @param string[] $entries IP addresses or CIDR ranges, IPv4 or IPv6.
	 * @return array<int,array{0:string,1:int}> Packed network address and prefix length.
	 */
	public static function ranges( array $entries ): array {
		$ranges = array();
		foreach ( $entries as $entry ) {
			$range = self::range( trim( (string) $entry ) );
			if ( null !== $range ) {
				$ranges[] = $range;
			}
		}
		return $ranges;
	}

	/**
	 * The entries that are not an IP address or CIDR range (for the settings page to refuse).
	 *
	 * @param string[] $entries Entries.
	 * @return string[]
	 */
	public static function invalid( array $entries ): array {
		$invalid = array();
		foreach ( $entries as $entry ) {
			$entry = trim( (string) $entry );
			if ( '' !== $entry && null === self::range( $entry ) ) {
				$invalid[] = $entry;
			}
		}
		return $invalid;
	}

	/**
	 * Whether an address lies in one of the ranges.
	 *
	 * @param string                           $address IP address.
	 * @param array<int,array{0:string,1:int}> $ranges  From ranges().
	 */
	public static function in_ranges( string $address, array $ranges ): bool {
		$packed = self::pack( $address );
		if ( null === $packed ) {
			return false;
		}
		foreach ( $ranges as [ $network, $prefix ] ) {
			if ( strlen( $network ) === strlen( $packed ) && self::prefix_matches( $packed, $network, $prefix ) ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The visitor's address, in canonical form, or null when the peer address is unusable.
	 *
	 * When the peer (REMOTE_ADDR) is a trusted proxy, X-Forwarded-For is read from the right,
	 * where each trusted proxy appended the address it saw: the first address that is not a
	 * trusted proxy is the visitor; entries further left may be anything the visitor sent. An
	 * entry that is not an address stops the walk at the nearest address known to be real, since
	 * whatever lies left of it can no longer be told apart from a forgery. When every hop is a
	 * trusted proxy, the farthest one is the visitor.
	 *
	 * @param string|null                      $remote_addr   REMOTE_ADDR.
	 * @param string|null                      $forwarded_for X-Forwarded-For (several headers joined by ",").
	 * @param array<int,array{0:string,1:int}> $trusted       From ranges().
	 */
	public static function visitor( ?string $remote_addr, ?string $forwarded_for, array $trusted ): ?string {
		$peer = self::canonical( (string) $remote_addr );
		if ( null === $peer || ! self::in_ranges( $peer, $trusted ) || null === $forwarded_for || '' === trim( $forwarded_for ) ) {
			return $peer;
		}
		$visitor = $peer;
		foreach ( array_reverse( explode( ',', $forwarded_for ) ) as $hop ) {
			$address = self::canonical( self::strip_port( $hop ) );
			if ( null === $address ) {
				break;
			}
			$visitor = $address;
			if ( ! self::in_ranges( $address, $trusted ) ) {
				break;
			}
		}
		return $visitor;
	}

	/**
	 * "1.2.3.4:567" → "1.2.3.4", "[2001:db8::1]:443" → "2001:db8::1"; anything else as it is.
	 *
	 * @param string $hop One X-Forwarded-For entry.
	 */
	private static function strip_port( string $hop ): string {
		$hop = trim( $hop, " \t" );
		if ( preg_match( '/^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$/D', $hop, $m ) ) {
			return $m[1];
		}
		if ( preg_match( '/^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/D', $hop, $m ) ) {
			return $m[1];
		}
		return $hop;
	}

	/**
	 * The address written one way (IPv4 dotted, IPv6 compressed lower case, IPv4-mapped IPv6 as
	 * IPv4), or null when it is not an IP address.
	 *
	 * @param string $address Candidate.
	 */
	private static function canonical( string $address ): ?string {
		$packed = self::pack( $address );
		if ( null === $packed ) {
			return null;
		}
		$text = inet_ntop( $packed );
		return false === $text ? null : $text;
	}

	/**
	 * The address in binary (4 or 16 bytes), IPv4-mapped IPv6 as the IPv4 it stands for.
	 *
	 * @param string $address Candidate.
	 */
	private static function pack( string $address ): ?string {
		if ( false === filter_var( $address, FILTER_VALIDATE_IP ) ) {
			return null;
		}
		$packed = inet_pton( $address );
		if ( false === $packed ) {
			return null;
		}
		if ( 16 === strlen( $packed ) && str_starts_with( $packed, str_repeat( "\0", 10 ) . "\xff\xff" ) ) {
			return substr( $packed, 12 );
		}
		return $packed;
	}

	/**
	 * "10.0.0.0/8", "2001:db8::/32" or a single address → [network, prefix], or null.
	 *
	 * @param string $entry Entry of the setting.
	 * @return array{0:string,1:int}|null
	 */
	private static function range( string $entry ): ?array {
		$parts  = explode( '/', $entry, 2 );
		$packed = self::pack( $parts[0] );
		if ( null === $packed ) {
			return null;
		}
		$bits = 8 * strlen( $packed );
		if ( ! isset( $parts[1] ) ) {
			return array( $packed, $bits );
		}
		if ( ! preg_match( '/^\d{1,3}$/D', $parts[1] ) ) {
			return null;
		}
		$prefix = (int) $parts[1];
		// "::ffff:10.0.0.0/104" is the IPv4 range 10.0.0.0/8 in IPv6 notation.
		if ( 4 === strlen( $packed ) && false !== strpos( $parts[0], ':' ) ) {
			$prefix -= 96;
		}
		return $prefix >= 0 && $prefix <= $bits ? array( $packed, $prefix ) : null;
	}

	/**
	 * Whether the first $prefix bits of two packed addresses of the same length agree.
	 *
	 * @param string $a      Packed address.
	 * @param string $b      Packed address.
	 * @param int    $prefix Bits to compare.
	 */
	private static function prefix_matches( string $a, string $b, int $prefix ): bool {
		$bytes = intdiv( $prefix, 8 );
		if ( 0 !== strncmp( $a, $b, $bytes ) ) {
			return false;
		}
		$rest = $prefix % 8;
		if ( 0 === $rest ) {
			return true;
		}
		$mask = ( 0xff << ( 8 - $rest ) ) & 0xff;
		return ( ord( $a[ $bytes ] ) & $mask ) === ( ord( $b[ $bytes ] ) & $mask );
	}
}
