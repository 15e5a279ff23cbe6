<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Integration;

use Volixta\Api\Client;
use Volixta\Api\Signer;
use Volixta\Options;
use Volixta\Rest\Proxy;
use Volixta\Tests\Unit\RecordingTransport;

/**
 * A marketing e-mail's unsubscribe link, opened by someone who is not logged in: the page, its
 * button's post and a mail program's one-click post go through WordPress's REST server and the
 * HTTP API to the service, signed as a visitor, without a REST nonce; nothing else opens.
 */
final class UnsubscribeRouteTest extends WordPressTestCase {

	private const PAGE = '<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><meta http-equiv="refresh" content="0;url=https://evil.example/"><title>Unsubscribe</title>
<style>main{max-width:560px}</style></head>
<body><main><h1>Unsubscribe</h1><script>alert(1)</script>
<form method="post" action=""><input type="hidden" name="client" value="7"><input type="hidden" name="token" value="ab12"><button type="submit" onclick="alert(2)">Unsubscribe</button></form>
</main></body></html>';

	/**
	 * Calls that reached the HTTP API: [url, args].
	 *
	 * @var array<int,array{0:string,1:array<string,mixed>}>
	 */
	private array $outbound = array();

	/**
	 * The pre_http_request filter of this test.
	 *
	 * @var callable|null
	 */
	private $intercept = null;

	protected function setUp(): void {
		parent::setUp();
		update_option( Options::SERVICE_URL, 'http://127.0.0.1:8787' );
		update_option( Options::SHARED_SECRET, 'test-secret' );
		$this->intercept = function ( $pre, array $args, string $url ) {
			$this->outbound[] = array( $url, $args );
			return array(
				'headers'  => array(
					'content-type'            => 'text/html; charset=utf-8',
					'content-security-policy' => "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
				),
				'body'     => self::PAGE,
				'response' => array(
					'code'    => 200,
					'message' => 'OK',
				),
				'cookies'  => array(),
				'filename' => null,
			);
		};
		add_filter( 'pre_http_request', $this->intercept, 10, 3 );
	}

	protected function tearDown(): void {
		remove_filter( 'pre_http_request', $this->intercept, 10 );
		$this->outbound = array();
		unset( $_SERVER['CONTENT_TYPE'] );
		$_SERVER['REQUEST_METHOD'] = 'GET';
		update_option( Options::SERVICE_URL, Options::DEFAULT_SERVICE_URL );
		update_option( Options::SHARED_SECRET, '' );
		parent::tearDown();
	}

