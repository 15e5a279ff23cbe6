<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Integration;

use Volixta\Admin\Screens;
use Volixta\Api\Client;
use Volixta\Assets;
use Volixta\Options;
use Volixta\Tests\Unit\RecordingTransport;

/**
 * The Volixta menu of wp-admin: who gets it, and the container each screen renders.
 */
final class AdminScreensTest extends WordPressTestCase {

	private const FRAGMENT = '<div class="volixta-clients" id="volixta-clients"><h1 class="wp-heading-inline">Clients</h1>'
		. '<form id="volixta-clients-filters" data-hx-get="render/admin/clients" data-hx-trigger="submit, input delay:300ms"><input type="search" name="search"></form>'
		. '<button type="button" class="button-link" data-hx-post="render/admin/clients/4/block?page=volixta-clients" data-hx-target="#volixta-clients-results">Block</button>'
		. '<img src="x" onerror="alert(1)"><script>alert(2)</script></div>';

	protected function setUp(): void {
		parent::setUp();
		update_option( Options::SERVICE_URL, 'http://127.0.0.1:' . self::closed_port() );
		update_option( Options::SHARED_SECRET, 'test-secret' );
		global $menu, $submenu, $_registered_pages, $_parent_pages;
		$menu              = array(); // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited -- a fresh admin menu per test.
		$submenu           = array(); // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
		$_registered_pages = array(); // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
		$_parent_pages     = array(); // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
		// As on admin.php?page=volixta-clients, which user_can_access_admin_page() and the page title read.
		$GLOBALS['pagenow']     = 'admin.php'; // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
		$GLOBALS['plugin_page'] = Screens::MENU; // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
		$GLOBALS['typenow']     = ''; // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
		remove_all_actions( 'toplevel_page_' . Screens::MENU );
		wp_dequeue_script( Assets::HTMX_GLUE_HANDLE );
		wp_dequeue_script( Assets::HANDLE );
	}

	protected function tearDown(): void {
		update_option( Options::SERVICE_URL, Options::DEFAULT_SERVICE_URL );
		update_option( Options::SHARED_SECRET, '' );
		parent::tearDown();
	}

	private function screens( RecordingTransport $t ): Screens {
		return new Screens( static fn (): Client => new Client( 'http://127.0.0.1:8787', 'test-secret', $t ), new Assets() );
	}

	private static function html_answer( string $body ): array {
		return array(
			'status'  => 200,
			'headers' => array( 'content-type' => 'text/html; charset=utf-8' ),
			'body'    => $body,
		);
	}

	public function test_administrators_and_managers_hold_the_capability_employees_and_clients_do_not(): void {
		self::assertSame( 'volixta_manage', Screens::CAPABILITY );
		self::assertTrue( user_can( $this->make_user( 'administrator' ), Screens::CAPABILITY ) );
		self::assertTrue( user_can( $this->make_user( 'volixta_manager' ), Screens::CAPABILITY ) );
		self::assertFalse( user_can( $this->make_user( 'volixta_employee' ), Screens::CAPABILITY ) );
		self::assertFalse( user_can( $this->make_user( 'subscriber' ), Screens::CAPABILITY ) );
		self::assertFalse( user_can( $this->make_user( 'editor' ), Screens::CAPABILITY ) );
	}

	public function test_the_menu_has_volixta_clients_bookings_and_calendar_and_no_screen_that_does_not_exist(): void {
		wp_set_current_user( $this->make_user( 'volixta_manager' )->ID );
		$this->screens( new RecordingTransport( array( self::html_answer( '' ) ) ) )->add_menu();

		global $menu, $submenu;
		$top = array_values( array_filter( $menu, static fn ( array $item ): bool => Screens::MENU === $item[2] ) );
		self::assertCount( 1, $top );
		self::assertSame( array( 'Volixta', 'volixta_manage' ), array( $top[0][0], $top[0][1] ) );
		$items = array_map( static fn ( array $item ): array => array( $item[0], $item[1], $item[2] ), $submenu[ Screens::MENU ] );
		self::assertSame(
			array(
				array( 'Clients', 'volixta_manage', 'volixta-clients' ),
				array( 'Bookings', 'volixta_manage', 'volixta-bookings' ),
				array( 'Calendar', 'volixta_manage', 'volixta-calendar' ),
				array( 'Credits & Gifts', 'volixta_manage', 'volixta-credits' ),
				array( 'Invoices', 'volixta_manage', 'volixta-invoices' ),
				array( 'Packages', 'volixta_manage', 'volixta-packages' ),
				array( 'Locations', 'volixta_manage', 'volixta-locations' ),
				array( 'Services', 'volixta_manage', 'volixta-services' ),
				array( 'Staff', 'volixta_manage', 'volixta-staff' ),
				array( 'Activity', 'volixta_manage', 'volixta-activity' ),
				array( 'Flagged payments', 'volixta_manage', 'volixta-payments' ),
				array( 'E-mails', 'volixta_manage', 'volixta-emails' ),
				array( 'Marketing', 'volixta_manage', 'volixta-marketing' ),
			),
			$items
		);
		// WordPress attaches the page callback only for users who may open it.
		self::assertNotFalse( has_action( 'toplevel_page_' . Screens::MENU ) );
		self::assertTrue( user_can_access_admin_page() );
	}

