<?php
/**
 * Runs when the owner deletes the plugin from wp-admin.
 *
 * @package Volixta
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

require_once __DIR__ . '/autoload.php';

\Volixta\Lifecycle::uninstall();
