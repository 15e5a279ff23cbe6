<?php
/**
 * Composition root.
 *
 * @package Volixta
 */

namespace Volixta;

use Volixta\Admin\Screens;
use Volixta\Admin\SettingsPage;
use Volixta\Api\Client;
use Volixta\Auth\LoginRedirect;
use Volixta\Site\Pages;
use Volixta\Rest\Proxy;
use Volixta\Rest\UserSearch;
use Volixta\Shortcode\BookingForm;
use Volixta\Shortcode\CustomerProfile;
use Volixta\WooCommerce\ReturnUrl;
use Volixta\WooCommerce\WebhookForward;

/**
 * Builds each concern once and lets it register its hooks.
 */
final class Plugin {

	/**
	 * The booted instance.
	 *
	 * @var self|null
	 */
	private static ?self $instance = null;

	/**
	 * Objects that registered hooks.
	 *
	 * @var array<string,object>
	 */
	private array $parts;

	/**
	 * Wires the parts.
	 *
	 * @param callable(): Client $client_factory Returns the API client.
	 */
	private function __construct( callable $client_factory ) {
		$assets      = new Assets();
		$this->parts = array(
			'assets'    => $assets,
			'settings'  => new SettingsPage(),
			'screens'   => new Screens( $client_factory, $assets ),
			'woo_hook'  => new WebhookForward( $client_factory ),
			'woo_back'  => new ReturnUrl(),
			'proxy'     => new Proxy( $client_factory ),
			'users'     => new UserSearch(),
			'shortcode' => new CustomerProfile( $client_factory, $assets ),
			'booking'   => new BookingForm( $client_factory, $assets ),
			'login'     => new LoginRedirect(),
			'pages'     => new Pages(),
		);
	}

	public static function boot(): void {
		if ( null !== self::$instance ) {
			return;
		}
		add_action( 'init', array( self::class, 'load_textdomain' ) );
		self::$instance = new self( array( Client::class, 'from_options' ) );
		foreach ( self::$instance->parts as $part ) {
			$part->register_hooks();
		}
	}

	public static function load_textdomain(): void {
		load_plugin_textdomain( 'volixta', false, dirname( plugin_basename( VOLIXTA_FILE ) ) . '/languages' );
	}

	public static function instance(): ?self {
		return self::$instance;
	}

	/**
	 * One of the wired parts ("assets", "settings", "screens", "proxy", "shortcode", "booking", "login").
	 *
	 * @param string $name Part name.
	 */
	public function part( string $name ): ?object {
		return $this->parts[ $name ] ?? null;
	}
}
