<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Unit;

use PHPUnit\Framework\TestCase;
use Volixta\Auth\Actor;

/**
 * Role precedence and the header format.
 */
final class ActorTest extends TestCase {

	/**
	 * @param string[] $caps Capabilities the user has.
	 */
	private static function can( array $caps ): callable {
		return static fn ( string $cap ): bool => in_array( $cap, $caps, true );
	}

	/**
	 * @return array<string,array{string[],string[],bool,bool,string}>
	 */
	public static function users(): array {
		return array(
			'administrator'                 => array( array( 'administrator' ), array( 'manage_options', 'volixta_manage' ), false, false, 'admin' ),
			'administrator linked to client' => array( array( 'administrator' ), array( 'volixta_manage' ), true, false, 'admin' ),
			'super admin without site role' => array( array(), array( 'volixta_manage' ), false, true, 'admin' ),
			'volixta manager'               => array( array( 'volixta_manager' ), array( 'volixta_manage', 'volixta_employee' ), false, false, 'manager' ),
			'editor granted manage cap'     => array( array( 'editor' ), array( 'volixta_manage' ), true, false, 'manager' ),
			'employee'                      => array( array( 'volixta_employee' ), array( 'volixta_employee' ), false, false, 'employee' ),
			'employee who is also a client' => array( array( 'subscriber' ), array( 'volixta_employee' ), true, false, 'employee' ),
			'linked subscriber'             => array( array( 'subscriber' ), array( 'read' ), true, false, 'client' ),
			'linked customer'               => array( array( 'customer' ), array( 'read' ), true, false, 'client' ),
			'unlinked subscriber'           => array( array( 'subscriber' ), array( 'read' ), false, false, 'guest' ),
		);
	}

	/**
	 * @dataProvider users
	 * @param string[] $roles Roles.
	 * @param string[] $caps  Capabilities.
	 */
	public function test_role_precedence( array $roles, array $caps, bool $linked, bool $super_admin, string $expected ): void {
		self::assertSame( $expected, Actor::role_for( $roles, self::can( $caps ), $linked, $super_admin ) );
	}

	public function test_header(): void {
		self::assertSame( 'manager:3', ( new Actor( 'manager', 3 ) )->header() );
		self::assertSame( 'client:42', ( new Actor( 'client', 42 ) )->header() );
		self::assertSame( 'guest:0', Actor::guest()->header() );
	}

	public function test_unknown_role_is_refused(): void {
		$this->expectException( \InvalidArgumentException::class );
		new Actor( 'root', 1 );
	}

	public function test_negative_id_is_refused(): void {
		$this->expectException( \InvalidArgumentException::class );
		new Actor( 'client', -1 );
	}

	public function test_for_null_user_is_guest(): void {
		self::assertSame( 'guest:0', Actor::for_user( null )->header() );
	}
}
