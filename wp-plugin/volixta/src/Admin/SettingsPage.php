<?php
/**
 * Settings → Volixta.
 *
 * @package Volixta
 */

namespace Volixta\Admin;

use Volixta\Api\Client;
use Volixta\Auth\Actor;
use Volixta\Http\ClientAddress;
use Volixta\Options;
use Volixta\WooCommerce\SetupSection;

/**
 * Service URL, shared secret, trusted proxies, delete-on-uninstall, and the connection test.
 *
 * Saved through admin-post.php rather than options.php: the Settings API would run its sanitize
 * callback on every update_option() too, and "blank keeps the secret" must only apply to this form.
 */
final class SettingsPage {

	public const SLUG        = 'volixta';
	public const SAVE_ACTION = 'volixta_save_settings';
	public const TEST_ACTION = 'volixta_test_connection';
	private const CAPABILITY = 'manage_options';

	public function register_hooks(): void {
		add_action( 'admin_menu', array( $this, 'add_page' ) );
		add_action( 'admin_post_' . self::SAVE_ACTION, array( $this, 'handle_save' ) );
		add_action( 'admin_post_' . self::TEST_ACTION, array( $this, 'handle_test' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( VOLIXTA_FILE ), array( $this, 'action_links' ) );
	}

	public function add_page(): void {
		add_options_page(
			__( 'Volixta', 'volixta' ),
			__( 'Volixta', 'volixta' ),
			self::CAPABILITY,
			self::SLUG,
			array( $this, 'render' )
		);
	}

	/**
	 * Adds "Settings" next to "Deactivate" on the plugins screen.
	 *
	 * @param string[] $links Existing links.
	 * @return string[]
	 */
	public function action_links( array $links ): array {
		array_unshift( $links, '<a href="' . esc_url( self::url() ) . '">' . esc_html__( 'Settings', 'volixta' ) . '</a>' );
		return $links;
	}

	public static function url( array $args = array() ): string {
		return add_query_arg( array_merge( array( 'page' => self::SLUG ), $args ), admin_url( 'options-general.php' ) );
	}

	public function render(): void {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'You are not allowed to manage Volixta settings.', 'volixta' ) );
		}
		$has_secret = '' !== Options::shared_secret();
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- display only.
		$notice = isset( $_GET['volixta_notice'] ) ? sanitize_key( wp_unslash( $_GET['volixta_notice'] ) ) : '';
		?>
		<div class="wrap">
			<h1><?php esc_html_e( 'Volixta', 'volixta' ); ?></h1>
			<?php $this->render_notice( $notice ); ?>
			<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
				<input type="hidden" name="action" value="<?php echo esc_attr( self::SAVE_ACTION ); ?>" />
				<?php wp_nonce_field( self::SAVE_ACTION ); ?>
				<table class="form-table" role="presentation">
					<tr>
						<th scope="row"><label for="volixta_service_url"><?php esc_html_e( 'Service URL', 'volixta' ); ?></label></th>
						<td>
							<input name="volixta_service_url" id="volixta_service_url" type="url" class="regular-text code" value="<?php echo esc_attr( Options::service_url() ); ?>" placeholder="<?php echo esc_attr( Options::DEFAULT_SERVICE_URL ); ?>" required />
							<p class="description"><?php esc_html_e( 'Where volixta-service listens, as seen from this web server, e.g. http://127.0.0.1:8787.', 'volixta' ); ?></p>
						</td>
					</tr>
					<tr>
						<th scope="row"><label for="volixta_shared_secret"><?php esc_html_e( 'Shared secret', 'volixta' ); ?></label></th>
						<td>
							<input name="volixta_shared_secret" id="volixta_shared_secret" type="password" class="regular-text" value="" autocomplete="new-password" />
							<p class="description">
								<?php
								if ( $has_secret ) {
									esc_html_e( 'A secret is stored. Leave blank to keep it.', 'volixta' );
								} else {
									esc_html_e( 'No secret is stored yet. Use the same value as VOLIXTA_SHARED_SECRET of the service.', 'volixta' );
								}
								?>
							</p>
						</td>
					</tr>
					<tr>
						<th scope="row"><label for="volixta_trusted_proxies"><?php esc_html_e( 'Trusted proxies', 'volixta' ); ?></label></th>
						<td>
							<textarea name="volixta_trusted_proxies" id="volixta_trusted_proxies" class="large-text code" rows="3" placeholder="10.0.0.0/8&#10;2001:db8::/32"><?php echo esc_textarea( implode( "\n", Options::trusted_proxies() ) ); ?></textarea>
							<p class="description"><?php esc_html_e( 'Only when this site runs behind reverse proxies or a load balancer: their IP addresses or CIDR ranges (IPv4 or IPv6), one per line. A request from one of them is taken to come from the right-most address in X-Forwarded-For that is not itself listed here. Leave empty when visitors reach WordPress directly: the header is then never believed, since anyone can send it.', 'volixta' ); ?></p>
						</td>
					</tr>
					<tr>
						<th scope="row"><?php esc_html_e( 'Uninstall', 'volixta' ); ?></th>
						<td>
							<label for="volixta_delete_data">
								<input name="volixta_delete_data" id="volixta_delete_data" type="checkbox" value="1" <?php checked( Options::delete_data() ); ?> />
								<?php esc_html_e( 'Delete all Volixta data (bookings, clients, wallets, invoices, settings and roles) when the plugin is deleted.', 'volixta' ); ?>
							</label>
						</td>
					</tr>
				</table>
				<?php submit_button( __( 'Save settings', 'volixta' ) ); ?>
			</form>

			<h2><?php esc_html_e( 'Connection', 'volixta' ); ?></h2>
			<p><?php esc_html_e( 'Checks that the service is running and ready, and that it accepts this site\'s signed requests.', 'volixta' ); ?></p>
			<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
				<input type="hidden" name="action" value="<?php echo esc_attr( self::TEST_ACTION ); ?>" />
				<?php wp_nonce_field( self::TEST_ACTION ); ?>
				<?php submit_button( __( 'Test connection', 'volixta' ), 'secondary', 'submit', false ); ?>
			</form>
			<?php SetupSection::render( Client::from_options() ); ?>
		</div>
		<?php
	}

	public function handle_save(): void {
		$this->guard( self::SAVE_ACTION );
		// phpcs:disable WordPress.Security.NonceVerification.Missing -- checked in guard().
		$url    = isset( $_POST['volixta_service_url'] ) ? Options::normalise_service_url( sanitize_text_field( wp_unslash( $_POST['volixta_service_url'] ) ) ) : null;
		$secret = isset( $_POST['volixta_shared_secret'] ) ? trim( (string) wp_unslash( $_POST['volixta_shared_secret'] ) ) : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- a secret is stored byte for byte; sanitize_text_field would alter it.
		$delete = ! empty( $_POST['volixta_delete_data'] );
		$relays = ClientAddress::entries( isset( $_POST['volixta_trusted_proxies'] ) ? sanitize_textarea_field( wp_unslash( $_POST['volixta_trusted_proxies'] ) ) : '' );
		// phpcs:enable

		if ( null === $url ) {
			$this->back( 'bad_url' );
		}
		if ( preg_match( '/[\x00-\x1F\x7F]/', $secret ) ) {
			$this->back( 'bad_secret' );
		}
		if ( array() !== ClientAddress::invalid( $relays ) ) {
			$this->back( 'bad_proxies' );
		}
		update_option( Options::SERVICE_URL, $url );
		if ( '' !== $secret ) {
			update_option( Options::SHARED_SECRET, $secret, false );
		}
		update_option( Options::DELETE_DATA, $delete ? '1' : '' );
		update_option( Options::TRUSTED_PROXIES, implode( "\n", $relays ) );
		$this->back( 'saved' );
	}

	public function handle_test(): void {
		$this->guard( self::TEST_ACTION );
		$result = ConnectionCheck::run( Client::from_options()->with_timeout( 5.0 ), new Actor( 'admin', get_current_user_id() ) );
		set_transient( self::result_key(), $result, 5 * MINUTE_IN_SECONDS );
		$this->back( 'tested' );
	}

	/**
	 * Shows the outcome of the last action.
	 *
	 * @param string $notice Notice key from the redirect.
	 */
	private function render_notice( string $notice ): void {
		$messages = array(
			'saved'       => array( 'success', __( 'Settings saved.', 'volixta' ) ),
			'bad_url'     => array( 'error', __( 'Not saved: the service URL must be an http:// or https:// address without query string.', 'volixta' ) ),
			'bad_secret'  => array( 'error', __( 'Not saved: the shared secret cannot contain control characters.', 'volixta' ) ),
			'bad_proxies' => array( 'error', __( 'Not saved: each trusted proxy must be an IP address or a CIDR range such as 10.0.0.0/8 or 2001:db8::/32.', 'volixta' ) ),
		);
		if ( isset( $messages[ $notice ] ) ) {
			printf( '<div class="notice notice-%1$s"><p>%2$s</p></div>', esc_attr( $messages[ $notice ][0] ), esc_html( $messages[ $notice ][1] ) );
			return;
		}
		if ( 'tested' !== $notice ) {
			return;
		}
		$result = get_transient( self::result_key() );
		if ( ! is_array( $result ) || ! isset( $result['status'], $result['message'] ) ) {
			return;
		}
		$class = ConnectionCheck::OK === $result['status'] ? 'success' : 'error';
		printf( '<div class="notice notice-%1$s"><p>%2$s</p>', esc_attr( $class ), esc_html( (string) $result['message'] ) );
		if ( ! empty( $result['detail'] ) ) {
			/* translators: %s: technical detail of the failure. */
			printf( '<p><code>%s</code></p>', esc_html( sprintf( __( 'Detail: %s', 'volixta' ), (string) $result['detail'] ) ) );
		}
		echo '</div>';
	}

	/**
	 * Capability and nonce check for the admin-post handlers.
	 *
	 * @param string $action Nonce action.
	 */
	private function guard( string $action ): void {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'You are not allowed to manage Volixta settings.', 'volixta' ), 403 );
		}
		check_admin_referer( $action );
	}

	/**
	 * Redirects back to the page with a notice.
	 *
	 * @param string $notice Notice key.
	 * @return never
	 */
	private function back( string $notice ): void {
		wp_safe_redirect( self::url( array( 'volixta_notice' => $notice ) ) );
		exit;
	}

	private static function result_key(): string {
		return 'volixta_connection_check_' . get_current_user_id();
	}
}
