<?php
/**
 * The only code that talks to volixta-service.
 *
 * @package Volixta
 */

namespace Volixta\Api;

use Volixta\Auth\Actor;
use Volixta\Options;

/**
 * Signs requests (CONTRACT.md) and turns every outcome into a Result.
 *
 * The transport is injectable so the signing and result mapping run in unit tests without
 * WordPress. A transport is `fn(string $method, string $url, array $headers, string $body,
 * float $timeout): array` returning either ['status' => int, 'headers' => array, 'body' => string]
 * or ['error' => string].
 */
final class Client {

	private const SIGNED_HEADERS = array( 'x-volixta-actor', 'x-volixta-timestamp', 'x-volixta-nonce', 'x-volixta-signature' );

	/**
	 * Unsigned Volixta headers a caller may set: they choose nothing the signature guards.
	 */
	private const PASSED_VOLIXTA_HEADERS = array( 'x-volixta-client-ip', 'x-volixta-locale', 'x-volixta-portal-url', 'x-volixta-unsubscribe-url', 'x-volixta-booking-form-url' );

	/**
	 * The header that tells the service which language to render in.
	 */
	public const LOCALE_HEADER = 'X-Volixta-Locale';

	/**
	 * The acting user's display name, percent-encoded: the service shows it beside what they did.
	 */
	public const ACTOR_NAME_HEADER = 'X-Volixta-Actor-Name';

	/**
	 * Service base URL without trailing slash, e.g. http://127.0.0.1:8787.
	 *
	 * @var string
	 */
	private string $base_url;

	/**
	 * Shared secret.
	 *
	 * @var string
	 */
	private string $secret;

	/**
	 * Transport callable.
	 *
	 * @var callable
	 */
	private $transport;

	/**
	 * Seconds before a request is abandoned.
	 *
	 * @var float
	 */
	private float $timeout = 10.0;

	/**
	 * Source of the current time; replaceable so tests can check clock handling.
	 *
	 * @var callable(): int
	 */
	private $clock;

	/**
	 * Builds a client.
	 *
	 * @param string        $base_url  Service base URL.
	 * @param string        $secret    Shared secret.
	 * @param callable|null $transport Transport; null uses wp_remote_request.
	 */
	public function __construct( string $base_url, string $secret, ?callable $transport = null ) {
		$this->base_url  = rtrim( trim( $base_url ), '/' );
		$this->secret    = $secret;
		$this->transport = $transport ?? array( self::class, 'wp_transport' );
		$this->clock     = 'time';
	}

	/**
	 * A client configured from the plugin's options.
	 */
	public static function from_options(): self {
		return new self( Options::service_url(), Options::shared_secret() );
	}

	public function base_url(): string {
		return $this->base_url;
	}

	/**
	 * Same client with another timeout (the connection test wants a short one).
	 *
	 * @param float $seconds Timeout in seconds.
	 */
	public function with_timeout( float $seconds ): self {
		$clone          = clone $this;
		$clone->timeout = $seconds;
		return $clone;
	}

	/**
	 * Same client with another clock.
	 *
	 * @param callable(): int $clock Returns unix seconds.
	 */
	public function with_clock( callable $clock ): self {
		$clone        = clone $this;
		$clone->clock = $clock;
		return $clone;
	}

	/**
	 * A signed request with an optional JSON body.
	 *
	 * @param string              $method         GET, POST, PUT, PATCH or DELETE.
	 * @param string              $path_and_query Target, e.g. "/v1/clients?search=ann".
	 * @param Actor               $actor          Who acts.
	 * @param array<mixed>|null   $json           Body, encoded as a JSON object.
	 * @param array<string,string> $headers       Extra headers (e.g. Idempotency-Key); X-Volixta-* are ignored.
	 */
	public function request( string $method, string $path_and_query, Actor $actor, ?array $json = null, array $headers = array() ): Result {
		$body = '';
		if ( null !== $json ) {
			// An empty PHP array must still be a JSON object: every request body in the contract is one.
			$body = array() === $json ? '{}' : json_encode( $json, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION );
			if ( false === $body ) {
				return Result::failure( __( 'The request body could not be encoded as JSON.', 'volixta' ), 'invalid_body' );
			}
		}
		return $this->request_raw( $method, $path_and_query, $actor, $body, $headers, '' === $body ? '' : 'application/json' );
	}

