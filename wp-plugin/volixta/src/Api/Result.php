<?php
/**
 * One outcome type for every call to the service.
 *
 * @package Volixta
 */

namespace Volixta\Api;

/**
 * What came back: a response of any status, or nothing (status 0) with the reason.
 */
final class Result {

	/**
	 * HTTP status; 0 when no response arrived.
	 *
	 * @var int
	 */
	public int $status;

	/**
	 * Decoded JSON object/array when the response was JSON, else null.
	 *
	 * @var array<mixed>|null
	 */
	public ?array $json;

	/**
	 * Raw response body.
	 *
	 * @var string
	 */
	public string $body;

	/**
	 * Media type without parameters, lower case (e.g. "application/json"); "" if none.
	 *
	 * @var string
	 */
	public string $content_type;

	/**
	 * Why no response arrived (network error, configuration), else null.
	 *
	 * @var string|null
	 */
	public ?string $transport_error;

	/**
	 * Response headers, keys lower case.
	 *
	 * @var array<string,string>
	 */
	public array $headers;

	/**
	 * Machine code for a failure that happened before any response (e.g. "not_configured").
	 *
	 * @var string|null
	 */
	private ?string $local_code;

	/**
	 * Builds a result from a response.
	 *
	 * @param int                  $status          HTTP status, 0 if none.
	 * @param string               $body            Raw body.
	 * @param array<string,string> $headers         Response headers.
	 * @param string|null          $transport_error Reason no response arrived.
	 * @param string|null          $local_code      Error code when no response arrived.
	 */
	public function __construct( int $status, string $body = '', array $headers = array(), ?string $transport_error = null, ?string $local_code = null ) {
		$this->status          = $status;
		$this->body            = $body;
		$this->headers         = array_change_key_case( $headers, CASE_LOWER );
		$this->transport_error = $transport_error;
		$this->local_code      = $local_code;
		$this->content_type    = self::media_type( $this->headers['content-type'] ?? '' );
		$this->json            = self::decode( $this->content_type, $body );
	}

	/**
	 * A call that never produced a response.
	 *
	 * @param string $reason Human-readable reason (shown to administrators only).
	 * @param string $code   Machine code.
	 */
	public static function failure( string $reason, string $code = 'unreachable' ): self {
		return new self( 0, '', array(), $reason, $code );
	}

	public function ok(): bool {
		return null === $this->transport_error && $this->status >= 200 && $this->status < 300;
	}

	/**
	 * Stable machine code: the service's error.code when it sent one, else one derived from the status.
	 */
	public function error_code(): ?string {
		if ( $this->ok() ) {
			return null;
		}
		if ( null !== $this->transport_error || 0 === $this->status ) {
			return $this->local_code ?? 'unreachable';
		}
		$code = $this->json['error']['code'] ?? null;
		if ( is_string( $code ) && '' !== $code ) {
			return $code;
		}
		return self::code_for_status( $this->status );
	}

	/**
	 * Human message: the service's error.message when it sent one, else a generic one.
	 */
	public function error_message(): string {
		if ( $this->ok() ) {
			return '';
		}
		if ( null !== $this->transport_error ) {
			return $this->transport_error;
		}
		$message = $this->json['error']['message'] ?? null;
		if ( is_string( $message ) && '' !== $message ) {
			return $message;
		}
		return self::message_for_status( $this->status );
	}

	/**
	 * Field errors of a 422 ({"error": {"fields": {...}}}).
	 *
	 * @return array<string,string>
	 */
	public function field_errors(): array {
		$fields = $this->json['error']['fields'] ?? null;
		return is_array( $fields ) ? array_map( 'strval', array_filter( $fields, 'is_scalar' ) ) : array();
	}

	/**
	 * Machine code derived from an HTTP status.
	 *
	 * @param int $status HTTP status.
	 */
	public static function code_for_status( int $status ): string {
		switch ( $status ) {
			case 400:
				return 'bad_request';
			case 401:
				return 'unauthorized';
			case 403:
				return 'forbidden';
			case 404:
				return 'not_found';
			case 409:
				return 'conflict';
			case 422:
				return 'invalid';
			case 429:
				return 'rate_limited';
		}
		if ( $status >= 500 ) {
			return 'service_error';
		}
		return 'http_' . $status;
	}

	/**
	 * Generic message for a status when the service sent none.
	 *
	 * @param int $status HTTP status.
	 */
	public static function message_for_status( int $status ): string {
		switch ( $status ) {
			case 400:
				return __( 'The request was malformed.', 'volixta' );
			case 401:
				return __( 'The booking service refused the request signature.', 'volixta' );
			case 403:
				return __( 'You are not allowed to do this.', 'volixta' );
			case 404:
				return __( 'Not found.', 'volixta' );
			case 409:
				return __( 'This conflicts with the current state; reload and try again.', 'volixta' );
			case 422:
				return __( 'Some fields are invalid.', 'volixta' );
			case 429:
				return __( 'Too many requests; try again in a moment.', 'volixta' );
		}
		if ( $status >= 500 ) {
			return __( 'The booking service had an internal error.', 'volixta' );
		}
		/* translators: %d: HTTP status code. */
		return sprintf( __( 'Unexpected response from the booking service (HTTP %d).', 'volixta' ), $status );
	}

	/**
	 * "text/html; charset=utf-8" → "text/html".
	 *
	 * @param string $header Content-Type header value.
	 */
	private static function media_type( string $header ): string {
		return strtolower( trim( explode( ';', $header, 2 )[0] ) );
	}

	/**
	 * Decodes JSON bodies only; anything else (HTML fragments, PDFs) stays raw.
	 *
	 * @param string $content_type Media type.
	 * @param string $body         Raw body.
	 * @return array<mixed>|null
	 */
	private static function decode( string $content_type, string $body ): ?array {
		if ( '' === $body || ( 'application/json' !== $content_type && ! str_ends_with( $content_type, '+json' ) ) ) {
			return null;
		}
		$data = json_decode( $body, true );
		return is_array( $data ) ? $data : null;
	}
}