	public function test_a_visitor_opens_the_link_and_gets_the_page_as_a_whole_filtered_document(): void {
		[ $status, $headers, $output ] = $this->serve( 'GET', 'unsubscribe', array( 'client' => '7', 'token' => 'ab12' ) );

		self::assertSame( 200, $status );
		self::assertSame( 'text/html; charset=utf-8', $headers['Content-Type'] );
		self::assertSame( "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'", $headers['Content-Security-Policy'] ?? null );
		self::assertSame( 'no-store, private', $headers['Cache-Control'] ?? null );
		self::assertStringStartsWith( "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">", $output, 'a page in standards mode' );
		foreach ( array( '<title>Unsubscribe</title>', '<meta name="robots" content="noindex">', '<style>main{max-width:560px}</style>', '<form method="post" action="">', '<input type="hidden" name="client" value="7">', '<input type="hidden" name="token" value="ab12">', '<body>', '</html>' ) as $kept ) {
			self::assertStringContainsString( $kept, $output );
		}
		// A meta element without http-equiv is inert, whatever its content says.
		foreach ( array( '<script', 'onclick', 'http-equiv' ) as $dropped ) {
			self::assertStringNotContainsString( $dropped, $output );
		}

		[ $url, $args ] = $this->outbound[0];
		self::assertSame( 'http://127.0.0.1:8787/v1/unsubscribe?client=7&token=ab12', $url );
		self::assertSame( 'GET', $args['method'] );
		$this->assert_signed_as_visitor( 'GET', '/v1/unsubscribe?client=7&token=ab12', '', $args );
	}

	public function test_the_pages_button_posts_without_a_nonce_and_the_fields_travel_as_json(): void {
		[ $status, , $output ] = $this->serve( 'POST', 'unsubscribe', array( 'client' => '7', 'token' => 'ab12' ), array( 'client' => '7', 'token' => 'ab12' ) );

		self::assertSame( 200, $status );
		self::assertStringStartsWith( '<!DOCTYPE html>', $output );
		[ $url, $args ] = $this->outbound[0];
		self::assertSame( 'http://127.0.0.1:8787/v1/unsubscribe?client=7&token=ab12', $url );
		self::assertSame( 'POST', $args['method'] );
		self::assertSame( '{"client":"7","token":"ab12"}', $args['body'] );
		$this->assert_signed_as_visitor( 'POST', '/v1/unsubscribe?client=7&token=ab12', '{"client":"7","token":"ab12"}', $args );
	}

	public function test_a_mail_programs_one_click_post_reaches_the_service_with_the_links_query(): void {
		[ $status ] = $this->serve( 'POST', 'unsubscribe', array( 'client' => '7', 'token' => 'ab12' ), array( 'List-Unsubscribe' => 'One-Click' ) );

		self::assertSame( 200, $status );
		[ $url, $args ] = $this->outbound[0];
		self::assertSame( 'http://127.0.0.1:8787/v1/unsubscribe?client=7&token=ab12', $url );
		self::assertSame( '{"List-Unsubscribe":"One-Click"}', $args['body'] );
		self::assertSame( 'guest:0', $args['headers']['X-Volixta-Actor'] );
	}

	public function test_a_visitor_reads_a_page_when_the_service_is_down(): void {
		update_option( Options::SERVICE_URL, 'http://127.0.0.1:' . self::closed_port() );
		remove_filter( 'pre_http_request', $this->intercept, 10 );
		[ $status, $headers, $output ] = $this->serve( 'GET', 'unsubscribe', array( 'client' => '7', 'token' => 'ab12' ) );

		self::assertSame( 502, $status );
		self::assertSame( 'text/html; charset=utf-8', $headers['Content-Type'] );
		self::assertStringStartsWith( '<!DOCTYPE html>', $output );
		self::assertStringContainsString( 'Please try the link again later.', $output );
	}

	public function test_nothing_else_opens_to_visitors(): void {
		$refused = array(
			array( 'POST', 'marketing', 401 ),
			array( 'POST', 'unsubscribe/7', 401 ),
			array( 'GET', 'unsubscribe/7', 401 ),
			array( 'PUT', 'unsubscribe', 401 ),
			array( 'DELETE', 'unsubscribe', 401 ),
			array( 'GET', 'clients/7', 401 ),
			array( 'POST', 'clients/7', 401 ),
			array( 'GET', 'render/admin/clients', 401 ),
			// The booking form's post still needs the nonce of a page WordPress rendered.
			array( 'POST', 'render/booking-form/book', 403 ),
		);
		foreach ( $refused as [ $method, $path, $code ] ) {
			[ $status ] = $this->serve( $method, $path, array(), array( 'client' => '7', 'token' => 'ab12' ) );
			self::assertSame( $code, $status, "$method $path" );
		}
		self::assertSame( array(), $this->outbound, 'nothing reached the service' );
	}

	public function test_a_marketing_message_names_the_unsubscribe_page_and_nothing_else_does(): void {
		wp_set_current_user( $this->make_user( 'volixta_manager' )->ID );
		$t     = new RecordingTransport( array_fill( 0, 3, RecordingTransport::json( 201, '{"id":1,"recipients":0}' ) ) );
		$proxy = new Proxy( static fn (): Client => new Client( 'http://127.0.0.1:8787', 'test-secret', $t ) );

		$proxy->handle( $this->request( 'POST', 'marketing', '{"subject":"Hi","body":"News"}' ) );
		$page = rest_url( 'volixta/v1/unsubscribe' );
		self::assertSame( $page, $t->last()['headers']['X-Volixta-Unsubscribe-Url'] ?? null );
		self::assertSame( $page, Proxy::unsubscribe_url() );
		self::assertMatchesRegularExpression( '#^https?://#', $page );

		// The Marketing screen's "Send now" sends too.
		$proxy->handle( $this->request( 'POST', 'render/admin/marketing/send', '{"subject":"Hi","body":"News"}' ) );
		self::assertSame( $page, $t->last()['headers']['X-Volixta-Unsubscribe-Url'] ?? null );

		$proxy->handle( $this->request( 'POST', 'clients', '{"first_name":"Ann"}' ) );
		self::assertArrayNotHasKey( 'X-Volixta-Unsubscribe-Url', $t->last()['headers'] );
	}

	/**
	 * Serves one request through WordPress's REST server as the browser would send it.
	 *
	 * @param string               $method HTTP method.
	 * @param string               $path   Path under volixta/v1/.
	 * @param array<string,string> $query  Query parameters.
	 * @param array<string,string> $form   Form fields posted (application/x-www-form-urlencoded).
	 * @return array{0:int,1:array<string,string>,2:string} Status, headers, body.
	 */
	private function serve( string $method, string $path, array $query = array(), array $form = array() ): array {
		$_GET                      = $query;
		$_POST                     = 'GET' === $method ? array() : $form;
		$_SERVER['REQUEST_METHOD'] = $method;
		$_SERVER['CONTENT_TYPE']   = 'application/x-www-form-urlencoded';
		$default                   = rest_get_server();
		$server                    = new HeaderRecordingServer();
		// phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited -- swapped back below.
		$GLOBALS['wp_rest_server'] = $server;
		do_action( 'rest_api_init', $server );
		try {
			ob_start();
			$server->serve_request( '/volixta/v1/' . $path );
			$output = (string) ob_get_clean();
		} finally {
			$GLOBALS['wp_rest_server'] = $default; // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
			$_GET                      = array();
			$_POST                     = array();
		}
		return array( $server->status, $server->headers, $output );
	}

	/**
	 * A request as the REST server would hand it to the callback.
	 *
	 * @param string $method Method.
	 * @param string $path   Proxied path.
	 * @param string $json   JSON body.
	 */
	private function request( string $method, string $path, string $json ): \WP_REST_Request {
		$request = new \WP_REST_Request( $method, '/volixta/v1/' . $path );
		$request->set_url_params( array( 'path' => $path ) );
		$request->set_header( 'Content-Type', 'application/json' );
		$request->set_body( $json );
		return $request;
	}

	/**
	 * The call carries the visitor's actor and a valid signature over what was sent.
	 *
	 * @param string              $method HTTP method.
	 * @param string              $target Path and query signed.
	 * @param string              $body   Body signed.
	 * @param array<string,mixed> $args   The HTTP API's arguments.
	 */
	private function assert_signed_as_visitor( string $method, string $target, string $body, array $args ): void {
		$headers = $args['headers'];
		self::assertSame( 'guest:0', $headers['X-Volixta-Actor'] );
		$canonical = Signer::canonical( $method, $target, (int) $headers['X-Volixta-Timestamp'], $headers['X-Volixta-Nonce'], 'guest:0', $body );
		self::assertSame( Signer::sign( 'test-secret', $canonical ), $headers['X-Volixta-Signature'] );
	}
}
