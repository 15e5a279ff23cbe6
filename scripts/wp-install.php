<?php
/**
 * Installs a local WordPress site with the Volixta plugin, without questions (there is no wp-cli
 * here). Used by `make demo` and by the end-to-end test; safe to run again (it skips what exists).
 *
 *   php scripts/wp-install.php --url=http://127.0.0.1:8080 --db=wordpress \
 *       --service-url=http://127.0.0.1:8787 --secret=SECRET [--recreate-db] [--plugin-dir=DIR]
 *
 * It writes /etc/wordpress/config-<host>.php (database settings from the environment, see
 * scripts/wp/config.php), links the plugin into the content folder's plugins/volixta (the content
 * folder is /var/lib/wordpress/wp-content, or VOLIXTA_WP_CONTENT_DIR),
 * installs a mu-plugin that sends WordPress's mail to maildev, creates the database, runs
 * wp_install(), activates the plugin (which runs its activation hook), sets the plugin's options,
 * creates the "My account" page with [volixta_customer_profile], and the users `admin`,
 * `manager` and `client` (Ada Lovelace). Prints a JSON summary on standard output.
 */

declare(strict_types=1);

require __DIR__ . '/wp/cli.php';

$opt         = volixta_cli_options( $argv );
$url         = rtrim( (string) ( $opt['url'] ?? 'http://127.0.0.1:8080' ), '/' );
$db          = (string) ( $opt['db'] ?? ( getenv( 'VOLIXTA_WP_DB_NAME' ) ?: 'wordpress' ) );
$service_url = (string) ( $opt['service-url'] ?? 'http://127.0.0.1:8787' );
$secret      = (string) ( $opt['secret'] ?? '' );
$plugin_dir  = realpath( (string) ( $opt['plugin-dir'] ?? dirname( __DIR__ ) . '/wp-plugin/volixta' ) );
$content_dir = rtrim( getenv( 'VOLIXTA_WP_CONTENT_DIR' ) ?: '/var/lib/wordpress/wp-content', '/' );

if ( '' === $secret ) {
	volixta_cli_fail( '--secret is required (the secret shared with volixta-service)' );
}
if ( ! preg_match( '/^[A-Za-z0-9_]+$/', $db ) ) {
	volixta_cli_fail( "database name must be [A-Za-z0-9_]+: $db" );
}
if ( false === $plugin_dir || ! is_dir( $plugin_dir ) ) {
	volixta_cli_fail( 'plugin folder not found: ' . ( $opt['plugin-dir'] ?? 'wp-plugin/volixta' ) );
}
volixta_cli_site( $url, $db );

// 1. Files outside the repository: host config, content folder, plugin link, mail mu-plugin.
$host = strtolower( (string) parse_url( $url, PHP_URL_HOST ) );
foreach ( array( 'plugins', 'mu-plugins', 'uploads' ) as $sub ) {
	is_dir( "$content_dir/$sub" ) || mkdir( "$content_dir/$sub", 0755, true ) || volixta_cli_fail( "cannot create $content_dir/$sub" );
}
if ( ! file_exists( "$content_dir/themes" ) ) { // a content folder of its own still uses Debian's themes
	symlink( '/usr/share/wordpress/wp-content/themes', "$content_dir/themes" ) || volixta_cli_fail( "cannot link $content_dir/themes" );
}
volixta_install_file( __DIR__ . '/wp/config.php', "/etc/wordpress/config-$host.php" );
volixta_install_file( __DIR__ . '/wp/volixta-local-site.php', "$content_dir/mu-plugins/volixta-local-site.php" );
$link = "$content_dir/plugins/volixta";
if ( ! is_link( $link ) || readlink( $link ) !== $plugin_dir ) {
	if ( is_link( $link ) ) {
		unlink( $link );
	} elseif ( file_exists( $link ) ) {
		volixta_cli_fail( "$link exists and is not a link: move it away" );
	}
	symlink( $plugin_dir, $link ) || volixta_cli_fail( "cannot link $link" );
	volixta_cli_say( "linked $link -> $plugin_dir" );
}

// 2. The database.
$db_host = getenv( 'VOLIXTA_WP_DB_HOST' ) ?: '127.0.0.1:3306';
[ $h, $p ] = array_pad( explode( ':', $db_host, 2 ), 2, '3306' );
mysqli_report( MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT );
try {
	$mysql = new mysqli( $h, getenv( 'VOLIXTA_WP_DB_USER' ) ?: 'root', (string) getenv( 'VOLIXTA_WP_DB_PASSWORD' ), '', (int) $p );
	if ( isset( $opt['recreate-db'] ) ) {
		$mysql->query( "DROP DATABASE IF EXISTS `$db`" );
		volixta_cli_say( "dropped database $db" );
	}
	$mysql->query( "CREATE DATABASE IF NOT EXISTS `$db` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci" );
	$mysql->close();
} catch ( mysqli_sql_exception $e ) {
	volixta_cli_fail( "MariaDB at $db_host: " . $e->getMessage() );
}

// 3. WordPress itself.
define( 'WP_INSTALLING', true );
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

