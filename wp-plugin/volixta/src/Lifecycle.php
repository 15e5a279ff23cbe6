<?php
/**
 * Activation, deactivation and uninstall.
 *
 * @package Volixta
 */

namespace Volixta;

use Volixta\Auth\Actor;
use Volixta\Auth\ClientLink;

/**
 * Roles, capabilities and default options.
 */
final class Lifecycle {

	public const ROLE_MANAGER  = 'volixta_manager';
	public const ROLE_EMPLOYEE = 'volixta_employee';

	public static function activate(): void {
		self::add_roles();
		// add_option never overwrites what a deployment script already set.
		add_option( Options::SERVICE_URL, Options::DEFAULT_SERVICE_URL );
		add_option( Options::SHARED_SECRET, '' );
		add_option( Options::DELETE_DATA, '' );
		add_option( Options::TRUSTED_PROXIES, '' );
	}

	/**
	 * Roles stay: removing them would strip managers and employees of their role while the
	 * plugin is only switched off for a moment. uninstall() removes them.
	 */
	public static function deactivate(): void {
		global $wpdb;
		// Connection-test results are per user and short-lived; stale ones would mislead after reactivation.
		$wpdb->query(
			$wpdb->prepare(
				"DELETE FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s",
				$wpdb->esc_like( '_transient_volixta_connection_check_' ) . '%',
				$wpdb->esc_like( '_transient_timeout_volixta_connection_check_' ) . '%'
			)
		);
	}

	public static function add_roles(): void {
		// Refresh the capabilities if the role exists from an earlier version.
		remove_role( self::ROLE_MANAGER );
		add_role(
			self::ROLE_MANAGER,
			__( 'Volixta Manager', 'volixta' ),
			array(
				'read'              => true,
				Actor::CAP_MANAGE   => true,
				Actor::CAP_EMPLOYEE => true,
			)
		);
		remove_role( self::ROLE_EMPLOYEE );
		add_role(
			self::ROLE_EMPLOYEE,
			__( 'Volixta Employee', 'volixta' ),
			array(
				'read'              => true,
				Actor::CAP_EMPLOYEE => true,
			)
		);
		$admin = get_role( 'administrator' );
		if ( $admin ) {
			$admin->add_cap( Actor::CAP_MANAGE );
		}
	}

	/**
	 * Called from uninstall.php. Data is kept unless the owner ticked "delete all data", because
	 * bookings, wallets and invoices are business records that outlive a plugin reinstall.
	 */
	public static function uninstall(): void {
		if ( ! Options::delete_data() ) {
			return;
		}
		global $wpdb;

		$like   = $wpdb->esc_like( $wpdb->prefix . 'volixta_' ) . '%';
		$tables = $wpdb->get_col( $wpdb->prepare( 'SHOW TABLES LIKE %s', $like ) );
		if ( $tables ) {
			// Foreign keys between Volixta tables would otherwise make the drop order matter.
			$wpdb->query( 'SET FOREIGN_KEY_CHECKS = 0' );
			foreach ( $tables as $table ) {
				$wpdb->query( 'DROP TABLE IF EXISTS `' . str_replace( '`', '``', $table ) . '`' ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared
			}
			$wpdb->query( 'SET FOREIGN_KEY_CHECKS = 1' );
		}

		$wpdb->query(
			$wpdb->prepare(
				"DELETE FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s OR option_name LIKE %s",
				$wpdb->esc_like( 'volixta_' ) . '%',
				$wpdb->esc_like( '_transient_volixta_' ) . '%',
				$wpdb->esc_like( '_transient_timeout_volixta_' ) . '%'
			)
		);
		wp_cache_flush();

		delete_metadata( 'user', 0, ClientLink::META_KEY, '', true );
		$wpdb->query(
			$wpdb->prepare( "DELETE FROM {$wpdb->usermeta} WHERE meta_key LIKE %s", $wpdb->esc_like( 'volixta_' ) . '%' )
		);

		remove_role( self::ROLE_MANAGER );
		remove_role( self::ROLE_EMPLOYEE );
		foreach ( wp_roles()->role_objects as $role ) {
			$role->remove_cap( Actor::CAP_MANAGE );
			$role->remove_cap( Actor::CAP_EMPLOYEE );
		}
	}
}
