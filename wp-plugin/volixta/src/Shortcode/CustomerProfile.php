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
		$this->assets->enqueue();
		if ( ! is_user_logged_in() ) {
			return $this->login();
		}
		$user_id = get_current_user_id();
		if ( ! ClientLink::is_linked( $user_id ) ) {
			return $this->wrap(
				'volixta-portal volixta-portal--unlinked',
				'<p class="volixta-notice">' . esc_html__( 'Your account is not linked to a client profile yet. Please contact us and we will set it up.', 'volixta' ) . '</p>'
			);
		}

		// The portal always shows the visitor's own client data, whatever else they may manage.
		$result = ( $this->client_factory )()->request( 'GET', '/v1/render/customer_profile', new Actor( 'client', $user_id ) );
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
		return '<div class="volixta-host"' . $this->assets->root_attribute() . $marker . '>' . $fragment . '</div>';
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
	 * The friendly notice; administrators also get the reason, because they are the ones who can fix it.
	 *
	 * @param Result $result Failed outcome.
	 */
	private function unavailable( Result $result ): string {
		$html = '<p class="volixta-notice volixta-notice--error" role="alert">'
			. esc_html__( 'Your client area is temporarily unavailable. Please try again in a few minutes.', 'volixta' )
			. '</p>';
		if ( current_user_can( 'manage_options' ) ) {
			$reason = 0 === $result->status
				? (string) $result->transport_error
				/* translators: 1: HTTP status code, 2: error code, 3: error message. */
				: sprintf( __( 'HTTP %1$d %2$s: %3$s', 'volixta' ), $result->status, (string) $result->error_code(), $result->error_message() );
			$html .= '<p class="volixta-notice volixta-notice--admin"><strong>'
				. esc_html__( 'Administrator details:', 'volixta' ) . '</strong> '
				. esc_html( $reason )
				. ' <a href="' . esc_url( admin_url( 'options-general.php?page=volixta' ) ) . '">'
				. esc_html__( 'Volixta settings', 'volixta' ) . '</a></p>';
		}
		return $this->wrap( 'volixta-portal volixta-portal--unavailable', $html );
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