	public function test_webhooks_are_the_administrator_s_screen(): void {
		global $submenu;
		self::assertSame( 'manage_options', Screens::capability( 'volixta-webhooks' ) );
		wp_set_current_user( $this->make_user( 'volixta_manager' )->ID );
		$transport = new RecordingTransport( array( self::html_answer( '<p>webhooks</p>' ) ) );
		self::assertStringContainsString( 'not allowed', $this->screens( $transport )->html( 'volixta-webhooks' ) );
		self::assertCount( 0, $transport->sent, 'the service is not even asked' );
		wp_set_current_user( $this->make_user( 'administrator' )->ID );
		$submenu = array(); // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited -- a fresh menu for this user.
		$this->screens( new RecordingTransport( array( self::html_answer( '' ) ) ) )->add_menu();
		self::assertContains( 'volixta-webhooks', array_column( $submenu[ Screens::MENU ], 2 ) );
	}

	public function test_settings_are_the_administrator_s_screen(): void {
		global $submenu;
		self::assertSame( 'manage_options', Screens::capability( 'volixta-settings' ) );
		$manager = $this->make_user( 'volixta_manager' );
		wp_set_current_user( $manager->ID );
		self::assertStringContainsString( 'not allowed', $this->screens( new RecordingTransport( array( self::html_answer( '<p>settings</p>' ) ) ) )->html( 'volixta-settings' ) );
		wp_set_current_user( $this->make_user( 'administrator' )->ID );
		$submenu = array(); // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited -- a fresh menu for this user.
		$screens = $this->screens( new RecordingTransport( array( self::html_answer( '<p>settings</p>' ) ) ) );
		$screens->add_menu();
		$slugs = array_column( $submenu[ Screens::MENU ], 2 );
		self::assertContains( 'volixta-settings', $slugs );
		self::assertStringContainsString( '<p>settings</p>', $screens->html( 'volixta-settings' ) );
	}

	public function test_new_booking_is_a_page_without_a_menu_item_that_keeps_clients_highlighted(): void {
		// As on admin.php?page=volixta-new-booking: WordPress names the page's hook from there.
		$GLOBALS['plugin_page'] = 'volixta-new-booking'; // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
		$_GET['page']           = 'volixta-new-booking';
		// wp-admin's menu.php starts these; user_can_access_admin_page() reads them for pages without a parent.
		$GLOBALS['_wp_menu_nopriv']    = array(); // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
		$GLOBALS['_wp_submenu_nopriv'] = array(); // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
		wp_set_current_user( $this->make_user( 'volixta_manager' )->ID );
		$screens = $this->screens( new RecordingTransport( array( self::html_answer( '' ) ) ) );
		$screens->add_menu();

		global $submenu;
		self::assertNotContains( 'volixta-new-booking', array_column( $submenu[ Screens::MENU ], 2 ) );
		$hook = get_plugin_page_hook( 'volixta-new-booking', 'admin.php' );
		self::assertNotNull( $hook, 'the page is registered' );
		self::assertNotFalse( has_action( $hook ) );
		self::assertTrue( user_can_access_admin_page() );
		// As menu-header.php: the filters, then WordPress's own lookup, which must keep the parent.
		global $parent_file, $pagenow;
		$pagenow     = 'admin.php'; // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
		$parent_file = $screens->parent_file( 'admin.php' ); // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
		self::assertSame( Screens::MENU, $parent_file );
		self::assertSame( 'volixta-clients', $screens->submenu_file( null ) );
		get_admin_page_parent();
		self::assertSame( Screens::MENU, $parent_file, 'the Volixta menu stays open' );
		unset( $_GET['page'] );
		self::assertSame( 'index.php', $screens->parent_file( 'index.php' ), 'other pages are left alone' );

		$_GET['page'] = 'volixta-new-booking';
		remove_all_actions( (string) $hook );
		wp_set_current_user( $this->make_user( 'volixta_employee' )->ID );
		$screens->add_menu();
		self::assertFalse( has_action( (string) $hook ), 'employees get no page' );
		self::assertFalse( user_can_access_admin_page() );
		unset( $_GET['page'] );
	}

