<?php
/**
 * Plugin Name: Volixta development mail
 * Description: Sends WordPress's own mail to a local SMTP catcher (maildev) instead of sendmail,
 * which these machines do not have. Installed by Volixta's scripts/wp-install.php for local
 * demo and test sites only. Host and port come from VOLIXTA_WP_SMTP_HOST / VOLIXTA_WP_SMTP_PORT
 * (default 127.0.0.1:1025).
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
