<?php
/**
 * The site's own pages that hold Volixta's shortcodes (the portal, the booking form).
 *
 * @package Volixta
 */

namespace Volixta\Site;

/**
 * Finds the first published page holding a shortcode, and remembers the answer in one autoloaded
 * option: every portal render names the booking form page to the service, and a search of the
 * posts on each render would cost more than the render itself. Saving, trashing or deleting a
 * page, or changing the permalinks, forgets the answers.
 */
final class Pages {

	private const OPTION = 'volixta_site_pages';

	public function register_hooks(): void {
		add_action( 'save_post_page', array( self::class, 'forget' ) );
		add_action( 'trashed_post', array( self::class, 'forget' ) );
		add_action( 'deleted_post', array( self::class, 'forget' ) );
		add_action( 'update_option_permalink_structure', array( self::class, 'forget' ) );
		add_action( 'update_option_home', array( self::class, 'forget' ) );
	}

	public static function forget(): void {
		delete_option( self::OPTION );
	}

	/**
	 * The address of the first published page (lowest id) that uses shortcode `$tag`.
	 *
	 * @param string $tag Shortcode tag, without brackets.
	 */
	public static function url_of( string $tag ): ?string {
		$known = get_option( self::OPTION );
		$known = is_array( $known ) ? $known : array();
		if ( array_key_exists( $tag, $known ) && is_string( $known[ $tag ] ) ) {
			return '' === $known[ $tag ] ? null : $known[ $tag ];
		}
		$url           = self::search( $tag );
		$known[ $tag ] = $url ?? '';
		update_option( self::OPTION, $known, true );
		return $url;
	}

	private static function search( string $tag ): ?string {
		$pages = get_posts(
			array(
				'post_type'      => 'page',
				'post_status'    => 'publish',
				's'              => '[' . $tag,
				'posts_per_page' => 5,
				'orderby'        => 'ID',
				'order'          => 'ASC',
			)
		);
		foreach ( $pages as $page ) {
			if ( has_shortcode( $page->post_content, $tag ) ) {
				$url = get_permalink( $page );
				return is_string( $url ) && '' !== $url ? $url : null;
			}
		}
		return null;
	}
}
