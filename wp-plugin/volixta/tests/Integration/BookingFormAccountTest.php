<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Integration;

use Volixta\Api\Client;
use Volixta\Auth\ClientLink;
use Volixta\Rest\BookingFormAccount;
use Volixta\Rest\Proxy;
use Volixta\Shortcode\BookingForm;
use Volixta\Tests\Unit\RecordingTransport;

/**
 * A visitor books through the public form: the WordPress account made for them is linked and
 * welcomed once the service booked, and gone when it refused; a script gets nothing.
 */
final class BookingFormAccountTest extends WordPressTestCase {

	private const EMAIL = 'visitor@example.com';

	/**
	 * Mails WordPress tried to send.
	 *
	 * @var array<int,array<string,mixed>>
	 */
	private array $mails = array();

	protected function setUp(): void {
		parent::setUp();
		$this->mails = array();
		add_filter( 'pre_wp_mail', array( $this, 'catch_mail' ), 10, 2 );
		wp_set_current_user( 0 );
	}

	protected function tearDown(): void {
		remove_filter( 'pre_wp_mail', array( $this, 'catch_mail' ) );
		require_once ABSPATH . 'wp-admin/includes/user.php';
		foreach ( get_users( array( 'search' => self::EMAIL, 'search_columns' => array( 'user_email' ) ) ) as $user ) {
			wp_delete_user( $user->ID );
		}
		parent::tearDown();
	}

	/**
	 * @param mixed               $short_circuit Null to let WordPress send.
	 * @param array<string,mixed> $mail          The message.
	 */
	public function catch_mail( $short_circuit, array $mail ): bool {
		$this->mails[] = $mail;
		return true;
	}

	private static function page( int $status, array $headers = array() ): array {
		return array(
			'status'  => $status,
			'headers' => array( 'content-type' => 'text/html; charset=utf-8' ) + $headers,
			'body'    => '<section id="volixta-booking-form">…</section>',
		);
	}

	private function book( RecordingTransport $t, array $body, string $key = 'key-1' ) {
		$proxy   = new Proxy( static fn (): Client => new Client( 'http://127.0.0.1:8787', 'test-secret', $t ) );
		$request = new \WP_REST_Request( 'POST', '/volixta/v1/render/booking-form/book' );
		$request->set_url_params( array( 'path' => 'render/booking-form/book' ) );
		$request->set_header( 'Content-Type', 'application/json' );
		$request->set_header( 'Idempotency-Key', $key );
		$request->set_body( (string) wp_json_encode( $body ) );
		return $proxy->handle( $request );
	}

	private static function visitor( array $more = array() ): array {
		return $more + array(
			'first_name' => 'Vera',
			'last_name'  => 'Visitor',
			'email'      => self::EMAIL,
			'website'    => '',
		);
	}

	public function test_a_booking_links_and_welcomes_the_account_made_for_it(): void {
		$t        = new RecordingTransport( array( self::page( 200, array( 'x-volixta-client-id' => '31' ) ) ) );
		$response = $this->book( $t, self::visitor( array( 'wp_user_id' => 1, 'existing_account' => false ) ) );

		self::assertSame( 200, $response->get_status() );
		$user = get_user_by( 'email', self::EMAIL );
		self::assertInstanceOf( \WP_User::class, $user );
		self::assertSame( array( 'subscriber' ), array_values( $user->roles ) );
		$sent = json_decode( $t->last()['body'], true );
		self::assertSame( $user->ID, $sent['wp_user_id'], 'the account made, never the one the browser named' );
		self::assertArrayNotHasKey( 'existing_account', $sent );
		self::assertSame( 'guest:0', $t->last()['headers']['X-Volixta-Actor'] ?? null );
		self::assertSame( '31', ClientLink::client_id( $user->ID ) );
		self::assertCount( 1, $this->mails );

		// The same post again (a retry after a lost answer) names the same account: one welcome.
		$again = $this->book( $t, self::visitor() );
		self::assertSame( 200, $again->get_status() );
		self::assertSame( $user->ID, json_decode( $t->last()['body'], true )['wp_user_id'] );
		self::assertCount( 1, $this->mails );
	}

