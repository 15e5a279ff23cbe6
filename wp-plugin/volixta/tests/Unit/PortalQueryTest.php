<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Unit;

use PHPUnit\Framework\TestCase;
use Volixta\Shortcode\PortalQuery;

/**
 * What the portal page passes on to the service.
 */
final class PortalQueryTest extends TestCase {

	public function test_only_the_portals_keys_go(): void {
		self::assertSame(
			'tz=Asia%2FTokyo&status=cancelled&booking=7&tab=actions',
			PortalQuery::build( array( 'page_id' => '4', 'booking' => '7', 'tab' => 'actions', 'status' => 'cancelled', 'tz' => 'Asia/Tokyo', 'rest_route' => '/x' ), '' )
		);
		self::assertSame( '', PortalQuery::build( array( 'status' => array( 'a', 'b' ), 'from' => '' ), '' ) );
	}

	public function test_the_remembered_zone_fills_in_when_the_address_names_none(): void {
		self::assertSame( 'tz=America%2FNew_York', PortalQuery::build( array(), 'America/New_York' ) );
		self::assertSame( 'tz=UTC', PortalQuery::build( array( 'tz' => 'UTC' ), 'America/New_York' ) );
		foreach ( array( '', '../x', 'a b', '<script>', str_repeat( 'a', 70 ) ) as $bad ) {
			self::assertSame( '', PortalQuery::build( array(), $bad ), $bad );
		}
	}
}
