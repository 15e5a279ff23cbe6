<?php
/**
 * The delivery URL WooCommerce is given: /wp-json/volixta/v1/woocommerce/webhook.
 *
 * @package Volixta
 */

namespace Volixta\WooCommerce;

use Volixta\Api\Client;
use Volixta\Rest\PassthroughResponse;

/**
 * WordPress refuses to deliver webhooks to loopback or private addresses (where the service
 * usually listens), so WooCommerce delivers to the site itself and this route forwards the raw
 * body and the WooCommerce headers unchanged. It authenticates nothing itself: the service
 * verifies X-WC-Webhook-Signature on the same bytes and answers 401 otherwise, which is passed
 * back as it is, as is every other answer (200 for a ping).
 */
final class WebhookForward {

	public const ROUTE = '/woocommerce/webhook';

	/**
	 * Builds the API client per request.
	 *
	 * @var callable(): Client
	 */
	private $client_factory;

	/**
	 * Wires the route.
	 *
	 * @param callable(): Client $client_factory Returns the client to use.
	 */
	public function __construct( callable $client_factory ) {
		$this->client_factory = $client_factory;
	}

	public function register_hooks(): void {
		// Before the proxy's catch-all route of the same namespace, which would otherwise match.
		add_action( 'rest_api_init', array( $this, 'register_routes' ), 5 );
	}

	public function register_routes(): void {
		register_rest_route(
			'volixta/v1',
			self::ROUTE,
			array(
				'methods'             => 'POST',
				'callback'            => array( $this, 'handle' ),
				'permission_callback' => '__return_true',
			)
		);
	}

	public static function url(): string {
		return rest_url( 'volixta/v1' . self::ROUTE );
	}

	/**
	 * Forwards one delivery.
	 *
	 * @param \WP_REST_Request $request Request.
	 */
	public function handle( \WP_REST_Request $request ): \WP_REST_Response {
		$headers = array();
		foreach ( $request->get_headers() as $name => $values ) {
			// WordPress lists header names lower-case with underscores (x_wc_webhook_topic).
			$headers[ str_replace( '_', '-', (string) $name ) ] = implode( ', ', (array) $values );
		}
		$result = ( $this->client_factory )()->forward_webhook( $request->get_body(), $headers );
		if ( null !== $result->transport_error ) {
			// WooCommerce counts the failure (and never retries); the service's poll finds the order.
			return new PassthroughResponse( null, 502, array( 'Content-Type' => 'application/json' ), '{"error":{"code":"service_unreachable","message":"volixta-service could not be reached"}}' );
		}
		return new PassthroughResponse( $result->json, $result->status, array( 'Content-Type' => 'application/json' ), $result->body );
	}
}
