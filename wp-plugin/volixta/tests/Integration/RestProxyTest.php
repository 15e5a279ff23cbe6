<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Integration;

use Volixta\Api\Client;
use Volixta\Api\Signer;
use Volixta\Auth\ClientLink;
use Volixta\Options;
use Volixta\Rest\PassthroughResponse;
use Volixta\Rest\Proxy;
use Volixta\Tests\Unit\RecordingTransport;

/**
 * The REST route: registration, permissions, and what it forwards and passes back.
 */
final class RestProxyTest extends WordPressTestCase {

	private const ROUTE = '/volixta/v1/(?P<path>.+)';

	/**
	 * pre_http_request filters added by the current test.
	 *
	 * @var callable[]
	 */
	private array $intercepts = array();

	protected function setUp(): void {
		parent::setUp();
		update_option( Options::SERVICE_URL, 'http://127.0.0.1:' . self::closed_port() );
		update_option( Options::SHARED_SECRET, 'test-secret' );
	}

	protected function tearDown(): void {
		foreach ( $this->intercepts as $intercept ) {
			remove_filter( 'pre_http_request', $intercept, 10 );
		}
		$this->intercepts = array();
		update_option( Options::SERVICE_URL, Options::DEFAULT_SERVICE_URL );
		update_option( Options::SHARED_SECRET, '' );
		parent::tearDown();
	}

	public function test_route_is_registered_with_a_real_permission_callback(): void {
		$routes = rest_get_server()->get_routes();
		self::assertArrayHasKey( self::ROUTE, $routes );
		$methods = array();
		foreach ( $routes[ self::ROUTE ] as $handler ) {
			self::assertIsCallable( $handler['permission_callback'] );
			self::assertNotSame( '__return_true', $handler['permission_callback'] );
			self::assertArrayNotHasKey( 'path', $handler['args'], 'the path is read from the route, never from get_param()' );
			$methods += $handler['methods'];
		}
		foreach ( array( 'GET', 'POST', 'PUT', 'PATCH', 'DELETE' ) as $method ) {
			self::assertArrayHasKey( $method, $methods );
		}
	}

	public function test_visitor_is_refused_private_paths(): void {
		foreach ( array( array( 'GET', 'clients' ), array( 'GET', 'render/customer_profile' ), array( 'POST', 'bookings' ), array( 'POST', 'availability' ) ) as [ $method, $path ] ) {
			$response = rest_do_request( new \WP_REST_Request( $method, '/volixta/v1/' . $path ) );
			self::assertSame( 401, $response->get_status(), "$method $path" );
		}
	}

	public function test_visitor_may_read_availability_and_gets_502_when_service_is_down(): void {
		$response = rest_do_request( new \WP_REST_Request( 'GET', '/volixta/v1/availability' ) );
		self::assertSame( 502, $response->get_status() );
		$data = $response->get_data();
		self::assertSame( 'unreachable', $data['error']['code'] );
		self::assertArrayNotHasKey( 'detail', $data['error'], 'no transport detail for visitors' );
	}

	public function test_logged_in_user_gets_502_with_detail_only_for_admins(): void {
		wp_set_current_user( $this->make_user( 'subscriber' )->ID );
		$response = rest_do_request( new \WP_REST_Request( 'GET', '/volixta/v1/clients/1' ) );
		self::assertSame( 502, $response->get_status() );
		self::assertArrayNotHasKey( 'detail', $response->get_data()['error'] );

		wp_set_current_user( $this->make_user( 'administrator' )->ID );
		$response = rest_do_request( new \WP_REST_Request( 'GET', '/volixta/v1/clients/1' ) );
		self::assertSame( 502, $response->get_status() );
		self::assertNotEmpty( $response->get_data()['error']['detail'] );
	}

