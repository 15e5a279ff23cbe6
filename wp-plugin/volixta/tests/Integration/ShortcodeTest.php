<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Integration;

use Volixta\Api\Client;
use Volixta\Assets;
use Volixta\Auth\ClientLink;
use Volixta\Options;
use Volixta\Shortcode\CustomerProfile;
use Volixta\Tests\Unit\RecordingTransport;

/**
 * [volixta_customer_profile] for each kind of visitor, with no service running.
 */
final class ShortcodeTest extends WordPressTestCase {

	/**
	 * PHP errors raised while rendering.
	 *
	 * @var string[]
	 */
	private array $php_errors = array();

	protected function setUp(): void {
		parent::setUp();
		update_option( Options::SERVICE_URL, 'http://127.0.0.1:' . self::closed_port() );
		update_option( Options::SHARED_SECRET, 'test-secret' );
	}

	protected function tearDown(): void {
		update_option( Options::SERVICE_URL, Options::DEFAULT_SERVICE_URL );
		update_option( Options::SHARED_SECRET, '' );
		parent::tearDown();
	}

	/**
	 * Renders through do_shortcode, as a page would, recording any PHP error of any level.
	 */
	private function render(): string {
		$this->php_errors = array();
		set_error_handler(
			function ( int $errno, string $message, string $file, int $line ): bool {
				// WordPress 6.1's own classes raise PHP 8.2 deprecations when first loaded; those are not ours.
				$core_deprecation = in_array( $errno, array( E_DEPRECATED, E_USER_DEPRECATED ), true ) && 0 !== strpos( $file, dirname( __DIR__, 2 ) );
				if ( ! $core_deprecation ) {
					$this->php_errors[] = "$errno $message at $file:$line";
				}
				return true;
			}
		);
		try {
			return do_shortcode( '[volixta_customer_profile]' );
		} finally {
			restore_error_handler();
		}
	}

	public function test_logged_out_visitor_gets_the_login_form(): void {
		$html = $this->render();
		self::assertSame( array(), $this->php_errors );
		self::assertStringContainsString( 'id="volixta-loginform" action="http://volixta.test/wp-login.php" method="post"', $html );
		self::assertStringContainsString( 'name="log"', $html );
		self::assertStringContainsString( 'name="pwd"', $html );
		self::assertStringContainsString( 'Log in to see your bookings', $html );
	}

	public function test_logged_in_user_without_client_gets_a_plain_message(): void {
		wp_set_current_user( $this->make_user( 'subscriber' )->ID );
		$html = $this->render();
		self::assertSame( array(), $this->php_errors );
		self::assertStringContainsString( 'not linked to a client profile', $html );
		self::assertStringNotContainsString( 'loginform', $html );
	}

	public function test_service_unreachable_shows_a_friendly_notice_without_details_to_clients(): void {
		$user = $this->make_user( 'subscriber' );
		ClientLink::link( $user->ID, '17' );
		wp_set_current_user( $user->ID );

		$html = $this->render();

		self::assertSame( array(), $this->php_errors, 'no PHP warning or notice' );
		self::assertStringContainsString( 'temporarily unavailable', $html );
		self::assertStringContainsString( 'role="alert"', $html );
		self::assertStringNotContainsString( 'Administrator details', $html );
		self::assertStringNotContainsString( '127.0.0.1', $html );
	}

	public function test_service_unreachable_shows_the_reason_to_administrators(): void {
		$admin = $this->make_user( 'administrator' );
		ClientLink::link( $admin->ID, '18' );
		wp_set_current_user( $admin->ID );

		$html = $this->render();

		self::assertSame( array(), $this->php_errors );
		self::assertStringContainsString( 'temporarily unavailable', $html );
		self::assertStringContainsString( 'Administrator details', $html );
		self::assertMatchesRegularExpression( '/cURL error \d+|Connection refused|Failed to connect/i', $html );
		self::assertStringContainsString( 'options-general.php?page=volixta', $html );
	}

