<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Integration;

/**
 * The REST server with header() calls recorded instead of sent (PHPUnit has already written
 * output, so PHP refuses real headers). Autoloaded only after WordPress is booted.
 */
final class HeaderRecordingServer extends \WP_REST_Server {

	/**
	 * Headers that would have been sent.
	 *
	 * @var array<string,string>
	 */
	public array $headers = array();

	/**
	 * Status that would have been sent.
	 *
	 * @var int
	 */
	public int $status = 0;

	/**
	 * @param string $key   Header name.
	 * @param string $value Header value.
	 */
	public function send_header( $key, $value ) {
		$this->headers[ $key ] = (string) $value;
	}

	/**
	 * @param string $key Header name.
	 */
	public function remove_header( $key ) {
		unset( $this->headers[ $key ] );
	}

	/**
	 * @param int $code HTTP status.
	 */
	protected function set_status( $code ) {
		$this->status = (int) $code;
	}
}
