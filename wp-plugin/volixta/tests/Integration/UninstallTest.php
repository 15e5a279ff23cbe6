<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Integration;

use Volixta\Auth\ClientLink;
use Volixta\Lifecycle;
use Volixta\Options;

/**
 * Deleting the plugin keeps business data unless the owner asked otherwise.
 */
final class UninstallTest extends WordPressTestCase {

	protected function setUp(): void {
		parent::setUp();
		global $wpdb;
		$wpdb->query( "CREATE TABLE IF NOT EXISTS {$wpdb->prefix}volixta_clients (id BIGINT PRIMARY KEY) ENGINE=InnoDB" );
		$wpdb->query( "CREATE TABLE IF NOT EXISTS {$wpdb->prefix}volixta_bookings (id BIGINT PRIMARY KEY, client_id BIGINT, FOREIGN KEY (client_id) REFERENCES {$wpdb->prefix}volixta_clients (id)) ENGINE=InnoDB" );
		$wpdb->query( "CREATE TABLE IF NOT EXISTS {$wpdb->prefix}other_volixta_x (id INT) ENGINE=InnoDB" );
		update_option( Options::SHARED_SECRET, 'kept' );
	}

	protected function tearDown(): void {
		global $wpdb;
		$wpdb->query( "DROP TABLE IF EXISTS {$wpdb->prefix}volixta_bookings, {$wpdb->prefix}volixta_clients, {$wpdb->prefix}other_volixta_x" );
		Lifecycle::activate();
		update_option( Options::DELETE_DATA, '' );
		update_option( Options::SHARED_SECRET, '' );
		parent::tearDown();
	}

	/**
	 * Volixta tables present in the database.
	 *
	 * @return string[]
	 */
	private static function volixta_tables(): array {
		global $wpdb;
		return $wpdb->get_col( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $wpdb->prefix . 'volixta_' ) . '%' ) );
	}

	public function test_data_is_kept_by_default(): void {
		$user = $this->make_user( 'subscriber' );
		ClientLink::link( $user->ID, '3' );
		update_option( Options::DELETE_DATA, '' );

		Lifecycle::uninstall();

		self::assertCount( 2, self::volixta_tables() );
		self::assertSame( 'kept', get_option( Options::SHARED_SECRET ) );
		self::assertNotNull( get_role( Lifecycle::ROLE_MANAGER ) );
		self::assertTrue( ClientLink::is_linked( $user->ID ) );
	}

	public function test_everything_goes_when_the_owner_ticked_delete(): void {
		global $wpdb;
		$user = $this->make_user( 'subscriber' );
		ClientLink::link( $user->ID, '3' );
		update_user_meta( $user->ID, 'volixta_portal_seen', '1' );
		update_option( Options::DELETE_DATA, '1' );
		set_transient( 'volixta_connection_check_1', array( 'status' => 'ok' ), 60 );

		uninstall_plugin( 'volixta/volixta.php' );

		self::assertSame( array(), self::volixta_tables() );
		self::assertSame( array( $wpdb->prefix . 'other_volixta_x' ), $wpdb->get_col( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->prefix . 'other_volixta_x' ) ) );
		self::assertSame( '0', (string) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->options} WHERE option_name LIKE '%volixta%'" ) );
		self::assertFalse( get_option( Options::SHARED_SECRET ) );
		self::assertFalse( get_transient( 'volixta_connection_check_1' ) );
		self::assertNull( get_role( Lifecycle::ROLE_MANAGER ) );
		self::assertNull( get_role( Lifecycle::ROLE_EMPLOYEE ) );
		self::assertFalse( get_role( 'administrator' )->has_cap( 'volixta_manage' ) );
		self::assertSame( '', get_user_meta( $user->ID, ClientLink::META_KEY, true ) );
		self::assertSame( '', get_user_meta( $user->ID, 'volixta_portal_seen', true ) );
	}
}
