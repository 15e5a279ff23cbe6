<?php
/**
 * [volixta_customer_profile]: the client portal.
 *
 * @package Volixta
 */

namespace Volixta\Shortcode;

use Volixta\Api\Client;
use Volixta\Api\Result;
use Volixta\Assets;
use Volixta\Auth\Actor;
use Volixta\Auth\ClientLink;
use Volixta\Html\Fragment;
use Volixta\Site\Pages;

/**
 * The portal markup comes from the service (templates in shortcodes/); this class decides who
 * may see it and what a visitor sees instead when that is not possible.
 */
final class CustomerProfile {

	public const TAG = 'volixta_customer_profile';

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
	 * Shortcode callback. Never throws and never returns an empty string: a broken portal must
	 * still tell the visitor something.
	 *
	 * @param array<string,string>|string $atts Attributes (unused).
	 */
	public function render( $atts = array() ): string {
		try {
			return $this->render_unsafe();
		} catch ( \Throwable $e ) {
			return $this->unavailable( Result::failure( $e->getMessage(), 'plugin_error' ) );
		}
	}

	private function render_unsafe(): string {
		$this->assets->enqueue_htmx();
		if ( ! is_user_logged_in() ) {
			return $this->login();
		}
		$user_id = get_current_user_id();
		if ( ! ClientLink::is_linked( $user_id ) ) {
			return $this->unlinked();
		}

		// The portal always shows the visitor's own client data, whatever else they may manage.
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- read-only state of the page (filters, open booking), checked by the service.
		$get    = (array) wp_unslash( $_GET );
		$cookie = isset( $_COOKIE[ PortalQuery::ZONE_COOKIE ] ) ? (string) wp_unslash( $_COOKIE[ PortalQuery::ZONE_COOKIE ] ) : '';
		$query  = PortalQuery::build( $get, $cookie );
		$result = ( $this->client_factory )()->request( 'GET', '/v1/render/customer_profile' . ( '' === $query ? '' : '?' . $query ), new Actor( 'client', $user_id ), null, self::site_headers() );
		// Linked to a client the business has since removed: the same words as for no link.
		if ( 404 === $result->status && 'not_found' === $result->error_code() ) {
			return $this->unlinked();
		}
		if ( ! $result->ok() ) {
			return $this->unavailable( $result );
		}
		if ( 'text/html' !== $result->content_type ) {
			/* translators: %s: content type returned by the service. */
			return $this->unavailable( Result::failure( sprintf( __( 'The service answered with %s instead of text/html.', 'volixta' ), $result->content_type ?: '?' ), 'bad_content_type' ) );
		}
		$fragment = Fragment::sanitize( $result->body );
		// The service's template normally marks its own root as the fragment; an overridden
		// template that does not still gets a root, so the portal script can refresh it.
		$marker = false === strpos( $fragment, 'data-volixta-fragment=' ) ? ' data-volixta-fragment="customer_profile"' : '';
		return '<div class="volixta-host volixta-wrap"' . $this->assets->root_attribute() . $marker . '>' . $fragment . '</div>';
	}

	/**
	 * What the portal links to on this site: the booking form page, where a package's "Book with
	 * it" leads. Sent by the shortcode and by the proxy's portal routes alike.
	 *
	 * @return array<string,string>
	 */
	public static function site_headers(): array {
		$form = Pages::url_of( BookingForm::TAG );
		return null === $form ? array() : array( 'X-Volixta-Booking-Form-Url' => $form );
	}

	/**
	 * What a logged-in account without a client profile sees: a client's words, not staff's.
	 */
	private function unlinked(): string {
		return $this->wrap(
			'volixta-portal volixta-portal--unlinked',
			'<p class="volixta-notice">' . esc_html__( 'Your account is not linked to a client profile yet. Please contact us and we will set it up.', 'volixta' ) . '</p>'
		);
	}

	private function login(): string {
		$form = wp_login_form(
			array(
				'echo'     => false,
				'redirect' => $this->current_url(),
				'form_id'  => 'volixta-loginform',
			)
		);
		return $this->wrap(
			'volixta-portal volixta-portal--login',
			'<p>' . esc_html__( 'Log in to see your bookings, credits and invoices.', 'volixta' ) . '</p>' . $form
		);
	}

	/**
	 * The portal's notice when the service cannot answer.
	 *
	 * @param Result $result Failed outcome.
	 */
	private function unavailable( Result $result ): string {
		return $this->wrap(
			'volixta-portal volixta-portal--unavailable',
			Unavailable::notice( $result, __( 'Your client area is temporarily unavailable. Please try again in a few minutes.', 'volixta' ) )
		);
	}

	/**
	 * Wraps inner HTML (already escaped) in the portal container.
	 *
	 * @param string $classes CSS classes.
	 * @param string $inner   Escaped HTML.
	 */
	private function wrap( string $classes, string $inner ): string {
		return '<div class="' . esc_attr( $classes ) . '"' . $this->assets->root_attribute() . '>' . $inner . '</div>';
	}

	private function current_url(): string {
		$permalink = get_permalink();
		return is_string( $permalink ) && '' !== $permalink ? $permalink : home_url( '/' );
	}
}
