<?php
/**
 * PSR-4 autoloader for the Volixta\ namespace (src/). No Composer: the plugin ships as plain files.
 *
 * @package Volixta
 */

spl_autoload_register(
	static function ( string $class_name ): void {
		$prefix = 'Volixta\\';
		if ( 0 !== strncmp( $class_name, $prefix, strlen( $prefix ) ) ) {
			return;
		}
		$file = __DIR__ . '/src/' . str_replace( '\\', '/', substr( $class_name, strlen( $prefix ) ) ) . '.php';
		if ( is_file( $file ) ) {
			require_once $file;
		}
	}
);
