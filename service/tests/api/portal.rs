//! The client portal: cards, calendar and history on the client's clock, a booking's sheet in
//! four tabs, cancelling and rescheduling within the rules, the wallet's gift code, the profile
//! form; and a client never sees or acts on another client's booking.
use crate::admin_bookings::booked;
use crate::admin_client::post;
use crate::bookings::{Shop, at, booking, client, credit, massage, rfc, shop};
use crate::helpers::*;
use mysql_async::prelude::Queryable;
use reqwest::StatusCode;
use serde_json::json;

const PORTAL: &str = "/v1/render/customer_profile";

#[tokio::test]
async fn the_portal_fragment_shows_name_and_balance_escaped() {
    let app = TestApp::spawn().await;
    let c = app.create_client(json!({"first_name": "Ada", "last_name": "<b>Lovelace</b>", "wp_user_id": 42, "email": "ada@example.com"})).await;
    app.post(
        &format!("/v1/clients/{}/wallet/adjustments", c["id"]),
        MANAGER,
        &json!({"amount": "50.00", "reason": "Welcome & thanks"}),
    )
    .await;
    let res = app.get("/v1/render/customer_profile", "client:42").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.content_type.starts_with("text/html"),
        "{}",
        res.content_type
    );
    assert!(
        res.text
            .contains(r#"data-volixta-fragment="customer_profile""#)
    );
    assert!(
        res.text.contains("Ada &lt;b&gt;Lovelace&lt;&#x2f;b&gt;"),
        "{}",
        res.text
    );
    assert!(!res.text.contains("<b>Lovelace"));
    assert!(res.text.contains("€50.00"));
    assert!(res.text.contains("Welcome &amp; thanks"));
}

#[tokio::test]
async fn only_a_linked_client_gets_a_portal() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.get("/v1/render/customer_profile", "client:99")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/v1/render/customer_profile", MANAGER).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/v1/render/customer_profile", "guest:0")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

async fn portal(app: &TestApp, actor: &str, query: &str) -> String {
    let res = app.get(&format!("{PORTAL}?{query}"), actor).await;
    assert_eq!(res.status, StatusCode::OK, "{query}: {}", res.text);
    assert!(res.content_type.starts_with("text/html"));
    res.text
}

/// A shop whose location keeps Paris time, open all day every day.
async fn paris_shop(app: &TestApp) -> Shop {
    let s = shop(app, massage()).await;
    let res = app
        .patch(
            &format!("/v1/locations/{}", s.location),
            MANAGER,
            &json!({"name": "Main street", "timezone": "Europe/Paris"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    s
}

/// Moves a booking into the past, where nobody may book, to fill a history.
async fn into_the_past(app: &TestApp, booking: u64, days: i64) {
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    conn.query_drop(app.db.sql(&format!(
        "UPDATE {{p}}volixta_bookings SET start_at = start_at - INTERVAL {days} DAY, \
         end_at = end_at - INTERVAL {days} DAY WHERE id = {booking}"
    )))
    .await
    .expect("update");
}

/// The ids of the cards in a part of the page, in order.
fn cards(part: &str) -> Vec<u64> {
    part.split("data-booking-id=\"")
        .skip(1)
        .map(|rest| {
            rest.split('"')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("an id")
        })
        .collect()
}

/// A time as the portal prints it for the default (American English) locale.
fn clock(t: chrono::DateTime<chrono::Utc>, zone: chrono_tz::Tz) -> String {
    t.with_timezone(&zone).format("%-I:%M %p").to_string()
}

async fn history_ids(app: &TestApp, query: &str) -> Vec<u64> {
    cards(section(&portal(app, "client:42", query).await, "history"))
}

fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"volixta-portal-{id}\""))
        .unwrap_or_else(|| panic!("no section {id}:\n{page}"));
    let rest = &page[start..];
    rest.find("</section>").map_or(rest, |end| &rest[..end])
}

