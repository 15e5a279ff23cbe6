<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Unit;

use PHPUnit\Framework\TestCase;
use Volixta\Rest\ProxyPath;

/**
 * Which browser paths reach the service, and what query string goes with them.
 */
final class ProxyPathTest extends TestCase {

	public function test_valid_paths(): void {
		foreach ( array( 'clients', 'clients/12', 'bookings/b_1/cancel', 'bookings/9/invoice.pdf', 'render/customer_profile', 'gift-codes/redeem', 'a~b' ) as $path ) {
			self::assertTrue( ProxyPath::is_valid( $path ), $path );
		}
	}

	public function test_invalid_paths(): void {
		foreach ( array( '', '/clients', 'clients/', 'clients//1', '../readyz', 'clients/../../healthz', './x', 'a b', "a\nb", "a\n", "clients/1\n", 'a?b=c', 'a%2Fb', 'woocommerce/webhook', str_repeat( 'a', 513 ) ) as $path ) {
			self::assertFalse( ProxyPath::is_valid( $path ), $path );
		}
	}

	public function test_paths_that_would_leave_the_namespace_are_refused(): void {
		// What a browser would turn into another route: "..", its percent-encodings (WordPress
		// decodes the route before the proxy sees it, so "%2e" arrives as "." and "%252e" as "%2e"),
		// backslashes (read as "/"), absolute and scheme-relative URLs, and a query in the path.
		foreach ( array( '../../wp/v2/users', '..%2F..%2Fwp%2Fv2%2Fusers', '%2e%2e/%2e%2e/wp/v2/users', '%252e%252e/wp', '..\\..\\wp\\v2\\users', 'clients\\..', 'http://evil.example/x', '//evil.example/x', 'users?rest_route=/wp/v2/users', 'clients/1?_method=DELETE', 'clients#x', 'clients/.', 'clients/./1' ) as $path ) {
			self::assertFalse( ProxyPath::is_valid( $path ), $path );
		}
	}

	public function test_guests_may_only_read_booking_data(): void {
		self::assertTrue( ProxyPath::guest_may( 'GET', 'availability' ) );
		self::assertTrue( ProxyPath::guest_may( 'get', 'services/3' ) );
		self::assertTrue( ProxyPath::guest_may( 'GET', 'packages' ) );
		self::assertFalse( ProxyPath::guest_may( 'POST', 'packages' ) );
		self::assertFalse( ProxyPath::guest_may( 'POST', 'availability' ) );
		self::assertFalse( ProxyPath::guest_may( 'GET', 'clients' ) );
		self::assertFalse( ProxyPath::guest_may( 'GET', 'render/customer_profile' ) );
		self::assertFalse( ProxyPath::guest_may( 'GET', 'availability/../clients' ) );
		self::assertTrue( ProxyPath::guest_may( 'GET', 'clients', array( 'clients' ) ) );
	}

	public function test_guests_reach_the_booking_form_and_post_only_its_booking(): void {
		self::assertTrue( ProxyPath::guest_may( 'GET', 'render/booking-form' ) );
		self::assertTrue( ProxyPath::guest_may( 'GET', 'render/booking-form/slot-picker' ) );
		self::assertTrue( ProxyPath::guest_may( 'POST', 'render/booking-form/book' ) );
		self::assertFalse( ProxyPath::guest_may( 'GET', 'render/booking-form/book' ) );
		self::assertFalse( ProxyPath::guest_may( 'POST', 'render/booking-form' ) );
		self::assertFalse( ProxyPath::guest_may( 'POST', 'render/booking-form/book/../../clients' ) );
		self::assertFalse( ProxyPath::guest_may( 'PUT', 'render/booking-form/book' ) );
		self::assertFalse( ProxyPath::guest_may( 'GET', 'render/admin/slot-picker' ) );
		self::assertFalse( ProxyPath::guest_may( 'POST', 'bookings' ) );
	}

	public function test_guests_open_and_post_the_unsubscribe_page_and_nothing_beside_it(): void {
		self::assertTrue( ProxyPath::guest_may( 'GET', 'unsubscribe' ) );
		self::assertTrue( ProxyPath::guest_may( 'POST', 'unsubscribe' ) );
		self::assertFalse( ProxyPath::guest_needs_nonce( 'POST', 'unsubscribe' ), 'the visitor comes from an e-mail' );
		self::assertTrue( ProxyPath::guest_needs_nonce( 'POST', 'render/booking-form/book' ) );
		self::assertFalse( ProxyPath::guest_needs_nonce( 'GET', 'availability' ) );
		foreach ( array( 'PUT', 'PATCH', 'DELETE' ) as $method ) {
			self::assertFalse( ProxyPath::guest_may( $method, 'unsubscribe' ), $method );
		}
		foreach ( array( 'unsubscribe/1', 'unsubscribe/../clients', 'marketing', 'render/unsubscribe', 'unsubscribe.' ) as $path ) {
			self::assertFalse( ProxyPath::guest_may( 'POST', $path ), "POST $path" );
			self::assertFalse( ProxyPath::guest_may( 'GET', $path ), "GET $path" );
		}
	}

	public function test_target(): void {
		self::assertSame( '/v1/clients', ProxyPath::target( 'clients', '' ) );
		self::assertSame( '/v1/clients?search=ann', ProxyPath::target( 'clients', 'search=ann' ) );
	}

	public function test_wordpress_parameters_are_stripped_and_the_rest_kept_verbatim(): void {
		self::assertSame(
			'service_id=3&from=2026-12-01&timezone=Europe%2FParis',
			ProxyPath::strip_wp_params( 'rest_route=%2Fvolixta%2Fv1%2Favailability&service_id=3&_wpnonce=abc&from=2026-12-01&timezone=Europe%2FParis&_locale=user' )
		);
		self::assertSame( '', ProxyPath::strip_wp_params( '_wpnonce=abc' ) );
		self::assertSame( 'a=1', ProxyPath::strip_wp_params( '&a=1&&_fields[]=x' ) );
	}

	public function test_raw_query_is_used_when_it_matches_the_parameters(): void {
		self::assertSame(
			'search=ann%20lee&sort=last_name',
			ProxyPath::forwardable_query(
				'search=ann%20lee&_wpnonce=x&sort=last_name',
				array(
					'sort'     => 'last_name',
					'search'   => 'ann lee',
					'_wpnonce' => 'x',
				)
			)
		);
	}

	public function test_rebuilt_query_when_raw_is_absent_or_unrelated(): void {
		$params = array(
			'search' => 'ann lee',
			'limit'  => '1',
		);
		self::assertSame( 'search=ann%20lee&limit=1', ProxyPath::forwardable_query( null, $params ) );
		self::assertSame( 'search=ann%20lee&limit=1', ProxyPath::forwardable_query( 'page_id=5', $params ) );
		self::assertSame( '', ProxyPath::forwardable_query( null, array( '_wpnonce' => 'x' ) ) );
	}
}
