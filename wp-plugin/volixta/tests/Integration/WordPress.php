<?php
/**
 * Boots Debian's WordPress inside the PHPUnit process, once.
 *
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Integration;

/**
 * Loaded lazily by the first integration test, so the unit suite that runs before it proves the
 * pure classes work without WordPress.
 */
final class WordPress {

	/**
	 * The running environment.
	 *
	 * @var Environment|null
	 */
	private static ?Environment $env = null;

	/**
	 * Installs (in a subprocess) and loads WordPress.
	 */
	public static function boot(): Environment {
		if ( null !== self::$env ) {
			return self::$env;
		}
		if ( function_exists( 'add_action' ) ) {
			throw new \LogicException( 'WordPress is already loaded by something else.' );
		}
		self::$env = Environment::create();

		require_once __DIR__ . '/wp-constants.php';
		volixta_phpunit_define_wp_constants( self::$env->site );

		// wp-settings.php expects to run at file scope; as in WordPress's own test bootstrap, the
		// globals it relies on are declared here so they do not become locals of this method.
		global $wpdb, $current_site, $current_blog, $wp_rewrite, $shortcode_tags, $wp, $phpmailer, $wp_theme_directories, $table_prefix;
		global $wp_filter, $wp_actions, $wp_current_filter, $wp_roles, $wp_query, $wp_the_query, $wp_locale, $wp_embed, $wp_widget_factory;
		require_once ABSPATH . 'wp-settings.php';
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		require_once ABSPATH . 'wp-admin/includes/admin.php';
		self::preload_core_classes();
		return self::$env;
	}

	/**
	 * WordPress 6.1's bundled Requests library declares ArrayAccess methods without PHP 8.1 return
	 * types, so PHP 8.2 prints deprecations when the class is first loaded, in the middle of
	 * whichever test makes the first HTTP call. Loading it here, with core deprecations muted,
	 * keeps test output to what the plugin itself does.
	 */
	private static function preload_core_classes(): void {
		set_error_handler(
			static fn ( int $errno, string $message, string $file ): bool => E_DEPRECATED === $errno && 0 === strpos( $file, ABSPATH )
		);
		try {
			class_exists( 'Requests_Cookie_Jar' );
			class_exists( 'Requests_Utility_CaseInsensitiveDictionary' );
		} finally {
			restore_error_handler();
		}
	}
}
