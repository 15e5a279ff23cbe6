<?php
/**
 * Identity translations for the namespaces whose classes are unit-tested without WordPress.
 *
 * @package Volixta
 */

namespace Volixta\Api {
	if ( ! function_exists( __NAMESPACE__ . '\\__' ) ) {
		function __( string $text, string $domain = 'default' ): string { // phpcs:ignore
			return $text;
		}
	}
}

namespace Volixta\Admin {
	if ( ! function_exists( __NAMESPACE__ . '\\__' ) ) {
		function __( string $text, string $domain = 'default' ): string { // phpcs:ignore
			return $text;
		}
	}
}
