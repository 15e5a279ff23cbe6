<?php
/**
 * The link between a WordPress user and a Volixta client.
 *
 * @package Volixta
 */

namespace Volixta\Auth;

/**
 * Stored in user meta so the actor can be decided without a round trip to the service.
 */
final class ClientLink {

	public const META_KEY = '_volixta_client_id';

	/**
	 * The linked client id, or null.
	 *
	 * @param int $wp_user_id WordPress user id.
	 */
	public static function client_id( int $wp_user_id ): ?string {
		if ( $wp_user_id <= 0 ) {
			return null;
		}
		$value = get_user_meta( $wp_user_id, self::META_KEY, true );
		if ( ! is_scalar( $value ) || '' === (string) $value ) {
			return null;
		}
		return (string) $value;
	}

	/**
	 * Whether the user is linked to a client.
	 *
	 * @param int $wp_user_id WordPress user id.
	 */
	public static function is_linked( int $wp_user_id ): bool {
		return null !== self::client_id( $wp_user_id );
	}

	/**
	 * Links a user to a client id as returned by the service.
	 *
	 * @param int        $wp_user_id WordPress user id.
	 * @param int|string $client_id  Service client id.
	 * @return bool False when the id is not a plausible identifier or the user does not exist.
	 */
	public static function link( int $wp_user_id, $client_id ): bool {
		$client_id = (string) $client_id;
		if ( $wp_user_id <= 0 || ! preg_match( '/^[A-Za-z0-9_-]{1,64}$/D', $client_id ) || ! get_userdata( $wp_user_id ) ) {
			return false;
		}
		update_user_meta( $wp_user_id, self::META_KEY, $client_id );
		return true;
	}

	/**
	 * Removes the link.
	 *
	 * @param int $wp_user_id WordPress user id.
	 */
	public static function unlink( int $wp_user_id ): void {
		delete_user_meta( $wp_user_id, self::META_KEY );
	}
}
