<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Integration;

use Volixta\Api\Client;
use Volixta\Api\Signer;
use Volixta\Auth\Actor;

/**
 * The signature covers the target as it arrives over a real socket through WordPress's own HTTP
 * client, whatever escaping the caller used: a PHP server echoes the request line it received
 * and the test verifies the signature against it, as the service does.
 */
final class WireSigningTest extends WordPressTestCase {

	private const SECRET = 'wire-secret';

	/**
	 * The echo server's process.
	 *
	 * @var resource|null
	 */
	private static $server = null;

	private static int $port = 0;

	private static string $router = '';

	public static function setUpBeforeClass(): void {
		parent::setUpBeforeClass();
		self::$router = (string) tempnam( sys_get_temp_dir(), 'volixta-echo-' ) . '.php';
		file_put_contents(
			self::$router,
			'<?php header( "Content-Type: application/json" ); echo json_encode( array( "target" => $_SERVER["REQUEST_URI"], "headers" => getallheaders(), "body" => file_get_contents( "php://input" ) ) );'
		);
		$probe      = stream_socket_server( 'tcp://127.0.0.1:0' );
		self::$port = (int) substr( (string) strrchr( (string) stream_socket_get_name( $probe, false ), ':' ), 1 );
		fclose( $probe );
		self::$server = proc_open(
			array( PHP_BINARY, '-S', '127.0.0.1:' . self::$port, self::$router ),
			array(
				1 => array( 'file', '/dev/null', 'w' ),
				2 => array( 'file', '/dev/null', 'w' ),
			),
			$pipes
		);
		for ( $i = 0; $i < 100; $i++ ) {
			$socket = @fsockopen( '127.0.0.1', self::$port ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged -- polling until the server listens.
			if ( $socket ) {
				fclose( $socket );
				return;
			}
			usleep( 50000 );
		}
		self::fail( 'the echo server did not start' );
	}

	public static function tearDownAfterClass(): void {
		if ( is_resource( self::$server ) ) {
			proc_terminate( self::$server );
			proc_close( self::$server );
		}
		@unlink( self::$router ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged -- may already be gone.
	}

	/**
	 * @return array<string,array{0:string,1:string}>
	 */
	public static function targets(): array {
		return array(
			'escaped tilde, as a browser encodes a form' => array( '/v1/render/admin/new-booking?slot=2026-12-01T10%3A00%3A00Z%7E7', '/v1/render/admin/new-booking?slot=2026-12-01T10%3A00%3A00Z~7' ),
			'escaped letters, digits, dot and hyphen'               => array( '/v1/clients?search=%41da%2e%2D%31', '/v1/clients?search=Ada.-1' ),
			'lower-case escapes of reserved and non-ASCII bytes'    => array( '/v1/clients?search=%c3%a9mile%2bx%26y%5f', '/v1/clients?search=%C3%A9mile%2Bx%26y%5F' ),
			'nothing to rewrite'                                    => array( '/v1/clients?search=ann&sort=-id', '/v1/clients?search=ann&sort=-id' ),
		);
	}

	/**
	 * @dataProvider targets
	 *
	 * @param string $asked    Target given to the client.
	 * @param string $expected Target the server must receive.
	 */
	public function test_the_signature_verifies_against_what_arrived( string $asked, string $expected ): void {
		$client = new Client( 'http://127.0.0.1:' . self::$port, self::SECRET );
		$result = $client->request( 'POST', $asked, new Actor( 'manager', 3 ), array( 'a' => 1 ) );

		self::assertSame( 200, $result->status, (string) $result->transport_error );
		$arrived = $result->json;
		self::assertSame( $expected, $arrived['target'] );
		$headers   = array_change_key_case( $arrived['headers'], CASE_LOWER );
		$canonical = Signer::canonical( 'POST', $arrived['target'], (int) $headers['x-volixta-timestamp'], $headers['x-volixta-nonce'], $headers['x-volixta-actor'], $arrived['body'] );
		self::assertTrue( hash_equals( Signer::sign( self::SECRET, $canonical ), $headers['x-volixta-signature'] ), "signature does not cover {$arrived['target']}" );
	}

	public function test_an_escaped_dot_segment_is_refused_as_the_dots_it_becomes(): void {
		$client = new Client( 'http://127.0.0.1:' . self::$port, self::SECRET );
		foreach ( array( '/v1/%2e%2e/wp-admin', '/v1/clients/%2E/x', '/v1/%2e%2E' ) as $target ) {
			$result = $client->request( 'GET', $target, new Actor( 'manager', 3 ) );
			self::assertSame( 'invalid_request', $result->error_code(), $target );
		}
	}
}
