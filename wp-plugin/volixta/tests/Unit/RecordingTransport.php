<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Unit;

/**
 * Transport stand-in for Api\Client: records what would be sent and plays back scripted answers.
 */
final class RecordingTransport {

	/**
	 * Sent requests.
	 *
	 * @var array<int,array{method: string, url: string, headers: array<string,string>, body: string, timeout: float}>
	 */
	public array $sent = array();

	/**
	 * Answers, used in order; the last one repeats.
	 *
	 * @var array<int,array<string,mixed>|\Throwable>
	 */
	private array $answers;

	/**
	 * @param array<int,array<string,mixed>|\Throwable> $answers Transport answers.
	 */
	public function __construct( array $answers ) {
		$this->answers = $answers;
	}

	public static function json( int $status, string $body ): array {
		return array(
			'status'  => $status,
			'headers' => array( 'content-type' => 'application/json' ),
			'body'    => $body,
		);
	}

	/**
	 * @param array<string,string> $headers Headers.
	 * @return array<string,mixed>
	 */
	public function __invoke( string $method, string $url, array $headers, string $body, float $timeout ): array {
		$this->sent[] = compact( 'method', 'url', 'headers', 'body', 'timeout' );
		$answer       = count( $this->answers ) > 1 ? array_shift( $this->answers ) : $this->answers[0];
		if ( $answer instanceof \Throwable ) {
			throw $answer;
		}
		return $answer;
	}

	/**
	 * @return array{method: string, url: string, headers: array<string,string>, body: string, timeout: float}
	 */
	public function last(): array {
		return $this->sent[ count( $this->sent ) - 1 ];
	}
}
