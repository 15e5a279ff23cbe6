<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Unit;

use PHPUnit\Framework\TestCase;

/**
 * The unit suite runs before the integration suite boots WordPress (phpunit.xml.dist order), so
 * every unit test above ran without it. Run alone with --testsuite unit to confirm.
 */
final class NoWordPressTest extends TestCase {

	public function test_wordpress_is_not_loaded(): void {
		self::assertFalse( function_exists( 'add_action' ), 'WordPress was loaded before the unit suite finished; do not reorder the suites' );
		self::assertFalse( class_exists( 'WP_User', false ) );
	}
}
