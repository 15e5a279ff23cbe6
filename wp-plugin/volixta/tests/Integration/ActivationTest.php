<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Integration;

use Volixta\Lifecycle;
use Volixta\Options;

/**
 * The plugin activates on a real WordPress and sets up roles and options.
 */
final class ActivationTest extends WordPressTestCase {

	public function test_plugin_is_active_and_booted(): void {
		self::assertTrue( is_plugin_active( 'volixta/volixta.php' ) );
		self::assertTrue( defined( 'VOLIXTA_VERSION' ) );
		self::assertNotNull( \Volixta\Plugin::instance() );
		self::assertTrue( shortcode_exists( 'volixta_customer_profile' ) );
	}

	public function test_activation_added_roles_and_capabilities(): void {
		$manager = get_role( Lifecycle::ROLE_MANAGER );
		self::assertNotNull( $manager );
		self::assertTrue( $manager->has_cap( 'volixta_manage' ) );
		self::assertSame( 'Volixta Manager', wp_roles()->role_names[ Lifecycle::ROLE_MANAGER ] );
		self::assertTrue( get_role( 'administrator' )->has_cap( 'volixta_manage' ) );
		$employee = get_role( Lifecycle::ROLE_EMPLOYEE );
		self::assertNotNull( $employee );
		self::assertTrue( $employee->has_cap( 'volixta_employee' ) );
		self::assertFalse( $employee->has_cap( 'volixta_manage' ) );
	}

	public function test_activation_defaults_options_without_overwriting_them(): void {
		self::assertSame( Options::DEFAULT_SERVICE_URL, get_option( Options::SERVICE_URL ) );

		update_option( Options::SERVICE_URL, 'http://10.0.0.5:9000' );
		deactivate_plugins( 'volixta/volixta.php' );
		self::assertFalse( is_plugin_active( 'volixta/volixta.php' ) );
		remove_role( Lifecycle::ROLE_MANAGER );

		self::assertNull( activate_plugin( 'volixta/volixta.php' ) );
		self::assertTrue( is_plugin_active( 'volixta/volixta.php' ) );
		self::assertNotNull( get_role( Lifecycle::ROLE_MANAGER ), 'reactivation restores the role' );
		self::assertSame( 'http://10.0.0.5:9000', get_option( Options::SERVICE_URL ) );
		update_option( Options::SERVICE_URL, Options::DEFAULT_SERVICE_URL );
	}
}
