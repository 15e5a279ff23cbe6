<?php
/**
 * CSS and JS of the portal and of the wp-admin screens.
 *
 * @package Volixta
 */

namespace Volixta;

/**
 * Loaded only on pages that render a Volixta shortcode, and on Volixta's own admin screens.
 */
final class Assets {

	public const HANDLE = 'volixta';

	/**
	 * The vendored htmx library (assets/vendor/, see its README.md) and the plugin's leash on it.
	 */
	public const HTMX_HANDLE      = 'volixta-htmx-lib';
	public const HTMX_GLUE_HANDLE = 'volixta-htmx';
	public const HTMX_VERSION     = '2.0.11';

	/**
	 * Whether the config script was already attached on this request.
	 *
	 * @var bool
	 */
	private bool $configured = false;

	/**
	 * The attribute that marks a container the plugin rendered; its value is a per-render token.
	 */
	public const ROOT_ATTRIBUTE = 'data-volixta-root';

	public function register_hooks(): void {
		add_action( 'wp_enqueue_scripts', array( $this, 'register' ) );
	}

	public function register(): void {
		if ( wp_script_is( self::HANDLE, 'registered' ) ) {
			return;
		}
		$url = plugins_url( 'assets/', VOLIXTA_FILE );
		wp_register_style( self::HANDLE, $url . 'volixta.css', array(), VOLIXTA_VERSION );
		wp_register_script( self::HANDLE, $url . 'volixta.js', array(), VOLIXTA_VERSION, true );
		wp_register_script( self::HTMX_HANDLE, $url . 'vendor/htmx.min.js', array(), self::HTMX_VERSION, true );
		wp_register_script( self::HTMX_GLUE_HANDLE, $url . 'volixta-htmx.js', array( self::HANDLE, self::HTMX_HANDLE ), VOLIXTA_VERSION, true );
	}

	/**
	 * The portal script plus htmx, for screens whose fragments use htmx attributes. htmx comes
	 * before the glue that restricts it, and both run before htmx reads the page (DOMContentLoaded).
	 */
	public function enqueue_htmx(): void {
		$this->enqueue();
		wp_enqueue_script( self::HTMX_GLUE_HANDLE );
	}

	public function enqueue(): void {
		$this->register();
		wp_enqueue_style( self::HANDLE );
		wp_enqueue_script( self::HANDLE );
		if ( $this->configured ) {
			return;
		}
		$this->configured = true;
		$config           = array(
			'restUrl' => esc_url_raw( rest_url( 'volixta/v1/' ) ),
			'nonce'   => wp_create_nonce( 'wp_rest' ),
			'roots'   => array(),
			'i18n'    => array(
				'failed'      => __( 'Something went wrong. Please try again.', 'volixta' ),
				'unavailable' => __( 'The service is not available right now. Please try again later.', 'volixta' ),
				'working'     => __( 'Working…', 'volixta' ),
			),
		);
		wp_add_inline_script( self::HANDLE, 'window.volixtaConfig = ' . wp_json_encode( $config ) . ';', 'before' );
	}

	/**
	 * A fresh root token for one rendered container, made known to the script.
	 *
	 * Post content may carry any data-* attribute (WordPress keeps them for Authors), so the
	 * script acts only inside containers whose token it was given here, in script an Author
	 * cannot write. The token is random per render, so copying one from a page seen earlier
	 * gives nothing.
	 */
	public function new_root(): string {
		$this->enqueue();
		$token = bin2hex( random_bytes( 16 ) );
		wp_add_inline_script( self::HANDLE, 'window.volixtaConfig.roots.push(' . wp_json_encode( $token ) . ');', 'before' );
		return $token;
	}

	/**
	 * The root attribute of a fresh root, ready to print inside an opening tag.
	 */
	public function root_attribute(): string {
		return ' ' . self::ROOT_ATTRIBUTE . '="' . esc_attr( $this->new_root() ) . '"';
	}
}
