<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Integration;

use Volixta\Api\Client;
use Volixta\Auth\ClientLink;
use Volixta\Rest\Proxy;
use Volixta\Tests\Unit\RecordingTransport;

/**
 * A manager adds a client and asks for the WordPress login to be made with it.
 */
final class NewClientAccountTest extends WordPressTestCase {

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
		wp_set_current_user( $this->make_user( 'volixta_manager' )->ID );
	}

	protected function tearDown(): void {
		remove_filter( 'pre_wp_mail', array( $this, 'catch_mail' ) );
		$user = get_user_by( 'email', 'new.client@example.com' );
		if ( $user ) {
			require_once ABSPATH . 'wp-admin/includes/user.php';
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

	private function post_client( RecordingTransport $t, array $body ) {
		$proxy   = new Proxy( static fn (): Client => new Client( 'http://127.0.0.1:8787', 'test-secret', $t ) );
		$request = new \WP_REST_Request( 'POST', '/volixta/v1/clients' );
		$request->set_url_params( array( 'path' => 'clients' ) );
		$request->set_header( 'Content-Type', 'application/json' );
		$request->set_body( (string) wp_json_encode( $body ) );
		return $proxy->handle( $request );
	}

	public function test_the_account_is_made_linked_and_welcomed(): void {
		$t        = new RecordingTransport( array( RecordingTransport::json( 201, '{"id":12,"first_name":"New"}' ) ) );
		$response = $this->post_client( $t, array( 'first_name' => 'New', 'last_name' => 'Client', 'email' => 'new.client@example.com', 'create_wp_user' => true ) );

		self::assertSame( 201, $response->get_status() );
		$user = get_user_by( 'email', 'new.client@example.com' );
		self::assertInstanceOf( \WP_User::class, $user );
		self::assertSame( 'New', $user->first_name );
		$sent = json_decode( $t->last()['body'], true );
		self::assertSame( $user->ID, $sent['wp_user_id'] );
		self::assertArrayNotHasKey( 'create_wp_user', $sent, 'the service never sees the plugin-only flag' );
		self::assertSame( '12', (string) ClientLink::client_id( $user->ID ) );
		self::assertCount( 1, $this->mails );
		self::assertSame( 'new.client@example.com', is_array( $this->mails[0]['to'] ) ? $this->mails[0]['to'][0] : $this->mails[0]['to'] );
	}

	public function test_a_refused_client_leaves_no_account_and_sends_nothing(): void {
		$t        = new RecordingTransport( array( RecordingTransport::json( 409, '{"error":{"code":"client_limit_reached","message":"limit"}}' ) ) );
		$response = $this->post_client( $t, array( 'first_name' => 'New', 'email' => 'new.client@example.com', 'create_wp_user' => true ) );

		self::assertSame( 409, $response->get_status() );
		self::assertFalse( get_user_by( 'email', 'new.client@example.com' ) );
		self::assertSame( array(), $this->mails );
	}

	public function test_an_existing_account_is_named_not_duplicated(): void {
		$existing = $this->make_user( 'subscriber' );
		$t        = new RecordingTransport( array() );
		$response = $this->post_client( $t, array( 'first_name' => 'X', 'email' => $existing->user_email, 'create_wp_user' => true ) );

		self::assertInstanceOf( \WP_Error::class, $response );
		self::assertSame( 'wp_user_exists', $response->get_error_code() );
		self::assertSame( $existing->ID, $response->get_error_data()['wp_user_id'] );
		self::assertSame( array(), $t->sent, 'nothing reaches the service' );
	}

	public function test_an_account_needs_an_email_and_a_manager(): void {
		$t        = new RecordingTransport( array() );
		$response = $this->post_client( $t, array( 'first_name' => 'X', 'create_wp_user' => true ) );
		self::assertSame( 'invalid_field', $response->get_error_code() );
		self::assertArrayHasKey( 'email', $response->get_error_data()['fields'] );

		wp_set_current_user( $this->make_user( 'subscriber' )->ID );
		$response = $this->post_client( $t, array( 'first_name' => 'X', 'email' => 'new.client@example.com', 'create_wp_user' => true ) );
		self::assertSame( 403, $response->get_error_data()['status'] );
		self::assertFalse( get_user_by( 'email', 'new.client@example.com' ) );
		self::assertSame( array(), $t->sent );
	}
}
