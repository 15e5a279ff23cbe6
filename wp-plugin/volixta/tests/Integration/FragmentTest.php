<?php
/**
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Integration;

use Volixta\Html\Fragment;

/**
 * The fragments' filter judges each distinct tag once; whatever it is given, it must answer
 * byte for byte what wp_kses() answers with the same allow-list, hostile input above all.
 */
final class FragmentTest extends WordPressTestCase {

	/**
	 * Markup that tries to get script, handlers or foreign URLs past the filter, or to confuse
	 * its split of the text into tokens.
	 *
	 * @return array<string,array{0:string}>
	 */
	public static function hostile(): array {
		return array(
			'script element'              => array( '<p>a</p><script>alert(1)</script><p>b</p>' ),
			'split script'                => array( '<scr<script>ipt>alert(1)</scr</script>ipt>' ),
			'handler attribute'           => array( '<img src="x" onerror="alert(1)"><button onclick=alert(1) type=button>b</button>' ),
			'handler without quotes'      => array( '<a href=/x onmouseover=alert(1)>x</a>' ),
			'javascript link'             => array( '<a href="javascript:alert(1)">x</a><a href="JaVaScRiPt:alert(1)">y</a>' ),
			'encoded scheme'              => array( '<a href="jav&#x61;script:alert(1)">x</a><a href="jav&#97;script:alert(1)">y</a><a href="java&#x09;script:alert(1)">z</a>' ),
			'scheme with spaces'          => array( '<a href=" javascript:alert(1)">x</a><a href="java script:alert(1)">y</a>' ),
			'data and vbscript'           => array( '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a><a href="vbscript:msgbox">y</a>' ),
			'form action and formaction'  => array( '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x</button></form>' ),
			'style attribute'             => array( '<div style="background:url(javascript:alert(1));color:red">x</div><p style="behavior:url(x.htc)">y</p>' ),
			'comments'                    => array( "<!-- <script>alert(1)</script> --><!-- a\n<img src=x onerror=alert(1)>\n -->x<!--- --->" ),
			'unclosed comment'            => array( '<p>x</p><!-- <script>alert(1)</script>' ),
			'comment-like tokens'         => array( '</1><!x onmouseover=alert(1)></ script><!doctype html>' ),
			'unclosed tag at the end'     => array( '<p>x</p><a href="javascript:alert(1)" title="' ),
			'lone brackets'               => array( 'a < b > c <<a href="/x">>d</a> 1<2 &lt;x&gt;' ),
			'null bytes'                  => array( "<a\0 href=\"javascript:alert(1)\">x</a><scr\0ipt>y</script>\\0" ),
			'entities'                    => array( '&#0;&#x0;&amp;&nbsp;&#60;script&#62;&notanentity;&#1114112;&#xD800;' ),
			'svg and math'                => array( '<svg onload=alert(1)><script>alert(2)</script></svg><math><mtext><img src=x onerror=alert(3)></mtext></math>' ),
			'iframe object embed'         => array( '<iframe src="https://evil.example"></iframe><object data="x"></object><embed src="x">' ),
			'iframes not fully sandboxed' => array( '<iframe sandbox="allow-scripts allow-same-origin" srcdoc="&lt;script&gt;parent.alert(1)&lt;/script&gt;"></iframe><iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe><iframe sandbox src="https://evil.example"></iframe>' ),
			'meta refresh and base'       => array( '<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><base href="https://evil.example/">' ),
			'uppercase and odd spacing'   => array( '<A HREF="JAVASCRIPT:alert(1)">x</A><IMG SRC = "x" ONERROR = "alert(1)"><p	title=a	onclick=b>c</p>' ),
			'slash between attributes'    => array( '<img/src="x"/onerror="alert(1)"><a/href="javascript:alert(1)">x</a>' ),
			'duplicate attributes'        => array( '<a href="/ok" href="javascript:alert(1)">x</a><input type="text" type="image" src="x">' ),
			'allowed extras'              => array( '<form method="post" action="/book"><input name="a" value="&quot;x&quot;" data-x="1" aria-invalid="true" autofocus><select name="s"><option value="1" selected>1</option></select><dialog open><button command="show-modal" commandfor="d">o</button></dialog><details open><summary>s</summary></details></form>' ),
			'data and aria attributes'    => array( '<div data-volixta-action="bookings/7/cancel" data-hx-post="x" aria-expanded="false" hidden tabindex="-1">x</div><div data-on="y" data-="z" data-x:y="w">z</div>' ),
			'quotes inside values'        => array( "<p title='a\"b' class=\"c'd\" data-x=e\"f>x</p><a title=\"&quot;><script>alert(1)</script>\">y</a>" ),
			'self-closing'                => array( '<br/><br /><input type="checkbox" checked /><img src="/x.png" alt="" / >' ),
			'protocol-relative and urls'  => array( '<a href="//evil.example">x</a><a href="/relative?a=1&b=2">y</a><a href="mailto:a@b.c">z</a><a href="https://ok.example/?q=&quot;">w</a>' ),
		);
	}