if ( ! is_blog_installed() ) {
	$result = wp_install( 'Volixta demo', 'admin', 'admin@example.com', true, '', 'admin' );
	volixta_cli_say( "installed WordPress in database $db" );
	update_option( 'admin_email_lifespan', time() + YEAR_IN_SECONDS ); // no "confirm your e-mail" screen
}
update_option( 'siteurl', $url );
update_option( 'home', $url );
update_option( 'blogdescription', 'Bookings, client portal and CRM by Volixta' );
if ( '/%postname%/' !== get_option( 'permalink_structure' ) ) {
	global $wp_rewrite;
	$wp_rewrite->set_permalink_structure( '/%postname%/' );
	flush_rewrite_rules( false );
}

// 4. The plugin: activate_plugin() runs its activation hook (writing active_plugins would not).
$plugin_file = null;
foreach ( array_keys( get_plugins() ) as $file ) {
	if ( str_starts_with( $file, 'volixta/' ) ) {
		$plugin_file = $file;
		break;
	}
}
if ( null === $plugin_file ) {
	volixta_cli_fail( "no plugin header found in $plugin_dir" );
}
if ( ! is_plugin_active( $plugin_file ) ) {
	$activated = activate_plugin( $plugin_file );
	if ( is_wp_error( $activated ) ) {
		volixta_cli_fail( "activating $plugin_file: " . $activated->get_error_message() );
	}
	volixta_cli_say( "activated $plugin_file" );
}
update_option( 'volixta_service_url', $service_url );
update_option( 'volixta_shared_secret', $secret );

// 5. The client portal page.
$page = get_page_by_path( 'my-account' );
if ( ! $page ) {
	$page_id = wp_insert_post(
		array(
			'post_type'    => 'page',
			'post_status'  => 'publish',
			'post_title'   => 'My account',
			'post_name'    => 'my-account',
			'post_content' => "<!-- wp:shortcode -->\n[volixta_customer_profile]\n<!-- /wp:shortcode -->",
		),
		true
	);
	if ( is_wp_error( $page_id ) ) {
		volixta_cli_fail( 'creating the My account page: ' . $page_id->get_error_message() );
	}
	volixta_cli_say( 'created the My account page' );
} else {
	$page_id = $page->ID;
}

// 5b. The public booking form page.
$booking_page = get_page_by_path( 'book' );
if ( ! $booking_page ) {
	$booking_page_id = wp_insert_post(
		array(
			'post_type'    => 'page',
			'post_status'  => 'publish',
			'post_title'   => 'Book online',
			'post_name'    => 'book',
			'post_content' => "<!-- wp:shortcode -->\n[volixta_booking_form]\n<!-- /wp:shortcode -->",
		),
		true
	);
	if ( is_wp_error( $booking_page_id ) ) {
		volixta_cli_fail( 'creating the Book online page: ' . $booking_page_id->get_error_message() );
	}
	volixta_cli_say( 'created the Book online page' );
} else {
	$booking_page_id = $booking_page->ID;
}

// 6. Users. The passwords are reset on every run so that the printed logins always work.
$manager_role = get_role( 'volixta_manager' ) ? 'volixta_manager' : 'editor';
$users        = array(
	'admin'   => volixta_ensure_user( 'admin', 'admin', 'admin@example.com', 'Site', 'Admin', 'administrator' ),
	'manager' => volixta_ensure_user( 'manager', 'manager', 'manager@example.com', 'Grace', 'Hopper', $manager_role ),
	'client'  => volixta_ensure_user( 'client', 'client', 'ada@example.com', 'Ada', 'Lovelace', 'subscriber' ),
);

echo wp_json_encode(
	array(
		'site'        => home_url( '/' ),
		'account_url' => get_permalink( $page_id ),
		'booking_url' => get_permalink( $booking_page_id ),
		'admin_url'   => admin_url(),
		'login_url'   => wp_login_url(),
		'page_id'     => $page_id,
		'users'       => $users,
		'plugin'      => $plugin_file,
	),
	JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES
) . "\n";

function volixta_install_file( string $from, string $to ): void {
	$content = (string) file_get_contents( $from );
	if ( is_file( $to ) && file_get_contents( $to ) === $content ) {
		return;
	}
	if ( ! is_dir( dirname( $to ) ) && ! mkdir( dirname( $to ), 0755, true ) ) {
		volixta_cli_fail( 'cannot create ' . dirname( $to ) );
	}
	if ( false === file_put_contents( $to, $content ) ) {
		volixta_cli_fail( "cannot write $to (run as root)" );
	}
	volixta_cli_say( "wrote $to" );
}

function volixta_ensure_user( string $login, string $password, string $email, string $first, string $last, string $role ): int {
	$user = get_user_by( 'login', $login );
	if ( $user ) {
		$id = $user->ID;
		wp_set_password( $password, $id );
	} else {
		$id = wp_insert_user(
			array(
				'user_login' => $login,
				'user_pass'  => $password,
				'user_email' => $email,
				'first_name' => $first,
				'last_name'  => $last,
				'role'       => $role,
			)
		);
		if ( is_wp_error( $id ) ) {
			volixta_cli_fail( "creating user $login: " . $id->get_error_message() );
		}
		volixta_cli_say( "created user $login ($role)" );
	}
	wp_update_user(
		array(
			'ID'           => $id,
			'display_name' => "$first $last",
			'first_name'   => $first,
			'last_name'    => $last,
			'role'         => $role,
		)
	);
	return (int) $id;
}
