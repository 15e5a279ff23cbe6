<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Unit;

use PHPUnit\Framework\TestCase;
use Volixta\Api\Client;
use Volixta\Api\Signer;
use Volixta\Auth\Actor;

/**
 * What the client puts on the wire, and how it reports what came back.
 */
final class ClientTest extends TestCase {

	private const SECRET = 's3cret-shared';

	/**
	 * Recomputes the signature from what was sent, as the service does.
	 *
	 * @param array{method: string, url: string, headers: array<string,string>, body: string} $sent Sent request.
	 */
	private static function assert_verifies( array $sent, string $secret = self::SECRET ): void {
		$target    = substr( $sent['url'], strlen( 'http://127.0.0.1:8787' ) );
		$canonical = Signer::canonical(
			$sent['method'],
			$target,
			(int) $sent['headers']['X-Volixta-Timestamp'],
			$sent['headers']['X-Volixta-Nonce'],
			$sent['headers']['X-Volixta-Actor'],
			$sent['body']
		);
		self::assertTrue( hash_equals( base64_encode( hash_hmac( 'sha256', $canonical, $secret, true ) ), $sent['headers']['X-Volixta-Signature'] ) );
	}

	public function test_get_is_signed_with_actor_time_and_nonce(): void {
		$t      = new RecordingTransport( array( RecordingTransport::json( 200, '{"items":[]}' ) ) );
		$client = new Client( 'http://127.0.0.1:8787/', self::SECRET, $t );
		$before = time();
		$result = $client->request( 'get', '/v1/clients?search=ann&sort=last_name', new Actor( 'manager', 3 ) );

		self::assertTrue( $result->ok() );
		self::assertSame( array( 'items' => array() ), $result->json );
		$sent = $t->last();
		self::assertSame( 'GET', $sent['method'] );
		self::assertSame( 'http://127.0.0.1:8787/v1/clients?search=ann&sort=last_name', $sent['url'] );
		self::assertSame( '', $sent['body'] );
		self::assertArrayNotHasKey( 'Content-Type', $sent['headers'] );
		self::assertSame( 'manager:3', $sent['headers']['X-Volixta-Actor'] );
		self::assertMatchesRegularExpression( '/^[A-Za-z0-9]{32}$/', $sent['headers']['X-Volixta-Nonce'] );
		self::assertGreaterThanOrEqual( $before, (int) $sent['headers']['X-Volixta-Timestamp'] );
		self::assertLessThanOrEqual( time(), (int) $sent['headers']['X-Volixta-Timestamp'] );
		self::assert_verifies( $sent );
	}

	public function test_post_sends_json_and_signs_its_bytes(): void {
		$t      = new RecordingTransport( array( RecordingTransport::json( 201, '{"id":"12"}' ) ) );
		$client = new Client( 'http://127.0.0.1:8787', self::SECRET, $t );
		$result = $client->request(
			'POST',
			'/v1/clients',
			new Actor( 'admin', 1 ),
			array(
				'first_name' => 'Ann',
				'last_name'  => 'Öztürk',
				'email'      => 'ann@example.com',
			),
			array( 'Idempotency-Key' => 'abc-123' )
		);

		self::assertSame( 201, $result->status );
		$sent = $t->last();
		self::assertSame( '{"first_name":"Ann","last_name":"Öztürk","email":"ann@example.com"}', $sent['body'] );
		self::assertSame( 'application/json', $sent['headers']['Content-Type'] );
		self::assertSame( 'abc-123', $sent['headers']['Idempotency-Key'] );
		self::assert_verifies( $sent );
	}

	public function test_same_body_as_vector_gives_vector_body_hash(): void {
		$t = new RecordingTransport( array( RecordingTransport::json( 201, '{}' ) ) );
		( new Client( 'http://127.0.0.1:8787', self::SECRET, $t ) )->request(
			'POST',
			'/v1/clients/7/wallet/adjustments',
			new Actor( 'manager', 2 ),
			array(
				'amount' => '-10.00',
				'reason' => 'Réduction',
			)
		);
		self::assertSame( '{"amount":"-10.00","reason":"Réduction"}', $t->last()['body'] );
	}

