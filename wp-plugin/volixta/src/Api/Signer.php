<?php
/**
 * Request signing of the service contract (shared/api/CONTRACT.md, "Signed requests").
 *
 * @package Volixta
 */

namespace Volixta\Api;

/**
 * Pure functions: no WordPress, no clock, no randomness except nonce().
 */
final class Signer {

	private const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	public const NONCE_LENGTH    = 32;

	/**
	 * METHOD \n PATH_AND_QUERY \n TIMESTAMP \n NONCE \n ACTOR \n hex(sha256(BODY)).
	 *
	 * @param string $method         HTTP method; upper-cased because the service compares the request line.
	 * @param string $path_and_query Request target exactly as sent.
	 * @param int    $timestamp      Unix seconds.
	 * @param string $nonce          Single-use nonce.
	 * @param string $actor          Actor header value, e.g. "manager:3".
	 * @param string $body           Raw body bytes ("" when there is none).
	 */
	public static function canonical( string $method, string $path_and_query, int $timestamp, string $nonce, string $actor, string $body ): string {
		return strtoupper( $method ) . "\n"
			. $path_and_query . "\n"
			. $timestamp . "\n"
			. $nonce . "\n"
			. $actor . "\n"
			. hash( 'sha256', $body );
	}

	/**
	 * Base64 of the raw HMAC-SHA256 of the canonical string.
	 *
	 * @param string $secret    Shared secret.
	 * @param string $canonical Output of canonical().
	 */
	public static function sign( string $secret, string $canonical ): string {
		return base64_encode( hash_hmac( 'sha256', $canonical, $secret, true ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode
	}

	/**
	 * A nonce of [A-Za-z0-9] from the CSPRNG; 32 characters give ~190 bits, so replicas never collide.
	 */
	public static function nonce(): string {
		$alphabet = self::NONCE_ALPHABET;
		$max      = strlen( $alphabet ) - 1;
		$nonce    = '';
		for ( $i = 0; $i < self::NONCE_LENGTH; $i++ ) {
			$nonce .= $alphabet[ random_int( 0, $max ) ];
		}
		return $nonce;
	}

	/**
	 * The four X-Volixta-* headers for one request.
	 *
	 * @param string $secret         Shared secret.
	 * @param string $method         HTTP method.
	 * @param string $path_and_query Request target exactly as sent.
	 * @param string $actor          Actor header value.
	 * @param string $body           Raw body.
	 * @param int    $timestamp      Unix seconds.
	 * @param string $nonce          Nonce.
	 * @return array<string,string>
	 */
	public static function headers( string $secret, string $method, string $path_and_query, string $actor, string $body, int $timestamp, string $nonce ): array {
		$canonical = self::canonical( $method, $path_and_query, $timestamp, $nonce, $actor, $body );
		return array(
			'X-Volixta-Actor'     => $actor,
			'X-Volixta-Timestamp' => (string) $timestamp,
			'X-Volixta-Nonce'     => $nonce,
			'X-Volixta-Signature' => self::sign( $secret, $canonical ),
		);
	}
}
