<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Integration;

use Volixta\Admin\ConnectionCheck;
use Volixta\Admin\SettingsPage;
use Volixta\Api\Client;
use Volixta\Auth\Actor;
use Volixta\Options;

/**
 * Settings → Volixta: the form, saving, and the connection test against nothing.
 */
final class SettingsPageTest extends WordPressTestCase {

	private const SECRET = 'super-secret-value-42';

	protected function setUp(): void {
		parent::setUp();
		update_option( Options::SHARED_SECRET, self::SECRET );
		wp_set_current_user( $this->make_user( 'administrator' )->ID );
		add_filter( 'wp_redirect', array( self::class, 'stop_at_redirect' ) );
	}

	protected function tearDown(): void {
		remove_filter( 'wp_redirect', array( self::class, 'stop_at_redirect' ) );
		update_option( Options::SHARED_SECRET, '' );
		update_option( Options::SERVICE_URL, Options::DEFAULT_SERVICE_URL );
		update_option( Options::DELETE_DATA, '' );
		delete_option( Options::TRUSTED_PROXIES );
		parent::tearDown();
	}

	/**
	 * The handlers end with a redirect and exit; the test stops them at the redirect.
	 *
	 * @param string $location Target.
	 * @throws RedirectStop Always.
	 */
	public static function stop_at_redirect( string $location ): string {
		throw new RedirectStop( $location );
	}

	public function test_page_is_under_settings(): void {
		( new SettingsPage() )->add_page();
		global $submenu;
		$slugs = array_column( $submenu['options-general.php'] ?? array(), 2 );
		self::assertContains( 'volixta', $slugs );
	}

	public function test_form_never_echoes_the_secret(): void {
		$html = $this->render_page();
		self::assertStringNotContainsString( self::SECRET, $html );
		self::assertStringContainsString( 'name="volixta_shared_secret" id="volixta_shared_secret" type="password" class="regular-text" value=""', $html );
		self::assertStringContainsString( 'Leave blank to keep it', $html );
		self::assertStringContainsString( 'value="http://127.0.0.1:8787"', $html );
		self::assertStringContainsString( 'Test connection', $html );
		self::assertStringContainsString( 'name="volixta_delete_data"', $html );
	}

	public function test_blank_secret_keeps_the_stored_one(): void {
		$location = $this->post(
			SettingsPage::SAVE_ACTION,
			array(
				'volixta_service_url'   => 'http://10.1.2.3:8787/',
				'volixta_shared_secret' => '',
				'volixta_delete_data'   => '1',
			)
		);
		self::assertStringContainsString( 'volixta_notice=saved', $location );
		self::assertSame( self::SECRET, get_option( Options::SHARED_SECRET ) );
		self::assertSame( 'http://10.1.2.3:8787', get_option( Options::SERVICE_URL ) );
		self::assertTrue( Options::delete_data() );
	}

	public function test_new_secret_is_stored_verbatim_and_checkbox_clears(): void {
		update_option( Options::DELETE_DATA, '1' );
		$this->post(
			SettingsPage::SAVE_ACTION,
			array(
				'volixta_service_url'   => 'https://volixta.internal',
				'volixta_shared_secret' => 'n3w <secret> %41 & "quotes"',
			)
		);
		self::assertSame( 'n3w <secret> %41 & "quotes"', get_option( Options::SHARED_SECRET ) );
		self::assertFalse( Options::delete_data() );
	}

	public function test_bad_url_is_not_saved(): void {
		$location = $this->post(
			SettingsPage::SAVE_ACTION,
			array(
				'volixta_service_url'   => 'javascript:alert(1)',
				'volixta_shared_secret' => '',
			)
		);
		self::assertStringContainsString( 'volixta_notice=bad_url', $location );
		self::assertSame( Options::DEFAULT_SERVICE_URL, Options::service_url() );
	}

