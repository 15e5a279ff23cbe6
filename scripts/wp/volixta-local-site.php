<?php
/**
 * Plugin Name: Volixta local site
 * Description: For local demo and test sites only (installed by Volixta's scripts/wp-install.php,
 * mounted by docker-compose.yml). Sends WordPress's own mail to a local SMTP catcher (maildev)
 * instead of sendmail, which these machines do not have: host and port from
 * VOLIXTA_WP_SMTP_HOST / VOLIXTA_WP_SMTP_PORT (default 127.0.0.1:1025). On sites that block
 * outside HTTP, it also answers wordpress.org's update checks offline. VOLIXTA_WP_SERVICE_URL and
 * VOLIXTA_WP_SHARED_SECRET, when set, take the place of the plugin's two settings.
 */

add_action(
	'phpmailer_init',
	static function ( $mailer ): void {
		$host = getenv( 'VOLIXTA_WP_SMTP_HOST' );
		$port = getenv( 'VOLIXTA_WP_SMTP_PORT' );
		$mailer->isSMTP();
		$mailer->Host        = $host ? $host : '127.0.0.1';
		$mailer->Port        = $port ? (int) $port : 1025;
		$mailer->SMTPAuth    = false;
		$mailer->SMTPSecure  = '';
		$mailer->SMTPAutoTLS = false;
		$mailer->Timeout     = 5;
	}
);

// The local sites of scripts/wp/config.php block outside HTTP (these machines have no network).
// Answer wordpress.org's update and translation checks at once with "unavailable", which
// WordPress takes quietly, instead of letting each blocked call log a warning.
add_filter(
	'pre_http_request',
	static function ( $pre, $args, $url ) {
		$host = (string) wp_parse_url( $url, PHP_URL_HOST );
		if ( defined( 'WP_HTTP_BLOCK_EXTERNAL' ) && WP_HTTP_BLOCK_EXTERNAL
			&& ( 'wordpress.org' === $host || str_ends_with( $host, '.wordpress.org' ) ) ) {
			return array(
				'headers'  => array(),
				'body'     => '',
				'response' => array(
					'code'    => 503,
					'message' => 'Service Unavailable',
				),
				'cookies'  => array(),
				'filename' => null,
			);
		}
		return $pre;
	},
	10,
	3
);

// docker-compose.yml hands the plugin its settings through the environment, so that a fresh
// container needs no trip to Settings → Volixta. Unset (the demo, the tests): the stored options.
foreach ( array(
	'volixta_service_url'   => 'VOLIXTA_WP_SERVICE_URL',
	'volixta_shared_secret' => 'VOLIXTA_WP_SHARED_SECRET',
) as $volixta_option => $volixta_var ) {
	$volixta_value = getenv( $volixta_var );
	if ( is_string( $volixta_value ) && '' !== $volixta_value ) {
		add_filter( "pre_option_$volixta_option", static fn() => $volixta_value );
	}
}
unset( $volixta_option, $volixta_var, $volixta_value );
