<?php
/**
 * The WooCommerce delivery route forwards bytes and WooCommerce headers unchanged, unsigned.
 *
 * @package Volixta
 */

namespace Volixta\Tests\Integration;

use Volixta\Api\Client;
use Volixta\Rest\PassthroughResponse;
use Volixta\Tests\Unit\RecordingTransport;
use Volixta\WooCommerce\WebhookForward;

/**
 * The service checks WooCommerce's signature over the exact bytes: one changed byte or header
 * on the way would make every delivery a 401.
 */
final class WebhookForwardTest extends WordPressTestCase {

	private const FIXTURE = __DIR__ . '/../../../../tests/vectors/woocommerce/order-updated-processing.json';

	private function delivery(): \WP_REST_Request {
		$request = new \WP_REST_Request( 'POST', '/volixta/v1/woocommerce/webhook' );
		$request->set_body( (string) file_get_contents( self::FIXTURE ) );
		$request->set_header( 'Content-Type', 'application/json' );
		$request->set_header( 'User-Agent', 'WooCommerce/9.9.5 Hookshot (WordPress/6.8.2)' );
		$request->set_header( 'X-WC-Webhook-Topic', 'order.updated' );
		$request->set_header( 'X-WC-Webhook-Signature', 'gSTAVtRfNnkz/fW9BQtoQrTJl9FSkaxen7tcg7XxCgw=' );
		$request->set_header( 'X-WC-Webhook-ID', '12' );
		// Nothing else travels: a forged actor or a cookie stays here.
		$request->set_header( 'X-Volixta-Actor', 'admin:1' );
		$request->set_header( 'Cookie', 'wordpress_logged_in=x' );
		return $request;
	}

	public function test_the_body_and_the_woocommerce_headers_reach_the_service_unchanged_and_unsigned(): void {
		$t       = new RecordingTransport( array( RecordingTransport::json( 200, '{"outcome":"paid"}' ) ) );
		$forward = new WebhookForward( static fn (): Client => new Client( 'http://127.0.0.1:8787', 'test-secret', $t ) );

		$response = $forward->handle( $this->delivery() );

		self::assertInstanceOf( PassthroughResponse::class, $response );
		self::assertSame( 200, $response->get_status() );
		self::assertSame( '{"outcome":"paid"}', $response->raw_body() );
		$sent = $t->last();
		self::assertSame( 'POST', $sent['method'] );
		self::assertSame( 'http://127.0.0.1:8787/v1/woocommerce/webhook', $sent['url'] );
		self::assertSame( file_get_contents( self::FIXTURE ), $sent['body'], 'byte for byte' );
		$headers = array_change_key_case( $sent['headers'], CASE_LOWER );
		self::assertSame( 'gSTAVtRfNnkz/fW9BQtoQrTJl9FSkaxen7tcg7XxCgw=', $headers['x-wc-webhook-signature'] );
		self::assertSame( 'order.updated', $headers['x-wc-webhook-topic'] );
		self::assertSame( '12', $headers['x-wc-webhook-id'] );
		self::assertSame( 'application/json', $headers['content-type'] );
		foreach ( array_keys( $headers ) as $name ) {
			self::assertStringStartsNotWith( 'x-volixta-', $name, 'not signed as the plugin, no actor' );
			self::assertNotSame( 'cookie', $name );
		}
	}

	public function test_the_services_refusal_is_passed_back_and_an_outage_is_a_502(): void {
		$t       = new RecordingTransport( array( RecordingTransport::json( 401, '{"error":{"code":"unauthorized","message":"the request signature did not verify"}}' ) ) );
		$forward = new WebhookForward( static fn (): Client => new Client( 'http://127.0.0.1:8787', 'test-secret', $t ) );
		self::assertSame( 401, $forward->handle( $this->delivery() )->get_status() );

		$down = new WebhookForward( static fn (): Client => new Client( 'http://127.0.0.1:8787', 'test-secret', static fn (): array => array( 'error' => 'connection refused' ) ) );
		self::assertSame( 502, $down->handle( $this->delivery() )->get_status() );
	}

	public function test_the_route_is_registered_for_anyone_and_wins_over_the_proxy(): void {
		$server  = rest_get_server();
		$routes  = $server->get_routes( 'volixta/v1' );
		$ordered = array_keys( $routes );
		self::assertArrayHasKey( '/volixta/v1/woocommerce/webhook', $routes );
		self::assertLessThan( array_search( '/volixta/v1/(?P<path>.+)', $ordered, true ), array_search( '/volixta/v1/woocommerce/webhook', $ordered, true ) );
		self::assertSame( '__return_true', $routes['/volixta/v1/woocommerce/webhook'][0]['permission_callback'] );
	}
}