	public function test_path_escapes_are_refused(): void {
		wp_set_current_user( $this->make_user( 'administrator' )->ID );
		foreach ( array( 'clients/../../readyz', 'clients/' ) as $path ) {
			$response = rest_do_request( new \WP_REST_Request( 'POST', '/volixta/v1/' . $path ) );
			self::assertContains( $response->get_status(), array( 400, 404 ), $path );
		}
	}

	public function test_a_query_path_parameter_cannot_open_a_private_path_to_visitors(): void {
		// get_param() prefers the query string to the route, so "?path=availability" once made
		// the visitor check look at a guest-readable path while the URL said "clients".
		$outbound = $this->capture_outbound();
		$request  = new \WP_REST_Request( 'GET', '/volixta/v1/clients' );
		$request->set_query_params( array( 'path' => 'availability' ) );

		$response = rest_do_request( $request );

		self::assertSame( 401, $response->get_status() );
		self::assertSame( array(), $outbound->urls, 'nothing reached the service' );
	}

	public function test_body_and_query_path_parameters_cannot_redirect_the_call(): void {
		wp_set_current_user( $this->make_user( 'administrator' )->ID );
		$outbound = $this->capture_outbound();

		$json = new \WP_REST_Request( 'POST', '/volixta/v1/clients/5/notes' );
		$json->set_header( 'Content-Type', 'application/json' );
		$json->set_body( '{"path":"gift-codes/redeem","text":"hello"}' );
		$form = new \WP_REST_Request( 'POST', '/volixta/v1/clients/5/notes' );
		$form->set_body_params( array( 'path' => 'clients/6/wallet/adjustments' ) );
		$query = new \WP_REST_Request( 'DELETE', '/volixta/v1/clients/5/notes/1' );
		$query->set_query_params( array( 'path' => 'clients/6' ) );

		foreach ( array( $json, $form, $query ) as $request ) {
			self::assertSame( 200, rest_do_request( $request )->get_status(), $request->get_route() );
		}
		self::assertSame(
			array(
				'POST http://127.0.0.1:8787/v1/clients/5/notes',
				'POST http://127.0.0.1:8787/v1/clients/5/notes',
				'DELETE http://127.0.0.1:8787/v1/clients/5/notes/1?path=clients%2F6',
			),
			$outbound->urls
		);
		self::assertSame( '{"path":"gift-codes/redeem","text":"hello"}', $outbound->bodies[0], 'the body is forwarded as sent' );
	}

	public function test_forwards_method_query_body_and_idempotency_key_with_the_sessions_actor(): void {
		$manager = $this->make_user( 'volixta_manager' );
		wp_set_current_user( $manager->ID );
		$t     = new RecordingTransport( array( RecordingTransport::json( 201, '{"id":"b_1","status":"confirmed","payment":{}}' ) ) );
		$proxy = $this->proxy_with( $t );

		$request = $this->request( 'POST', 'bookings', array( 'notify' => '1' ), '{"client_id":"5","options":{}}' );
		$request->set_header( 'Idempotency-Key', 'key-123' );
		$request->set_header( 'X-Volixta-Actor', 'admin:1' );
		$_SERVER['REMOTE_ADDR'] = '203.0.113.9';
		$response = $proxy->handle( $request );

		self::assertInstanceOf( PassthroughResponse::class, $response );
		self::assertSame( 201, $response->get_status() );
		self::assertSame( 'application/json', $response->get_headers()['Content-Type'] );
		self::assertSame( '{"id":"b_1","status":"confirmed","payment":{}}', $response->raw_body(), 'bytes pass through: {} stays {}' );
		self::assertSame( 'confirmed', $response->get_data()['status'] );

		$sent = $t->last();
		self::assertSame( 'POST', $sent['method'] );
		self::assertStringEndsWith( '/v1/bookings?notify=1', $sent['url'] );
		self::assertSame( '{"client_id":"5","options":{}}', $sent['body'] );
		self::assertSame( 'key-123', $sent['headers']['Idempotency-Key'] );
		self::assertSame( '203.0.113.9', $sent['headers']['X-Volixta-Client-Ip'] );
		self::assertSame( 'manager:' . $manager->ID, $sent['headers']['X-Volixta-Actor'] );
		$canonical = Signer::canonical( 'POST', '/v1/bookings?notify=1', (int) $sent['headers']['X-Volixta-Timestamp'], $sent['headers']['X-Volixta-Nonce'], 'manager:' . $manager->ID, $sent['body'] );
		self::assertSame( Signer::sign( 'test-secret', $canonical ), $sent['headers']['X-Volixta-Signature'] );
	}

