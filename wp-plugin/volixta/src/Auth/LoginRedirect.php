<?php
/**
 * Sends a client to their portal after logging in.
 *
 * @package Volixta
 */

namespace Volixta\Auth;

use Volixta\Shortcode\CustomerProfile;
use Volixta\Site\Pages;

/**
 * WordPress sends everyone to wp-admin after login; a client has nothing to do there, so when no
 * other destination was asked for, a client lands on the page that holds the portal shortcode.
 */
final class LoginRedirect {

	public function register_hooks(): void {
		add_filter( 'login_redirect', array( $this, 'redirect' ), 10, 3 );
	}

	/**
	 * The login_redirect filter.
	 *
	 * @param string            $redirect_to The destination WordPress chose.
	 * @param string            $requested   The destination the login form asked for, if any.
	 * @param \WP_User|\WP_Error $user       Who logged in, or why it failed.
	 */
	public function redirect( $redirect_to, $requested, $user ): string {
		$redirect_to = (string) $redirect_to;
		if ( ! $user instanceof \WP_User || 'client' !== Actor::for_user( $user )->role() ) {
			return $redirect_to;
		}
		$asked_for_something = '' !== (string) $requested && ! self::is_admin_home( (string) $requested );
		if ( $asked_for_something ) {
			return $redirect_to;
		}
		$portal = self::portal_url();
		return null === $portal ? $redirect_to : $portal;
	}

	private static function is_admin_home( string $url ): bool {
		return untrailingslashit( $url ) === untrailingslashit( admin_url() );
	}

	/**
	 * The first published page that contains the portal shortcode.
	 */
	public static function portal_url(): ?string {
		return Pages::url_of( CustomerProfile::TAG );
	}
}