	public function test_missing_secret_is_explained_to_administrators(): void {
		update_option( Options::SHARED_SECRET, '' );
		$admin = $this->make_user( 'administrator' );
		ClientLink::link( $admin->ID, '19' );
		wp_set_current_user( $admin->ID );

		$html = $this->render();

		self::assertSame( array(), $this->php_errors );
		self::assertStringContainsString( 'shared secret is not set', $html );
	}

	public function test_assets_are_enqueued_with_rest_config(): void {
		$this->render();
		self::assertTrue( wp_style_is( 'volixta', 'enqueued' ) );
		self::assertTrue( wp_script_is( 'volixta', 'enqueued' ) );
		// The plugin is a symlink in the content folder (as in the demo); URLs must use the link.
		self::assertSame( 'http://volixta.test/wp-content/plugins/volixta/assets/volixta.css', wp_styles()->registered['volixta']->src );
		self::assertSame( 'http://volixta.test/wp-content/plugins/volixta/assets/volixta.js', wp_scripts()->registered['volixta']->src );
		$before = wp_scripts()->get_data( 'volixta', 'before' );
		self::assertIsArray( $before );
		self::assertStringContainsString( 'volixtaConfig', implode( "\n", $before ) );
		self::assertStringContainsString( wp_json_encode( rest_url( 'volixta/v1/' ) ), implode( "\n", $before ) );
	}

