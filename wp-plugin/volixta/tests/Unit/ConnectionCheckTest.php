<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Unit;

use PHPUnit\Framework\TestCase;
use Volixta\Admin\ConnectionCheck;
use Volixta\Api\Client;
use Volixta\Auth\Actor;

/**
 * Each failure gets its own plain diagnosis.
 */
final class ConnectionCheckTest extends TestCase {

	/**
	 * @param array<int,array<string,mixed>> $answers Transport answers.
	 * @return array{0: array{status: string, message: string, detail: string}, 1: RecordingTransport}
	 */
	private static function check( array $answers, string $secret = 'k' ): array {
		$t = new RecordingTransport( $answers );
		return array( ConnectionCheck::run( new Client( 'http://127.0.0.1:8787', $secret, $t ), new Actor( 'admin', 1 ) ), $t );
	}

	private static function ready(): array {
		return array(
			'status'  => 200,
			'headers' => array( 'content-type' => 'text/plain' ),
			'body'    => 'ready',
		);
	}

	public function test_unreachable(): void {
		[ $r ] = self::check( array( array( 'error' => 'cURL error 7: Connection refused' ) ) );
		self::assertSame( ConnectionCheck::UNREACHABLE, $r['status'] );
		self::assertStringContainsString( 'Unreachable', $r['message'] );
		self::assertStringContainsString( 'Connection refused', $r['detail'] );
	}

	public function test_not_ready(): void {
		[ $r ] = self::check(
			array(
				array(
					'status'  => 503,
					'headers' => array(),
					'body'    => 'migrations pending',
				),
			)
		);
		self::assertSame( ConnectionCheck::NOT_READY, $r['status'] );
		self::assertStringContainsString( '503', $r['message'] );
		self::assertSame( 'migrations pending', $r['detail'] );
	}

	public function test_signature_refused(): void {
		[ $r, $t ] = self::check( array( self::ready(), RecordingTransport::json( 401, '{"error":{"code":"unauthorized","message":"bad signature"}}' ) ) );
		self::assertSame( ConnectionCheck::SIGNATURE_REFUSED, $r['status'] );
		self::assertStringContainsString( '401', $r['message'] );
		self::assertStringContainsString( 'secret', $r['message'] );
		self::assertStringContainsString( 'clock', $r['message'] );
		self::assertSame( 'http://127.0.0.1:8787/v1/clients?limit=1', $t->last()['url'] );
		self::assertSame( 'admin:1', $t->last()['headers']['X-Volixta-Actor'] );
		self::assertArrayNotHasKey( 'X-Volixta-Signature', $t->sent[0]['headers'] );
	}

	public function test_ok(): void {
		[ $r ] = self::check( array( self::ready(), RecordingTransport::json( 200, '{"items":[]}' ) ) );
		self::assertSame( ConnectionCheck::OK, $r['status'] );
		self::assertStringStartsWith( 'OK', $r['message'] );
	}

	public function test_no_secret(): void {
		[ $r, $t ] = self::check( array( self::ready() ), '' );
		self::assertSame( ConnectionCheck::NOT_CONFIGURED, $r['status'] );
		self::assertCount( 1, $t->sent );
	}

	public function test_unexpected_status(): void {
		[ $r ] = self::check( array( self::ready(), RecordingTransport::json( 403, '{"error":{"code":"forbidden","message":"nope"}}' ) ) );
		self::assertSame( ConnectionCheck::UNEXPECTED, $r['status'] );
		self::assertSame( 'forbidden: nope', $r['detail'] );
	}
}
