<?php
/**
 * Who the service should believe is acting.
 *
 * @package Volixta
 */

namespace Volixta\Auth;

/**
 * Value object for the X-Volixta-Actor header ("ROLE:WP_USER_ID").
 */
final class Actor {

	public const ROLES = array( 'admin', 'manager', 'employee', 'client', 'guest' );

	public const CAP_MANAGE   = 'volixta_manage';
	public const CAP_EMPLOYEE = 'volixta_employee';

	/**
	 * Role name, one of self::ROLES.
	 *
	 * @var string
	 */
	private string $role;

	/**
	 * WordPress user id; 0 for an anonymous visitor.
	 *
	 * @var int
	 */
	private int $wp_user_id;

	/**
	 * The user's WordPress display name, for the service to say who did something; "" if none.
	 *
	 * @var string
	 */
	private string $name = '';

	/**
	 * Builds an actor; refuses anything the header format cannot carry.
	 *
	 * @param string $role       One of self::ROLES.
	 * @param int    $wp_user_id WordPress user id (>= 0).
	 * @throws \InvalidArgumentException On an unknown role or a negative id.
	 */
	public function __construct( string $role, int $wp_user_id ) {
		if ( ! in_array( $role, self::ROLES, true ) ) {
			throw new \InvalidArgumentException( sprintf( 'Unknown Volixta actor role "%s".', $role ) );
		}
		if ( $wp_user_id < 0 ) {
			throw new \InvalidArgumentException( 'A WordPress user id cannot be negative.' );
		}
		$this->role       = $role;
		$this->wp_user_id = $wp_user_id;
	}

	public function role(): string {
		return $this->role;
	}

	public function wp_user_id(): int {
		return $this->wp_user_id;
	}

	public function header(): string {
		return $this->role . ':' . $this->wp_user_id;
	}

	public function name(): string {
		return $this->name;
	}

	/**
	 * The same actor, known by this display name.
	 *
	 * @param string $name WordPress display name.
	 */
	public function with_name( string $name ): self {
		$clone       = clone $this;
		$clone->name = trim( $name );
		return $clone;
	}

	public static function guest(): self {
		return new self( 'guest', 0 );
	}

	/**
	 * The role a WordPress user acts as. Pure, so the precedence is unit-tested without WordPress.
	 *
	 * Precedence runs from most to least powerful: an administrator who is also linked to a client
	 * still acts as admin in wp-admin; the portal asks for the client role explicitly.
	 *
	 * @param string[]               $roles       The user's WordPress roles.
	 * @param callable(string): bool $can         Capability check (WP_User::has_cap in production).
	 * @param bool                   $linked      Whether the user is linked to a Volixta client.
	 * @param bool                   $super_admin Multisite super admin.
	 */
	public static function role_for( array $roles, callable $can, bool $linked, bool $super_admin = false ): string {
		if ( $super_admin || in_array( 'administrator', $roles, true ) ) {
			return 'admin';
		}
		if ( $can( self::CAP_MANAGE ) ) {
			return 'manager';
		}
		if ( $can( self::CAP_EMPLOYEE ) ) {
			return 'employee';
		}
		if ( $linked ) {
			return 'client';
		}
		return 'guest';
	}

	/**
	 * Maps a WordPress user (or nobody) to an actor.
	 *
	 * A logged-in user who is none of the above stays a guest but keeps their id, so the service
	 * can tell an anonymous visitor (guest:0) from a known account that has no client yet.
	 *
	 * @param \WP_User|null $user The user, usually wp_get_current_user().
	 */
	public static function for_user( ?\WP_User $user ): self {
		if ( null === $user || ! $user->exists() ) {
			return self::guest();
		}
		$role = self::role_for(
			(array) $user->roles,
			static fn ( string $cap ): bool => $user->has_cap( $cap ),
			ClientLink::is_linked( (int) $user->ID ),
			is_multisite() && is_super_admin( (int) $user->ID )
		);
		return ( new self( $role, (int) $user->ID ) )->with_name( (string) $user->display_name );
	}

	public static function current(): self {
		return self::for_user( is_user_logged_in() ? wp_get_current_user() : null );
	}
}
