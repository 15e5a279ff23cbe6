<?php
/**
 * After paying a Volixta order, WooCommerce sends the client back to the portal.
 *
 * @package Volixta
 */

namespace Volixta\WooCommerce;

/**
 * The service puts the portal page (opened at the booking, the wallet or the packages) on each
 * order it creates as the meta `volixta_return_url`. WooCommerce's thank-you address comes from
 * WC_Order::get_checkout_order_received_url() and WC_Payment_Gateway::get_return_url(), both
 * filterable; for a Volixta order both become that address. Only an address on this site is
 * followed (wp_validate_redirect), so an order edited in the store cannot send clients elsewhere.
 */
final class ReturnUrl {

	public const META = 'volixta_return_url';

	public function register_hooks(): void {
		add_filter( 'woocommerce_get_checkout_order_received_url', array( $this, 'filter' ), 10, 2 );
		add_filter( 'woocommerce_get_return_url', array( $this, 'filter' ), 10, 2 );
	}

	/**
	 * The portal address for a Volixta order; WooCommerce's own otherwise.
	 *
	 * @param mixed $url   WooCommerce's address.
	 * @param mixed $order The order (a WC_Order; null when WooCommerce has none).
	 * @return mixed
	 */
	public function filter( $url, $order = null ) {
		if ( ! is_object( $order ) || ! method_exists( $order, 'get_meta' ) ) {
			return $url;
		}
		$target = $order->get_meta( self::META, true );
		if ( ! is_string( $target ) || '' === $target ) {
			return $url;
		}
		$safe = wp_validate_redirect( $target, '' );
		return '' === $safe ? $url : $safe;
	}
}
