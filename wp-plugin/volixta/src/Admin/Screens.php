<?php
/**
 * The Volixta menu of wp-admin and its screens.
 *
 * @package Volixta
 */

namespace Volixta\Admin;

use Volixta\Api\Client;
use Volixta\Api\Result;
use Volixta\Assets;
use Volixta\Auth\Actor;
use Volixta\Html\Fragment;
use Volixta\Rest\ProxyPath;

/**
 * Each screen is a container whose content the service renders (`GET /v1/render/admin/<screen>`);
 * what it shows, who may see it and what its buttons do are the service's to decide. Later screens
 * add themselves to SCREENS.
 */
final class Screens {

	public const CAPABILITY = Actor::CAP_MANAGE;

	/**
	 * The top-level menu's slug: its first screen.
	 */
	public const MENU = 'volixta-clients';

	/**
	 * Admin page slug → the service's screen under /v1/render/admin/.
	 */
	public const SCREENS = array(
		'volixta-clients'     => 'clients',
		'volixta-bookings'    => 'bookings',
		'volixta-calendar'    => 'calendar',
		'volixta-new-booking' => 'new-booking',
		'volixta-credits'     => 'credits',
		'volixta-invoices'    => 'invoices',
		'volixta-packages'    => 'packages',
		'volixta-locations'   => 'locations',
		'volixta-services'    => 'services',
		'volixta-staff'       => 'staff',
		'volixta-activity'    => 'activity',
		'volixta-payments'    => 'payments',
		'volixta-emails'      => 'emails',
		'volixta-marketing'   => 'marketing',
		'volixta-webhooks'    => 'webhooks',
		'volixta-settings'    => 'settings',
		'volixta-my-bookings' => 'my-bookings',
	);

	/**
	 * Screens that need more than CAPABILITY (the site's settings are the administrator's).
	 */
	public const CAPABILITIES = array(
		'volixta-settings'    => 'manage_options',
		'volixta-webhooks'    => 'manage_options',
		'volixta-my-bookings' => Actor::CAP_EMPLOYEE,
	);

	/**
	 * Employees' own screens. Managers hold the employees' capability too but have screens of
	 * their own, so these stay out of their menu.
	 */
	public const EMPLOYEE_SCREENS = array( 'volixta-my-bookings' );

	/**
	 * Builds the API client per render.
	 *
	 * @var callable(): Client
	 */
	private $client_factory;

	/**
	 * Scripts and root tokens.
	 *
	 * @var Assets
	 */
	private Assets $assets;

	/**
	 * Hook suffixes of the screens, to load scripts there only.
	 *
	 * @var string[]
	 */
	private array $hooks = array();

	/**
	 * The current screen's answer, fetched before WordPress prints the page's head.
	 *
	 * @var array<string, Result>
	 */
	private array $fetched = array();

	/**
	 * Wires the screens.
	 *
	 * @param callable(): Client $client_factory Returns the client to use.
	 * @param Assets             $assets         Scripts and root tokens.
	 */
	public function __construct( callable $client_factory, Assets $assets ) {
		$this->client_factory = $client_factory;
		$this->assets         = $assets;
	}

	/**
	 * Screens reached from other screens rather than from the menu (admin page slug → the menu
	 * item they belong under).
	 */
	public const HIDDEN = array(
		'volixta-new-booking' => 'volixta-clients',
	);

	public function register_hooks(): void {
		add_action( 'admin_menu', array( $this, 'add_menu' ) );
		add_action( 'admin_enqueue_scripts', array( $this, 'enqueue' ) );
		add_filter( 'parent_file', array( $this, 'parent_file' ) );
		add_filter( 'submenu_file', array( $this, 'submenu_file' ) );
	}

	/**
	 * A hidden screen keeps the Volixta menu open.
	 *
	 * @param string|null $parent_file The menu WordPress would highlight.
	 */
	public function parent_file( $parent_file ) {
		$slug = self::current_slug();
		if ( ! isset( self::HIDDEN[ $slug ] ) ) {
			return $parent_file;
		}
		// menu-header.php calls get_admin_page_parent() right after this filter, and that finds
		// the page under the menu-less parent '' and resets the parent to ''. WordPress has
		// already checked access by now, so the entry is no longer needed on this request.
		global $submenu;
		if ( isset( $submenu[''] ) && is_array( $submenu[''] ) ) {
			$submenu[''] = array_values( // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited -- see above.
				array_filter(
					$submenu[''],
					static fn( $item ) => ( $item[2] ?? null ) !== $slug
				)
			);
		}
		return self::MENU;
	}