	public function test_employees_and_clients_get_no_page(): void {
		foreach ( array( 'volixta_employee', 'subscriber' ) as $role ) {
			remove_all_actions( 'toplevel_page_' . Screens::MENU );
			wp_set_current_user( $this->make_user( $role )->ID );
			$this->screens( new RecordingTransport( array( self::html_answer( '' ) ) ) )->add_menu();
			self::assertFalse( has_action( 'toplevel_page_' . Screens::MENU ), $role );
			self::assertFalse( user_can_access_admin_page(), $role );
		}
	}

	public function test_the_container_holds_the_service_fragment_filtered_inside_a_fresh_root(): void {
		$manager = $this->make_user( 'volixta_manager' );
		wp_set_current_user( $manager->ID );
		$_GET = array(
			'page'       => 'volixta-clients',
			'status'     => array( 'VIP', 'New' ),
			'search'     => 'ann lee',
			'rest_route' => '/wp/v2/users',
		);
		$t    = new RecordingTransport( array( self::html_answer( self::FRAGMENT ) ) );

		$html = $this->screens( $t )->html( 'volixta-clients' );

		$sent = $t->last();
		self::assertSame( 'GET', $sent['method'] );
		self::assertSame( 'http://127.0.0.1:8787/v1/render/admin/clients?page=volixta-clients&status%5B0%5D=VIP&status%5B1%5D=New&search=ann%20lee', $sent['url'] );
		self::assertSame( 'manager:' . $manager->ID, $sent['headers']['X-Volixta-Actor'] );
		self::assertSame( determine_locale(), $sent['headers']['X-Volixta-Locale'] );
		self::assertMatchesRegularExpression( '#^<div class="wrap volixta-wrap" data-volixta-root="[0-9a-f]{32}"><div class="volixta-clients" id="volixta-clients"><h1 class="wp-heading-inline">Clients</h1>#', $html );
		self::assertStringContainsString( 'data-hx-post="render/admin/clients/4/block?page=volixta-clients" data-hx-target="#volixta-clients-results"', $html );
		self::assertStringContainsString( 'data-hx-trigger="submit, input delay:300ms"', $html );
		self::assertStringNotContainsString( 'onerror', $html );
		self::assertStringNotContainsString( '<script', $html );

		// The root's token is one the page's script is told, and a second render gets another one.
		preg_match( '#data-volixta-root="([0-9a-f]{32})"#', $html, $m );
		$inline = implode( "\n", (array) wp_scripts()->get_data( Assets::HANDLE, 'before' ) );
		self::assertStringContainsString( 'window.volixtaConfig.roots.push("' . $m[1] . '")', $inline );
		$again = $this->screens( $t )->html( 'volixta-clients' );
		self::assertStringNotContainsString( $m[1], $again );
	}

	public function test_users_without_the_capability_get_no_fragment_and_no_request(): void {
		wp_set_current_user( $this->make_user( 'volixta_employee' )->ID );
		$t    = new RecordingTransport( array( self::html_answer( self::FRAGMENT ) ) );
		$html = $this->screens( $t )->html( 'volixta-clients' );
		self::assertSame( array(), $t->sent );
		self::assertStringContainsString( 'not allowed', $html );
		self::assertStringNotContainsString( 'volixta-clients-filters', $html );
	}

	public function test_an_unreachable_service_is_said_plainly_and_explained_to_administrators(): void {
		wp_set_current_user( $this->make_user( 'volixta_manager' )->ID );
		$screens = new Screens( array( Client::class, 'from_options' ), new Assets() );
		$html    = $screens->html( 'volixta-clients' );
		self::assertStringContainsString( 'class="notice notice-error inline"', $html );
		self::assertStringContainsString( 'did not answer as expected', $html );
		self::assertStringNotContainsString( 'Administrator details', $html );

		wp_set_current_user( $this->make_user( 'administrator' )->ID );
		$html = $screens->html( 'volixta-clients' );
		self::assertStringContainsString( 'Administrator details', $html );

		$t    = new RecordingTransport( array( RecordingTransport::json( 200, '{"secret":"x"}' ) ) );
		$html = $this->screens( $t )->html( 'volixta-clients' );
		self::assertStringContainsString( 'instead of text/html', $html );
		self::assertStringNotContainsString( 'secret', $html );
	}

