<?php
/**
 * /wp-json/volixta/v1/* → service /v1/*.
 *
 * @package Volixta
 */

namespace Volixta\Rest;

use Volixta\Api\Client;
use Volixta\Api\Result;
use Volixta\Auth\Actor;
use Volixta\Auth\ClientLink;
use Volixta\Auth\LoginRedirect;
use Volixta\Html\Fragment;
use Volixta\Http\ClientAddress;
use Volixta\Options;
use Volixta\Shortcode\CustomerProfile;

/**
 * The browser's only way to the service. The actor always comes from the WordPress session
 * (cookie + wp_rest nonce, checked by core); nothing the browser sends can choose it. The one
 * page a visitor opens from outside the site, a marketing e-mail's unsubscribe link, is served
 * here too (see ProxyPath::UNSUBSCRIBE_PATH).
 */
final class Proxy {

	public const NAMESPACE = 'volixta/v1';
	public const ROUTE     = '/(?P<path>.+)';

	/**
	 * Response headers worth passing back to the browser. The service's Content-Security-Policy
	 * sandboxes uploaded bytes it serves (avatars) in case a browser ever treats one as a document
	 * on the site's origin; it guards only if it arrives.
	 */
	private const PASSED_HEADERS = array( 'content-disposition', 'content-security-policy', 'retry-after', 'location', 'etag', 'last-modified' );

	/**
	 * The portal's pay buttons: each opens a WooCommerce order whose payment page returns the
	 * client to the portal.
	 */
	private const PAY_PATHS = '#^render/portal/(booking/[0-9]+/pay|top-up|package/[0-9]+/buy)$#D';

	/**
	 * The paths that send a marketing message, told where its unsubscribe links lead.
	 */
	private const MARKETING_PATHS = array( 'marketing', 'render/admin/marketing/send' );

	/**
	 * Builds the API client per request, so option changes apply at once.
	 *
	 * @var callable(): Client
	 */
	private $client_factory;

	/**
	 * Wires the proxy.
	 *
	 * @param callable(): Client $client_factory Returns the client to use.
	 */
	public function __construct( callable $client_factory ) {
		$this->client_factory = $client_factory;
	}

	public function register_hooks(): void {
		add_action( 'rest_api_init', array( $this, 'register_routes' ) );
		add_filter( 'rest_pre_serve_request', array( $this, 'serve_raw' ), 10, 4 );
	}

	public function register_routes(): void {
		register_rest_route(
			self::NAMESPACE,
			self::ROUTE,
			array(
				'methods'             => 'GET, POST, PUT, PATCH, DELETE',
				'callback'            => array( $this, 'handle' ),
				// No "path" argument: WordPress would validate and sanitize get_param( 'path' ),
				// which a body or query field of that name overrides. permit() checks the route's.
				'permission_callback' => array( $this, 'permit' ),
			)
		);
	}

	/**
	 * Logged-in users pass (the service decides per role); visitors may only read the booking data.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return true|\WP_Error
	 */
	public function permit( \WP_REST_Request $request ) {
		$path = self::path( $request );
		if ( ! ProxyPath::is_valid( $path ) ) {
			return new \WP_Error( 'volixta_invalid_path', __( 'Unknown Volixta endpoint.', 'volixta' ), array( 'status' => 404 ) );
		}
		if ( is_user_logged_in() ) {
			return true;
		}
		/**
		 * Filters the first path segments that visitors who are not logged in may GET.
		 *
		 * @param string[] $segments Segments, e.g. "availability".
		 */
		$guest_readable = (array) apply_filters( 'volixta_guest_readable_paths', ProxyPath::GUEST_READABLE );
		if ( ProxyPath::guest_may( $request->get_method(), $path, $guest_readable ) ) {
			// WordPress checks the REST nonce only for logged-in users; a visitor's booking must
			// come from a page WordPress rendered too. An unsubscribe link comes from an e-mail.
			if ( ProxyPath::guest_needs_nonce( $request->get_method(), $path ) && ! wp_verify_nonce( (string) $request->get_header( 'x_wp_nonce' ), 'wp_rest' ) ) {
				return new \WP_Error( 'rest_cookie_invalid_nonce', __( 'The page has expired. Please reload it and try again.', 'volixta' ), array( 'status' => 403 ) );
			}
			return true;
		}
		return new \WP_Error( 'rest_forbidden', __( 'Please log in to do this.', 'volixta' ), array( 'status' => rest_authorization_required_code() ) );
	}

