<?php
/**
 * The WooCommerce section of Settings → Volixta.
 *
 * @package Volixta
 */

namespace Volixta\WooCommerce;

use Volixta\Api\Client;
use Volixta\Auth\Actor;

/**
 * Says whether clients can pay online and, when WooCommerce is active, shows the service's
 * setup check: whether its REST key works, whether a webhook delivers to this site's forwarding
 * route, and the last deliveries with what the service did with each.
 */
final class SetupSection {

	public static function woocommerce_active(): bool {
		return class_exists( 'WooCommerce' );
	}

	/**
	 * Renders the section.
	 *
	 * @param Client $client API client.
	 */
	public static function render( Client $client ): void {
		echo '<h2>' . esc_html__( 'WooCommerce', 'volixta' ) . '</h2>';
		if ( ! self::woocommerce_active() ) {
			echo '<p>' . esc_html__( 'WooCommerce is not active on this site, so clients cannot pay balances, top-ups or packages online: the pay buttons stay hidden. Activate WooCommerce to connect it.', 'volixta' ) . '</p>';
			return;
		}
		$url = WebhookForward::url();
		echo '<p>' . esc_html__( 'Create a REST API key (Read/Write) in WooCommerce → Settings → Advanced → REST API and give it to the service (VOLIXTA_WC_URL, VOLIXTA_WC_CONSUMER_KEY, VOLIXTA_WC_CONSUMER_SECRET). Then add the webhooks "Order updated" and "Order created" with the secret of VOLIXTA_WC_WEBHOOK_SECRET and this delivery URL:', 'volixta' ) . '</p>';
		echo '<p><code>' . esc_html( $url ) . '</code></p>';
		$actor  = new Actor( 'admin', get_current_user_id() );
		$result = $client->with_timeout( 8.0 )->request( 'GET', '/v1/woocommerce/status?delivery_url=' . rawurlencode( $url ), $actor );
		if ( ! $result->ok() || ! is_array( $result->json ) ) {
			echo '<div class="notice notice-error inline"><p>' . esc_html__( 'The service could not run the check:', 'volixta' ) . ' ' . esc_html( $result->error_message() ) . '</p></div>';
			return;
		}
		$s = $result->json;
		self::line( ! empty( $s['rest']['ok'] ), __( 'REST API key', 'volixta' ), (string) ( $s['rest']['message'] ?? '' ) );
		self::line(
			! empty( $s['webhook_ok'] ),
			__( 'Webhook', 'volixta' ),
			! empty( $s['webhook_ok'] ) ? __( 'An active "Order updated" webhook delivers to this site.', 'volixta' ) : __( 'No active "Order updated" webhook delivers to the URL above.', 'volixta' )
		);
		self::line(
			! empty( $s['webhook_secret_configured'] ),
			__( 'Webhook secret', 'volixta' ),
			! empty( $s['webhook_secret_configured'] ) ? __( 'The service has one.', 'volixta' ) : __( 'VOLIXTA_WC_WEBHOOK_SECRET is not set in the service: every delivery is refused.', 'volixta' )
		);
		$deliveries = (array) ( $s['last_deliveries'] ?? array() );
		echo '<h3>' . esc_html__( 'Last deliveries', 'volixta' ) . '</h3>';
		if ( array() === $deliveries ) {
			echo '<p>' . esc_html__( 'None yet.', 'volixta' ) . '</p>';
			return;
		}
		echo '<table class="widefat striped"><thead><tr><th scope="col">' . esc_html__( 'Received', 'volixta' ) . '</th><th scope="col">' . esc_html__( 'Topic', 'volixta' ) . '</th><th scope="col">' . esc_html__( 'Order', 'volixta' ) . '</th><th scope="col">' . esc_html__( 'Outcome', 'volixta' ) . '</th></tr></thead><tbody>';
		foreach ( $deliveries as $d ) {
			$d = (array) $d;
			printf(
				'<tr><td>%1$s</td><td>%2$s</td><td>%3$s</td><td>%4$s %5$s</td></tr>',
				esc_html( (string) ( $d['received_at'] ?? '' ) ),
				esc_html( (string) ( $d['topic'] ?? __( 'ping', 'volixta' ) ) ),
				esc_html( (string) ( $d['wc_order_id'] ?? '' ) ),
				esc_html( (string) ( $d['outcome'] ?? '' ) ),
				esc_html( (string) ( $d['detail'] ?? '' ) )
			);
		}
		echo '</tbody></table>';
	}

	private static function line( bool $ok, string $what, string $message ): void {
		printf(
			'<p><span class="dashicons %1$s" aria-hidden="true"></span> <strong>%2$s:</strong> %3$s %4$s</p>',
			$ok ? 'dashicons-yes-alt' : 'dashicons-warning',
			esc_html( $what ),
			esc_html( $ok ? __( 'OK.', 'volixta' ) : __( 'Not working.', 'volixta' ) ),
			esc_html( $message )
		);
	}
}