#[tokio::test]
async fn cards_calendar_and_history_are_on_the_clients_clock() {
    let app = TestApp::spawn().await;
    let s = paris_shop(&app).await;
    let ann = client(&app, 42).await;
    let start = at(10, 9, 0);
    let b = booked(&app, &booking(&s, ann, start)).await;
    let tokyo = clock(start, chrono_tz::Asia::Tokyo);
    let paris = clock(start, chrono_tz::Europe::Paris);

    // No zone chosen yet: the business's (the location's), and the browser is asked.
    let page = portal(&app, "client:42", "").await;
    assert!(page.contains("data-volixta-prefer-browser-zone"), "{page}");
    assert_eq!(cards(section(&page, "upcoming")), vec![b]);
    assert!(
        section(&page, "upcoming").contains(&format!("{paris} –")),
        "{page}"
    );
    assert!(
        section(&page, "upcoming").contains("with Sam Stylist"),
        "{page}"
    );

    let page = portal(&app, "client:42", "tz=Asia%2FTokyo").await;
    assert!(!page.contains("data-volixta-prefer-browser-zone"));
    let upcoming = section(&page, "upcoming");
    assert!(upcoming.contains(&format!("{tokyo} –")), "{upcoming}");
    assert!(upcoming.contains("€50.00 to pay"), "{upcoming}");
    let calendar = section(&page, "calendar");
    let day = start.with_timezone(&chrono_tz::Asia::Tokyo).date_naive();
    assert!(
        calendar.contains(&format!("data-date=\"{day}\"")),
        "{calendar}"
    );
    assert!(
        calendar.contains(&format!("<strong>{tokyo}</strong> Massage")),
        "{calendar}"
    );
    assert!(
        page.contains(r#"<option value="Asia&#x2f;Tokyo" selected>"#),
        "{page}"
    );
    // Links keep the zone.
    assert!(
        page.contains(&format!("?tz=Asia%2FTokyo&amp;booking={b}&amp;tab=details")),
        "{page}"
    );
}

#[tokio::test]
async fn the_history_filters_by_period_status_and_payment_and_pages() {
    let app = TestApp::spawn().await;
    let s = paris_shop(&app).await;
    let ann = client(&app, 42).await;
    credit(&app, ann, "50.00").await;
    let mut ids = Vec::new();
    for day in 1..=12 {
        ids.push(booked(&app, &booking(&s, ann, at(day + 2, 9, 0))).await);
    }
    // Three in the past, one of them cancelled; one paid with credits.
    for (n, b) in ids.iter().take(3).enumerate() {
        into_the_past(&app, *b, 40 + n as i64).await;
    }
    let cancelled = ids[0];
    let res = app
        .post(
            &format!("/v1/bookings/{cancelled}/cancel"),
            MANAGER,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let paid = booked(
        &app,
        &json!({"client_id": ann, "service_id": s.service, "location_id": s.location,
            "staff_id": s.staff, "start": rfc(at(30, 9, 0)), "payment": {"use_wallet": "50.00"}}),
    )
    .await;
    // Someone else's booking never shows.
    let bob = client(&app, 43).await;
    let other = booked(&app, &booking(&s, bob, at(31, 9, 0))).await;

    let page = portal(&app, "client:42", "tz=UTC").await;
    let history = section(&page, "history");
    let first = cards(history);
    assert_eq!(first.len(), 10, "{history}");
    assert!(!first.contains(&other));
    assert_eq!(first[0], paid, "latest first");
    let next = history
        .split("data-hx-get=\"render/customer_profile?")
        .find_map(|rest| rest.split('"').next().filter(|q| q.contains("cursor=")))
        .expect("a next page")
        .replace("&amp;", "&");
    let second = cards(section(&portal(&app, "client:42", &next).await, "history"));
    assert_eq!(second.len(), 3);
    assert!(second.iter().all(|b| !first.contains(b)));

    assert_eq!(
        history_ids(&app, "tz=UTC&status=cancelled").await,
        vec![cancelled]
    );
    assert_eq!(
        history_ids(&app, "tz=UTC&payment_status=paid").await,
        vec![paid]
    );
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
    let past = history_ids(&app, &format!("tz=UTC&to={yesterday}")).await;
    assert_eq!(past.len(), 3, "{past:?}");
    let from = (at(30, 0, 0) - chrono::Duration::hours(1)).date_naive();
    assert_eq!(
        history_ids(&app, &format!("tz=UTC&from={from}")).await,
        vec![paid]
    );

    // A date that means nothing is said beside its field, and no list pretends to match it.
    let page = portal(&app, "client:42", "tz=UTC&from=31%2F01%2F2026").await;
    let history = section(&page, "history");
    assert!(history.contains("volixta-history-from-error"), "{history}");
    assert!(cards(history).is_empty());
}

#[tokio::test]
async fn the_sheet_shows_four_tabs_and_another_clients_booking_is_not_found() {
    let app = TestApp::spawn().await;
    let s = paris_shop(&app).await;
    let ann = client(&app, 42).await;
    let bob = client(&app, 43).await;
    let mine = booked(&app, &booking(&s, ann, at(5, 9, 0))).await;
    let theirs = booked(&app, &booking(&s, bob, at(6, 9, 0))).await;

    for (tab, marker) in [
        ("details", "Booking details</h3>"),
        ("customer", "Customer information</h3>"),
        ("payment", "volixta-portal-invoice"),
        ("actions", "volixta-refund-policy"),
    ] {
        let page = portal(&app, "client:42", &format!("booking={mine}&tab={tab}")).await;
        assert!(page.contains(marker), "{tab}: {page}");
        assert!(page.contains("aria-current=\"page\""), "{tab}");
    }
    let actions = portal(
        &app,
        "client:42",
        &format!("tz=Asia%2FTokyo&booking={mine}&tab=actions"),
    )
    .await;
    assert!(
        actions.contains("render&#x2f;portal&#x2f;slot-picker?"),
        "{actions}"
    );
    assert!(!actions.contains("admin&#x2f;slot-picker"), "{actions}");
    assert!(
        actions.contains(r#"name="slot""#),
        "the picker offers slots: {actions}"
    );

    // Another client's booking: not found, through every route, and nothing changes.
    for tab in ["details", "actions"] {
        let res = app
            .get(&format!("{PORTAL}?booking={theirs}&tab={tab}"), "client:42")
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    }
    let picker = app
        .get(
            &format!("/v1/render/portal/slot-picker?service_id={}&location_id={}&reschedule_booking_id={theirs}", s.service, s.location),
            "client:42",
        )
        .await;
    assert_eq!(picker.status, StatusCode::NOT_FOUND);
    let start = app
        .scalar::<String>(&format!("SELECT DATE_FORMAT(start_at, '%Y-%m-%dT%H:%i:%sZ') FROM {{p}}volixta_bookings WHERE id = {theirs}"))
        .await;
    for (action, body) in [
        ("cancel", json!({})),
        (
            "reschedule",
            json!({"slot": format!("{}_{}", rfc(at(7, 9, 0)), s.staff)}),
        ),
    ] {
        let res = post(
            &app,
            &format!("/v1/render/portal/booking/{theirs}/{action}"),
            "client:42",
            &body,
            Some("forged-1"),
        )
        .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{action}: {}", res.text);
    }
    let status: String = app
        .scalar(&format!(
            "SELECT status FROM {{p}}volixta_bookings WHERE id = {theirs}"
        ))
        .await;
    assert_eq!(status, "confirmed");
    let after = app
        .scalar::<String>(&format!("SELECT DATE_FORMAT(start_at, '%Y-%m-%dT%H:%i:%sZ') FROM {{p}}volixta_bookings WHERE id = {theirs}"))
        .await;
    assert_eq!(after, start);
    // Staff have wp-admin; the portal's forms are the client's.
    let res = post(
        &app,
        &format!("/v1/render/portal/booking/{mine}/cancel"),
        MANAGER,
        &json!({}),
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_client_cancels_once_with_the_refund_and_is_told_why_not_inside_the_notice() {
    let app = TestApp::spawn().await;
    let s = paris_shop(&app).await;
    let ann = client(&app, 42).await;
    credit(&app, ann, "50.00").await;
    let b = booked(
        &app,
        &json!({"client_id": ann, "service_id": s.service, "location_id": s.location,
            "staff_id": s.staff, "start": rfc(at(5, 9, 0)), "payment": {"use_wallet": "50.00"}}),
    )
    .await;
    let page = portal(&app, "client:42", &format!("booking={b}&tab=actions")).await;
    assert!(
        page.contains("everything you paid (€50.00) comes back to your wallet"),
        "{page}"
    );

    let path = format!("/v1/render/portal/booking/{b}/cancel?tz=UTC&booking={b}&tab=actions");
    let res = post(
        &app,
        &path,
        "client:42",
        &json!({"reason": "ill"}),
        Some("cancel-1"),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(
        res.text
            .contains("Your booking was cancelled. €50.00 went back to your wallet."),
        "{}",
        res.text
    );
    // The form sent again (a double click, a lost answer) changes nothing more.
    let again = post(
        &app,
        &path,
        "client:42",
        &json!({"reason": "ill"}),
        Some("cancel-1"),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert!(
        again.text.contains("Your booking was cancelled."),
        "{}",
        again.text
    );
    let wallet = section(&portal(&app, "client:42", "").await, "wallet").to_owned();
    assert!(wallet.contains("€50.00</p>"), "{wallet}");
    assert!(wallet.contains("Cancellation refund"), "{wallet}");
    let refunds: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_wallet_ledger WHERE kind = 'cancellation_refund'")
        .await;
    assert_eq!(refunds, 1, "a resent form refunds once");

    // Inside the minimum change notice (24 h by default) the sheet says why not.
    let soon = chrono::Utc::now() + chrono::Duration::hours(3);
    let soon = soon - chrono::Duration::seconds(i64::from(chrono::Timelike::second(&soon)));
    let late = booked(&app, &booking(&s, ann, soon)).await;
    let page = portal(&app, "client:42", &format!("booking={late}&tab=actions")).await;
    assert!(page.contains("volixta-cancel-refused"), "{page}");
    assert!(
        page.contains("the minimum notice before this booking has passed"),
        "{page}"
    );
    let res = post(
        &app,
        &format!("/v1/render/portal/booking/{late}/cancel?booking={late}&tab=actions"),
        "client:42",
        &json!({}),
        Some("cancel-2"),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text.contains("Nothing was changed"), "{}", res.text);
    let status: String = app
        .scalar(&format!(
            "SELECT status FROM {{p}}volixta_bookings WHERE id = {late}"
        ))
        .await;
    assert_eq!(status, "confirmed");
}

#[tokio::test]
async fn a_client_reschedules_to_a_slot_the_picker_offers_in_its_own_zone() {
    let app = TestApp::spawn().await;
    let s = paris_shop(&app).await;
    let ann = client(&app, 42).await;
    let b = booked(&app, &booking(&s, ann, at(5, 9, 0))).await;
    let page = portal(
        &app,
        "client:42",
        &format!("tz=Asia%2FTokyo&booking={b}&tab=actions"),
    )
    .await;
    assert!(
        page.contains(r#"name="slot" value=""#),
        "the sheet offers slots: {page}"
    );
    // The picker's own navigation: a day well outside the change notice, in the client's zone.
    let day = (at(8, 3, 0))
        .with_timezone(&chrono_tz::Asia::Tokyo)
        .date_naive();
    let picker = app
        .get(
            &format!("/v1/render/portal/slot-picker?service_id={}&location_id={}&staff_id={}&reschedule_booking_id={b}&timezone=Asia%2FTokyo&date={day}", s.service, s.location, s.staff),
            "client:42",
        )
        .await;
    assert_eq!(picker.status, StatusCode::OK, "{}", picker.text);
    assert!(
        picker.text.contains("portal&#x2f;slot-picker?"),
        "{}",
        picker.text
    );
    let slot = picker
        .text
        .split(r#"name="slot" value=""#)
        .nth(3)
        .and_then(|rest| rest.split('"').next())
        .expect("an offered slot")
        .to_owned();
    let start = chrono::DateTime::parse_from_rfc3339(slot.split('_').next().expect("start"))
        .expect("instant");
    let path =
        format!("/v1/render/portal/booking/{b}/reschedule?tz=Asia%2FTokyo&booking={b}&tab=actions");
    let res = post(
        &app,
        &path,
        "client:42",
        &json!({"slot": slot, "timezone": "Asia/Tokyo"}),
        Some("move-1"),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(
        res.text.contains("Your booking was moved to"),
        "{}",
        res.text
    );
    let tokyo = clock(start.with_timezone(&chrono::Utc), chrono_tz::Asia::Tokyo);
    let upcoming = section(&res.text, "upcoming");
    assert!(
        upcoming.contains(&format!("{tokyo} –")),
        "{tokyo}: {upcoming}"
    );

    // A slot nobody offered is refused with the reason, and the picker offers the nearest.
    let odd = format!("{}_{}", rfc(at(5, 9, 7)), s.staff);
    let res = post(
        &app,
        &path,
        "client:42",
        &json!({"slot": odd, "timezone": "Asia/Tokyo"}),
        Some("move-2"),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text.contains("Nothing was changed"), "{}", res.text);
    assert!(res.text.contains("The nearest free times"), "{}", res.text);
}

#[tokio::test]
async fn the_profile_form_saves_fields_and_photo_and_saves_nothing_on_bad_input() {
    let app = TestApp::spawn().await;
    let ann = client(&app, 42).await;
    let path = "/v1/render/portal/profile?tz=UTC";
    let res = post(
        &app,
        path,
        "client:42",
        &json!({"first_name": "Annie", "last_name": "Client", "phone": "12", "city": "Lyon"}),
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.text.contains("volixta-profile-phone-error"),
        "{}",
        res.text
    );
    let png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    let res = post(&app, path, "client:42", &json!({"first_name": "Annie", "last_name": "Client", "phone": "+33 6 12 34 56 78", "avatar_image": "data:image/png;base64,PGh0bWw+"}), None).await;
    assert!(
        res.text.contains("volixta-profile-avatar-error"),
        "{}",
        res.text
    );
    let name: String = app
        .scalar(&format!(
            "SELECT first_name FROM {{p}}volixta_clients WHERE id = {ann}"
        ))
        .await;
    assert_eq!(name, "Ann", "nothing saved on bad input");

    let res = post(&app, path, "client:42", &json!({"first_name": "Annie", "last_name": "Client", "phone": "+33 6 12 34 56 78", "street": "1 Rue", "zip": "69001", "city": "Lyon", "avatar_image": png}), None).await;
    assert!(res.text.contains("Your profile was saved."), "{}", res.text);
    assert!(
        res.text.contains(&format!(
            "data-volixta-image=\"clients&#x2f;{ann}&#x2f;avatar?v="
        )),
        "{}",
        res.text
    );
    let c = app.get(&format!("/v1/clients/{ann}"), MANAGER).await.body;
    assert_eq!(
        (
            c["first_name"].as_str(),
            c["city"].as_str(),
            c["avatar"].as_str()
        ),
        (Some("Annie"), Some("Lyon"), Some("upload"))
    );
    // A client's photo is its own to read.
    assert_eq!(
        app.get(&format!("/v1/clients/{ann}/avatar"), "client:42")
            .await
            .status,
        StatusCode::OK
    );
    let res = post(
        &app,
        path,
        "client:42",
        &json!({"first_name": "Annie", "avatar": "owl"}),
        None,
    )
    .await;
    assert!(res.text.contains("Your profile was saved."));
    let avatar: String = app
        .scalar(&format!(
            "SELECT avatar FROM {{p}}volixta_clients WHERE id = {ann}"
        ))
        .await;
    assert_eq!(avatar, "owl");
}

#[tokio::test]
async fn a_gift_code_is_redeemed_from_the_wallet_once() {
    let app = TestApp::spawn().await;
    client(&app, 42).await;
    let code = app
        .post("/v1/gift-codes", MANAGER, &json!({"value": "20.00"}))
        .await;
    assert_eq!(code.status, StatusCode::CREATED, "{}", code.text);
    let typed = code.body["code"].as_str().expect("code").to_owned();
    let res = post(
        &app,
        "/v1/render/portal/gift-code?tz=UTC",
        "client:42",
        &json!({"code": "NOPE-NOPE"}),
        Some("gift-0"),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text.contains("volixta-gift-code-error"), "{}", res.text);
    for _ in 0..2 {
        let res = post(
            &app,
            "/v1/render/portal/gift-code?tz=UTC",
            "client:42",
            &json!({"code": typed}),
            Some("gift-1"),
        )
        .await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(
            res.text.contains("your balance is now €20.00"),
            "{}",
            res.text
        );
    }
    let balance: String = app
        .scalar("SELECT CAST(wallet_balance AS CHAR) FROM {p}volixta_clients")
        .await;
    assert_eq!(balance, "20.0000");
}

#[tokio::test]
async fn the_wallet_pages_its_movements_and_offers_no_top_up_without_woocommerce() {
    let app = TestApp::spawn().await;
    let ann = client(&app, 42).await;
    for _ in 0..12 {
        credit(&app, ann, "1.00").await;
    }
    let page = portal(&app, "client:42", "tz=UTC").await;
    let wallet = section(&page, "wallet");
    assert_eq!(wallet.matches("<li>").count(), 10, "{wallet}");
    assert!(
        !wallet.contains("Top up"),
        "no WooCommerce, no top-up: {wallet}"
    );
    let next = wallet
        .split("data-hx-get=\"render/customer_profile?")
        .find_map(|rest| rest.split('"').next().filter(|q| q.contains("wallet=")))
        .expect("older movements")
        .replace("&amp;", "&");
    let older = portal(&app, "client:42", &next).await;
    let wallet = section(&older, "wallet");
    assert_eq!(wallet.matches("<li>").count(), 2, "{wallet}");
    assert!(wallet.contains("Latest movements"), "{wallet}");
    assert!(!wallet.contains("Older movements"), "{wallet}");
}

#[tokio::test]
async fn the_packages_section_groups_identical_ones_and_its_popup_lists_the_bookings() {
    use crate::packages::{given, package};
    let app = TestApp::spawn().await;
    let s = paris_shop(&app).await;
    let me = client(&app, 42).await;
    let other = client(&app, 43).await;
    let empty = portal(&app, "client:42", "").await;
    assert!(
        section(&empty, "packages").contains("You have no packages yet."),
        "{empty}"
    );
    let pack = package(
        &app,
        &s,
        json!({"name": "Therapy <Starter> Pack", "description": "Three calm hours"}),
    )
    .await;
    let kit = package(
        &app,
        &s,
        json!({"name": "Massage Kit", "sessions": 2, "validity_days": null, "location_ids": [s.location]}),
    )
    .await;
    let first = given(&app, me, crate::bookings::id(&pack)).await;
    let second = given(&app, me, crate::bookings::id(&pack)).await;
    given(&app, me, crate::bookings::id(&kit)).await;
    given(&app, other, crate::bookings::id(&kit)).await;
    let first = crate::bookings::id(&first);
    let second = crate::bookings::id(&second);

    // The client books with a session, and cancels another booking that had one: it went back.
    let start = at(2, 10, 0);
    let mut body = booking(&s, me, start);
    body["payment"] = json!({"client_package_id": first});
    body.as_object_mut().expect("object").remove("client_id");
    let res = crate::bookings::book(&app, "client:42", &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let used_by = crate::bookings::id(&res.body);
    let mut body = booking(&s, me, at(3, 10, 0));
    body["payment"] = json!({"client_package_id": first});
    let res = crate::bookings::book(&app, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let cancelled = crate::bookings::id(&res.body);
    let res = app
        .post(
            &format!("/v1/bookings/{cancelled}/cancel"),
            MANAGER,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    let page = portal(&app, "client:42", "tz=Asia%2FTokyo").await;
    let part = section(&page, "packages");
    // Two identical packs are one card with a count; the kit is its own.
    assert_eq!(
        part.matches("class=\"vx-card volixta-package-card\"")
            .count(),
        2,
        "{part}"
    );
    assert!(part.contains("Therapy &lt;Starter&gt; Pack"), "{part}");
    assert!(!part.contains("<Starter>"));
    assert!(part.contains("×2"));
    assert!(part.contains(&format!("#{first}, #{second}")));
    assert!(part.contains("5 sessions left"), "{part}");
    assert!(part.contains("of 6"));
    assert!(part.contains("Never expires"));
    assert!(part.contains("vx-badge is-active"));
    // The popup: what it includes and covers, and the bookings on the client's clock.
    let dialog = part
        .split(&format!("<dialog id=\"volixta-package-{first}\""))
        .nth(1)
        .and_then(|d| d.split("</dialog>").next())
        .expect("the pack's dialog");
    assert!(dialog.contains("3 per package, 6 in all"), "{dialog}");
    assert!(dialog.contains("Three calm hours"));
    assert!(
        dialog.contains(">Massage<") || dialog.contains("Massage</dd>"),
        "{dialog}"
    );
    assert!(dialog.contains("Every location"));
    assert!(dialog.contains("Sam Stylist"));
    assert!(
        dialog.contains(&clock(start, chrono_tz::Asia::Tokyo)),
        "{dialog}"
    );
    assert!(dialog.contains("session 1 of 3"));
    assert!(dialog.contains("session 2 of 3") && dialog.contains("given back (cancelled)"));
    assert!(dialog.contains(&format!("booking={used_by}")));
    let kit_part = part
        .split("<dialog")
        .skip(1)
        .find(|d| d.contains("Massage Kit"))
        .expect("the kit's dialog");
    assert!(kit_part.contains("Main street") && kit_part.contains("No booking has used it yet."));
    // The booking's sheet says the session stays on a reschedule and goes back on a cancel.
    let sheet = portal(&app, "client:42", &format!("booking={used_by}&tab=actions")).await;
    assert!(
        sheet.contains("The session of your Therapy &lt;Starter&gt; Pack stays with the booking.")
            && sheet
                .contains("The package session goes back to your Therapy &lt;Starter&gt; Pack."),
        "{sheet}"
    );
    // Another client sees only its own.
    let theirs = portal(&app, "client:43", "").await;
    let theirs = section(&theirs, "packages");
    assert!(
        theirs.contains("Massage Kit") && !theirs.contains("Therapy"),
        "{theirs}"
    );
}

/// A package with a session left links to the site's booking form with it chosen, and with the
/// single service and location it covers; the plugin names that page, and only a plain web
/// address becomes a link.
#[tokio::test]
async fn a_package_with_a_session_left_links_to_the_booking_form_with_it_chosen() {
    use crate::packages::{given, package};
    let app = TestApp::spawn().await;
    let s = paris_shop(&app).await;
    let me = client(&app, 42).await;
    let kit = package(
        &app,
        &s,
        json!({"name": "Massage Kit", "sessions": 2, "location_ids": [s.location]}),
    )
    .await;
    let held = crate::bookings::id(&given(&app, me, crate::bookings::id(&kit)).await);
    let with_form = |url: &'static str| {
        let app = &app;
        async move {
            let res = app
                .request_with(
                    reqwest::Method::GET,
                    PORTAL,
                    "client:42",
                    None,
                    &[("X-Volixta-Booking-Form-Url", url)],
                    Tamper::default(),
                )
                .await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text);
            // minijinja escapes "/" in attributes; a browser reads it back as "/".
            section(&res.text, "packages").replace("&#x2f;", "/")
        }
    };

    let link = format!(
        "href=\"https://shop.example/book/?lang=en&amp;package={held}&amp;service_id={}&amp;location_id={}\"",
        s.service, s.location
    );
    let part = with_form("https://shop.example/book/?lang=en#top").await;
    assert_eq!(part.matches(&link).count(), 2, "card and popup: {part}");
    assert!(part.contains("Book with this package"), "{part}");

    // No page named, or one that is not a web address: no link.
    let part = section(&portal(&app, "client:42", "").await, "packages").to_owned();
    assert!(!part.contains("volixta-package-book"), "{part}");
    for bad in [
        "javascript:alert(1)",
        "https://shop.example/book/ x",
        "/book/",
    ] {
        let part = with_form(bad).await;
        assert!(!part.contains("volixta-package-book"), "{bad}: {part}");
    }

    // A package with nothing left to use offers no booking.
    let res = app
        .post(
            &format!("/v1/packages/{}/deactivate", crate::bookings::id(&kit)),
            MANAGER,
            &json!({"client_ids": [me]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let part = with_form("https://shop.example/book/").await;
    assert!(part.contains("Massage Kit"), "{part}");
    assert!(!part.contains("volixta-package-book"), "{part}");
}
