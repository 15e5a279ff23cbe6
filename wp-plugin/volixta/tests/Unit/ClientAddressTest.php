<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Unit;

use PHPUnit\Framework\TestCase;
use Volixta\Http\ClientAddress;

/**
 * Which address is the visitor's, behind trusted reverse proxies or not.
 */
final class ClientAddressTest extends TestCase {

	private const PROXIES = array( '10.0.0.0/8', '192.168.1.5', '2001:db8:aa::/48', '::1' );

	private static function visitor( ?string $remote, ?string $forwarded, array $trusted = self::PROXIES ): ?string {
		return ClientAddress::visitor( $remote, $forwarded, ClientAddress::ranges( $trusted ) );
	}

	public function test_without_trusted_proxies_the_peer_is_the_visitor_whatever_the_header_says(): void {
		self::assertSame( '203.0.113.9', self::visitor( '203.0.113.9', null, array() ) );
		self::assertSame( '10.0.0.2', self::visitor( '10.0.0.2', '198.51.100.7', array() ) );
	}

	public function test_the_header_is_not_trusted_from_a_peer_that_is_not_a_trusted_proxy(): void {
		self::assertSame( '203.0.113.9', self::visitor( '203.0.113.9', '198.51.100.7' ) );
		self::assertSame( '203.0.113.9', self::visitor( '203.0.113.9', '10.0.0.3, 198.51.100.7' ) );
	}

	public function test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_visitor(): void {
		self::assertSame( '198.51.100.7', self::visitor( '10.0.0.2', '198.51.100.7' ) );
		// A visitor who sends their own header only adds entries on the left.
		self::assertSame( '198.51.100.7', self::visitor( '10.0.0.2', '1.2.3.4, 198.51.100.7' ) );
		// Through a chain of trusted proxies (each appends its peer).
		self::assertSame( '198.51.100.7', self::visitor( '10.0.0.2', '6.6.6.6, 198.51.100.7, 192.168.1.5, 10.9.8.7' ) );
		self::assertSame( '2001:db8:bb::1', self::visitor( '::1', '2001:db8:bb::1, 2001:db8:aa::9' ) );
		// Several X-Forwarded-For headers arrive joined by ", ".
		self::assertSame( '198.51.100.7', self::visitor( '10.0.0.2', '6.6.6.6,198.51.100.7 ,  10.1.1.1' ) );
	}

	public function test_when_every_hop_is_a_trusted_proxy_the_farthest_one_is_the_visitor(): void {
		self::assertSame( '10.0.0.1', self::visitor( '10.0.0.2', '10.0.0.1, 192.168.1.5' ) );
		self::assertSame( '10.0.0.2', self::visitor( '10.0.0.2', null ) );
		self::assertSame( '10.0.0.2', self::visitor( '10.0.0.2', '' ) );
	}

	public function test_ports_and_brackets_that_proxies_add_are_understood(): void {
		self::assertSame( '198.51.100.7', self::visitor( '10.0.0.2', '198.51.100.7:51234' ) );
		self::assertSame( '2001:db8:bb::1', self::visitor( '10.0.0.2', '[2001:db8:bb::1]:443' ) );
		self::assertSame( '2001:db8:bb::1', self::visitor( '10.0.0.2', '[2001:db8:bb::1]' ) );
	}

	public function test_a_malformed_hop_ends_the_walk_at_the_nearest_address_known_to_be_real(): void {
		// Left of an entry a trusted proxy could not vouch for, anything may be forged.
		self::assertSame( '10.1.1.1', self::visitor( '10.0.0.2', '6.6.6.6, unknown, 10.1.1.1' ) );
		self::assertSame( '10.0.0.2', self::visitor( '10.0.0.2', '6.6.6.6, unknown' ) );
		self::assertSame( '10.0.0.2', self::visitor( '10.0.0.2', '6.6.6.6, ' ) );
		self::assertSame( '10.0.0.2', self::visitor( '10.0.0.2', '6.6.6.6, fe80::1%eth0' ) );
		self::assertSame( '10.0.0.2', self::visitor( '10.0.0.2', '6.6.6.6, 999.1.1.1' ) );
		self::assertSame( '10.0.0.2', self::visitor( '10.0.0.2', "6.6.6.6, 1.2.3.4\n" ) );
	}

