<?php
/**
 * A REST response whose body is sent exactly as the service produced it.
 *
 * @package Volixta
 */

namespace Volixta\Rest;

/**
 * Re-encoding the service's JSON through PHP arrays would turn `{}` into `[]`, and HTML or PDF
 * bodies would be wrapped in a JSON string; Proxy::serve_raw() echoes raw_body() instead.
 */
final class PassthroughResponse extends \WP_REST_Response {

	/**
	 * Bytes to send.
	 *
	 * @var string
	 */
	private string $raw_body;

	/**
	 * Builds the response.
	 *
	 * @param mixed                $data     Decoded data, for internal (rest_do_request) callers.
	 * @param int                  $status   HTTP status.
	 * @param array<string,string> $headers  Response headers.
	 * @param string               $raw_body Bytes for HTTP callers.
	 */
	public function __construct( $data, int $status, array $headers, string $raw_body ) {
		parent::__construct( $data, $status, $headers );
		$this->raw_body = $raw_body;
	}

	public function raw_body(): string {
		return $this->raw_body;
	}
}
