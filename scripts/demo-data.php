<?php
/**
 * Loads the demo data THROUGH volixta-service, with the plugin's own signed client, the way the
 * site itself talks to the service: the client record of the WordPress user `client`
 * (Ada Lovelace) and a welcome credit of 50.00 in her wallet. Then it stores the client id in the
 * user meta `_volixta_client_id`, which is how the plugin knows that a user is a client. Then a
 * location, a service and a staff member, and Ada's first booking in the next free slot. Last, a
 * client base of a few dozen for wp-admin → Volixta → Clients: statuses, groups, a few blocked,
 * two deleted. Then money and bookings: credits and reward points for some of them, upcoming
 * bookings paid in different ways (one cancelled), and gift codes in every state.
 * Safe to run again: it finds the existing client and does not credit twice.
 *
 *   php scripts/demo-data.php --url=http://127.0.0.1:8080 --db=wordpress
 */

declare(strict_types=1);

require __DIR__ . '/wp/cli.php';

$opt = volixta_cli_options( $argv );
volixta_cli_site(
	rtrim( (string) ( $opt['url'] ?? 'http://127.0.0.1:8080' ), '/' ),
	(string) ( $opt['db'] ?? ( getenv( 'VOLIXTA_WP_DB_NAME' ) ?: 'wordpress' ) )
);
require '/usr/share/wordpress/wp-load.php';

use Volixta\Api\Client;
use Volixta\Auth\Actor;

if ( ! class_exists( Client::class ) ) {
	volixta_cli_fail( 'the Volixta plugin is not active on this site (run scripts/wp-install.php first)' );
}

$user  = get_user_by( 'login', 'client' ) ?: volixta_cli_fail( 'no WordPress user `client`' );
$admin = get_user_by( 'login', 'admin' ) ?: volixta_cli_fail( 'no WordPress user `admin`' );
$uid   = (int) $user->ID;
$api   = Client::from_options();
$actor = Actor::for_user( $admin );

/** Sends one signed request and fails loudly unless the status is one of $expected. */
$call = static function ( string $method, string $path, ?array $body, array $expected, array $headers = array() ) use ( $api, $actor ) {
	$result = $api->request( $method, $path, $actor, $body, $headers );
	if ( ! in_array( $result->status, $expected, true ) ) {
		volixta_cli_fail(
			sprintf( '%s %s answered %d: %s', $method, $path, $result->status, $result->transport_error ?? $result->body )
		);
	}
	return $result;
};

// 1. The client: the one already linked to the user, or a new one, or (after a lost link) the
// one the service already has for this wp_user_id.
// Client ids are the service's (strings or numbers): kept as strings here.
$client_id = (string) get_user_meta( $uid, '_volixta_client_id', true );
if ( '' !== $client_id && 200 !== $call( 'GET', "/v1/clients/$client_id", null, array( 200, 404 ) )->status ) {
	$client_id = '';
}
if ( '' === $client_id ) {
	$created = $call(
		'POST',
		'/v1/clients',
		array(
			'first_name' => 'Ada',
			'last_name'  => 'Lovelace',
			'email'      => 'ada@example.com',
			'phone'      => '+44 20 7946 0000',
			'wp_user_id' => $uid,
		),
		array( 201, 409 )
	);
	if ( 201 === $created->status ) {
		$client_id = (string) $created->json['id'];
		volixta_cli_say( "created client $client_id (Ada Lovelace)" );
	} else {
		$found     = $call( 'GET', '/v1/clients?search=' . rawurlencode( 'ada@example.com' ), null, array( 200 ) );
		$client_id = volixta_find_client( (array) $found->json, $uid );
		if ( '' === $client_id ) {
			volixta_cli_fail( 'the service refused the client (409) and no client with e-mail ada@example.com was found: ' . wp_json_encode( $created->json ) );
		}
		volixta_cli_say( "client $client_id already exists" );
	}
	update_user_meta( $uid, '_volixta_client_id', $client_id );
}

