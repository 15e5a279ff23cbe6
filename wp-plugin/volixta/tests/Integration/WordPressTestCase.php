<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Integration;

use PHPUnit\Framework\TestCase;

/**
 * Base for tests against the real WordPress: boots it once, resets the session per test.
 */
abstract class WordPressTestCase extends TestCase {

	/**
	 * Users created by the current test.
	 *
	 * @var int[]
	 */
	private array $users = array();

	public static function setUpBeforeClass(): void {
		WordPress::boot();
	}

	protected function setUp(): void {
		wp_set_current_user( 0 );
		$_GET     = array();
		$_POST    = array();
		$_REQUEST = array();
	}

	protected function tearDown(): void {
		wp_set_current_user( 0 );
		require_once ABSPATH . 'wp-admin/includes/user.php';
		foreach ( $this->users as $id ) {
			wp_delete_user( $id );
		}
		$this->users = array();
	}

	/**
	 * Creates a user with a role; removed after the test.
	 *
	 * @param string $role WordPress role.
	 */
	protected function make_user( string $role ): \WP_User {
		$login = $role . '_' . bin2hex( random_bytes( 4 ) );
		$id    = wp_insert_user(
			array(
				'user_login' => $login,
				'user_email' => $login . '@example.com',
				'user_pass'  => wp_generate_password(),
				'role'       => $role,
			)
		);
		self::assertIsInt( $id, is_wp_error( $id ) ? $id->get_error_message() : '' );
		$this->users[] = $id;
		return new \WP_User( $id );
	}

	/**
	 * A TCP port on 127.0.0.1 where nothing listens: bound by the OS, then released.
	 */
	protected static function closed_port(): int {
		$socket = stream_socket_server( 'tcp://127.0.0.1:0', $errno, $errstr );
		self::assertNotFalse( $socket, $errstr );
		$name = stream_socket_get_name( $socket, false );
		fclose( $socket );
		return (int) substr( (string) $name, strrpos( (string) $name, ':' ) + 1 );
	}
}
