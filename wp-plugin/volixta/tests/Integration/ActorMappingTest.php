<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Integration;

use Volixta\Auth\Actor;
use Volixta\Auth\ClientLink;

/**
 * Real WordPress users map to the actors of the contract.
 */
final class ActorMappingTest extends WordPressTestCase {

	public function test_roles_map_to_actors(): void {
		$admin    = $this->make_user( 'administrator' );
		$manager  = $this->make_user( 'volixta_manager' );
		$employee = $this->make_user( 'volixta_employee' );
		$client   = $this->make_user( 'subscriber' );
		$stranger = $this->make_user( 'subscriber' );
		ClientLink::link( $client->ID, 'c_1' );

		self::assertSame( 'admin:' . $admin->ID, Actor::for_user( $admin )->header() );
		self::assertSame( 'manager:' . $manager->ID, Actor::for_user( $manager )->header() );
		self::assertSame( 'employee:' . $employee->ID, Actor::for_user( $employee )->header() );
		self::assertSame( 'client:' . $client->ID, Actor::for_user( new \WP_User( $client->ID ) )->header() );
		self::assertSame( 'guest:' . $stranger->ID, Actor::for_user( $stranger )->header() );
		self::assertSame( 'guest:0', Actor::for_user( null )->header() );
		self::assertSame( 'guest:0', Actor::for_user( new \WP_User( 0 ) )->header() );
	}

	public function test_capability_granted_to_another_role_counts(): void {
		$editor = $this->make_user( 'editor' );
		$editor->add_cap( 'volixta_employee' );
		self::assertSame( 'employee', Actor::for_user( new \WP_User( $editor->ID ) )->role() );
	}

	public function test_current_follows_the_session(): void {
		self::assertSame( 'guest:0', Actor::current()->header() );
		$manager = $this->make_user( 'volixta_manager' );
		wp_set_current_user( $manager->ID );
		self::assertSame( 'manager:' . $manager->ID, Actor::current()->header() );
	}

	public function test_link_rejects_odd_ids_and_unknown_users(): void {
		$user = $this->make_user( 'subscriber' );
		self::assertFalse( ClientLink::link( $user->ID, '' ) );
		self::assertFalse( ClientLink::link( $user->ID, '1; DROP' ) );
		self::assertFalse( ClientLink::link( 999999, '5' ) );
		self::assertTrue( ClientLink::link( $user->ID, 42 ) );
		self::assertSame( '42', get_user_meta( $user->ID, '_volixta_client_id', true ) );
		ClientLink::unlink( $user->ID );
		self::assertFalse( ClientLink::is_linked( $user->ID ) );
	}
}