	/**
	 * @dataProvider hostile
	 *
	 * @param string $html Markup.
	 */
	public function test_it_answers_what_wp_kses_answers( string $html ): void {
		$allowed = Fragment::allowed_html();
		self::assertSame( wp_kses( $html, $allowed ), Fragment::kses( $html, $allowed ) );
	}

	public function test_repeated_tags_get_the_same_verdict_every_time(): void {
		$allowed = Fragment::allowed_html();
		$all     = implode( "\n", array_map( static fn ( array $c ): string => $c[0], self::hostile() ) );
		$rows    = '';
		for ( $i = 0; $i < 50; $i++ ) {
			$rows .= '<tr class="vx-row"><td class="column-name" data-colname="Name"><a href="?page=volixta-clients&amp;client=' . $i . '">Ann ' . $i . '</a></td>'
				. '<td><span class="vx-badge">VIP</span><img src="x" onerror="alert(' . ( $i % 3 ) . ')"></td></tr>';
		}
		$html = $all . $rows . $all . $rows;
		self::assertSame( wp_kses( $html, $allowed ), Fragment::kses( $html, $allowed ) );
	}

	public function test_an_e_mail_preview_stays_only_in_a_sandbox_without_permissions(): void {
		$srcdoc = '&lt;p onclick=&quot;x()&quot;&gt;Hi&lt;/p&gt;&lt;script&gt;parent.alert(1)&lt;/script&gt;';
		$kept   = Fragment::sanitize( '<iframe title="Preview" sandbox srcdoc="' . $srcdoc . '"></iframe>' );
		self::assertStringContainsString( ' sandbox', $kept );
		self::assertStringContainsString( 'srcdoc="' . $srcdoc . '"', $kept );
		foreach ( array( 'sandbox="allow-scripts"', 'sandbox="allow-same-origin allow-scripts"', '' ) as $sandbox ) {
			self::assertSame(
				'<iframe></iframe>',
				Fragment::sanitize( '<iframe ' . $sandbox . ' srcdoc="' . $srcdoc . '"></iframe>' ),
				$sandbox
			);
		}
		self::assertSame( '<iframe></iframe>', Fragment::sanitize( '<iframe sandbox src="https://evil.example"></iframe>' ) );
	}

	public function test_the_fragment_filter_keeps_the_template_and_drops_what_kses_drops(): void {
		$html = '<section class="volixta-portal" data-volixta-fragment="customer_profile"><style>.vx{color:red}</style>'
			. '<a href="javascript:alert(1)" data-hx-get="render/x">x</a><img src=x onerror=alert(1)><script>alert(2)</script></section>';
		self::assertSame(
			'<section class="volixta-portal" data-volixta-fragment="customer_profile"><style>.vx{color:red}</style>'
			. '<a href="alert(1)" data-hx-get="render/x">x</a><img src="x">alert(2)</section>',
			Fragment::sanitize( $html )
		);
	}
}
