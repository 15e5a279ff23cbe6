<?php
/**
 * WooCommerce's thank-you address becomes the portal for the orders the service creates.
 *
 * @package Volixta
 */

namespace Volixta\Tests\Integration;

use Volixta\WooCommerce\ReturnUrl;

/**
 * WooCommerce is not installed here: the filters are applied the way WC_Order and
 * WC_Payment_Gateway apply them, with an order that answers get_meta() like WC_Order.
 */
final class ReturnUrlTest extends WordPressTestCase {

	private ReturnUrl $hook;

	protected function setUp(): void {
		parent::setUp();
		$this->hook = new ReturnUrl();
		$this->hook->register_hooks();
	}

	protected function tearDown(): void {
		remove_filter( 'woocommerce_get_checkout_order_received_url', array( $this->hook, 'filter' ), 10 );
		remove_filter( 'woocommerce_get_return_url', array( $this->hook, 'filter' ), 10 );
		parent::tearDown();
	}

	/**
	 * An order as WooCommerce's filters pass it.
	 *
	 * @param array<string,string> $meta Meta data.
	 */
	private static function order( array $meta ): object {
		return new class( $meta ) {
			/**
			 * Meta data.
			 *
			 * @var array<string,string>
			 */
			private array $meta;

			/**
			 * Holds the meta.
			 *
			 * @param array<string,string> $meta Meta data.
			 */
			public function __construct( array $meta ) {
				$this->meta = $meta;
			}

			/**
			 * As WC_Data::get_meta( $key, $single ).
			 *
			 * @param string $key    Key.
			 * @param bool   $single One value.
			 * @return string
			 */
			public function get_meta( string $key, bool $single = true ) {
				return $this->meta[ $key ] ?? '';
			}
		};
	}

	public function test_a_volixta_order_returns_the_client_to_the_portal_from_both_addresses(): void {
		$thanks = home_url( '/checkout/order-received/41/?key=wc_order_abc' );
		$portal = home_url( '/my-account/?booking=7&tab=payment' );
		$order  = self::order( array( ReturnUrl::META => $portal ) );

		self::assertSame( $portal, apply_filters( 'woocommerce_get_checkout_order_received_url', $thanks, $order ) );
		self::assertSame( $portal, apply_filters( 'woocommerce_get_return_url', $thanks, $order ) );
	}

	public function test_other_orders_and_foreign_addresses_keep_woocommerces_page(): void {
		$thanks = home_url( '/checkout/order-received/42/?key=wc_order_def' );

		self::assertSame( $thanks, apply_filters( 'woocommerce_get_return_url', $thanks, self::order( array() ) ), 'a shop order of its own' );
		self::assertSame( $thanks, apply_filters( 'woocommerce_get_return_url', $thanks, null ), 'no order: the gateway passes null' );
		self::assertSame(
			$thanks,
			apply_filters( 'woocommerce_get_return_url', $thanks, self::order( array( ReturnUrl::META => 'https://attacker.example/phish' ) ) ),
			'an address off this site, typed into the order in the store, is not followed'
		);
		self::assertSame(
			$thanks,
			apply_filters( 'woocommerce_get_return_url', $thanks, self::order( array( ReturnUrl::META => 'javascript:alert(1)' ) ) )
		);
	}
}