	public function test_the_visitor_behind_a_trusted_proxy_is_read_from_x_forwarded_for(): void {
		wp_set_current_user( $this->make_user( 'subscriber' )->ID );
		$t     = new RecordingTransport( array_fill( 0, 4, RecordingTransport::json( 200, '{}' ) ) );
		$proxy = $this->proxy_with( $t );
		$_SERVER['REMOTE_ADDR']          = '10.0.0.2';
		$_SERVER['HTTP_X_FORWARDED_FOR'] = '6.6.6.6, 198.51.100.7, 10.0.0.9';
		try {
			// Nothing trusted (the default): the header is anyone's to write.
			$proxy->handle( $this->request( 'POST', 'gift-codes/redeem', array(), '{"code":"X"}' ) );
			self::assertSame( '10.0.0.2', $t->last()['headers']['X-Volixta-Client-Ip'] );

			update_option( Options::TRUSTED_PROXIES, "10.0.0.0/8\nnot-an-address" );
			$proxy->handle( $this->request( 'POST', 'gift-codes/redeem', array(), '{"code":"X"}' ) );
			self::assertSame( '198.51.100.7', $t->last()['headers']['X-Volixta-Client-Ip'] );

			// A peer outside the trusted ranges is the visitor, whatever it forwards.
			$_SERVER['REMOTE_ADDR'] = '203.0.113.50';
			$proxy->handle( $this->request( 'POST', 'gift-codes/redeem', array(), '{"code":"X"}' ) );
			self::assertSame( '203.0.113.50', $t->last()['headers']['X-Volixta-Client-Ip'] );

			// Deployment scripts may store a list.
			update_option( Options::TRUSTED_PROXIES, array( '2001:db8::/32' ) );
			$_SERVER['REMOTE_ADDR']          = '2001:db8::10';
			$_SERVER['HTTP_X_FORWARDED_FOR'] = '2001:DB8:1::5, 198.51.100.8';
			$proxy->handle( $this->request( 'POST', 'gift-codes/redeem', array(), '{"code":"X"}' ) );
			self::assertSame( '198.51.100.8', $t->last()['headers']['X-Volixta-Client-Ip'] );
		} finally {
			unset( $_SERVER['HTTP_X_FORWARDED_FOR'] );
			delete_option( Options::TRUSTED_PROXIES );
		}
	}

	public function test_service_errors_pass_through_with_status_and_body(): void {
		$client = $this->make_user( 'subscriber' );
		ClientLink::link( $client->ID, '9' );
		wp_set_current_user( $client->ID );
		$body  = '{"error":{"code":"notice_too_short","message":"Too late to cancel.","fields":{}}}';
		$t     = new RecordingTransport( array( RecordingTransport::json( 409, $body ) ) );
		$proxy = $this->proxy_with( $t );

		$response = $proxy->handle( $this->request( 'POST', 'bookings/4/cancel', array(), '' ) );

		self::assertSame( 409, $response->get_status() );
		self::assertSame( $body, $response->raw_body() );
		self::assertSame( '', $t->last()['body'] );
		self::assertSame( 'client:' . $client->ID, $t->last()['headers']['X-Volixta-Actor'] );
	}

