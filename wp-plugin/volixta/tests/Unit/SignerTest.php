<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Unit;

use PHPUnit\Framework\TestCase;
use Volixta\Api\Signer;

/**
 * The signer against the vectors the Rust verifier also checks.
 */
final class SignerTest extends TestCase {

	/**
	 * @return array<string,array{0: array<string,mixed>}>
	 */
	public static function vectors(): array {
		$file = getenv( 'VOLIXTA_SIGNING_VECTORS' ) ?: dirname( __DIR__, 4 ) . '/tests/vectors/signing.json';
		$data = json_decode( (string) file_get_contents( $file ), true, 512, JSON_THROW_ON_ERROR );
		$out  = array();
		foreach ( $data['vectors'] as $i => $vector ) {
			$out[ sprintf( '#%d %s %s', $i, $vector['method'], $vector['path_and_query'] ) ] = array( $vector );
		}
		return $out;
	}

	public function test_there_are_vectors(): void {
		self::assertGreaterThanOrEqual( 6, count( self::vectors() ) );
	}

	/**
	 * @dataProvider vectors
	 * @param array<string,mixed> $v Vector.
	 */
	public function test_canonical_matches_vector( array $v ): void {
		self::assertSame(
			$v['canonical'],
			Signer::canonical( $v['method'], $v['path_and_query'], (int) $v['timestamp'], $v['nonce'], $v['actor'], $v['body'] )
		);
	}

	/**
	 * @dataProvider vectors
	 * @param array<string,mixed> $v Vector.
	 */
	public function test_signature_matches_vector( array $v ): void {
		self::assertSame( $v['signature'], Signer::sign( $v['secret'], $v['canonical'] ) );
	}

	/**
	 * @dataProvider vectors
	 * @param array<string,mixed> $v Vector.
	 */
	public function test_headers_carry_vector_values( array $v ): void {
		$headers = Signer::headers( $v['secret'], $v['method'], $v['path_and_query'], $v['actor'], $v['body'], (int) $v['timestamp'], $v['nonce'] );
		self::assertSame(
			array(
				'X-Volixta-Actor'     => $v['actor'],
				'X-Volixta-Timestamp' => (string) $v['timestamp'],
				'X-Volixta-Nonce'     => $v['nonce'],
				'X-Volixta-Signature' => $v['signature'],
			),
			$headers
		);
	}

	public function test_method_is_upper_cased(): void {
		self::assertStringStartsWith( "GET\n", Signer::canonical( 'get', '/v1/x', 1, 'n', 'guest:0', '' ) );
	}

	public function test_nonce_is_32_alphanumerics_and_unique(): void {
		$seen = array();
		for ( $i = 0; $i < 200; $i++ ) {
			$nonce = Signer::nonce();
			self::assertMatchesRegularExpression( '/^[A-Za-z0-9]{32}$/', $nonce );
			$seen[ $nonce ] = true;
		}
		self::assertCount( 200, $seen );
	}
}