	public function test_htmx_loads_on_volixta_screens_only(): void {
		wp_set_current_user( $this->make_user( 'administrator' )->ID );
		$screens = $this->screens( new RecordingTransport( array( self::html_answer( '' ) ) ) );
		$screens->add_menu();

		$screens->enqueue( 'index.php' );
		self::assertFalse( wp_script_is( Assets::HTMX_GLUE_HANDLE, 'enqueued' ) );
		self::assertFalse( wp_script_is( Assets::HANDLE, 'enqueued' ) );

		$screens->enqueue( 'toplevel_page_' . Screens::MENU );
		self::assertTrue( wp_script_is( Assets::HTMX_GLUE_HANDLE, 'enqueued' ) );
		$glue = wp_scripts()->registered[ Assets::HTMX_GLUE_HANDLE ];
		self::assertSame( array( Assets::HANDLE, Assets::HTMX_HANDLE ), $glue->deps, 'the glue runs after volixta.js and htmx' );
		self::assertStringEndsWith( 'assets/vendor/htmx.min.js', wp_scripts()->registered[ Assets::HTMX_HANDLE ]->src );
		self::assertSame( 1, wp_scripts()->get_data( Assets::HTMX_HANDLE, 'group' ), 'htmx loads in the footer, after the page it reads' );
		self::assertFileExists( VOLIXTA_DIR . '/assets/vendor/htmx.min.js' );
		self::assertStringContainsString( 'version:"' . Assets::HTMX_VERSION . '"', (string) file_get_contents( VOLIXTA_DIR . '/assets/vendor/htmx.min.js' ) );
	}

	public function test_employees_get_their_own_bookings_as_the_menu_and_managers_keep_theirs(): void {
		global $submenu;
		self::assertSame( 'volixta_employee', Screens::capability( 'volixta-my-bookings' ) );
		$employee = $this->make_user( 'volixta_employee' );
		wp_set_current_user( $employee->ID );
		$t       = new RecordingTransport( array( self::html_answer( '<div id="volixta-my-bookings">mine</div>' ) ) );
		$screens = $this->screens( $t );
		$screens->add_menu();
		$items = array_map( static fn ( array $item ): array => array( $item[0], $item[1], $item[2] ), $submenu[ Screens::MENU ] );
		self::assertContains( array( 'My bookings', 'volixta_employee', 'volixta-my-bookings' ), $items );
		$html = $screens->html( 'volixta-my-bookings' );
		self::assertStringContainsString( '<div id="volixta-my-bookings">mine</div>', $html );
		self::assertSame( 'http://127.0.0.1:8787/v1/render/admin/my-bookings', $t->last()['url'] );
		self::assertSame( 'employee:' . $employee->ID, $t->last()['headers']['X-Volixta-Actor'] );

		$submenu = array(); // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited -- a fresh menu for this user.
		wp_set_current_user( $this->make_user( 'volixta_manager' )->ID );
		$this->screens( new RecordingTransport( array( self::html_answer( '' ) ) ) )->add_menu();
		self::assertNotContains( 'volixta-my-bookings', array_column( $submenu[ Screens::MENU ], 2 ) );
		self::assertNotNull( get_plugin_page_hook( 'volixta-my-bookings', 'admin.php' ), 'still a page, which the service refuses to managers' );
	}

	public function test_what_the_service_does_not_know_is_a_page_that_says_so_fetched_once(): void {
		wp_set_current_user( $this->make_user( 'volixta_employee' )->ID );
		$_GET    = array(
			'page'    => 'volixta-my-bookings',
			'booking' => '12',
		);
		$t       = new RecordingTransport( array( RecordingTransport::json( 404, '{"error":{"code":"not_found","message":"Not found."}}' ) ) );
		$screens = $this->screens( $t );
		$screens->prefetch();
		$html = $screens->html( 'volixta-my-bookings' );
		self::assertCount( 1, $t->sent, 'the answer fetched before the head is the one printed' );
		self::assertSame( 'http://127.0.0.1:8787/v1/render/admin/my-bookings?page=volixta-my-bookings&booking=12', $t->last()['url'] );
		self::assertStringContainsString( 'not yours to see', $html );
		self::assertStringNotContainsString( 'did not answer as expected', $html );
		$_GET = array();
	}
}