	public function test_the_last_page_is_told_where_the_portal_is_once_a_page_has_it(): void {
		$t = new RecordingTransport( array( self::page( 422 ), self::page( 422 ) ) );
		$this->book( $t, self::visitor() );
		self::assertArrayNotHasKey( 'X-Volixta-Portal-Url', $t->last()['headers'], 'no portal page, no link' );

		$page = wp_insert_post(
			array(
				'post_type'    => 'page',
				'post_status'  => 'publish',
				'post_title'   => 'My account',
				'post_content' => '[volixta_customer_profile]',
			)
		);
		try {
			$this->book( $t, self::visitor(), 'key-2' );
			self::assertSame( get_permalink( $page ), $t->last()['headers']['X-Volixta-Portal-Url'] ?? null );
		} finally {
			wp_delete_post( $page, true );
		}
	}

	public function test_a_refused_booking_leaves_no_account_and_sends_nothing(): void {
		$t        = new RecordingTransport( array( self::page( 200 ) ) );
		$response = $this->book( $t, self::visitor() );

		self::assertSame( 200, $response->get_status(), 'the form shows the refusal' );
		self::assertFalse( get_user_by( 'email', self::EMAIL ) );
		self::assertCount( 0, $this->mails );
	}

	public function test_a_known_email_makes_no_account_and_says_so_to_the_service_only(): void {
		$owner = $this->make_user( 'subscriber' );
		wp_update_user( array( 'ID' => $owner->ID, 'user_email' => self::EMAIL ) );
		$t = new RecordingTransport( array( self::page( 200 ) ) );
		$this->book( $t, self::visitor() );

		$sent = json_decode( $t->last()['body'], true );
		self::assertTrue( $sent['existing_account'] );
		self::assertArrayNotHasKey( 'wp_user_id', $sent );
		self::assertCount( 1, get_users( array( 'search' => self::EMAIL, 'search_columns' => array( 'user_email' ) ) ) );
		self::assertInstanceOf( \WP_User::class, get_userdata( $owner->ID ), 'the owner\'s account stays' );
	}

	public function test_an_account_left_without_its_client_is_reused(): void {
		$left = $this->make_user( 'subscriber' );
		wp_update_user( array( 'ID' => $left->ID, 'user_email' => self::EMAIL ) );
		update_user_meta( $left->ID, BookingFormAccount::MARKER, 'an-older-key' );
		$t = new RecordingTransport( array( self::page( 200, array( 'x-volixta-client-id' => '32' ) ) ) );
		$this->book( $t, self::visitor() );

		self::assertSame( $left->ID, json_decode( $t->last()['body'], true )['wp_user_id'] );
		self::assertSame( '32', ClientLink::client_id( $left->ID ) );
	}

	public function test_a_filled_honeypot_reaches_nothing(): void {
		$t        = new RecordingTransport( array( self::page( 200 ) ) );
		$response = $this->book( $t, self::visitor( array( 'website' => 'http://spam.example' ) ) );

		self::assertInstanceOf( \WP_Error::class, $response );
		self::assertSame( 422, $response->get_error_data()['status'] );
		self::assertCount( 0, $t->sent );
		self::assertFalse( get_user_by( 'email', self::EMAIL ) );
	}

	public function test_a_visitor_posts_only_with_the_rest_nonce(): void {
		$proxy   = new Proxy( static fn (): Client => new Client( 'http://127.0.0.1:8787', 'test-secret', new RecordingTransport( array( self::page( 200 ) ) ) ) );
		$request = new \WP_REST_Request( 'POST', '/volixta/v1/render/booking-form/book' );
		$request->set_url_params( array( 'path' => 'render/booking-form/book' ) );
		self::assertInstanceOf( \WP_Error::class, $proxy->permit( $request ) );
		$request->set_header( 'X-WP-Nonce', wp_create_nonce( 'wp_rest' ) );
		self::assertTrue( $proxy->permit( $request ) );
		$other = new \WP_REST_Request( 'POST', '/volixta/v1/bookings' );
		$other->set_url_params( array( 'path' => 'bookings' ) );
		$other->set_header( 'X-WP-Nonce', wp_create_nonce( 'wp_rest' ) );
		self::assertInstanceOf( \WP_Error::class, $proxy->permit( $other ) );
	}

