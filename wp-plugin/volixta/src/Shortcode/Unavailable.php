<?php
/**
 * What a shortcode shows when the service cannot answer.
 *
 * @package Volixta
 */

namespace Volixta\Shortcode;

use Volixta\Api\Result;

/**
 * A friendly notice for everyone; administrators also get the reason, because they are the ones
 * who can fix it.
 */
final class Unavailable {

	/**
	 * The notice (escaped HTML).
	 *
	 * @param Result $result  Failed outcome.
	 * @param string $message What the visitor reads.
	 */
	public static function notice( Result $result, string $message ): string {
		$html = '<p class="volixta-notice volixta-notice--error" role="alert">' . esc_html( $message ) . '</p>';
		if ( current_user_can( 'manage_options' ) ) {
			$reason = 0 === $result->status
				? (string) $result->transport_error
				/* translators: 1: HTTP status code, 2: error code, 3: error message. */
				: sprintf( __( 'HTTP %1$d %2$s: %3$s', 'volixta' ), $result->status, (string) $result->error_code(), $result->error_message() );
			$html .= '<p class="volixta-notice volixta-notice--admin"><strong>'
				. esc_html__( 'Administrator details:', 'volixta' ) . '</strong> '
				. esc_html( $reason )
				. ' <a href="' . esc_url( admin_url( 'options-general.php?page=volixta' ) ) . '">'
				. esc_html__( 'Volixta settings', 'volixta' ) . '</a></p>';
		}
		return $html;
	}
}