	/**
	 * A hidden screen highlights the menu item it belongs under.
	 *
	 * @param string|null $submenu_file The submenu item WordPress would highlight.
	 */
	public function submenu_file( $submenu_file ) {
		return self::HIDDEN[ self::current_slug() ] ?? $submenu_file;
	}

	public function add_menu(): void {
		add_menu_page(
			__( 'Volixta', 'volixta' ),
			__( 'Volixta', 'volixta' ),
			self::CAPABILITY,
			self::MENU,
			array( $this, 'render' ),
			'dashicons-groups',
			26
		);
		// The first submenu repeats the parent's slug, so "Volixta" opens Clients and the submenu
		// says "Clients" rather than "Volixta".
		$labels = array(
			'volixta-clients'     => __( 'Clients', 'volixta' ),
			'volixta-bookings'    => __( 'Bookings', 'volixta' ),
			'volixta-calendar'    => __( 'Calendar', 'volixta' ),
			'volixta-new-booking' => __( 'New booking', 'volixta' ),
			'volixta-credits'     => __( 'Credits & Gifts', 'volixta' ),
			'volixta-invoices'    => __( 'Invoices', 'volixta' ),
			'volixta-packages'    => __( 'Packages', 'volixta' ),
			'volixta-locations'   => __( 'Locations', 'volixta' ),
			'volixta-services'    => __( 'Services', 'volixta' ),
			'volixta-staff'       => __( 'Staff', 'volixta' ),
			'volixta-activity'    => __( 'Activity', 'volixta' ),
			'volixta-payments'    => __( 'Flagged payments', 'volixta' ),
			'volixta-emails'      => __( 'E-mails', 'volixta' ),
			'volixta-marketing'   => __( 'Marketing', 'volixta' ),
			'volixta-webhooks'    => __( 'Webhooks', 'volixta' ),
			'volixta-settings'    => __( 'Settings', 'volixta' ),
			'volixta-my-bookings' => __( 'My bookings', 'volixta' ),
		);
		foreach ( self::SCREENS as $slug => $screen ) {
			// A parent of '' registers the page (with its capability check) without a menu item.
			// Employees, who may open no screen of the menu's own, get their screens as the
			// menu's items: WordPress then points the menu at the first of them.
			$hidden = isset( self::HIDDEN[ $slug ] )
				|| ( in_array( $slug, self::EMPLOYEE_SCREENS, true ) && current_user_can( self::CAPABILITY ) );
			$parent = $hidden ? '' : self::MENU;
			$label  = $labels[ $slug ] ?? $screen;
			$hook   = add_submenu_page( $parent, $label, $label, self::capability( $slug ), $slug, array( $this, 'render' ) );
			if ( is_string( $hook ) ) {
				$this->hooks[] = $hook;
				add_action( 'load-' . $hook, array( $this, 'prefetch' ) );
			}
		}
	}

	/**
	 * Loads the scripts on Volixta's screens only.
	 *
	 * @param string $hook_suffix The current admin page's hook suffix.
	 */
	public function enqueue( string $hook_suffix = '' ): void {
		if ( in_array( $hook_suffix, $this->hooks, true ) ) {
			$this->assets->enqueue_htmx();
		}
	}

	/**
	 * Asks the service for the current screen before the page's head is sent, so that a screen
	 * the service does not know (another staff member's booking, a deleted client) answers 404.
	 */
	public function prefetch(): void {
		$slug = self::current_slug();
		if ( ! isset( self::SCREENS[ $slug ] ) || ! current_user_can( self::capability( $slug ) ) ) {
			return;
		}
		$this->fetched[ $slug ] = $this->result( $slug );
		if ( 404 === $this->fetched[ $slug ]->status ) {
			status_header( 404 );
		}
	}

