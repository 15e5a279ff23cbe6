<?php
/**
 * "Create the WordPress account too" when a manager adds a client.
 *
 * @package Volixta
 */

namespace Volixta\Rest;

/**
 * A manager may ask for a client's WordPress login to be made with the client
 * (`POST clients` with `"create_wp_user": true`, or the wp-admin form with `wp_account=create`). The account is made first, so the service can
 * link it, and removed again if the service refuses the client: no login is left without its
 * client. The welcome e-mail (set your password) leaves only once the client exists.
 */
final class NewClientAccount {

	/**
	 * The proxied paths of the wp-admin client form's "Save" (a new client, or an edit).
	 */
	public const ADMIN_FORM = '#^render/admin/client/(?:[0-9]+/)?save$#D';

	/**
	 * The body to forward, and the id of the account made for it (null when none was asked for).
	 *
	 * @param string $method HTTP method.
	 * @param string $path   Proxied path.
	 * @param string $body   JSON body as received.
	 * @return array{0:string,1:?int}|\WP_Error
	 */
	public static function prepare( string $method, string $path, string $body ) {
		$form = (bool) preg_match( self::ADMIN_FORM, $path );
		if ( 'POST' !== $method || ( 'clients' !== $path && ! $form ) || '' === $body ) {
			return array( $body, null );
		}
		$data = json_decode( $body, true );
		if ( $form ) {
			// The wp-admin form says it with its radio `wp_account`; the made account is then
			// sent as the user to link.
			if ( ! is_array( $data ) || 'create' !== ( $data['wp_account'] ?? '' ) ) {
				return array( $body, null );
			}
			$data['wp_account'] = 'link';
			$data['wp_user_id'] = '';
		} elseif ( ! is_array( $data ) || ! array_key_exists( 'create_wp_user', $data ) ) {
			return array( $body, null );
		} else {
			$wanted = (bool) $data['create_wp_user'];
			unset( $data['create_wp_user'] );
			if ( ! $wanted ) {
				return array( (string) wp_json_encode( $data ), null );
			}
		}
		if ( ! current_user_can( 'volixta_manage' ) ) {
			return new \WP_Error( 'volixta_forbidden', __( 'Only managers create client accounts.', 'volixta' ), array( 'status' => 403 ) );
		}
		if ( ! empty( $data['wp_user_id'] ) ) {
			return self::field_error( 'wp_user_id', __( 'Either link an existing WordPress user or create a new one, not both.', 'volixta' ) );
		}
		$email = sanitize_email( (string) ( $data['email'] ?? '' ) );
		if ( '' === $email || ! is_email( $email ) ) {
			return self::field_error( 'email', __( 'A valid e-mail address is needed to create the WordPress account.', 'volixta' ) );
		}
		$existing = get_user_by( 'email', $email );
		if ( $existing instanceof \WP_User ) {
			return new \WP_Error(
				'wp_user_exists',
				__( 'A WordPress user with this e-mail address already exists: link that user instead.', 'volixta' ),
				array(
					'status'     => 409,
					'wp_user_id' => (int) $existing->ID,
				)
			);
		}
		$user_id = wp_insert_user(
			array(
				'user_login' => self::free_login( $email ),
				'user_email' => $email,
				'user_pass'  => wp_generate_password( 24 ),
				'first_name' => sanitize_text_field( (string) ( $data['first_name'] ?? '' ) ),
				'last_name'  => sanitize_text_field( (string) ( $data['last_name'] ?? '' ) ),
				'role'       => (string) get_option( 'default_role', 'subscriber' ),
			)
		);
		if ( is_wp_error( $user_id ) ) {
			return new \WP_Error( 'volixta_wp_user_failed', $user_id->get_error_message(), array( 'status' => 422 ) );
		}
		// The form's fields are strings; the JSON API takes a number.
		$data['wp_user_id'] = $form ? (string) $user_id : (int) $user_id;
		return array( (string) wp_json_encode( $data ), (int) $user_id );
	}

	/**
	 * The service refused the client: the account made for it goes too.
	 *
	 * @param int $user_id Account made by prepare().
	 */
	public static function discard( int $user_id ): void {
		require_once ABSPATH . 'wp-admin/includes/user.php';
		wp_delete_user( $user_id );
	}

	/**
	 * The client exists: tell the person how to set their password.
	 *
	 * @param int $user_id Account made by prepare().
	 */
	public static function welcome( int $user_id ): void {
		wp_new_user_notification( $user_id, null, 'user' );
	}

	/**
	 * A login name made from the e-mail's local part, numbered when taken.
	 *
	 * @param string $email E-mail address.
	 */
	public static function free_login( string $email ): string {
		$base  = sanitize_user( strstr( $email, '@', true ) ?: 'client', true );
		$base  = '' === $base ? 'client' : $base;
		$login = $base;
		for ( $n = 2; username_exists( $login ); $n++ ) {
			$login = $base . $n;
		}
		return $login;
	}

	private static function field_error( string $field, string $message ): \WP_Error {
		return new \WP_Error(
			'invalid_field',
			$message,
			array(
				'status' => 422,
				'fields' => array( $field => $message ),
			)
		);
	}
}
