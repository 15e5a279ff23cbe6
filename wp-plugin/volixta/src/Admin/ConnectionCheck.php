<?php
/**
 * Diagnosis behind the "Test connection" button.
 *
 * @package Volixta
 */

namespace Volixta\Admin;

use Volixta\Api\Client;
use Volixta\Auth\Actor;

/**
 * Two calls that separate the usual failures: /readyz (unsigned) tells whether the service runs
 * and has its database; a signed GET tells whether both sides share the secret and the clock.
 */
final class ConnectionCheck {

	public const OK                = 'ok';
	public const UNREACHABLE       = 'unreachable';
	public const NOT_READY         = 'not_ready';
	public const NOT_CONFIGURED    = 'not_configured';
	public const SIGNATURE_REFUSED = 'signature_refused';
	public const UNEXPECTED        = 'unexpected';

	/**
	 * Runs the check.
	 *
	 * @param Client $client Client built from the current settings.
	 * @param Actor  $admin  The administrator pressing the button.
	 * @return array{status: string, message: string, detail: string}
	 */
	public static function run( Client $client, Actor $admin ): array {
		$ready = $client->probe( '/readyz' );
		if ( 'not_configured' === $ready->error_code() ) {
			return self::outcome( self::NOT_CONFIGURED, __( 'The service URL is not set.', 'volixta' ), $ready->error_message() );
		}
		if ( 0 === $ready->status ) {
			return self::outcome(
				self::UNREACHABLE,
				/* translators: %s: service URL. */
				sprintf( __( 'Unreachable: nothing answered at %s. Is volixta-service running, and is the URL right?', 'volixta' ), $client->base_url() ),
				(string) $ready->transport_error
			);
		}
		if ( ! $ready->ok() ) {
			return self::outcome(
				self::NOT_READY,
				/* translators: %d: HTTP status code. */
				sprintf( __( 'Not ready: the service answers but /readyz returned HTTP %d (database unreachable or migrations not applied).', 'volixta' ), $ready->status ),
				self::excerpt( $ready->body )
			);
		}

		$signed = $client->request( 'GET', '/v1/clients?limit=1', $admin );
		if ( 'not_configured' === $signed->error_code() ) {
			return self::outcome( self::NOT_CONFIGURED, __( 'The service is ready, but no shared secret is set here.', 'volixta' ), $signed->error_message() );
		}
		if ( 0 === $signed->status ) {
			return self::outcome( self::UNREACHABLE, __( 'Unreachable: the service stopped answering during the test.', 'volixta' ), (string) $signed->transport_error );
		}
		if ( 401 === $signed->status ) {
			return self::outcome(
				self::SIGNATURE_REFUSED,
				__( 'Signature refused (401): the shared secret here differs from VOLIXTA_SHARED_SECRET of the service, or the two clocks differ by more than 5 minutes.', 'volixta' ),
				$signed->error_message()
			);
		}
		if ( $signed->ok() ) {
			return self::outcome( self::OK, __( 'OK: the service is ready and accepts this site\'s signed requests.', 'volixta' ), '' );
		}
		return self::outcome(
			self::UNEXPECTED,
			/* translators: %d: HTTP status code. */
			sprintf( __( 'The service is ready, but a signed request returned HTTP %d.', 'volixta' ), $signed->status ),
			trim( (string) $signed->error_code() . ': ' . $signed->error_message(), ': ' )
		);
	}

	/**
	 * Builds an outcome array.
	 *
	 * @param string $status  One of the constants.
	 * @param string $message Plain explanation.
	 * @param string $detail  Technical detail.
	 * @return array{status: string, message: string, detail: string}
	 */
	private static function outcome( string $status, string $message, string $detail ): array {
		return array(
			'status'  => $status,
			'message' => $message,
			'detail'  => $detail,
		);
	}

	/**
	 * First 200 characters of a body, on one line.
	 *
	 * @param string $body Body.
	 */
	private static function excerpt( string $body ): string {
		$line = trim( (string) preg_replace( '/\s+/', ' ', $body ) );
		return strlen( $line ) > 200 ? substr( $line, 0, 200 ) . '…' : $line;
	}
}
