<?php
/**
 * [volixta_booking_form]: the public booking form.
 *
 * @package Volixta
 */

namespace Volixta\Shortcode;

use Volixta\Api\Client;
use Volixta\Api\Result;
use Volixta\Assets;
use Volixta\Auth\Actor;
use Volixta\Auth\LoginRedirect;
use Volixta\Html\Fragment;
use Volixta\Rest\BookingFormAccount;
use Volixta\Rest\Proxy;

/**
 * The form's markup and steps come from the service (shortcodes/booking_form.html); this class
 * turns the shortcode's attributes into the form's first choices, carries the page's own query
 * (the steps' plain GET forms, without script) and adds WordPress's login form for visitors, whom
 * the form sends there when their e-mail already has an account.
 */
final class BookingForm {

	public const TAG = 'volixta_booking_form';

	/**
	 * The nonce of the last step's plain form post (the page posts to itself without script).
	 */
	public const NONCE_ACTION = 'volixta_booking_form_book';

	/**
	 * The field of that nonce.
	 */
	public const NONCE_FIELD = '_volixta_book_nonce';

	/**
	 * The last step's fields that travel to the service; the choices ride in the query.
	 */
	private const BOOK_FIELDS = array( 'first_name', 'last_name', 'email', 'phone', 'notes', 'website' );

	/**
	 * Shortcode attribute → the form's query key. Values must be ids ("any" for staff).
	 */
	private const ATTRIBUTES = array(
		'service_type' => 'category_id',
		'service'      => 'service_id',
		'location'     => 'location_id',
		'staff'        => 'staff_id',
	);

	/**
	 * The query keys of the form's steps, read from the page's own address (a step sent
	 * without script reloads the page with them).
	 */
	private const STATE_KEYS = array( 'category_id', 'service_id', 'people', 'location_id', 'staff_id', 'addons', 'timezone', 'month', 'date', 'slot', 'near', 'choice', 'use_wallet', 'method', 'package', 'step', 'at' );

	/**
	 * Builds the API client per render.
	 *
	 * @var callable(): Client
	 */
	private $client_factory;

	/**
	 * Front-end assets.
	 *
	 * @var Assets
	 */
	private Assets $assets;

	/**
	 * Wires the shortcode.
	 *
	 * @param callable(): Client $client_factory Returns the client to use.
	 * @param Assets             $assets         Front-end assets.
	 */
	public function __construct( callable $client_factory, Assets $assets ) {
		$this->client_factory = $client_factory;
		$this->assets         = $assets;
	}

	public function register_hooks(): void {
		add_shortcode( self::TAG, array( $this, 'render' ) );
	}

	/**
	 * Shortcode callback. Never throws: a broken form still tells the visitor something.
	 *
	 * @param array<string,string>|string $atts Attributes: service_type, service, location, staff.
	 */
	public function render( $atts = array() ): string {
		try {
			return $this->render_unsafe( is_array( $atts ) ? $atts : array() );
		} catch ( \Throwable $e ) {
			return $this->unavailable( Result::failure( $e->getMessage(), 'plugin_error' ) );
		}
	}

	/**
	 * The form's query: the page's own step query when it has one, else the attributes.
	 *
	 * @param array<string,string> $atts  Shortcode attributes.
	 * @param array<string,mixed>  $query The page's query parameters.
	 */
	public static function query( array $atts, array $query ): string {
		$pairs = array();
		foreach ( self::ATTRIBUTES as $attribute => $key ) {
			$value = trim( (string) ( $atts[ $attribute ] ?? '' ) );
			if ( ctype_digit( $value ) || ( 'staff_id' === $key && 'any' === $value ) ) {
				$pairs[ $key ] = $value;
			}
		}
		foreach ( $query as $key => $value ) {
			$key = (string) $key;
			$own = in_array( $key, self::STATE_KEYS, true ) || preg_match( '/^addon_[0-9]{1,10}$/D', $key );
			if ( $own && is_scalar( $value ) && strlen( (string) $value ) <= 200 ) {
				$pairs[ $key ] = (string) $value;
			}
		}
		return http_build_query( $pairs, '', '&', PHP_QUERY_RFC3986 );
	}

	/**
	 * Renders the form.
	 *
	 * @param array<string,string> $atts Shortcode attributes.
	 */
	private function render_unsafe( array $atts ): string {
		$this->assets->enqueue_htmx();
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- the steps' GET forms carry choices, no change.
		$query  = self::query( $atts, wp_unslash( $_GET ) );
		$notice = '';
		$result = null;
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- book() checks the nonce before anything.
		if ( isset( $_SERVER['REQUEST_METHOD'], $_POST['volixta_book_key'] ) && 'POST' === $_SERVER['REQUEST_METHOD'] ) {
			[ $result, $notice ] = $this->book( $query );
		}
		if ( null === $result ) {
			$target = '/v1/render/booking-form' . ( '' === $query ? '' : '?' . $query );
			$result = ( $this->client_factory )()->request( 'GET', $target, Actor::current() );
		}
		if ( ! $result->ok() || 'text/html' !== $result->content_type ) {
			return $this->unavailable( $result );
		}
		$html = '<div class="volixta-host"' . $this->assets->root_attribute() . '>' . $notice . self::with_nonce( Fragment::sanitize( $result->body ) ) . '</div>';
		if ( ! is_user_logged_in() ) {
			$html .= $this->login();
		}
		return $html;
	}