	public function test_a_pay_button_names_the_portal_and_sends_the_browser_to_the_payment_page(): void {
		$page = wp_insert_post(
			array(
				'post_type'    => 'page',
				'post_status'  => 'publish',
				'post_title'   => 'My account',
				'post_content' => '[volixta_customer_profile]',
			)
		);
		$client = $this->make_user( 'subscriber' );
		ClientLink::link( $client->ID, '9' );
		wp_set_current_user( $client->ID );
		$pay  = 'http://shop.example/checkout/order-pay/41/?pay_for_order=true&key=wc_order_abc';
		$html = static fn ( string $redirect ): array => array(
			'status'  => 200,
			'headers' => array(
				'content-type' => 'text/html; charset=utf-8',
				'hx-redirect'  => $redirect,
			),
			'body'    => '<section id="volixta-portal"><a href="#">Continue</a></section>',
		);
		$t     = new RecordingTransport( array( $html( $pay ), $html( 'javascript:alert(1)' ), $html( $pay ) ) );
		$proxy = $this->proxy_with( $t );

		$answer = $proxy->handle( $this->request( 'POST', 'render/portal/booking/7/pay' ) );
		self::assertSame( get_permalink( $page ), $t->last()['headers']['X-Volixta-Portal-Url'], 'the store returns the client to the portal' );
		self::assertSame( $pay, $answer->get_headers()['HX-Redirect'] );

		$answer = $proxy->handle( $this->request( 'POST', 'render/portal/top-up', array(), '{"amount":"30"}' ) );
		self::assertSame( get_permalink( $page ), $t->last()['headers']['X-Volixta-Portal-Url'] );
		self::assertArrayNotHasKey( 'HX-Redirect', $answer->get_headers(), 'only a web address is followed' );

		$proxy->handle( $this->request( 'POST', 'render/portal/gift-code', array(), '{"code":"X"}' ) );
		self::assertArrayNotHasKey( 'X-Volixta-Portal-Url', $t->last()['headers'], 'other forms do not name it' );
	}

	public function test_html_fragments_are_filtered_and_pdfs_pass_untouched(): void {
		$client = $this->make_user( 'subscriber' );
		ClientLink::link( $client->ID, '9' );
		wp_set_current_user( $client->ID );
		$pdf   = "%PDF-1.7\n\x00\xff binary";
		$t     = new RecordingTransport(
			array(
				array(
					'status'  => 200,
					'headers' => array( 'content-type' => 'text/html; charset=utf-8' ),
					'body'    => '<form data-volixta-action="gift-codes/redeem"><input name="code" required><button type="submit" onclick="x()">Redeem</button></form><script>alert(1)</script>',
				),
				array(
					'status'  => 200,
					'headers' => array(
						'content-type'        => 'application/pdf',
						'content-disposition' => 'attachment; filename="invoice-2026-0001.pdf"',
					),
					'body'    => $pdf,
				),
			)
		);
		$proxy = $this->proxy_with( $t );

		$html = $proxy->handle( $this->request( 'GET', 'render/customer_profile' ) );
		self::assertSame( 'text/html; charset=utf-8', $html->get_headers()['Content-Type'] );
		self::assertStringContainsString( '<form data-volixta-action="gift-codes/redeem">', $html->raw_body() );
		self::assertStringContainsString( '<input name="code" required>', $html->raw_body() );
		self::assertStringNotContainsString( 'onclick', $html->raw_body() );
		self::assertStringNotContainsString( '<script', $html->raw_body() );

		$file = $proxy->handle( $this->request( 'GET', 'bookings/3/invoice.pdf' ) );
		self::assertSame( 'application/pdf', $file->get_headers()['Content-Type'] );
		self::assertSame( 'attachment; filename="invoice-2026-0001.pdf"', $file->get_headers()['Content-Disposition'] );
		self::assertSame( $pdf, $file->raw_body() );
	}

