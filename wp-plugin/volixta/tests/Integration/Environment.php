<?php
/**
 * The throwaway site: a fresh database on the local MariaDB and a content folder in /tmp.
 *
 * @package Volixta
 */

declare(strict_types=1);

namespace Volixta\Tests\Integration;

/**
 * Creates, installs and removes the test site. Needs only MariaDB (root over TCP by default),
 * Debian's wordpress package and the php binary; nothing is written outside the temp dir.
 */
final class Environment {

	private const DB_PREFIX = 'volixta_phpunit_';

	/**
	 * Leftovers of killed runs older than this are dropped at start.
	 */
	private const STALE_AFTER_SECONDS = 3 * 3600;

	/**
	 * Site settings.
	 *
	 * @var array{db_name: string, db_host: string, db_user: string, db_password: string, abspath: string, content_dir: string}
	 */
	public array $site;

	private function __construct() {
		$this->site = array(
			'db_name'     => sprintf( '%s%d_%d_%s', self::DB_PREFIX, time(), getmypid(), bin2hex( random_bytes( 3 ) ) ),
			'db_host'     => getenv( 'VOLIXTA_WP_DB_HOST' ) ?: '127.0.0.1:3306',
			'db_user'     => getenv( 'VOLIXTA_WP_DB_USER' ) ?: 'root',
			'db_password' => (string) getenv( 'VOLIXTA_WP_DB_PASSWORD' ),
			'abspath'     => rtrim( getenv( 'VOLIXTA_WP_ABSPATH' ) ?: '/usr/share/wordpress', '/' ) . '/',
			'content_dir' => '',
		);
		$this->site['content_dir'] = rtrim( sys_get_temp_dir(), '/' ) . '/' . $this->site['db_name'];
	}

	/**
	 * Creates the database and content folder, installs WordPress with the plugin active.
	 *
	 * @throws \RuntimeException With what is missing.
	 */
	public static function create(): self {
		$env = new self();
		if ( ! extension_loaded( 'mysqli' ) ) {
			throw new \RuntimeException( 'PHP has no mysqli extension (apt-get install php-mysql)' );
		}
		if ( ! is_file( $env->site['abspath'] . 'wp-settings.php' ) ) {
			throw new \RuntimeException( 'WordPress not found in ' . $env->site['abspath'] . ' (apt-get install wordpress, or set VOLIXTA_WP_ABSPATH)' );
		}
		$db = $env->connect();
		$env->sweep( $db );
		$db->query( 'CREATE DATABASE `' . $env->site['db_name'] . '` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci' );
		$db->close();
		register_shutdown_function( array( $env, 'destroy' ) );

		mkdir( $env->site['content_dir'] . '/plugins', 0700, true );
		symlink( dirname( __DIR__, 2 ), $env->site['content_dir'] . '/plugins/volixta' );

		$env->run_installer();
		return $env;
	}

	/**
	 * Drops the database and removes the content folder.
	 */
	public function destroy(): void {
		try {
			$db = $this->connect();
			$db->query( 'DROP DATABASE IF EXISTS `' . $this->site['db_name'] . '`' );
			$db->close();
		} catch ( \Throwable $e ) {
			fwrite( STDERR, 'volixta tests: could not drop ' . $this->site['db_name'] . ': ' . $e->getMessage() . "\n" );
		}
		$dir = $this->site['content_dir'];
		if ( '' !== $dir && is_dir( $dir ) ) {
			$items = new \RecursiveIteratorIterator( new \RecursiveDirectoryIterator( $dir, \FilesystemIterator::SKIP_DOTS ), \RecursiveIteratorIterator::CHILD_FIRST );
			foreach ( $items as $item ) {
				// The plugin link is removed as a link, never followed into the repository.
				if ( $item->isLink() || ! $item->isDir() ) {
					unlink( $item->getPathname() );
				} else {
					rmdir( $item->getPathname() );
				}
			}
			rmdir( $dir );
		}
	}

	/**
	 * Opens a server connection.
	 *
	 * @throws \RuntimeException When MariaDB cannot be reached.
	 */
	private function connect(): \mysqli {
		[ $host, $port ] = array_pad( explode( ':', $this->site['db_host'], 2 ), 2, '3306' );
		mysqli_report( MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT );
		try {
			return new \mysqli( $host, $this->site['db_user'], $this->site['db_password'], '', (int) $port );
		} catch ( \mysqli_sql_exception $e ) {
			throw new \RuntimeException(
				sprintf( 'MariaDB at %s as %s: %s (set VOLIXTA_WP_DB_HOST, VOLIXTA_WP_DB_USER, VOLIXTA_WP_DB_PASSWORD)', $this->site['db_host'], $this->site['db_user'], $e->getMessage() ),
				0,
				$e
			);
		} finally {
			mysqli_report( MYSQLI_REPORT_OFF );
		}
	}

	/**
	 * Drops databases of earlier runs that were killed before their shutdown handler ran.
	 *
	 * @param \mysqli $db Connection.
	 */
	private function sweep( \mysqli $db ): void {
		$result = $db->query( "SHOW DATABASES LIKE 'volixta\\_phpunit\\_%'" );
		foreach ( $result->fetch_all() as $row ) {
			if ( preg_match( '/^volixta_phpunit_(\d+)_\d+_[0-9a-f]+$/D', $row[0], $m ) && (int) $m[1] < time() - self::STALE_AFTER_SECONDS ) {
				$db->query( 'DROP DATABASE IF EXISTS `' . $row[0] . '`' );
			}
		}
	}

	/**
	 * Runs install.php in its own PHP process.
	 *
	 * @throws \RuntimeException With the installer's output when it fails.
	 */
	private function run_installer(): void {
		$env = array_merge(
			getenv(),
			array(
				'VOLIXTA_PHPUNIT_DB_NAME'     => $this->site['db_name'],
				'VOLIXTA_PHPUNIT_CONTENT_DIR' => $this->site['content_dir'],
				'VOLIXTA_WP_DB_HOST'          => $this->site['db_host'],
				'VOLIXTA_WP_DB_USER'          => $this->site['db_user'],
				'VOLIXTA_WP_DB_PASSWORD'      => $this->site['db_password'],
				'VOLIXTA_WP_ABSPATH'          => $this->site['abspath'],
			)
		);
		$process = proc_open(
			array( PHP_BINARY, __DIR__ . '/install.php' ),
			array(
				1 => array( 'pipe', 'w' ),
				2 => array( 'pipe', 'w' ),
			),
			$pipes,
			null,
			$env
		);
		if ( ! is_resource( $process ) ) {
			throw new \RuntimeException( 'could not start ' . PHP_BINARY );
		}
		$out  = stream_get_contents( $pipes[1] );
		$err  = stream_get_contents( $pipes[2] );
		$code = proc_close( $process );
		if ( 0 !== $code || "installed\n" !== substr( (string) $out, -10 ) ) {
			throw new \RuntimeException( "WordPress install failed (exit $code):\n$out\n$err" );
		}
	}
}