	/**
	 * Prints the current screen. WordPress already refused users without the capability; the
	 * check here keeps a direct call honest too.
	 */
	public function render(): void {
		echo $this->html( self::current_slug() ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped and filtered in html().
	}

	/**
	 * The container of a screen with its first fragment, or the reason it cannot be shown.
	 *
	 * @param string $slug Admin page slug.
	 */
	public function html( string $slug ): string {
		if ( ! isset( self::SCREENS[ $slug ] ) || ! current_user_can( self::capability( $slug ) ) ) {
			return $this->wrap( '<div class="notice notice-error inline"><p>' . esc_html__( 'Sorry, you are not allowed to access this page.', 'volixta' ) . '</p></div>' );
		}
		$result = $this->fetched[ $slug ] ?? $this->result( $slug );
		unset( $this->fetched[ $slug ] );
		if ( 404 === $result->status ) {
			return $this->wrap( '<h1>' . esc_html( get_admin_page_title() ) . '</h1><div class="notice notice-error inline"><p>' . esc_html__( 'There is nothing here: what this link points to does not exist, or is not yours to see.', 'volixta' ) . '</p></div>' );
		}
		if ( $result->ok() && 'text/html' === $result->content_type ) {
			return $this->wrap( Fragment::sanitize( $result->body ) );
		}
		if ( $result->ok() ) {
			/* translators: %s: content type returned by the service. */
			$result = Result::failure( sprintf( __( 'The service answered with %s instead of text/html.', 'volixta' ), $result->content_type ?: '?' ), 'bad_content_type' );
		}
		return $this->wrap( $this->unavailable( $result ) );
	}

	/**
	 * The service's answer for a screen; a failure of the plugin itself as a failed result.
	 *
	 * @param string $slug Admin page slug.
	 */
	private function result( string $slug ): Result {
		try {
			return $this->fetch( self::SCREENS[ $slug ] );
		} catch ( \Throwable $e ) {
			return Result::failure( $e->getMessage(), 'plugin_error' );
		}
	}

	/**
	 * GET /v1/render/admin/<screen> with this page's query string (the screen's filters), as the
	 * logged-in user, in their language.
	 *
	 * @param string $screen Screen name.
	 */
	private function fetch( string $screen ): Result {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- read-only filters of a list, forwarded to the service, which checks them.
		$query = ProxyPath::build_query( (array) wp_unslash( $_GET ) );
		$path  = '/v1/render/admin/' . $screen . ( '' === $query ? '' : '?' . $query );
		return ( $this->client_factory )()->request( 'GET', $path, Actor::current(), null, array( Client::LOCALE_HEADER => determine_locale() ) );
	}

	/**
	 * The screen's container: wp-admin's .wrap, marked as a root the scripts may act in.
	 *
	 * @param string $inner Escaped or filtered HTML.
	 */
	private function wrap( string $inner ): string {
		return '<div class="wrap volixta-wrap"' . $this->assets->root_attribute() . '>' . $inner . '</div>';
	}

	/**
	 * What a manager sees when the service cannot render the screen; administrators also get the
	 * reason, since they are the ones who can fix it.
	 *
	 * @param Result $result Failed outcome.
	 */
	private function unavailable( Result $result ): string {
		$html = '<h1>' . esc_html( get_admin_page_title() ) . '</h1>'
			. '<div class="notice notice-error inline"><p>'
			. esc_html__( 'This screen is not available right now because the booking service did not answer as expected. Please try again in a few minutes.', 'volixta' )
			. '</p>';
		if ( current_user_can( 'manage_options' ) ) {
			$reason = 0 === $result->status
				? (string) $result->transport_error
				/* translators: 1: HTTP status code, 2: error code, 3: error message. */
				: sprintf( __( 'HTTP %1$d %2$s: %3$s', 'volixta' ), $result->status, (string) $result->error_code(), $result->error_message() );
			$html .= '<p><strong>' . esc_html__( 'Administrator details:', 'volixta' ) . '</strong> ' . esc_html( $reason )
				. ' <a href="' . esc_url( SettingsPage::url() ) . '">' . esc_html__( 'Volixta settings', 'volixta' ) . '</a></p>';
		}
		return $html . '</div>';
	}

	/**
	 * The capability a screen needs.
	 *
	 * @param string $slug Admin page slug.
	 */
	public static function capability( string $slug ): string {
		return self::CAPABILITIES[ $slug ] ?? self::CAPABILITY;
	}

	private static function current_slug(): string {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- selects which screen to show.
		return isset( $_GET['page'] ) ? sanitize_key( wp_unslash( $_GET['page'] ) ) : self::MENU;
	}
}