	public function test_raw_bytes_are_what_the_server_sends(): void {
		$response = new PassthroughResponse( array(), 200, array(), '{"a":{}}' );
		$proxy    = $this->proxy_with( new RecordingTransport( array( RecordingTransport::json( 200, '{}' ) ) ) );
		ob_start();
		$served = $proxy->serve_raw( false, $response, new \WP_REST_Request( 'GET', '/volixta/v1/x' ), rest_get_server() );
		self::assertSame( '{"a":{}}', ob_get_clean() );
		self::assertTrue( $served );
		self::assertFalse( $proxy->serve_raw( false, new \WP_REST_Response( array() ), new \WP_REST_Request( 'GET', '/x' ), rest_get_server() ) );
	}

	public function test_creating_a_client_for_a_user_links_them(): void {
		wp_set_current_user( $this->make_user( 'administrator' )->ID );
		$customer = $this->make_user( 'subscriber' );
		$t        = new RecordingTransport( array( RecordingTransport::json( 201, '{"id":"c_77","first_name":"Ann","wp_user_id":' . $customer->ID . '}' ) ) );

		$this->proxy_with( $t )->handle( $this->request( 'POST', 'clients', array(), '{"first_name":"Ann","email":"ann@example.com","wp_user_id":' . $customer->ID . '}' ) );

		self::assertSame( 'c_77', ClientLink::client_id( $customer->ID ) );
	}

	public function test_invalid_json_is_refused_before_the_service(): void {
		wp_set_current_user( $this->make_user( 'administrator' )->ID );
		$t        = new RecordingTransport( array( RecordingTransport::json( 200, '{}' ) ) );
		$response = $this->proxy_with( $t )->handle( $this->request( 'POST', 'clients', array(), '{"first_name":' ) );
		self::assertInstanceOf( \WP_Error::class, $response );
		self::assertSame( array(), $t->sent );
	}

	public function test_full_wordpress_path_signs_over_the_http_api_and_serves_raw_bytes(): void {
		$manager = $this->make_user( 'volixta_manager' );
		wp_set_current_user( $manager->ID );
		update_option( Options::SERVICE_URL, 'http://127.0.0.1:8787' );
		$outbound  = array();
		$intercept = static function ( $pre, array $args, string $url ) use ( &$outbound ) {
			$outbound = array( $url, $args );
			return array(
				'headers'  => array( 'content-type' => 'application/json' ),
				'body'     => '{"items":[],"meta":{}}',
				'response' => array(
					'code'    => 200,
					'message' => 'OK',
				),
				'cookies'  => array(),
				'filename' => null,
			);
		};
		add_filter( 'pre_http_request', $intercept, 10, 3 );
		$_GET = array(
			'search'   => 'ann lee',
			'_wpnonce' => 'ignored-here',
		);
		$default = rest_get_server();
		$server  = new HeaderRecordingServer();
		// phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited -- swapped back below.
		$GLOBALS['wp_rest_server'] = $server;
		do_action( 'rest_api_init', $server );
		try {
			ob_start();
			$server->serve_request( '/volixta/v1/clients' );
			$output = (string) ob_get_clean();
		} finally {
			$GLOBALS['wp_rest_server'] = $default; // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
			remove_filter( 'pre_http_request', $intercept, 10 );
			$_GET = array();
		}

		self::assertSame( '{"items":[],"meta":{}}', $output );
		self::assertSame( 200, $server->status );
		self::assertSame( 'application/json', $server->headers['Content-Type'] );
		[ $url, $args ] = $outbound;
		self::assertSame( 'http://127.0.0.1:8787/v1/clients?search=ann%20lee', $url );
		self::assertSame( 'GET', $args['method'] );
		self::assertSame( 0, $args['redirection'] );
		self::assertSame( 'manager:' . $manager->ID, $args['headers']['X-Volixta-Actor'] );
		$canonical = Signer::canonical( 'GET', '/v1/clients?search=ann%20lee', (int) $args['headers']['X-Volixta-Timestamp'], $args['headers']['X-Volixta-Nonce'], 'manager:' . $manager->ID, '' );
		self::assertSame( Signer::sign( 'test-secret', $canonical ), $args['headers']['X-Volixta-Signature'] );
	}