	public function test_every_render_marks_its_container_with_a_fresh_root_only_the_script_is_told(): void {
		$visitor = $this->render();
		wp_set_current_user( $this->make_user( 'subscriber' )->ID );
		$unlinked = $this->render();
		$again    = $this->render();

		$tokens = array();
		foreach ( array( $visitor, $unlinked, $again ) as $html ) {
			self::assertSame( 1, preg_match_all( '#<div class="volixta-portal[^"]*" data-volixta-root="([0-9a-f]{32})">#', $html, $m ), $html );
			$tokens[] = $m[1][0];
		}
		self::assertCount( 3, array_unique( $tokens ), 'each render has its own token' );

		// The tokens reach the script only through inline script, after the config they extend.
		$before = implode( "
", (array) wp_scripts()->get_data( 'volixta', 'before' ) );
		$config = strpos( $before, 'window.volixtaConfig = ' );
		self::assertNotFalse( $config );
		self::assertStringContainsString( '"roots":[]', $before );
		foreach ( $tokens as $token ) {
			$push = strpos( $before, 'window.volixtaConfig.roots.push("' . $token . '");' );
			self::assertNotFalse( $push, "token $token not given to the script" );
			self::assertGreaterThan( $config, $push );
		}
	}

	public function test_fragment_is_rendered_as_the_client_and_filtered(): void {
		$admin = $this->make_user( 'administrator' );
		ClientLink::link( $admin->ID, '21' );
		wp_set_current_user( $admin->ID );
		$t = new RecordingTransport(
			array(
				array(
					'status'  => 200,
					'headers' => array( 'content-type' => 'text/html; charset=utf-8' ),
					'body'    => '<section class="vx-card" data-booking-id="7"><h2>Ada</h2><button type="button" data-volixta-action="bookings/7/cancel" data-volixta-confirm="Sure?" aria-expanded="false">Cancel</button><select name="staff_id"><option value="3" selected>Bea</option></select><img src="x" onerror="alert(1)"><script>alert(2)</script></section>',
				),
			)
		);

		$html = $this->shortcode_with( $t )->render();

		self::assertSame( 'client:' . $admin->ID, $t->last()['headers']['X-Volixta-Actor'], 'the portal always asks as the client' );
		self::assertStringEndsWith( '/v1/render/customer_profile', $t->last()['url'] );
		self::assertMatchesRegularExpression( '#^<div class="volixta-host volixta-wrap" data-volixta-root="[0-9a-f]{32}" data-volixta-fragment="customer_profile"><section class="vx-card"#', $html );
		self::assertStringContainsString( '<button type="button" data-volixta-action="bookings/7/cancel" data-volixta-confirm="Sure?" aria-expanded="false">Cancel</button>', $html );
		self::assertStringContainsString( '<option value="3" selected>Bea</option>', $html );
		self::assertStringContainsString( 'data-booking-id="7"', $html );
		self::assertStringNotContainsString( 'onerror', $html );
		self::assertStringNotContainsString( '<script', $html );
	}

	public function test_service_template_root_and_styles_survive(): void {
		$user = $this->make_user( 'subscriber' );
		ClientLink::link( $user->ID, '24' );
		wp_set_current_user( $user->ID );
		$body = "<section class=\"volixta-portal\" data-volixta-fragment=\"customer_profile\">\n  <style>\n    .volixta-portal .vx-card{border:1px solid #e5e7eb;border-radius:.75rem}\n    .volixta-portal td,.volixta-portal th{padding:.4rem .25rem}\n  </style>\n  <div class=\"vx-card vx-wallet\"><div class=\"vx-balance volixta-balance\" data-amount=\"50.00\">€50.00</div></div>\n</section>";
		$t    = new RecordingTransport(
			array(
				array(
					'status'  => 200,
					'headers' => array( 'content-type' => 'text/html; charset=utf-8' ),
					'body'    => $body,
				),
			)
		);

		$html = $this->shortcode_with( $t )->render();

		self::assertMatchesRegularExpression( '#^<div class="volixta-host volixta-wrap" data-volixta-root="[0-9a-f]{32}">#', $html );
		self::assertSame( $body . '</div>', preg_replace( '#^<div [^>]*>#', '', $html ), 'nothing of the template is lost' );
		self::assertSame( 1, substr_count( $html, 'data-volixta-fragment=' ), 'one fragment root, not a nested second one' );
	}

	public function test_unsafe_style_blocks_are_dropped_not_printed(): void {
		$html = \Volixta\Html\Fragment::sanitize( '<p>a</p><style>p{color:red}</style><style>x{}</style><script>alert(1)</script><style>b{background:url(javascript:alert(1))}</style><style media="all">i{}</STYLE >' );
		self::assertSame( '<p>a</p><style>p{color:red}</style><style>x{}</style>alert(1)<style>i{}</style>', $html );
		self::assertSame( '<p>x</p>', \Volixta\Html\Fragment::sanitize( '<p>x</p><style>a{content:"<img src=x onerror=alert(1)>"}</style>' ) );
	}

	public function test_service_error_shows_status_and_code_to_administrators(): void {
		$admin = $this->make_user( 'administrator' );
		ClientLink::link( $admin->ID, '22' );
		wp_set_current_user( $admin->ID );
		$t = new RecordingTransport( array( RecordingTransport::json( 500, '{"error":{"code":"internal","message":"Something broke."}}' ) ) );

		$html = $this->shortcode_with( $t )->render();

		self::assertStringContainsString( 'temporarily unavailable', $html );
		self::assertStringContainsString( 'HTTP 500 internal: Something broke.', $html );
	}

	public function test_an_account_whose_client_is_gone_reads_a_clients_words(): void {
		$user = $this->make_user( 'subscriber' );
		ClientLink::link( $user->ID, '25' );
		wp_set_current_user( $user->ID );
		$t = new RecordingTransport( array( RecordingTransport::json( 404, '{"error":{"code":"not_found","message":"No such client."}}' ) ) );

		$html = $this->shortcode_with( $t )->render();

		self::assertStringContainsString( 'not linked to a client profile yet', $html );
		self::assertStringNotContainsString( 'temporarily unavailable', $html );
		self::assertStringNotContainsString( 'not_found', $html );
	}

	public function test_non_html_answer_is_not_shown_raw(): void {
		$user = $this->make_user( 'subscriber' );
		ClientLink::link( $user->ID, '23' );
		wp_set_current_user( $user->ID );
		$t = new RecordingTransport( array( RecordingTransport::json( 200, '{"secret":"internal"}' ) ) );

		$html = $this->shortcode_with( $t )->render();

		self::assertStringContainsString( 'temporarily unavailable', $html );
		self::assertStringNotContainsString( 'internal', $html );
	}

	/**
	 * The shortcode with its client on a recording transport.
	 *
	 * @param RecordingTransport $t Transport.
	 */
	private function shortcode_with( RecordingTransport $t ): CustomerProfile {
		return new CustomerProfile( static fn (): Client => new Client( 'http://127.0.0.1:8787', 'test-secret', $t ), new Assets() );
	}
}