	/**
	 * "Book now" posted without script: the same checks and steps as the REST proxy's route
	 * (WordPress's nonce, the honeypot, the visitor's account, the Idempotency-Key the form was
	 * rendered with), then the service's answer is the page. A reload resends the same key, so it
	 * shows the same booking and books nothing more.
	 *
	 * @param string $query The form's choices.
	 * @return array{0:?\Volixta\Api\Result,1:string} The service's answer (null: show the form
	 *                                                  again) and a notice to print above it.
	 */
	private function book( string $query ): array {
		// phpcs:disable WordPress.Security.ValidatedSanitizedInput -- each field is checked below or by the service, as through the proxy.
		$nonce = isset( $_POST[ self::NONCE_FIELD ] ) ? (string) wp_unslash( $_POST[ self::NONCE_FIELD ] ) : '';
		if ( ! wp_verify_nonce( $nonce, self::NONCE_ACTION ) ) {
			return array( null, self::notice( __( 'The page has expired. Please reload it and try again.', 'volixta' ) ) );
		}
		$key = (string) wp_unslash( $_POST['volixta_book_key'] ?? '' );
		if ( ! preg_match( '/^[\x21-\x7E]{1,255}$/D', $key ) ) {
			return array( null, self::notice( __( 'The form could not be read. Please try again.', 'volixta' ) ) );
		}
		$fields = array();
		foreach ( self::BOOK_FIELDS as $field ) {
			$value            = $_POST[ $field ] ?? '';
			$fields[ $field ] = is_scalar( $value ) ? (string) wp_unslash( $value ) : '';
		}
		// phpcs:enable
		$body    = (string) wp_json_encode( $fields );
		$actor   = Actor::current();
		$account = null;
		if ( 'guest' === $actor->role() && 0 === $actor->wp_user_id() ) {
			$account = new BookingFormAccount();
			$body    = $account->prepare( $body, $key );
			if ( $body instanceof \WP_Error ) {
				return array( null, self::notice( $body->get_error_message() ) );
			}
		}
		$headers = array(
			'Idempotency-Key'     => $key,
			Client::LOCALE_HEADER => determine_locale(),
		);
		$address = Proxy::visitor_address();
		if ( null !== $address ) {
			$headers['X-Volixta-Client-Ip'] = $address;
		}
		$portal = LoginRedirect::portal_url();
		if ( null !== $portal ) {
			$headers['X-Volixta-Portal-Url'] = $portal;
		}
		$target = '/v1/render/booking-form/book' . ( '' === $query ? '' : '?' . $query );
		$result = ( $this->client_factory )()->request_raw( 'POST', $target, $actor, $body, $headers );
		if ( null !== $account ) {
			$account->settle( $result );
		}
		if ( $result->ok() ) {
			return array( $result, '' );
		}
		if ( 429 === $result->status ) {
			return array( null, self::notice( __( 'Too many bookings were tried from here. Please try again in an hour or contact us.', 'volixta' ) ) );
		}
		if ( $result->status >= 400 && $result->status < 500 ) {
			return array( null, self::notice( __( 'The booking could not be accepted.', 'volixta' ) ) );
		}
		return array( $result, '' );
	}

	/**
	 * The fragment with WordPress's nonce in its "Book now" form, for the plain post.
	 *
	 * @param string $html Sanitised fragment.
	 */
	private static function with_nonce( string $html ): string {
		$field = wp_nonce_field( self::NONCE_ACTION, self::NONCE_FIELD, false, false );
		return (string) preg_replace_callback( '#<form\b[^>]*\bdata-volixta-book-form\b[^>]*>#', static fn ( array $m ): string => $m[0] . $field, $html, 1 );
	}

	/**
	 * A notice above the form.
	 *
	 * @param string $text Plain text.
	 */
	private static function notice( string $text ): string {
		return '<div class="volixta-bf-notice is-error" role="alert"><p>' . esc_html( $text ) . '</p></div>';
	}

	/**
	 * WordPress's login form, where the booking form sends a visitor whose e-mail has an account.
	 */
	private function login(): string {
		$form = wp_login_form(
			array(
				'echo'     => false,
				'redirect' => $this->current_url(),
				'form_id'  => 'volixta-booking-loginform',
				'id_username' => 'volixta-booking-user',
				'id_password' => 'volixta-booking-pass',
				'id_remember' => 'volixta-booking-remember',
				'id_submit'   => 'volixta-booking-submit',
			)
		);
		return '<section class="volixta-booking-login" id="volixta-booking-login" aria-labelledby="volixta-booking-login-title">'
			. '<h2 id="volixta-booking-login-title">' . esc_html__( 'Already a client? Log in', 'volixta' ) . '</h2>'
			. '<p>' . esc_html__( 'Log in to book with your account, your credits and your saved details.', 'volixta' ) . ' '
			. '<a href="' . esc_url( wp_lostpassword_url( $this->current_url() ) ) . '">' . esc_html__( 'Forgot your password?', 'volixta' ) . '</a></p>'
			. $form . '</section>';
	}

	/**
	 * The form's notice when the service cannot answer.
	 *
	 * @param Result $result Failed outcome.
	 */
	private function unavailable( Result $result ): string {
		$notice = Unavailable::notice( $result, __( 'Online booking is temporarily unavailable. Please try again in a few minutes.', 'volixta' ) );
		return '<div class="volixta-booking volixta-booking--unavailable">' . $notice . '</div>';
	}

	private function current_url(): string {
		$permalink = get_permalink();
		return is_string( $permalink ) && '' !== $permalink ? $permalink : home_url( '/' );
	}
}
