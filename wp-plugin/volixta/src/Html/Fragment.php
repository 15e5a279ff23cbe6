<?php
/**
 * Filter for the HTML fragments the service renders.
 *
 * @package Volixta
 */

namespace Volixta\Html;

/**
 * The service escapes its templates; this is a second line of defence that still keeps what a
 * portal needs (forms, buttons, data- and aria- attributes) and drops scripts and event handlers.
 */
final class Fragment {

	/**
	 * Filters a whole page of the service (the unsubscribe page, which a person opens from an
	 * e-mail rather than inside a page of the site) through the allow-list plus a document's own
	 * elements, and puts back the doctype, which no allow-list keeps, so that browsers render it
	 * in standards mode. A meta element keeps only charset, name and content: no http-equiv
	 * (a refresh could send the visitor elsewhere).
	 *
	 * @param string $html Page from the service.
	 */
	public static function document( string $html ): string {
		$allowed = self::allowed_html() + array(
			'html'  => array(
				'lang' => true,
				'dir'  => true,
			),
			'head'  => array(),
			'meta'  => array(
				'charset' => true,
				'name'    => true,
				'content' => true,
			),
			'title' => array(),
			'body'  => array(),
		);
		$html    = (string) preg_replace( '#^\s*<!DOCTYPE\s+html\s*>#i', '', $html );
		return "<!DOCTYPE html>\n" . ltrim( self::sanitize( $html, $allowed ) );
	}

	/**
	 * Filters a fragment through the allow-list.
	 *
	 * @param string                                 $html    Fragment from the service.
	 * @param array<string,array<string,mixed>>|null $allowed Allow-list in wp_kses() format; the fragments' by default.
	 */
	public static function sanitize( string $html, ?array $allowed = null ): string {
		// wp_kses() would drop <style> but keep its text, printing the template's CSS on the page;
		// style blocks are set aside, checked on their own, and put back where they were.
		$token  = 'vxstyle' . bin2hex( random_bytes( 8 ) ) . 'n';
		$styles = array();
		$html   = (string) preg_replace_callback(
			'#<style\b[^>]*>(.*?)</style\s*>#is',
			static function ( array $m ) use ( $token, &$styles ): string {
				$styles[] = self::style_block( $m[1] );
				return $token . ( count( $styles ) - 1 ) . 'x';
			},
			$html
		);
		$clean = self::kses( $html, $allowed ?? self::allowed_html() );
		return (string) preg_replace_callback(
			'#' . $token . '(\d+)x#',
			static fn ( array $m ): string => $styles[ (int) $m[1] ] ?? '',
			$clean
		);
	}

	/**
	 * Exactly wp_kses(): the same steps on the whole fragment, and every token of the same split
	 * judged by WordPress's own wp_kses_split2(), but each distinct token only once. A rendered
	 * list repeats the same tags hundreds of times (`<td class="…">`, `</tr>`, a badge), and
	 * judging a tag (parsing its attributes, checking each against the allow-list and URL
	 * schemes) is where wp_kses() spends its time; a token's verdict depends on nothing but the
	 * token, the allow-list and the schemes, so a repeat gets the first one's.
	 *
	 * The pattern is wp_kses_split()'s. Newer WordPress splits comment-like tokens (`</1>`,
	 * `<!x>`) with alternatives of their own, but those match the very spans this pattern
	 * matches, and wp_kses_split2() is what then treats them as comments.
	 *
	 * @param string                            $html    Fragment without its style blocks.
	 * @param array<string,array<string,mixed>> $allowed Allow-list in wp_kses() format.
	 */
	public static function kses( string $html, array $allowed ): string {
		$protocols = wp_allowed_protocols();
		$html      = wp_kses_no_null( $html, array( 'slash_zero' => 'keep' ) );
		$html      = wp_kses_normalize_entities( $html );
		$html      = wp_kses_hook( $html, $allowed, $protocols );
		$judged    = array();
		return (string) preg_replace_callback(
			'%(<!--.*?(-->|$))|(<[^>]*(>|$)|>)%',
			static function ( array $m ) use ( &$judged, $allowed, $protocols ): string {
				return $judged[ $m[0] ] ??= (string) wp_kses_split2( $m[0], $allowed, $protocols );
			},
			$html
		);
	}

	/**
	 * A <style> element for template CSS, or "" when the CSS could break out of it or run code.
	 *
	 * @param string $css Content of a style element.
	 */
	private static function style_block( string $css ): string {
		if ( preg_match( '#<|expression\s*\(|javascript:|behavior\s*:|-moz-binding#i', $css ) ) {
			return '';
		}
		return '<style>' . $css . '</style>';
	}

