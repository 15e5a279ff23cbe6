<?php
/**
 * GET /wp-json/volixta/v1/wp-users: WordPress users for the client form's "link an existing user".
 *
 * @package Volixta
 */

namespace Volixta\Rest;

use Volixta\Auth\Actor;

/**
 * The service cannot see WordPress users, so the plugin answers this one search itself: a
 * labelled <select> of the users matching `wp_user_search`, which the form swaps in. Managers
 * only; registered before the proxy's catch-all route of the same namespace, which it shadows
 * for this one path.
 */
final class UserSearch {

	public const ROUTE = '/wp-users';

	/**
	 * Users listed at most.
	 */
	private const LIMIT = 20;

	public function register_hooks(): void {
		// Before the proxy (priority 10): WordPress matches a namespace's routes in the order
		// they were registered.
		add_action( 'rest_api_init', array( $this, 'register_routes' ), 5 );
	}

	public function register_routes(): void {
		register_rest_route(
			Proxy::NAMESPACE,
			self::ROUTE,
			array(
				'methods'             => 'GET',
				'callback'            => array( $this, 'handle' ),
				'permission_callback' => static fn (): bool => current_user_can( Actor::CAP_MANAGE ),
				'args'                => array(
					'wp_user_search' => array(
						'type'              => 'string',
						'default'           => '',
						'sanitize_callback' => 'sanitize_text_field',
						'validate_callback' => static fn ( $value ): bool => is_string( $value ) && strlen( $value ) <= 100,
					),
				),
			)
		);
	}

	/**
	 * The matching users as the form's select.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public function handle( \WP_REST_Request $request ): PassthroughResponse {
		$term  = trim( (string) $request->get_param( 'wp_user_search' ) );
		$users = array();
		if ( mb_strlen( $term ) >= 2 ) {
			$users = get_users(
				array(
					'search'         => '*' . $term . '*',
					'search_columns' => array( 'user_login', 'user_email', 'display_name' ),
					'number'         => self::LIMIT,
					'orderby'        => 'display_name',
				)
			);
		}
		$html = self::select( $users, $term );
		return new PassthroughResponse(
			$html,
			200,
			array(
				'Content-Type'  => 'text/html; charset=utf-8',
				'Cache-Control' => 'no-store, private',
			),
			$html
		);
	}

	/**
	 * The label and select of the form's user field.
	 *
	 * @param \WP_User[] $users Users found.
	 * @param string     $term  What was searched.
	 */
	public static function select( array $users, string $term ): string {
		$options = '';
		if ( array() === $users ) {
			$text     = mb_strlen( $term ) < 2 ? __( 'Type two letters or more', 'volixta' ) : __( 'No user matches', 'volixta' );
			$options .= '<option value="">' . esc_html( $text ) . '</option>';
		}
		foreach ( $users as $user ) {
			$options .= sprintf(
				'<option value="%d">%s</option>',
				(int) $user->ID,
				esc_html( sprintf( '%s (%s, #%d)', $user->display_name, $user->user_email, (int) $user->ID ) )
			);
		}
		return '<label for="volixta-field-wp_user_id">' . esc_html__( 'User', 'volixta' ) . '</label>'
			. '<select id="volixta-field-wp_user_id" name="wp_user_id">' . $options . '</select>';
	}
}
