<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Unit;

use PHPUnit\Framework\TestCase;
use Volixta\Api\Result;

/**
 * Status codes, error bodies and transport failures all end in one shape.
 */
final class ResultTest extends TestCase {

	private static function json( int $status, string $body ): Result {
		return new Result( $status, $body, array( 'Content-Type' => 'application/json; charset=utf-8' ) );
	}

	public function test_2xx_is_ok_with_decoded_json(): void {
		$r = self::json( 201, '{"id":"c_1","first_name":"Ann"}' );
		self::assertTrue( $r->ok() );
		self::assertSame( 'application/json', $r->content_type );
		self::assertSame( array( 'id' => 'c_1', 'first_name' => 'Ann' ), $r->json );
		self::assertNull( $r->error_code() );
		self::assertSame( '', $r->error_message() );
		self::assertNull( $r->transport_error );
	}

	public function test_service_error_body_wins(): void {
		$r = self::json( 409, '{"error":{"code":"slot_taken","message":"That time was just booked.","fields":{"start":"taken"}}}' );
		self::assertFalse( $r->ok() );
		self::assertSame( 'slot_taken', $r->error_code() );
		self::assertSame( 'That time was just booked.', $r->error_message() );
		self::assertSame( array( 'start' => 'taken' ), $r->field_errors() );
	}

	/**
	 * @return array<string,array{int,string}>
	 */
	public static function statuses(): array {
		return array(
			'400' => array( 400, 'bad_request' ),
			'401' => array( 401, 'unauthorized' ),
			'403' => array( 403, 'forbidden' ),
			'404' => array( 404, 'not_found' ),
			'409' => array( 409, 'conflict' ),
			'422' => array( 422, 'invalid' ),
			'429' => array( 429, 'rate_limited' ),
			'500' => array( 500, 'service_error' ),
			'503' => array( 503, 'service_error' ),
			'418' => array( 418, 'http_418' ),
			'302' => array( 302, 'http_302' ),
		);
	}

	/**
	 * @dataProvider statuses
	 */
	public function test_status_without_error_body_maps_to_code_and_message( int $status, string $code ): void {
		$r = new Result( $status, '<html>Bad Gateway</html>', array( 'content-type' => 'text/html' ) );
		self::assertFalse( $r->ok() );
		self::assertNull( $r->json );
		self::assertSame( $code, $r->error_code() );
		self::assertNotSame( '', $r->error_message() );
	}

	public function test_unreachable(): void {
		$r = Result::failure( 'cURL error 7: Failed to connect' );
		self::assertSame( 0, $r->status );
		self::assertFalse( $r->ok() );
		self::assertSame( 'unreachable', $r->error_code() );
		self::assertSame( 'cURL error 7: Failed to connect', $r->error_message() );
		self::assertSame( 'cURL error 7: Failed to connect', $r->transport_error );
	}

	public function test_html_is_kept_raw(): void {
		$r = new Result( 200, '<div>hi</div>', array( 'Content-Type' => 'text/html; charset=utf-8' ) );
		self::assertTrue( $r->ok() );
		self::assertSame( 'text/html', $r->content_type );
		self::assertNull( $r->json );
		self::assertSame( '<div>hi</div>', $r->body );
	}

	public function test_malformed_json_gives_null_json_and_status_code(): void {
		$r = self::json( 500, '{not json' );
		self::assertNull( $r->json );
		self::assertSame( 'service_error', $r->error_code() );
	}

	public function test_problem_json_is_decoded(): void {
		$r = new Result( 422, '{"error":{"code":"invalid","message":"x"}}', array( 'content-type' => 'application/problem+json' ) );
		self::assertSame( 'invalid', $r->error_code() );
	}
}