	/**
	 * A signed request whose body is sent byte for byte (the REST proxy forwards the browser's JSON
	 * unchanged, so `{}` and `[]` keep their meaning).
	 *
	 * @param string               $method         HTTP method.
	 * @param string               $path_and_query Target.
	 * @param Actor                $actor          Who acts.
	 * @param string               $body           Raw body.
	 * @param array<string,string> $headers        Extra headers.
	 * @param string               $content_type   Content-Type of the body; "" for none.
	 */
	public function request_raw( string $method, string $path_and_query, Actor $actor, string $body = '', array $headers = array(), string $content_type = 'application/json' ): Result {
		$method = strtoupper( $method );
		if ( ! in_array( $method, array( 'GET', 'POST', 'PUT', 'PATCH', 'DELETE' ), true ) ) {
			/* translators: %s: HTTP method. */
			return Result::failure( sprintf( __( 'Unsupported method %s.', 'volixta' ), $method ), 'invalid_request' );
		}
		// Checked as it will be sent: an escaped character that travels unescaped is judged as itself.
		$path_and_query = self::as_sent( $path_and_query );
		if ( ! self::is_valid_target( $path_and_query ) ) {
			return Result::failure( __( 'Invalid service path.', 'volixta' ), 'invalid_request' );
		}
		if ( '' === $this->base_url ) {
			return Result::failure( __( 'The booking service URL is not set (Settings → Volixta).', 'volixta' ), 'not_configured' );
		}
		if ( '' === $this->secret ) {
			return Result::failure( __( 'The shared secret is not set (Settings → Volixta).', 'volixta' ), 'not_configured' );
		}

		$signed = Signer::headers( $this->secret, $method, $path_and_query, $actor->header(), $body, (int) ( $this->clock )(), Signer::nonce() );
		$out    = self::clean_headers( $headers );
		if ( '' !== $actor->name() ) {
			$out[ self::ACTOR_NAME_HEADER ] = rawurlencode( $actor->name() );
		}
		if ( '' !== $body && '' !== $content_type ) {
			$out['Content-Type'] = $content_type;
		}
		return $this->send( $method, $path_and_query, array_merge( $out, $signed ), $body );
	}

	/**
	 * The target as WordPress's HTTP client puts it on the wire, so that the signature covers the
	 * bytes the service receives. Requests normalises percent-encoding (RFC 3986 §6.2.2): an
	 * escaped letter, digit, "-", "." or "~" is sent unescaped and other escapes in upper case; a
	 * target signed before that rewrite would fail verification (`%7E` is sent as `~`).
	 *
	 * @param string $path_and_query Target.
	 */
	public static function as_sent( string $path_and_query ): string {
		return (string) preg_replace_callback(
			'/%([0-9A-Fa-f]{2})/',
			static function ( array $m ): string {
				$char = chr( (int) hexdec( $m[1] ) );
				return 1 === preg_match( '/^[A-Za-z0-9.~-]$/D', $char ) ? $char : '%' . strtoupper( $m[1] );
			},
			$path_and_query
		);
	}

	/**
	 * WooCommerce's delivery, passed on unsigned: the service checks WooCommerce's own signature
	 * over these exact bytes, so the body and the WooCommerce headers travel unchanged.
	 *
	 * @param string               $body    Raw body as WooCommerce sent it.
	 * @param array<string,string> $headers X-WC-Webhook-*, Content-Type and User-Agent.
	 */
	public function forward_webhook( string $body, array $headers ): Result {
		if ( '' === $this->base_url ) {
			return Result::failure( __( 'The booking service URL is not set (Settings → Volixta).', 'volixta' ), 'not_configured' );
		}
		$out = array();
		foreach ( $headers as $name => $value ) {
			$lower = strtolower( (string) $name );
			$kept  = 0 === strpos( $lower, 'x-wc-webhook-' ) || in_array( $lower, array( 'content-type', 'user-agent' ), true );
			if ( $kept && preg_match( '/^[A-Za-z0-9-]+$/D', (string) $name ) && ! preg_match( '/[\r\n\0]/', (string) $value ) ) {
				$out[ (string) $name ] = (string) $value;
			}
		}
		return $this->send( 'POST', '/v1/woocommerce/webhook', $out, $body );
	}

	/**
	 * An unsigned GET for the endpoints outside /v1/ (/healthz, /readyz).
	 *
	 * @param string $path Target, e.g. "/readyz".
	 */
	public function probe( string $path ): Result {
		if ( ! self::is_valid_target( $path ) ) {
			return Result::failure( __( 'Invalid service path.', 'volixta' ), 'invalid_request' );
		}
		if ( '' === $this->base_url ) {
			return Result::failure( __( 'The booking service URL is not set (Settings → Volixta).', 'volixta' ), 'not_configured' );
		}
		return $this->send( 'GET', $path, array(), '' );
	}

