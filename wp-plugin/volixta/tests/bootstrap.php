<?php
/**
 * Test bootstrap: the plugin's autoloader and nothing of WordPress. Integration tests boot
 * WordPress themselves (tests/Integration/WordPress.php), after the unit suite has run.
 *
 * @package Volixta
 */

declare(strict_types=1);

require_once dirname( __DIR__ ) . '/autoload.php';

spl_autoload_register(
	static function ( string $class_name ): void {
		$prefix = 'Volixta\\Tests\\';
		if ( 0 === strncmp( $class_name, $prefix, strlen( $prefix ) ) ) {
			$file = __DIR__ . '/' . str_replace( '\\', '/', substr( $class_name, strlen( $prefix ) ) ) . '.php';
			if ( is_file( $file ) ) {
				require_once $file;
			}
		}
	}
);

// The pure classes call __() for their messages. Without WordPress, the unqualified call resolves
// to these namespaced stand-ins (PHP looks in the current namespace first); with WordPress loaded
// later in the same process they keep returning the English text, which is what the tests compare.
require_once __DIR__ . '/i18n-shims.php';