	public function test_empty_body_array_is_an_empty_object(): void {
		$t = new RecordingTransport( array( RecordingTransport::json( 200, '{}' ) ) );
		( new Client( 'http://127.0.0.1:8787', self::SECRET, $t ) )->request( 'PATCH', '/v1/settings', new Actor( 'admin', 1 ), array() );
		self::assertSame( '{}', $t->last()['body'] );
		self::assert_verifies( $t->last() );
	}

	public function test_caller_cannot_choose_the_actor_or_inject_headers(): void {
		$t = new RecordingTransport( array( RecordingTransport::json( 200, '{}' ) ) );
		( new Client( 'http://127.0.0.1:8787', self::SECRET, $t ) )->request(
			'GET',
			'/v1/clients/1',
			new Actor( 'client', 42 ),
			null,
			array(
				'X-Volixta-Actor'     => 'admin:1',
				'x-volixta-signature' => 'forged',
				'X-Volixta-Other'     => 'x',
				'X-Evil'              => "a\r\nX-Volixta-Actor: admin:1",
				'Accept-Language'     => 'fr',
			)
		);
		$headers = $t->last()['headers'];
		self::assertSame( 'client:42', $headers['X-Volixta-Actor'] );
		self::assertArrayNotHasKey( 'x-volixta-signature', $headers );
		self::assertArrayNotHasKey( 'X-Volixta-Other', $headers );
		self::assertArrayNotHasKey( 'X-Evil', $headers );
		self::assertSame( 'fr', $headers['Accept-Language'] );
		self::assert_verifies( $t->last() );
	}

	public function test_the_actor_s_display_name_travels_percent_encoded(): void {
		$t = new RecordingTransport( array( RecordingTransport::json( 201, '{}' ), RecordingTransport::json( 201, '{}' ) ) );
		$c = new Client( 'http://127.0.0.1:8787', self::SECRET, $t );
		$c->request( 'POST', '/v1/clients', ( new Actor( 'manager', 2 ) )->with_name( " Zoë Manager\r\n" ), array(), array( 'X-Volixta-Actor-Name' => 'Forged' ) );
		self::assertSame( 'Zo%C3%AB%20Manager', $t->last()['headers']['X-Volixta-Actor-Name'] );
		self::assert_verifies( $t->last() );
		$c->request( 'POST', '/v1/clients', new Actor( 'manager', 2 ), array(), array( 'X-Volixta-Actor-Name' => 'Forged' ) );
		self::assertArrayNotHasKey( 'X-Volixta-Actor-Name', $t->last()['headers'] );
	}

	public function test_each_request_gets_a_new_nonce(): void {
		$t      = new RecordingTransport( array( RecordingTransport::json( 200, '{}' ) ) );
		$client = new Client( 'http://127.0.0.1:8787', self::SECRET, $t );
		$client->request( 'GET', '/v1/clients/1', Actor::guest() );
		$client->request( 'GET', '/v1/clients/1', Actor::guest() );
		self::assertNotSame( $t->sent[0]['headers']['X-Volixta-Nonce'], $t->sent[1]['headers']['X-Volixta-Nonce'] );
	}

	public function test_clock_is_injectable(): void {
		$t = new RecordingTransport( array( RecordingTransport::json( 200, '{}' ) ) );
		( new Client( 'http://127.0.0.1:8787', self::SECRET, $t ) )->with_clock( static fn (): int => 1795000000 )->request( 'GET', '/v1/x', Actor::guest() );
		self::assertSame( '1795000000', $t->last()['headers']['X-Volixta-Timestamp'] );
	}