	public function test_book_now_posted_without_script_books_through_the_shortcode(): void {
		$form = '<section id="volixta-booking-form"><form method="post" action="?service_id=3" data-volixta-book-form data-hx-post="x"><input type="hidden" name="volixta_book_key" value="k-plain"></form></section>';
		$t    = new RecordingTransport(
			array(
				array(
					'status'  => 200,
					'headers' => array( 'content-type' => 'text/html; charset=utf-8', 'x-volixta-client-id' => '41' ),
					'body'    => '<section id="volixta-booking-form"><p>Thank you, your booking is made.</p></section>',
				),
				self::page( 200 ),
				array(
					'status'  => 200,
					'headers' => array( 'content-type' => 'text/html; charset=utf-8' ),
					'body'    => $form,
				),
			)
		);
		$shortcode = new BookingForm( static fn (): Client => new Client( 'http://127.0.0.1:8787', 'test-secret', $t ), new \Volixta\Assets() );
		$server    = $_SERVER;
		$post      = $_POST;
		$get       = $_GET;
		try {
			$_SERVER['REQUEST_METHOD'] = 'POST';
			$_GET                      = array( 'service_id' => '3', 'slot' => '2030-01-01T10:00:00Z_5' );
			$_POST                     = self::visitor(
				array(
					'volixta_book_key'             => 'k-plain',
					BookingForm::NONCE_FIELD       => wp_create_nonce( BookingForm::NONCE_ACTION ),
					'wp_user_id'                   => '1',
				)
			);
			$html = $shortcode->render();

			self::assertStringContainsString( 'Thank you, your booking is made.', $html );
			$sent = $t->last();
			self::assertStringEndsWith( '/v1/render/booking-form/book?service_id=3&slot=2030-01-01T10%3A00%3A00Z_5', $sent['url'] );
			self::assertSame( 'k-plain', $sent['headers']['Idempotency-Key'] ?? null );
			$body = json_decode( $sent['body'], true );
			$user = get_user_by( 'email', self::EMAIL );
			self::assertInstanceOf( \WP_User::class, $user );
			self::assertSame( $user->ID, $body['wp_user_id'], 'the account made, never the one the browser named' );
			self::assertSame( 'Vera', $body['first_name'] );
			self::assertArrayNotHasKey( BookingForm::NONCE_FIELD, $body );
			self::assertSame( '41', ClientLink::client_id( $user->ID ) );
			self::assertCount( 1, $this->mails );

			// Without WordPress's nonce (a post from another site): nothing is sent to book.
			$_POST[ BookingForm::NONCE_FIELD ] = 'forged';
			$_POST['volixta_book_key']         = 'k-forged';
			$html                              = $shortcode->render();
			self::assertStringContainsString( 'The page has expired', $html );
			self::assertStringEndsWith( '/v1/render/booking-form?service_id=3&slot=2030-01-01T10%3A00%3A00Z_5', $t->last()['url'] );
			self::assertSame( 'GET', $t->last()['method'] );

			// The form as rendered carries the nonce for the next plain post.
			$_SERVER['REQUEST_METHOD'] = 'GET';
			$_POST                     = array();
			$html                      = $shortcode->render();
			self::assertMatchesRegularExpression( '#<form [^>]*data-volixta-book-form[^>]*><input type="hidden" id="' . BookingForm::NONCE_FIELD . '" name="' . BookingForm::NONCE_FIELD . '" value="[0-9a-f]+" />#', $html );
		} finally {
			$_SERVER = $server;
			$_POST   = $post;
			$_GET    = $get;
		}
	}

	public function test_the_shortcode_preselects_from_its_attributes_and_follows_the_page(): void {
		self::assertSame(
			'category_id=2&service_id=3&location_id=4&staff_id=any',
			BookingForm::query( array( 'service_type' => '2', 'service' => '3', 'location' => '4', 'staff' => 'any' ), array() )
		);
		self::assertSame(
			'service_id=5&step=when&addon_7=1',
			BookingForm::query( array( 'service' => '3', 'location' => 'x' ), array( 'service_id' => '5', 'step' => 'when', 'addon_7' => '1', 'page' => '2', 'p' => '9' ) )
		);
	}
}
