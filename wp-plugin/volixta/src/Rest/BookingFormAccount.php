<?php
/**
 * The WordPress account of a visitor who books through [volixta_booking_form].
 *
 * @package Volixta
 */

namespace Volixta\Rest;

use Volixta\Api\Result;
use Volixta\Auth\ClientLink;

/**
 * A first-time visitor gets a client profile and a WordPress account (role subscriber) with the
 * booking. The account is made here first, so the service can link the client to it in the
 * transaction that books; when the service refuses (slot taken, known e-mail, bad phone) the
 * account goes again, and only once the service booked is it linked and welcomed. An account
 * left by a request that died half-way carries the marker meta and no client: the next booking
 * with its e-mail reuses it, so nothing is left that blocks the visitor. A resent post (same
 * Idempotency-Key) names the same account, so the service answers its first booking again.
 */
final class BookingFormAccount {

	/**
	 * The proxied path of the form's "Book now".
	 */
	public const PATH = 'render/booking-form/book';

	/**
	 * Marks an account the form made; its value is the Idempotency-Key of the post that made it.
	 */
	public const MARKER = '_volixta_booking_form_key';

	/**
	 * Fields only this class may set: whatever the browser sent under these names is dropped.
	 */
	private const OWN_FIELDS = array( 'wp_user_id', 'existing_account' );

	/**
	 * The account made or reused for this post, and whether it was made by it.
	 *
	 * @var array{0:int,1:bool}|null
	 */
	private ?array $account = null;

	/**
	 * The body to forward; a WP_Error when the post is refused before reaching the service.
	 *
	 * @param string $body JSON body as received.
	 * @param string $key  The post's Idempotency-Key ('' when none).
	 * @return string|\WP_Error
	 */
	public function prepare( string $body, string $key ) {
		$data = '' === $body ? array() : json_decode( $body, true );
		if ( ! is_array( $data ) ) {
			return new \WP_Error( 'volixta_invalid_json', __( 'The request body is not valid JSON.', 'volixta' ), array( 'status' => 400 ) );
		}
		foreach ( self::OWN_FIELDS as $field ) {
			unset( $data[ $field ] );
		}
		// The honeypot: refused here too, so a script's post never makes an account.
		if ( '' !== trim( (string) ( $data['website'] ?? '' ) ) ) {
			return new \WP_Error( 'rejected', __( 'The booking could not be accepted.', 'volixta' ), array( 'status' => 422 ) );
		}
		$first = sanitize_text_field( (string) ( $data['first_name'] ?? '' ) );
		$last  = sanitize_text_field( (string) ( $data['last_name'] ?? '' ) );
		$email = sanitize_email( (string) ( $data['email'] ?? '' ) );
		// The service names what is missing; no account for a post it will refuse anyway.
		if ( '' === $first || '' === $last || '' === $email || ! is_email( $email ) ) {
			return (string) wp_json_encode( $data );
		}
		$existing = get_user_by( 'email', $email );
		if ( $existing instanceof \WP_User ) {
			if ( self::reusable( $existing, $key ) ) {
				$this->account      = array( (int) $existing->ID, false );
				$data['wp_user_id'] = (int) $existing->ID;
			} else {
				// As much work as making an account, so the answer takes as long either way.
				wp_hash_password( wp_generate_password( 24 ) );
				$data['existing_account'] = true;
			}
			return (string) wp_json_encode( $data );
		}
		$user_id = wp_insert_user(
			array(
				'user_login' => NewClientAccount::free_login( $email ),
				'user_email' => $email,
				'user_pass'  => wp_generate_password( 24 ),
				'first_name' => $first,
				'last_name'  => $last,
				'role'       => 'subscriber',
			)
		);
		if ( is_wp_error( $user_id ) ) {
			return new \WP_Error( 'volixta_wp_user_failed', __( 'Your account could not be created. Please try again.', 'volixta' ), array( 'status' => 422 ) );
		}
		update_user_meta( (int) $user_id, self::MARKER, '' === $key ? '-' : $key );
		$this->account      = array( (int) $user_id, true );
		$data['wp_user_id'] = (int) $user_id;
		return (string) wp_json_encode( $data );
	}

	/**
	 * After the service answered: a booking links and welcomes the account; a refusal removes
	 * an account no client uses.
	 *
	 * @param Result $result The service's answer.
	 */
	public function settle( Result $result ): void {
		if ( null === $this->account ) {
			return;
		}
		[ $user_id ] = $this->account;
		$client_id   = $result->headers['x-volixta-client-id'] ?? null;
		if ( $result->ok() && is_string( $client_id ) && ctype_digit( $client_id ) ) {
			if ( ! ClientLink::is_linked( $user_id ) ) {
				ClientLink::link( $user_id, $client_id );
				wp_new_user_notification( $user_id, null, 'user' );
			}
			return;
		}
		if ( ! ClientLink::is_linked( $user_id ) ) {
			require_once ABSPATH . 'wp-admin/includes/user.php';
			wp_delete_user( $user_id );
		}
	}

	/**
	 * An account this form made may serve again: one no client uses (its request died before
	 * the booking), or the one a resent post of the same key made.
	 *
	 * @param \WP_User $user The account with the visitor's e-mail.
	 * @param string   $key  The post's Idempotency-Key.
	 */
	private static function reusable( \WP_User $user, string $key ): bool {
		$marker = get_user_meta( (int) $user->ID, self::MARKER, true );
		if ( ! is_string( $marker ) || '' === $marker ) {
			return false;
		}
		return ! ClientLink::is_linked( (int) $user->ID ) || ( '' !== $key && hash_equals( $marker, $key ) );
	}
}