// 2. The welcome credit, once.
$wallet   = $call( 'GET', "/v1/clients/$client_id/wallet", null, array( 200 ) )->json;
$credited = false;
foreach ( (array) ( $wallet['transactions'] ?? array() ) as $tx ) {
	$credited = $credited || ( 'Welcome credit' === ( $tx['reason'] ?? null ) );
}
if ( ! $credited ) {
	$wallet = $call(
		'POST',
		"/v1/clients/$client_id/wallet/adjustments",
		array( 'amount' => '50.00', 'reason' => 'Welcome credit' ),
		array( 201 ),
		array( 'Idempotency-Key' => "demo-welcome-credit-$client_id" )
	)->json;
	volixta_cli_say( 'credited 50.00 (Welcome credit)' );
}

// 3. A small catalog and one upcoming booking, so availability and the bookings have something
// to show. Each piece is looked up by name first, so a second run adds nothing.
$find = static function ( string $path, string $field, string $value ) use ( $call ): ?int {
	$list = (array) $call( 'GET', $path, null, array( 200 ) )->json;
	foreach ( array_is_list( $list ) ? $list : (array) ( $list['items'] ?? array() ) as $row ) {
		if ( ( $row[ $field ] ?? null ) === $value ) {
			return (int) $row['id'];
		}
	}
	return null;
};
$location_id = $find( '/v1/locations', 'name', 'Studio Central' ) ?? (int) $call(
	'POST',
	'/v1/locations',
	array(
		'name'     => 'Studio Central',
		'address'  => '1 High Street, London EC1A 1AA',
		'timezone' => 'Europe/London',
	),
	array( 201 )
)->json['id'];
$service_id  = $find( '/v1/services', 'name', 'Haircut & style' ) ?? (int) $call(
	'POST',
	'/v1/services',
	array(
		'name'                  => 'Haircut & style',
		'category'              => 'Hair',
		'duration_minutes'      => 45,
		'price'                 => '40.00',
		'buffer_before_minutes' => 0,
		'buffer_after_minutes'  => 15,
		'capacity'              => 1,
		'location_ids'          => array( $location_id ),
	),
	array( 201 )
)->json['id'];
$staff_id    = $find( '/v1/staff', 'email', 'grace@example.com' ) ?? (int) $call(
	'POST',
	'/v1/staff',
	array(
		'first_name'    => 'Grace',
		'last_name'     => 'Hopper',
		'email'         => 'grace@example.com',
		'service_ids'   => array( $service_id ),
		'working_hours' => array_map(
			static fn ( int $day ) => array( 'location_id' => $location_id, 'weekday' => $day, 'start' => '09:00', 'end' => '17:00' ),
			range( 1, 6 )
		),
	),
	array( 201 )
)->json['id'];

$upcoming = (array) $call( 'GET', "/v1/clients/$client_id/bookings", null, array( 200 ) )->json;
if ( array() === (array) ( $upcoming['bookings'] ?? array() ) ) {
	$from  = gmdate( 'Y-m-d', time() + 3 * DAY_IN_SECONDS ); // outside the default 24 h change notice: the client may cancel it online
	$to    = gmdate( 'Y-m-d', time() + 14 * DAY_IN_SECONDS );
	$days  = (array) $call( 'GET', "/v1/availability?service_id=$service_id&location_id=$location_id&from=$from&to=$to&timezone=Europe%2FLondon", null, array( 200 ) )->json['days'];
	$start = $days[0]['slots'][0]['start'] ?? volixta_cli_fail( 'the demo service has no free slot in the next two weeks' );
	$call(
		'POST',
		'/v1/bookings',
		array(
			'client_id'   => (int) $client_id,
			'service_id'  => $service_id,
			'location_id' => $location_id,
			'staff_id'    => $staff_id,
			'start'       => $start,
			'notes'       => 'First visit',
			'payment'     => array( 'method' => 'cash', 'status' => 'unpaid' ),
		),
		array( 201 ),
		array( 'Idempotency-Key' => "demo-first-booking-$client_id" )
	);
	volixta_cli_say( "booked Haircut & style with Grace Hopper at $start" );
}