	/**
	 * The post allow-list plus form controls and the attributes portal scripts rely on.
	 *
	 * @return array<string,array<string,mixed>>
	 */
	public static function allowed_html(): array {
		$extra_global = array(
			'hidden'           => true,
			'tabindex'         => true,
			'aria-live'        => true,
			'aria-atomic'      => true,
			'aria-busy'        => true,
			'aria-controls'    => true,
			'aria-current'     => true,
			'aria-disabled'    => true,
			'aria-expanded'    => true,
			'aria-haspopup'    => true,
			'aria-invalid'     => true,
			'aria-modal'       => true,
			'aria-pressed'     => true,
			'aria-required'    => true,
			'aria-selected'    => true,
			'aria-errormessage' => true,
		);
		$form_controls = array(
			'form'     => array(
				'action'         => true,
				'method'         => true,
				'enctype'        => true,
				'accept-charset' => true,
				'autocomplete'   => true,
				'novalidate'     => true,
				'name'           => true,
				'target'         => true,
			),
			'input'    => array(
				'type'         => true,
				'name'         => true,
				'value'        => true,
				'checked'      => true,
				'disabled'     => true,
				'readonly'     => true,
				'required'     => true,
				'min'          => true,
				'max'          => true,
				'step'         => true,
				'minlength'    => true,
				'maxlength'    => true,
				'pattern'      => true,
				'placeholder'  => true,
				'autocomplete' => true,
				'inputmode'    => true,
				'size'         => true,
				'multiple'     => true,
				'accept'       => true,
				'list'         => true,
				'form'         => true,
				// The row a form just added takes the cursor (the htmx glue focuses it).
				'autofocus'    => true,
			),
			'select'   => array(
				'name'         => true,
				'disabled'     => true,
				'required'     => true,
				'multiple'     => true,
				'size'         => true,
				'autocomplete' => true,
				'form'         => true,
			),
			'option'   => array(
				'value'    => true,
				'selected' => true,
				'disabled' => true,
				'label'    => true,
			),
			'optgroup' => array(
				'label'    => true,
				'disabled' => true,
			),
			// An e-mail's preview: its HTML as an iframe's srcdoc, kept only sandboxed with no
			// permission at all (no script, no form, a unique origin), so nothing an e-mail holds
			// can act in wp-admin; any other iframe loses its attributes and shows nothing.
			'iframe'   => array(
				'srcdoc'  => array( 'required' => true ),
				'sandbox' => array(
					'required' => true,
					'values'   => array( '' ),
				),
				'title'   => true,
				'loading' => true,
			),
			'datalist' => array(),
			'output'   => array(
				'for'  => true,
				'name' => true,
			),
			'time'     => array( 'datetime' => true ),
			'dialog'   => array( 'open' => true ),
			'progress' => array(
				'value' => true,
				'max'   => true,
			),
			'meter'    => array(
				'value'   => true,
				'min'     => true,
				'max'     => true,
				'low'     => true,
				'high'    => true,
				'optimum' => true,
			),
		);
		$extra_attributes = array(
			// An invoker button opens and closes a <dialog> without script (command="show-modal").
			'button'   => array(
				'form'       => true,
				'autofocus'  => true,
				'command'    => true,
				'commandfor' => true,
			),
			'textarea' => array(
				'required'     => true,
				'placeholder'  => true,
				'maxlength'    => true,
				'minlength'    => true,
				'autocomplete' => true,
				'form'         => true,
			),
			'label'    => array( 'for' => true ),
			// The file name of a data-volixta-download link.
			'a'        => array( 'download' => true ),
			'details'  => array( 'open' => true ),
		);

		$allowed = wp_kses_allowed_html( 'post' );
		foreach ( $form_controls as $tag => $attributes ) {
			$allowed[ $tag ] = array_merge( $allowed[ $tag ] ?? array(), $attributes );
		}
		foreach ( $extra_attributes as $tag => $attributes ) {
			$allowed[ $tag ] = array_merge( $allowed[ $tag ] ?? array(), $attributes );
		}
		foreach ( $allowed as $tag => $attributes ) {
			$allowed[ $tag ] = array_merge( _wp_add_global_attributes( is_array( $attributes ) ? $attributes : array() ), $extra_global );
		}

		/**
		 * Filters the tags and attributes kept in service-rendered fragments.
		 *
		 * @param array<string,array<string,mixed>> $allowed Allow-list in wp_kses() format.
		 */
		return (array) apply_filters( 'volixta_fragment_allowed_html', $allowed );
	}
}