	/**
	 * Forwards the request and passes status, content type and body back.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function handle( \WP_REST_Request $request ) {
		$path   = self::path( $request );
		$method = strtoupper( $request->get_method() );
		$target = ProxyPath::target( $path, ProxyPath::forwardable_query( $this->raw_query_string(), (array) $request->get_query_params() ) );
		$actor  = Actor::current();

		$headers = array();
		$key     = $request->get_header( 'idempotency_key' );
		if ( null !== $key && '' !== $key ) {
			if ( ! preg_match( '/^[\x21-\x7E]{1,255}$/D', $key ) ) {
				return new \WP_Error( 'volixta_invalid_idempotency_key', __( 'The Idempotency-Key header is malformed.', 'volixta' ), array( 'status' => 400 ) );
			}
			$headers['Idempotency-Key'] = $key;
		}
		// The service throttles wrong gift-code attempts per visitor address as well as per client.
		$address = self::visitor_address();
		if ( null !== $address ) {
			$headers['X-Volixta-Client-Ip'] = $address;
		}
		// Fragments speak the language WordPress shows this user, like the rest of the screen.
		$headers[ Client::LOCALE_HEADER ] = determine_locale();
		$language                         = $request->get_header( 'accept_language' );
		if ( null !== $language && preg_match( '/^[A-Za-z0-9,;=.* -]{1,200}$/D', $language ) ) {
			$headers['Accept-Language'] = $language;
		}

		// The booking form's last page links to the site's portal, where the booking is managed,
		// and the store sends a client who paid there back to it.
		if ( 'POST' === $method && ( ProxyPath::GUEST_BOOK_PATH === $path || preg_match( self::PAY_PATHS, $path ) ) ) {
			$portal = LoginRedirect::portal_url();
			if ( null !== $portal ) {
				$headers['X-Volixta-Portal-Url'] = $portal;
			}
		}

		// Each marketing e-mail links to the site's unsubscribe page, which the service cannot know;
		// the API's send and the Marketing screen's "Send now" both write them.
		if ( 'POST' === $method && in_array( $path, self::MARKETING_PATHS, true ) ) {
			$headers['X-Volixta-Unsubscribe-Url'] = self::unsubscribe_url();
		}

		// The portal links to the site's own pages (a package's booking form) on every render.
		if ( 0 === strpos( $path, 'render/customer_profile' ) || 0 === strpos( $path, 'render/portal/' ) ) {
			$headers = array_merge( $headers, CustomerProfile::site_headers() );
		}

		$body = $this->json_body( $request );
		if ( $body instanceof \WP_Error ) {
			return $body;
		}

		$account = NewClientAccount::prepare( $method, $path, $body );
		if ( $account instanceof \WP_Error ) {
			return $account;
		}
		[ $body, $new_account ] = $account;

		$visitor_account = null;
		if ( 'POST' === $method && ProxyPath::GUEST_BOOK_PATH === $path && 'guest' === $actor->role() && 0 === $actor->wp_user_id() ) {
			$visitor_account = new BookingFormAccount();
			$body            = $visitor_account->prepare( $body, (string) ( $headers['Idempotency-Key'] ?? '' ) );
			if ( $body instanceof \WP_Error ) {
				return $body;
			}
		}

		$client = ( $this->client_factory )();
		$result = $client->request_raw( $method, $target, $actor, $body, $headers, '' === $body ? '' : 'application/json' );

		// The wp-admin client form answers its own HTML either way; the service names the client
		// it saved in a header, and only then did the save happen.
		$form  = 'POST' === $method && preg_match( NewClientAccount::ADMIN_FORM, $path );
		$saved = $form ? ( $result->headers['x-volixta-client-id'] ?? null ) : null;
		$ok    = $form ? ( $result->ok() && is_string( $saved ) && ctype_digit( $saved ) ) : $result->ok();
		if ( $ok && ! $form ) {
			$this->remember_client_link( $method, $path, $body, $result );
		}
		if ( $ok && $form ) {
			self::remember_form_link( $body, (string) $saved );
		}
		if ( null !== $visitor_account ) {
			$visitor_account->settle( $result );
		}
		if ( null !== $new_account ) {
			$ok ? NewClientAccount::welcome( $new_account ) : NewClientAccount::discard( $new_account );
		}
		return $this->to_response( $result, $path );
	}

	/**
	 * After the client form saved client `$client_id`: the user it links to (or nobody, when it
	 * unlinked) is the one user linked to that client from now on.
	 *
	 * @param string $body      JSON body sent.
	 * @param string $client_id The saved client.
	 */
	private static function remember_form_link( string $body, string $client_id ): void {
		$sent    = json_decode( $body, true );
		$account = is_array( $sent ) ? (string) ( $sent['wp_account'] ?? '' ) : '';
		if ( 'link' !== $account && 'unlink' !== $account ) {
			return;
		}
		$user_id = 'link' === $account && is_numeric( $sent['wp_user_id'] ?? null ) ? (int) $sent['wp_user_id'] : 0;
		$linked  = get_users(
			array(
				'meta_key'   => ClientLink::META_KEY, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_key -- one client's users.
				'meta_value' => $client_id, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_value -- one client's users.
				'fields'     => 'ID',
			)
		);
		foreach ( $linked as $other ) {
			if ( (int) $other !== $user_id ) {
				ClientLink::unlink( (int) $other );
			}
		}
		if ( $user_id > 0 ) {
			ClientLink::link( $user_id, $client_id );
		}
	}