// 4. A client base for the Clients screen: a few dozen clients with statuses, groups, some
// blocked, subscribed or deleted. The CSV import matches clients by e-mail, so running it again
// changes nothing; group membership is a set; deleted ones are made only when none exists yet.
$first   = array( 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'John', 'Margaret', 'Ken', 'Radia', 'Tim', 'Shafi', 'Niklaus', 'Adele', 'Dennis', 'Hedy', 'Claude', 'Sophie', 'Leslie', 'Karen', 'Vint', 'Ida', 'Linus', 'Anita', 'Guido', 'Mary', 'Bjarne', 'Jean', 'Whitfield', 'Evelyn', 'Lynn', 'Carl', 'Joan', 'Robin', 'Elena', 'Omar' );
$last    = array( 'Adams', 'Baker', 'Carter', 'Dalton', 'Evans', 'Fisher', 'Garcia', 'Hughes', 'Ivanova', 'Jensen', 'Khan', 'Larsen', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Quinn', 'Rossi', 'Silva', 'Tanaka', 'Ueda', 'Vargas', 'Weber', 'Xu', 'Young', 'Zimmer', 'Almeida', 'Brandt', 'Costa', 'Dubois', 'Eriksen', 'Fontaine', 'Gallo', 'Horvat', 'Iqbal', 'Jansen' );
$status  = array( 'VIP', 'Regular', 'New', 'Returning', 'Regular', 'New' );
$cities  = array( 'London', 'Bristol', 'Leeds', 'Brighton' );
$rows    = array( 'First name,Last name,E-mail,Phone,Status,City,Blocked,Marketing,Reminders' );
$base    = array();
foreach ( $first as $i => $name ) {
	$email  = strtolower( $name . '.' . $last[ $i ] ) . '@example.com';
	$base[] = $email;
	$rows[] = implode(
		',',
		array(
			$name,
			$last[ $i ],
			$email,
			sprintf( '+44 20 7946 %04d', 1000 + $i * 7 ),
			$status[ $i % count( $status ) ],
			$cities[ $i % count( $cities ) ],
			0 === $i % 11 ? 'yes' : 'no',
			0 === $i % 3 ? 'yes' : 'no',
			0 === $i % 2 ? 'yes' : 'no',
		)
	);
}
$report = $call( 'POST', '/v1/clients/import', array( 'csv' => implode( "\n", $rows ) . "\n" ), array( 200 ) )->json;
volixta_cli_say( sprintf( 'client base: %d rows imported or matched', count( (array) ( $report['rows'] ?? $base ) ) ) );

$ids  = array();
$page = $call( 'GET', '/v1/clients?limit=500', null, array( 200 ) )->json;
foreach ( (array) ( $page['items'] ?? array() ) as $row ) {
	$ids[ strtolower( (string) ( $row['email'] ?? '' ) ) ] = (int) $row['id'];
}
$groups = array(
	'Morning regulars' => array( 0, 4, 7, 12, 19, 23, 30 ),
	'Corporate'        => array( 2, 5, 9, 14, 27 ),
	'Newsletter'       => array( 1, 3, 6, 10, 15, 21, 26, 33 ),
);
foreach ( $groups as $group => $members ) {
	$group_id = $find( '/v1/client-groups', 'name', $group ) ?? (int) $call( 'POST', '/v1/client-groups', array( 'name' => $group ), array( 201 ) )->json['id'];
	$member_ids = array_values( array_filter( array_map( static fn ( int $i ) => $ids[ $base[ $i ] ] ?? null, $members ) ) );
	$call( 'POST', "/v1/client-groups/$group_id/members", array( 'client_ids' => $member_ids ), array( 200 ) );
}
foreach ( array( array( 'Olive', 'Gone', 'olive.gone@example.com' ), array( 'Percy', 'Past', 'percy.past@example.com' ) ) as [ $f, $l, $email ] ) {
	$existing = (array) $call( 'GET', '/v1/clients?include_deleted=true&search=' . rawurlencode( $email ), null, array( 200 ) )->json;
	if ( array() !== (array) ( $existing['items'] ?? array() ) ) {
		continue;
	}
	$gone = (int) $call( 'POST', '/v1/clients', array( 'first_name' => $f, 'last_name' => $l, 'email' => $email, 'status' => 'Regular' ), array( 201 ) )->json['id'];
	$call( 'DELETE', "/v1/clients/$gone", null, array( 200 ) );
	volixta_cli_say( "deleted client $f $l (for the Deleted view)" );
}

// 5. Money and bookings for Credits & Gifts, Bookings and the profiles' tabs: welcome credits
// and reward points for a few clients, upcoming bookings (paid, partly paid with credits, unpaid,
// one cancelled with its refund), and gift codes in every state. Each step looks for what it made
// before (by its reason, its note, or the client's bookings), so a second run adds nothing.
$has_reason = static function ( string $path, string $list, string $reason ) use ( $call ): bool {
	$rows = (array) ( $call( 'GET', $path, null, array( 200 ) )->json[ $list ] ?? array() );
	return in_array( $reason, array_map( static fn ( array $r ) => (string) ( $r['reason'] ?? '' ), $rows ), true );
};
$picked = array_values( array_filter( array_map( static fn ( int $i ) => $ids[ $base[ $i ] ] ?? null, array( 1, 3, 4, 6, 8, 13, 17, 24 ) ) ) );
foreach ( $picked as $n => $id ) {
	if ( ! $has_reason( "/v1/clients/$id/wallet", 'transactions', 'Demo welcome credit' ) ) {
		$call( 'POST', "/v1/clients/$id/wallet/adjustments", array( 'amount' => sprintf( '%d.00', 20 + 10 * $n ), 'reason' => 'Demo welcome credit' ), array( 201 ) );
	}
	if ( ! $has_reason( "/v1/clients/$id/rewards", 'entries', 'Demo loyalty points' ) ) {
		$call( 'POST', "/v1/clients/$id/rewards", array( 'points' => 50 + 25 * $n, 'reason' => 'Demo loyalty points' ), array( 201 ) );
	}
}
volixta_cli_say( sprintf( 'credits and reward points for %d clients', count( $picked ) ) );

$from  = gmdate( 'Y-m-d', time() + 2 * DAY_IN_SECONDS );
$to    = gmdate( 'Y-m-d', time() + 21 * DAY_IN_SECONDS );
$slots = array();
foreach ( (array) $call( 'GET', "/v1/availability?service_id=$service_id&location_id=$location_id&from=$from&to=$to&timezone=Europe%2FLondon", null, array( 200 ) )->json['days'] as $day ) {
	// A few a day, spread over the weeks, so the calendar has something on many days.
	foreach ( array_slice( (array) $day['slots'], 2, 40 ) as $k => $slot ) {
		if ( 0 === $k % 12 ) {
			$slots[] = $slot['start'];
		}
	}
}
$plans = array(
	array( 'method' => 'cash', 'status' => 'paid' ),
	array( 'use_wallet' => '15.00', 'method' => 'cash', 'status' => 'unpaid' ),
	array( 'method' => 'bank_transfer', 'status' => 'unpaid' ),
	array( 'use_wallet' => '20.00', 'method' => 'card', 'status' => 'paid' ),
	array( 'method' => 'card', 'status' => 'pending' ),
	array( 'use_wallet' => '10.00', 'method' => 'cash', 'status' => 'unpaid' ),
	array( 'method' => 'cash', 'status' => 'unpaid' ),
	array( 'method' => 'card', 'status' => 'paid' ),
);
$booked = 0;
foreach ( $picked as $n => $id ) {
	$mine = (array) ( $call( 'GET', "/v1/clients/$id/bookings?scope=all", null, array( 200 ) )->json['bookings'] ?? array() );
	if ( array() !== $mine || ! isset( $slots[ $n ] ) ) {
		continue;
	}
	$made = $call(
		'POST',
		'/v1/bookings',
		array(
			'client_id'   => $id,
			'service_id'  => $service_id,
			'location_id' => $location_id,
			'staff_id'    => $staff_id,
			'start'       => $slots[ $n ],
			'payment'     => $plans[ $n % count( $plans ) ],
		),
		array( 201, 409 ),
		array( 'Idempotency-Key' => "demo-booking-$id" )
	);
	if ( 201 !== $made->status ) {
		continue;
	}
	++$booked;
	if ( 5 === $n ) {
		$call( 'POST', '/v1/bookings/' . $made->json['id'] . '/cancel', array( 'reason' => 'Demo: the client could not come' ), array( 200 ) );
	}
}
volixta_cli_say( "upcoming bookings for the client base: $booked made" );

$codes = (array) ( $call( 'GET', '/v1/gift-codes?limit=500', null, array( 200 ) )->json['gift_codes'] ?? array() );
$notes = array_map( static fn ( array $c ) => (string) ( $c['note'] ?? '' ), $codes );
$gift  = static function ( string $note, array $terms ) use ( $call, $notes ): ?int {
	if ( in_array( $note, $notes, true ) ) {
		return null;
	}
	return (int) $call( 'POST', '/v1/gift-codes', $terms + array( 'note' => $note ), array( 201 ) )->json['id'];
};
$gift( 'Demo: spring promotion', array( 'value' => '15.00', 'max_redemptions' => 100, 'expires_at' => gmdate( 'Y-m-d\TH:i:s\Z', time() + 90 * DAY_IN_SECONDS ) ) );
$thanks = $gift( 'Demo: loyalty thank-you', array( 'value' => '10.00', 'max_redemptions' => 2 ) );
foreach ( null === $thanks ? array() : array_slice( $picked, 0, 2 ) as $id ) {
	$call( 'POST', "/v1/gift-codes/$thanks/apply", array( 'client_id' => $id ), array( 200 ) );
}
// Expires two seconds after it is made: the list shows it as expired from then on.
$gift( 'Demo: flash sale (expired)', array( 'value' => '5.00', 'expires_at' => gmdate( 'Y-m-d\TH:i:s\Z', time() + 2 ) ) );
$withdrawn = $gift( 'Demo: withdrawn offer', array( 'value' => '30.00' ) );
if ( null !== $withdrawn ) {
	$call( 'POST', "/v1/gift-codes/$withdrawn/revoke", null, array( 200 ) );
}
volixta_cli_say( 'gift codes: active, used up, expired and revoked' );

echo wp_json_encode(
	array(
		'client_id'      => $client_id,
		'wp_user_id'     => $uid,
		'wallet_balance' => $wallet['balance'] ?? null,
	),
	JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES
) . "\n";

/** The id of the client in a search answer (a list, or an object holding one) for this user. */
function volixta_find_client( array $answer, int $wp_user_id ): string {
	$rows = array_is_list( $answer ) ? $answer : ( $answer['items'] ?? $answer['clients'] ?? $answer['data'] ?? $answer['results'] ?? array() );
	$by_email = '';
	foreach ( (array) $rows as $row ) {
		if ( (int) ( $row['wp_user_id'] ?? 0 ) === $wp_user_id ) {
			return (string) $row['id'];
		}
		if ( '' === $by_email && 0 === strcasecmp( (string) ( $row['email'] ?? '' ), 'ada@example.com' ) ) {
			$by_email = (string) $row['id'];
		}
	}
	return $by_email;
}
