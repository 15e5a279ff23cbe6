<?php
/**
 * Plugin Name:       Volixta
 * Plugin URI:        https://volixta.example/
 * Description:       Bookings, client management and a client portal. The plugin is a thin, signed proxy to the volixta-service sidecar.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.1
 * Author:            Volixta
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       volixta
 * Domain Path:       /languages
 *
 * @package Volixta
 */

defined( 'ABSPATH' ) || exit;

define( 'VOLIXTA_VERSION', '0.1.0' );
define( 'VOLIXTA_FILE', __FILE__ );
define( 'VOLIXTA_DIR', __DIR__ );

require_once __DIR__ . '/autoload.php';

// Activation hooks must be registered from the main file: WordPress keys them by its basename.
register_activation_hook( __FILE__, array( \Volixta\Lifecycle::class, 'activate' ) );
register_deactivation_hook( __FILE__, array( \Volixta\Lifecycle::class, 'deactivate' ) );

add_action( 'plugins_loaded', array( \Volixta\Plugin::class, 'boot' ) );
