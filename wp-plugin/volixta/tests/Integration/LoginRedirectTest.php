<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Integration;

use Volixta\Auth\ClientLink;

/**
 * After login a client lands on the portal page; everyone else where WordPress sends them.
 */
final class LoginRedirectTest extends WordPressTestCase {

	private int $page_id = 0;

	protected function setUp(): void {
		parent::setUp();
		$this->page_id = (int) wp_insert_post(
			array(
				'post_type'    => 'page',
				'post_status'  => 'publish',
				'post_title'   => 'My account',
				'post_content' => '[volixta_customer_profile]',
			)
		);
	}

	protected function tearDown(): void {
		wp_delete_post( $this->page_id, true );
		parent::tearDown();
	}

	private function redirect_for( \WP_User $user, string $requested ): string {
		return (string) apply_filters( 'login_redirect', admin_url(), $requested, $user );
	}

	public function test_a_client_goes_to_the_portal_page(): void {
		$client = $this->make_user( 'subscriber' );
		ClientLink::link( $client->ID, '7' );
		self::assertSame( get_permalink( $this->page_id ), $this->redirect_for( $client, '' ) );
		self::assertSame( get_permalink( $this->page_id ), $this->redirect_for( $client, admin_url() ) );
	}

	public function test_a_destination_the_client_asked_for_is_kept(): void {
		$client = $this->make_user( 'subscriber' );
		ClientLink::link( $client->ID, '7' );
		$asked = home_url( '/some-page/' );
		self::assertSame( admin_url(), $this->redirect_for( $client, $asked ) );
	}

	public function test_staff_and_unlinked_users_are_left_alone(): void {
		self::assertSame( admin_url(), $this->redirect_for( $this->make_user( 'administrator' ), '' ) );
		self::assertSame( admin_url(), $this->redirect_for( $this->make_user( 'volixta_manager' ), '' ) );
		self::assertSame( admin_url(), $this->redirect_for( $this->make_user( 'subscriber' ), '' ) );
	}

	public function test_a_failed_login_passes_through(): void {
		self::assertSame( admin_url(), (string) apply_filters( 'login_redirect', admin_url(), '', new \WP_Error( 'incorrect_password', 'no' ) ) );
	}
}