	/**
	 * Sends a PassthroughResponse's bytes instead of WordPress's JSON encoding of its data.
	 *
	 * @param bool              $served  Whether the request was already served.
	 * @param \WP_HTTP_Response $result  Response.
	 * @param \WP_REST_Request  $request Request.
	 * @param \WP_REST_Server   $server  Server.
	 */
	public function serve_raw( $served, $result, $request, $server ): bool {
		if ( $served || ! $result instanceof PassthroughResponse ) {
			return (bool) $served;
		}
		if ( 'HEAD' !== $request->get_method() ) {
			echo $result->raw_body(); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- service bytes passed through; HTML was filtered in to_response().
		}
		return true;
	}

	/**
	 * Result → REST response. Service errors keep their status and JSON; no response at all
	 * becomes 502 with the contract's error shape.
	 *
	 * @param Result $result Outcome.
	 * @param string $path   Proxied path.
	 * @return PassthroughResponse|\WP_Error
	 */
	private function to_response( Result $result, string $path ) {
		if ( 0 === $result->status ) {
			$data = array(
				'code'    => $result->error_code(),
				'message' => __( 'The booking service is not available right now. Please try again later.', 'volixta' ),
			);
			if ( current_user_can( 'manage_options' ) ) {
				$data['detail'] = $result->error_message();
			}
			$body = (string) wp_json_encode( array( 'error' => $data ) );
			if ( ProxyPath::UNSUBSCRIBE_PATH === $path ) {
				// A person who followed an e-mail's link reads a page, not JSON.
				$body = sprintf(
					"<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\"><title>%s</title></head><body><main><h1>%s</h1><p role=\"alert\">%s</p></main></body></html>",
					esc_attr( get_bloginfo( 'language' ) ),
					esc_html__( 'Unsubscribe', 'volixta' ),
					esc_html__( 'Unsubscribe', 'volixta' ),
					esc_html__( 'This page cannot be shown right now. Please try the link again later.', 'volixta' )
				);
				return new PassthroughResponse( array( 'error' => $data ), 502, array( 'Content-Type' => 'text/html; charset=utf-8', 'Cache-Control' => 'no-store, private' ), $body );
			}
			return new PassthroughResponse( array( 'error' => $data ), 502, array( 'Content-Type' => 'application/json; charset=utf-8' ), $body );
		}

		$content_type = $result->headers['content-type'] ?? 'application/octet-stream';
		$headers      = array(
			'Content-Type'  => $content_type,
			'Cache-Control' => 'no-store, private',
		);
		foreach ( self::PASSED_HEADERS as $name ) {
			if ( isset( $result->headers[ $name ] ) ) {
				$headers[ self::header_case( $name ) ] = $result->headers[ $name ];
			}
		}

		// A pay button's answer sends the browser to the store's payment page (htmx follows
		// HX-Redirect); only a plain web address is passed on.
		$redirect = $result->headers['hx-redirect'] ?? null;
		if ( is_string( $redirect ) && preg_match( '#^https?://[^\s"<>]+$#Di', $redirect ) && esc_url_raw( $redirect, array( 'http', 'https' ) ) === $redirect ) {
			$headers['HX-Redirect'] = $redirect;
		}

		$body = $result->body;
		if ( 'text/html' === $result->content_type ) {
			// The unsubscribe page is a whole page a person opens from an e-mail, not a fragment.
			$body = ProxyPath::UNSUBSCRIBE_PATH === $path ? Fragment::document( $body ) : Fragment::sanitize( $body );
		}
		$data = $result->json ?? $body;
		return new PassthroughResponse( $data, $result->status, $headers, $body );
	}