	public function test_transport_error_is_status_zero(): void {
		$t      = new RecordingTransport( array( array( 'error' => 'cURL error 7: Failed to connect to 127.0.0.1 port 8787' ) ) );
		$result = ( new Client( 'http://127.0.0.1:8787', self::SECRET, $t ) )->request( 'GET', '/v1/clients', Actor::guest() );
		self::assertSame( 0, $result->status );
		self::assertFalse( $result->ok() );
		self::assertSame( 'unreachable', $result->error_code() );
		self::assertStringContainsString( 'Failed to connect', (string) $result->transport_error );
	}

	public function test_transport_exception_is_status_zero(): void {
		$t      = new RecordingTransport( array( new \RuntimeException( 'boom' ) ) );
		$result = ( new Client( 'http://127.0.0.1:8787', self::SECRET, $t ) )->request( 'GET', '/v1/clients', Actor::guest() );
		self::assertSame( 0, $result->status );
		self::assertSame( 'boom', $result->transport_error );
	}

	public function test_4xx_and_5xx_become_results(): void {
		$t      = new RecordingTransport(
			array(
				RecordingTransport::json( 401, '{"error":{"code":"bad_signature","message":"Signature refused."}}' ),
				array(
					'status'  => 502,
					'headers' => array( 'Content-Type' => 'text/html' ),
					'body'    => '<h1>Bad gateway</h1>',
				),
			)
		);
		$client = new Client( 'http://127.0.0.1:8787', self::SECRET, $t );
		$first  = $client->request( 'GET', '/v1/clients', Actor::guest() );
		self::assertSame( 401, $first->status );
		self::assertSame( 'bad_signature', $first->error_code() );
		self::assertSame( 'Signature refused.', $first->error_message() );
		$second = $client->request( 'GET', '/v1/clients', Actor::guest() );
		self::assertSame( 502, $second->status );
		self::assertSame( 'service_error', $second->error_code() );
		self::assertSame( 'text/html', $second->content_type );
	}

	public function test_missing_secret_sends_nothing(): void {
		$t      = new RecordingTransport( array( RecordingTransport::json( 200, '{}' ) ) );
		$result = ( new Client( 'http://127.0.0.1:8787', '', $t ) )->request( 'GET', '/v1/clients', Actor::guest() );
		self::assertSame( array(), $t->sent );
		self::assertSame( 'not_configured', $result->error_code() );
	}

	public function test_bad_targets_are_refused_before_sending(): void {
		$t      = new RecordingTransport( array( RecordingTransport::json( 200, '{}' ) ) );
		$client = new Client( 'http://127.0.0.1:8787', self::SECRET, $t );
		foreach ( array( 'v1/clients', '//evil.example/v1', '/v1/a b', "/v1/x\n", '/v1/x#frag' ) as $target ) {
			self::assertSame( 'invalid_request', $client->request( 'GET', $target, Actor::guest() )->error_code(), $target );
		}
		self::assertSame( 'invalid_request', $client->request( 'TRACE', '/v1/x', Actor::guest() )->error_code() );
		self::assertSame( array(), $t->sent );
	}

	public function test_probe_is_unsigned(): void {
		$t      = new RecordingTransport( array( array( 'status' => 200, 'headers' => array(), 'body' => 'ok' ) ) );
		$result = ( new Client( 'http://127.0.0.1:8787', self::SECRET, $t ) )->with_timeout( 3.0 )->probe( '/readyz' );
		self::assertTrue( $result->ok() );
		self::assertSame( 'http://127.0.0.1:8787/readyz', $t->last()['url'] );
		self::assertSame( array(), $t->last()['headers'] );
		self::assertSame( 3.0, $t->last()['timeout'] );
	}

	public function test_canonical_and_sign_helpers_match_signer(): void {
		$client    = new Client( 'http://x', self::SECRET );
		$canonical = $client->canonical( 'GET', '/v1/clients/12', 1795000000, 'nonceAAAAAAAAAAAA', 'manager:1', '' );
		self::assertSame( 'pOPqipCJDdq47vgvMgFBDFCfTug17pIlh2TsCfpJPtg=', $client->sign( $canonical ) );
	}
}