	public function test_the_services_content_security_policy_reaches_the_browser_with_an_avatar(): void {
		// An avatar is bytes a client uploaded: the service sandboxes it with a CSP, which
		// protects only if the browser gets it, e.g. when the image is opened on its own.
		$client = $this->make_user( 'subscriber' );
		ClientLink::link( $client->ID, '3' );
		wp_set_current_user( $client->ID );
		update_option( Options::SERVICE_URL, 'http://127.0.0.1:8787' );
		$png       = "\x89PNG\r\n\x1a\n<html><script>alert(document.cookie)</script>";
		$intercept = static fn () => array(
			'headers'  => array(
				'content-type'            => 'image/png',
				'content-security-policy' => "default-src 'none'; sandbox",
				'x-content-type-options'  => 'nosniff',
			),
			'body'     => $png,
			'response' => array(
				'code'    => 200,
				'message' => 'OK',
			),
			'cookies'  => array(),
			'filename' => null,
		);
		add_filter( 'pre_http_request', $intercept, 10, 3 );
		$this->intercepts[] = $intercept;
		$default = rest_get_server();
		$server  = new HeaderRecordingServer();
		// phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited -- swapped back below.
		$GLOBALS['wp_rest_server'] = $server;
		do_action( 'rest_api_init', $server );
		try {
			ob_start();
			$server->serve_request( '/volixta/v1/clients/3/avatar' );
			$output = (string) ob_get_clean();
		} finally {
			$GLOBALS['wp_rest_server'] = $default; // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
		}

		self::assertSame( $png, $output );
		self::assertSame( 'image/png', $server->headers['Content-Type'] );
		self::assertSame( "default-src 'none'; sandbox", $server->headers['Content-Security-Policy'] ?? null );
		self::assertSame( 'nosniff', $server->headers['X-Content-Type-Options'] ?? null );
	}

	/**
	 * Points the plugin at a service URL and answers its HTTP calls with 200 {} instead of sending
	 * them; the returned object records each call as "METHOD URL" and its body.
	 */
	private function capture_outbound(): object {
		update_option( Options::SERVICE_URL, 'http://127.0.0.1:8787' );
		$outbound = new class() {
			/**
			 * @var string[]
			 */
			public array $urls = array();

			/**
			 * @var string[]
			 */
			public array $bodies = array();
		};
		$intercept = static function ( $pre, array $args, string $url ) use ( $outbound ) {
			$outbound->urls[]   = $args['method'] . ' ' . $url;
			$outbound->bodies[] = (string) ( $args['body'] ?? '' );
			return array(
				'headers'  => array( 'content-type' => 'application/json' ),
				'body'     => '{}',
				'response' => array(
					'code'    => 200,
					'message' => 'OK',
				),
				'cookies'  => array(),
				'filename' => null,
			);
		};
		add_filter( 'pre_http_request', $intercept, 10, 3 );
		$this->intercepts[] = $intercept;
		return $outbound;
	}

	/**
	 * A proxy whose client uses the recording transport.
	 *
	 * @param RecordingTransport $t Transport.
	 */
	private function proxy_with( RecordingTransport $t ): Proxy {
		return new Proxy( static fn (): Client => new Client( 'http://127.0.0.1:8787', 'test-secret', $t ) );
	}

	/**
	 * A request as the REST server would hand it to the callback.
	 *
	 * @param string                $method Method.
	 * @param string                $path   Proxied path.
	 * @param array<string,string>  $query  Query parameters.
	 * @param string|null           $json   JSON body.
	 */
	private function request( string $method, string $path, array $query = array(), ?string $json = null ): \WP_REST_Request {
		$request = new \WP_REST_Request( $method, '/volixta/v1/' . $path );
		$request->set_url_params( array( 'path' => $path ) );
		$request->set_query_params( $query );
		if ( null !== $json ) {
			$request->set_header( 'Content-Type', 'application/json' );
			$request->set_body( $json );
		}
		return $request;
	}
}