	public function test_trusted_proxies_are_saved_one_per_line_and_shown_again(): void {
		self::assertStringContainsString( '<textarea name="volixta_trusted_proxies" id="volixta_trusted_proxies"', $this->render_page() );
		$location = $this->post(
			SettingsPage::SAVE_ACTION,
			array(
				'volixta_service_url'     => 'http://127.0.0.1:8787',
				'volixta_trusted_proxies' => " 10.0.0.0/8, 192.168.1.5\r\n\r\n2001:db8::/32 ",
			)
		);
		self::assertStringContainsString( 'volixta_notice=saved', $location );
		self::assertSame( "10.0.0.0/8\n192.168.1.5\n2001:db8::/32", get_option( Options::TRUSTED_PROXIES ) );
		self::assertSame( array( '10.0.0.0/8', '192.168.1.5', '2001:db8::/32' ), Options::trusted_proxies() );
		self::assertStringContainsString( ">10.0.0.0/8\n192.168.1.5\n2001:db8::/32</textarea>", $this->render_page() );

		$this->post(
			SettingsPage::SAVE_ACTION,
			array(
				'volixta_service_url'     => 'http://127.0.0.1:8787',
				'volixta_trusted_proxies' => '',
			)
		);
		self::assertSame( array(), Options::trusted_proxies(), 'emptied: REMOTE_ADDR again' );
	}

	public function test_a_trusted_proxy_that_is_not_an_address_or_range_is_not_saved(): void {
		update_option( Options::TRUSTED_PROXIES, '10.0.0.0/8' );
		$location = $this->post(
			SettingsPage::SAVE_ACTION,
			array(
				'volixta_service_url'     => 'http://127.0.0.1:8787',
				'volixta_trusted_proxies' => "192.168.1.5\nproxy.example.com",
			)
		);
		self::assertStringContainsString( 'volixta_notice=bad_proxies', $location );
		self::assertSame( '10.0.0.0/8', get_option( Options::TRUSTED_PROXIES ) );
		$_GET = array( 'volixta_notice' => 'bad_proxies' );
		self::assertStringContainsString( 'each trusted proxy must be an IP address or a CIDR range', $this->render_page() );
	}

	public function test_save_requires_the_nonce(): void {
		$_POST = $_REQUEST = array( 'volixta_service_url' => 'http://evil.example' ); // phpcs:ignore
		$this->expectException( DieStop::class );
		add_filter( 'wp_die_handler', array( self::class, 'die_handler' ) );
		try {
			( new SettingsPage() )->handle_save();
		} finally {
			remove_filter( 'wp_die_handler', array( self::class, 'die_handler' ) );
			self::assertSame( Options::DEFAULT_SERVICE_URL, Options::service_url() );
		}
	}

	public function test_connection_test_reports_unreachable_service(): void {
		update_option( Options::SERVICE_URL, 'http://127.0.0.1:' . self::closed_port() );
		$location = $this->post( SettingsPage::TEST_ACTION, array() );
		self::assertStringContainsString( 'volixta_notice=tested', $location );

		$_GET = array( 'volixta_notice' => 'tested' );
		$html = $this->render_page();
		self::assertStringContainsString( 'notice-error', $html );
		self::assertStringContainsString( 'Unreachable', $html );
		self::assertStringNotContainsString( self::SECRET, $html );
	}

	public function test_connection_check_with_the_wordpress_transport(): void {
		$result = ConnectionCheck::run( new Client( 'http://127.0.0.1:' . self::closed_port(), 'k' ), new Actor( 'admin', 1 ) );
		self::assertSame( ConnectionCheck::UNREACHABLE, $result['status'] );
		self::assertNotSame( '', $result['detail'] );
	}

	/**
	 * @return callable
	 */
	public static function die_handler(): callable {
		return static function ( $message ): void {
			throw new DieStop( is_string( $message ) ? $message : 'died' );
		};
	}

	private function render_page(): string {
		ob_start();
		( new SettingsPage() )->render();
		return (string) ob_get_clean();
	}

	/**
	 * Posts to an admin-post handler with a valid nonce; returns the redirect target.
	 *
	 * @param string               $action Handler action.
	 * @param array<string,string> $fields Form fields (unslashed).
	 */
	private function post( string $action, array $fields ): string {
		$fields['_wpnonce'] = wp_create_nonce( $action );
		$_POST              = wp_slash( $fields );
		$_REQUEST           = $_POST;
		$page               = new SettingsPage();
		try {
			SettingsPage::SAVE_ACTION === $action ? $page->handle_save() : $page->handle_test();
		} catch ( RedirectStop $stop ) {
			return $stop->location;
		}
		self::fail( 'the handler did not redirect' );
	}
}

/**
 * Thrown instead of redirecting.
 */
final class RedirectStop extends \RuntimeException {

	/**
	 * Redirect target.
	 *
	 * @var string
	 */
	public string $location;

	public function __construct( string $location ) {
		parent::__construct( 'redirect to ' . $location );
		$this->location = $location;
	}
}

/**
 * Thrown instead of wp_die().
 */
final class DieStop extends \RuntimeException {
}