	public function test_addresses_are_written_one_way_so_one_visitor_is_one_bucket(): void {
		self::assertSame( '2001:db8:bb::1', self::visitor( '2001:0DB8:00bb:0000:0000:0000:0000:0001', null ) );
		self::assertSame( '203.0.113.9', self::visitor( '::ffff:203.0.113.9', null ) );
		// An IPv4 peer seen through a dual-stack socket is still the trusted IPv4 proxy.
		self::assertSame( '198.51.100.7', self::visitor( '::ffff:10.0.0.2', '198.51.100.7' ) );
	}

	public function test_an_unusable_peer_address_gives_no_address(): void {
		self::assertNull( self::visitor( null, '198.51.100.7' ) );
		self::assertNull( self::visitor( '', '198.51.100.7' ) );
		self::assertNull( self::visitor( 'localhost', '198.51.100.7' ) );
	}

	public function test_ranges_match_by_prefix_in_both_families(): void {
		$ranges = ClientAddress::ranges( array( '10.0.0.0/8', '172.16.0.0/12', '203.0.113.64/26', '2001:db8::/32', 'fd00::/8', '198.51.100.1', '0.0.0.0/0' ) );
		foreach ( array( '10.255.1.2', '172.31.255.255', '203.0.113.64', '203.0.113.127', '2001:db8:ffff::1', 'fd12::1', '198.51.100.1' ) as $inside ) {
			self::assertTrue( ClientAddress::in_ranges( $inside, $ranges ), $inside );
		}
		$ranges = ClientAddress::ranges( array( '10.0.0.0/8', '172.16.0.0/12', '203.0.113.64/26', '2001:db8::/32', 'fd00::/8', '198.51.100.1' ) );
		foreach ( array( '11.0.0.1', '172.32.0.1', '203.0.113.63', '203.0.113.128', '2001:db9::1', 'fe00::1', '198.51.100.2', '::ffff:10.0.0.1x' ) as $outside ) {
			self::assertFalse( ClientAddress::in_ranges( $outside, $ranges ), $outside );
		}
		// An IPv4 range never matches IPv6 addresses and the reverse.
		self::assertFalse( ClientAddress::in_ranges( '::a00:1', ClientAddress::ranges( array( '10.0.0.0/8' ) ) ) );
		self::assertFalse( ClientAddress::in_ranges( '10.0.0.1', ClientAddress::ranges( array( '::/0' ) ) ) );
		// Host bits after the prefix are ignored, as most tools do.
		self::assertTrue( ClientAddress::in_ranges( '10.200.0.1', ClientAddress::ranges( array( '10.1.2.3/8' ) ) ) );
	}

	public function test_malformed_setting_entries_are_ignored_and_reported(): void {
		$entries = array( '10.0.0.0/8', 'proxy.example', '10.0.0.0/33', '2001:db8::/129', '1.2.3.4/', '/8', '1.2.3.4/-1', '1.2.3.4/08x', '300.1.1.1', ' 192.168.1.5 ', '' );
		$ranges  = ClientAddress::ranges( $entries );
		self::assertCount( 2, $ranges );
		self::assertTrue( ClientAddress::in_ranges( '10.1.1.1', $ranges ) );
		self::assertTrue( ClientAddress::in_ranges( '192.168.1.5', $ranges ) );
		self::assertSame( array( 'proxy.example', '10.0.0.0/33', '2001:db8::/129', '1.2.3.4/', '/8', '1.2.3.4/-1', '1.2.3.4/08x', '300.1.1.1' ), ClientAddress::invalid( $entries ) );
		self::assertSame( '198.51.100.7', self::visitor( '10.0.0.2', '198.51.100.7', $entries ) );
	}

	public function test_the_setting_is_split_on_lines_commas_and_spaces(): void {
		self::assertSame( array( '10.0.0.0/8', '2001:db8::/32', '192.168.1.5', '::1' ), ClientAddress::entries( "10.0.0.0/8,2001:db8::/32\r\n  192.168.1.5 \n\n ::1" ) );
		self::assertSame( array( '10.0.0.0/8', '::1' ), ClientAddress::entries( array( '10.0.0.0/8', ' ::1 ', '', 42 ) ) );
		self::assertSame( array(), ClientAddress::entries( null ) );
	}
}