	/**
	 * Exposed so tests and the admin screen can show what is signed.
	 *
	 * @param string $method         HTTP method.
	 * @param string $path_and_query Target.
	 * @param int    $timestamp      Unix seconds.
	 * @param string $nonce          Nonce.
	 * @param string $actor          Actor header value.
	 * @param string $body           Raw body.
	 */
	public function canonical( string $method, string $path_and_query, int $timestamp, string $nonce, string $actor, string $body ): string {
		return Signer::canonical( $method, $path_and_query, $timestamp, $nonce, $actor, $body );
	}

	/**
	 * Signature of a canonical string with this client's secret.
	 *
	 * @param string $canonical Canonical string.
	 */
	public function sign( string $canonical ): string {
		return Signer::sign( $this->secret, $canonical );
	}

	/**
	 * Default transport: the WordPress HTTP API.
	 *
	 * @param string               $method  HTTP method.
	 * @param string               $url     Absolute URL.
	 * @param array<string,string> $headers Request headers.
	 * @param string               $body    Raw body.
	 * @param float                $timeout Seconds.
	 * @return array{status?: int, headers?: array<string,string>, body?: string, error?: string}
	 */
	public static function wp_transport( string $method, string $url, array $headers, string $body, float $timeout ): array {
		$response = wp_remote_request(
			$url,
			array(
				'method'      => $method,
				'headers'     => $headers,
				'body'        => '' === $body ? null : $body,
				'timeout'     => $timeout,
				// A redirect would be followed without the signature matching its target.
				'redirection' => 0,
				'user-agent'  => 'volixta-wp/' . ( defined( 'VOLIXTA_VERSION' ) ? VOLIXTA_VERSION : 'dev' ),
			)
		);
		if ( is_wp_error( $response ) ) {
			return array( 'error' => $response->get_error_message() );
		}
		$headers = wp_remote_retrieve_headers( $response );
		$flat    = array();
		foreach ( ( is_object( $headers ) ? $headers->getAll() : (array) $headers ) as $name => $value ) {
			$flat[ strtolower( (string) $name ) ] = is_array( $value ) ? implode( ', ', $value ) : (string) $value;
		}
		return array(
			'status'  => (int) wp_remote_retrieve_response_code( $response ),
			'headers' => $flat,
			'body'    => (string) wp_remote_retrieve_body( $response ),
		);
	}

	/**
	 * Sends through the transport and normalises whatever it returns.
	 *
	 * @param string               $method         HTTP method.
	 * @param string               $path_and_query Target.
	 * @param array<string,string> $headers        Headers.
	 * @param string               $body           Raw body.
	 */
	private function send( string $method, string $path_and_query, array $headers, string $body ): Result {
		try {
			$raw = ( $this->transport )( $method, $this->base_url . $path_and_query, $headers, $body, $this->timeout );
		} catch ( \Throwable $e ) {
			return Result::failure( $e->getMessage() );
		}
		if ( ! is_array( $raw ) ) {
			return Result::failure( __( 'The HTTP transport returned nothing.', 'volixta' ) );
		}
		if ( isset( $raw['error'] ) ) {
			return Result::failure( (string) $raw['error'] );
		}
		$status = (int) ( $raw['status'] ?? 0 );
		if ( $status < 100 ) {
			return Result::failure( __( 'The response had no HTTP status.', 'volixta' ) );
		}
		return new Result( $status, (string) ( $raw['body'] ?? '' ), (array) ( $raw['headers'] ?? array() ) );
	}

	/**
	 * Drops caller headers that could forge the actor or split the request.
	 *
	 * @param array<string,string> $headers Caller headers.
	 * @return array<string,string>
	 */
	private static function clean_headers( array $headers ): array {
		$clean = array();
		foreach ( $headers as $name => $value ) {
			$name  = (string) $name;
			$value = (string) $value;
			// Callers may not set the signed headers; the visitor's address and the locale are the
			// Volixta headers they pass on.
			$lower = strtolower( $name );
			if ( in_array( $lower, self::SIGNED_HEADERS, true ) || ( 0 === strpos( $lower, 'x-volixta-' ) && ! in_array( $lower, self::PASSED_VOLIXTA_HEADERS, true ) ) ) {
				continue;
			}
			if ( ! preg_match( '/^[A-Za-z0-9-]+$/D', $name ) || preg_match( '/[\r\n\0]/', $value ) ) {
				continue;
			}
			$clean[ $name ] = $value;
		}
		return $clean;
	}

	/**
	 * An origin-form request target: starts with one slash, no fragment, no whitespace.
	 *
	 * @param string $target Path and query.
	 */
	private static function is_valid_target( string $target ): bool {
		// A dot segment would be resolved on the way and reach another target than the one signed.
		$path = explode( '?', $target, 2 )[0];
		return 1 === preg_match( '#^/(?!/)[^\s\#]*$#D', $target ) && 0 === preg_match( '#/\.{1,2}(/|$)#D', $path );
	}
}