	/**
	 * The address of the page a marketing e-mail's unsubscribe link opens: this proxy's
	 * `unsubscribe` route, which a visitor reaches without logging in and without script. The
	 * service adds the client and its signed token to it.
	 */
	public static function unsubscribe_url(): string {
		return rest_url( self::NAMESPACE . '/' . ProxyPath::UNSUBSCRIBE_PATH );
	}

	/**
	 * JSON request body, forwarded as is; form posts are converted to JSON.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return string|\WP_Error
	 */
	private function json_body( \WP_REST_Request $request ) {
		if ( 'GET' === strtoupper( $request->get_method() ) ) {
			return '';
		}
		$raw = (string) $request->get_body();
		if ( $request->is_json_content_type() ) {
			if ( '' === trim( $raw ) ) {
				return '';
			}
			json_decode( $raw );
			if ( JSON_ERROR_NONE !== json_last_error() ) {
				return new \WP_Error( 'volixta_invalid_json', __( 'The request body is not valid JSON.', 'volixta' ), array( 'status' => 400 ) );
			}
			return $raw;
		}
		$params = (array) $request->get_body_params();
		unset( $params['_wpnonce'], $params['_method'] );
		if ( array() === $params ) {
			return '';
		}
		return (string) wp_json_encode( $params );
	}

	/**
	 * When a manager creates or edits a client for a WordPress user, remember the link so the
	 * user acts as that client from now on.
	 *
	 * @param string $method HTTP method.
	 * @param string $path   Proxied path.
	 * @param string $body   JSON body sent.
	 * @param Result $result Successful outcome.
	 */
	private function remember_client_link( string $method, string $path, string $body, Result $result ): void {
		if ( ! in_array( $method, array( 'POST', 'PUT', 'PATCH' ), true ) || ! preg_match( '#^clients(/[A-Za-z0-9_-]+)?$#D', $path ) ) {
			return;
		}
		$client_id = $result->json['id'] ?? null;
		$sent      = '' === $body ? null : json_decode( $body, true );
		$user_id   = $result->json['wp_user_id'] ?? ( is_array( $sent ) ? ( $sent['wp_user_id'] ?? null ) : null );
		if ( ( is_int( $client_id ) || is_string( $client_id ) ) && is_numeric( $user_id ) && (int) $user_id > 0 ) {
			ClientLink::link( (int) $user_id, $client_id );
		}
	}

	/**
	 * The raw query string of the HTTP request being served, when this is one.
	 */
	private function raw_query_string(): ?string {
		if ( ! ( defined( 'REST_REQUEST' ) && REST_REQUEST ) || ! isset( $_SERVER['QUERY_STRING'] ) ) {
			return null;
		}
		return (string) wp_unslash( $_SERVER['QUERY_STRING'] ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- compared against the parsed parameters before use.
	}

	/**
	 * The visitor's address: REMOTE_ADDR, or behind the reverse proxies named in the settings the
	 * address they forwarded (see ClientAddress::visitor()).
	 */
	public static function visitor_address(): ?string {
		// phpcs:disable WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- only ever used once validated as IP addresses.
		$remote    = isset( $_SERVER['REMOTE_ADDR'] ) ? (string) wp_unslash( $_SERVER['REMOTE_ADDR'] ) : null;
		$forwarded = isset( $_SERVER['HTTP_X_FORWARDED_FOR'] ) ? (string) wp_unslash( $_SERVER['HTTP_X_FORWARDED_FOR'] ) : null;
		// phpcs:enable
		return ClientAddress::visitor( $remote, $forwarded, ClientAddress::ranges( Options::trusted_proxies() ) );
	}

	/**
	 * The proxied path, from the matched route only: get_param( 'path' ) would let a body or
	 * query field called "path" replace it after the permission check looked at the URL.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	private static function path( \WP_REST_Request $request ): string {
		$path = $request->get_url_params()['path'] ?? '';
		return is_string( $path ) ? $path : '';
	}

	/**
	 * "content-disposition" → "Content-Disposition".
	 *
	 * @param string $name Lower-case header name.
	 */
	private static function header_case( string $name ): string {
		return implode( '-', array_map( 'ucfirst', explode( '-', $name ) ) );
	}
}
