//! The wp-admin Bookings list, Calendar and booking details panel: roles, filters and paging,
//! the calendar's views, and the panel's actions (payments once per key, cancellation with its
//! refund, status changes, a reschedule to a slot the picker offered) with the domain's reasons.
use crate::admin_client::post;
use crate::bookings::{at, book, booking, client, credit, id, massage, rfc, shop};
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const LIST: &str = "/v1/render/admin/bookings";
const CALENDAR: &str = "/v1/render/admin/calendar";

async fn html(app: &TestApp, path: &str) -> String {
    let res = app.get(path, MANAGER).await;
    assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text);
    assert!(res.content_type.starts_with("text/html"), "{path}");
    res.text
}

pub async fn booked(app: &TestApp, body: &Value) -> u64 {
    let res = book(app, MANAGER, body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    id(&res.body)
}

/// A booking's start as the picker's slots name it.
async fn start_of(app: &TestApp, booking: u64) -> String {
    app.scalar(&format!(
        "SELECT DATE_FORMAT(start_at, '%Y-%m-%dT%H:%i:%sZ') FROM {{p}}volixta_bookings WHERE id = {booking}"
    ))
    .await
}

/// The booking ids a list page links to, in order.
fn listed(page: &str) -> Vec<u64> {
    page.split("class=\"row-title\" href=\"?page=volixta-bookings&amp;booking=")
        .skip(1)
        .map(|rest| {
            rest.split('"')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("an id")
        })
        .collect()
}

#[tokio::test]
async fn only_managers_and_admins_get_the_booking_screens() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 42).await;
    let b = booked(&app, &booking(&s, ann, at(2, 10, 0))).await;
    let gets = [
        LIST.to_owned(),
        format!("{LIST}?booking={b}"),
        format!("{LIST}?booking={b}&tab=customer"),
        format!("{LIST}?booking={b}&tab=payment"),
        format!("{LIST}?booking={b}&tab=actions"),
        format!("{CALENDAR}?view=day"),
        format!("{CALENDAR}?view=week"),
        format!("{CALENDAR}?view=month"),
    ];
    for actor in [MANAGER, ADMIN] {
        for path in &gets {
            let res = app.get(path, actor).await;
            assert_eq!(res.status, StatusCode::OK, "{actor} {path}: {}", res.text);
        }
    }
    for actor in ["employee:3", "client:42", "guest:0"] {
        for path in &gets {
            assert_eq!(
                app.get(path, actor).await.status,
                StatusCode::FORBIDDEN,
                "{actor} {path}"
            );
        }
        for (action, body) in [
            ("payment", json!({"amount": "10", "method": "cash"})),
            ("cancel", json!({})),
            ("status", json!({"status": "completed"})),
            (
                "reschedule",
                json!({"slot": format!("{}_{}", rfc(at(3, 10, 0)), s.staff)}),
            ),
        ] {
            let path = format!("/v1/render/admin/booking/{b}/{action}");
            let res = post(
                &app,
                &path,
                actor,
                &body,
                Some(&format!("k-{actor}-{action}")),
            )
            .await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor} {action}");
        }
    }
    let status: String = app
        .scalar(&format!(
            "SELECT status FROM {{p}}volixta_bookings WHERE id = {b}"
        ))
        .await;
    assert_eq!(status, "confirmed", "nothing changed");
    assert_eq!(
        app.get(&format!("{LIST}?booking=999999"), MANAGER)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    for bad in [
        format!("{LIST}?booking=abc"),
        format!("{LIST}?booking={b}&tab=secrets"),
        format!("{LIST}?staff_id=x"),
        format!("{LIST}?status=done"),
        format!("{LIST}?from=31/12/2026"),
        format!("{CALENDAR}?view=year"),
        format!("{CALENDAR}?date=tomorrow"),
    ] {
        assert_eq!(
            app.get(&bad, MANAGER).await.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}"
        );
    }
    let res = post(
        &app,
        "/v1/render/admin/booking/999999/cancel",
        MANAGER,
        &json!({}),
        Some("k-gone"),
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_list_filters_pages_and_shows_the_location_s_time() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let paris = id(&app
        .post(
            "/v1/locations",
            MANAGER,
            &json!({"name": "Rive gauche", "timezone": "Europe/Paris"}),
        )
        .await
        .body);
    let facial = id(&app
        .post(
            "/v1/services",
            MANAGER,
            &json!({"name": "Facial", "duration_minutes": 30, "price": "30.00",
            "buffer_before_minutes": 0, "buffer_after_minutes": 0, "capacity": 1}),
        )
        .await
        .body);
    let hours: Vec<Value> = (1..=7)
        .map(|d| json!({"location_id": paris, "weekday": d, "start": "06:00", "end": "22:00"}))
        .collect();
    let zoe = id(&app
        .post(
            "/v1/staff",
            MANAGER,
            &json!({"first_name": "Zoe", "last_name": "Face", "service_ids": [facial],
            "working_hours": hours}),
        )
        .await
        .body);
    let ann = client(&app, 7).await;
    let bob = id(&app
        .create_client(json!({"first_name": "<b>Bob</b>", "last_name": "O'Hara"}))
        .await);
    let massage_1 = booked(&app, &booking(&s, ann, at(2, 9, 0))).await;
    let facial_1 = booked(
        &app,
        &json!({"client_id": bob, "service_id": facial, "location_id": paris,
        "staff_id": zoe, "start": rfc(at(2, 9, 0))}),
    )
    .await;
    let paid = booked(&app, &{
        let mut b = booking(&s, ann, at(3, 9, 0));
        b["payment"] = json!({"method": "cash", "status": "paid"});
        b
    })
    .await;
    let all = html(&app, LIST).await;
    assert_eq!(
        listed(&all),
        vec![massage_1, facial_1, paid],
        "upcoming, soonest first"
    );
    assert!(
        all.contains("&lt;b&gt;Bob&lt;&#x2f;b&gt; O&#x27;Hara"),
        "names are escaped"
    );
    assert!(!all.contains("<b>Bob</b>"));
    // The Paris booking shows 10:00 (CET/CEST is UTC+1/+2 in December… or summer): its own clock.
    let paris_time = at(2, 9, 0)
        .with_timezone(&chrono_tz::Europe::Paris)
        .format("%-I:%M")
        .to_string();
    assert!(
        all.contains(&paris_time),
        "the Paris booking on Paris time ({paris_time})"
    );
    for (query, expected) in [
        (format!("staff_id={zoe}"), vec![facial_1]),
        (format!("location_id={}", s.location), vec![massage_1, paid]),
        (format!("service_id={facial}"), vec![facial_1]),
        ("payment_status=paid".to_owned(), vec![paid]),
        (
            "status=confirmed".to_owned(),
            vec![massage_1, facial_1, paid],
        ),
        ("scope=past".to_owned(), vec![]),
        (
            format!(
                "from={}&to={}",
                at(3, 0, 0).format("%Y-%m-%d"),
                at(3, 0, 0).format("%Y-%m-%d")
            ),
            vec![paid],
        ),
    ] {
        assert_eq!(
            listed(&html(&app, &format!("{LIST}?{query}")).await),
            expected,
            "{query}"
        );
    }
    assert!(
        html(&app, &format!("{LIST}?scope=past"))
            .await
            .contains("No bookings match these filters.")
    );

    // Paging: 20 a page, the next page after the cursor, and no next link on the last page.
    for day in 4..24 {
        booked(&app, &booking(&s, ann, at(day, 12, 0))).await;
    }
    let first = html(&app, LIST).await;
    assert_eq!(listed(&first).len(), 20);
    let next = first
        .split("data-hx-get=\"render/admin/bookings?")
        .filter_map(|rest| rest.split('"').next())
        .find(|q| q.contains("cursor="))
        .expect("a next page")
        .replace("&amp;", "&");
    let second = html(&app, &format!("{LIST}?{next}")).await;
    assert_eq!(listed(&second).len(), 3);
    assert!(!second.contains("Next page"));
}

#[tokio::test]
async fn the_calendar_shows_day_week_and_month() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 8).await;
    let start = at(1, 10, 0);
    let b = booked(&app, &booking(&s, ann, start)).await;
    let cancelled = booked(&app, &booking(&s, ann, at(1, 14, 0))).await;
    let res = post(
        &app,
        &format!("/v1/bookings/{cancelled}/cancel"),
        MANAGER,
        &json!({}),
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let date = start.format("%Y-%m-%d");
    let link = format!("?page=volixta-bookings&amp;booking={b}\"");
    for view in ["day", "week", "month"] {
        let page = html(&app, &format!("{CALENDAR}?view={view}&date={date}")).await;
        assert!(
            page.contains(&link),
            "{view} links the booking to its panel"
        );
        assert!(
            !page.contains(&format!("booking={cancelled}\"")),
            "{view} leaves cancelled bookings off"
        );
    }
    let other_staff = html(
        &app,
        &format!("{CALENDAR}?view=month&date={date}&staff_id=999"),
    )
    .await;
    assert!(!other_staff.contains(&link));
    assert!(other_staff.contains("No bookings in this period."));
    let far = html(&app, &format!("{CALENDAR}?view=day&date=2020-01-01")).await;
    assert!(far.contains("No bookings on this day."));
}

#[tokio::test]
async fn the_panel_records_payments_once_reschedules_and_cancels_with_a_refund() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let ann = client(&app, 9).await;
    credit(&app, ann, "5.00").await;
    let b = booked(&app, &booking(&s, ann, at(5, 10, 0))).await;
    let details = html(&app, &format!("{LIST}?booking={b}")).await;
    for text in [
        "Massage",
        "Sam Stylist",
        "1 Main Street, 75001 Paris",
        "Main street",
    ] {
        assert!(details.contains(text), "{text}");
    }
    let customer = html(&app, &format!("{LIST}?booking={b}&tab=customer")).await;
    assert!(
        customer.contains("ann9@example.com") && customer.contains("+33612345678"),
        "{customer}"
    );

    // A bad amount: the reason beside the field, nothing recorded.
    let pay = format!(
        "/v1/render/admin/booking/{b}/payment?page=volixta-bookings&booking={b}&tab=payment"
    );
    let res = post(
        &app,
        &pay,
        MANAGER,
        &json!({"amount": "ten", "method": "cash", "status": "paid"}),
        Some("p-0"),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(res.text.contains("id=\"volixta-payment-amount-error\""));
    // More than the balance: the domain's reason beside the amount.
    let res = post(
        &app,
        &pay,
        MANAGER,
        &json!({"amount": "80", "method": "cash", "status": "paid"}),
        Some("p-1"),
    )
    .await;
    assert!(
        res.text.contains("more than the balance due"),
        "{}",
        res.text
    );
    // Credits beyond the wallet: refused, nothing written.
    let res = post(
        &app,
        &pay,
        MANAGER,
        &json!({"amount": "20", "method": "wallet", "status": "paid"}),
        Some("p-2"),
    )
    .await;
    assert!(
        res.text.contains("id=\"volixta-payment-amount-error\""),
        "{}",
        res.text
    );
    let count = || app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_booking_payments");
    assert_eq!(count().await, 0);
    // Twice with one key: one payment.
    for _ in 0..2 {
        let res = post(
            &app,
            &pay,
            MANAGER,
            &json!({"amount": "20", "method": "cash", "status": "paid", "note": "at the desk"}),
            Some("p-3"),
        )
        .await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(
            res.text.contains("A payment of €20.00 was recorded."),
            "{}",
            res.text
        );
    }
    assert_eq!(count().await, 1);
    let payment = html(&app, &format!("{LIST}?booking={b}&tab=payment")).await;
    assert!(payment.contains("at the desk") && payment.contains("Partially paid"));

    // Reschedule to a slot the picker offers on the Actions tab.
    let actions = html(&app, &format!("{LIST}?booking={b}&tab=actions")).await;
    let slot = actions
        .split("name=\"slot\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the picker offers slots")
        .to_owned();
    let moved_to = slot.split('_').next().expect("a start").to_owned();
    let path = format!(
        "/v1/render/admin/booking/{b}/reschedule?page=volixta-bookings&booking={b}&tab=actions"
    );
    let res = post(&app, &path, MANAGER, &json!({"slot": slot}), Some("r-1")).await;
    assert!(res.text.contains("The booking was moved"), "{}", res.text);
    let start = start_of(&app, b).await;
    assert_eq!(start, moved_to);
    // A slot another booking holds: the domain's reason, and the booking stays.
    booked(&app, &booking(&s, ann, at(6, 15, 0))).await;
    let taken = format!("{}_{}", rfc(at(6, 15, 30)), s.staff);
    let res = post(&app, &path, MANAGER, &json!({"slot": taken}), Some("r-2")).await;
    assert!(res.text.contains("this slot is not free"), "{}", res.text);
    let still = start_of(&app, b).await;
    assert_eq!(still, moved_to);
    // Status: completed is offered only after confirmed; the domain refuses the rest.
    let st = format!(
        "/v1/render/admin/booking/{b}/status?page=volixta-bookings&booking={b}&tab=actions"
    );
    let res = post(
        &app,
        &st,
        MANAGER,
        &json!({"status": "pending"}),
        Some("s-1"),
    )
    .await;
    assert!(
        res.text.contains("The status is now Pending."),
        "{}",
        res.text
    );
    let res = post(
        &app,
        &st,
        MANAGER,
        &json!({"status": "completed"}),
        Some("s-2"),
    )
    .await;
    assert!(
        res.text
            .contains("a pending booking cannot become completed"),
        "{}",
        res.text
    );
    let res = post(
        &app,
        &st,
        MANAGER,
        &json!({"status": "confirmed"}),
        Some("s-3"),
    )
    .await;
    assert!(res.text.contains("The status is now Confirmed."));

    // Cancel: the refund policy in words, then what was paid back in the wallet.
    let actions = html(&app, &format!("{LIST}?booking={b}&tab=actions")).await;
    assert!(
        actions.contains("everything paid (€20.00) goes back to the client&#x27;s wallet"),
        "{actions}"
    );
    let cancel = format!(
        "/v1/render/admin/booking/{b}/cancel?page=volixta-bookings&booking={b}&tab=actions"
    );
    let res = post(
        &app,
        &cancel,
        MANAGER,
        &json!({"reason": "client ill"}),
        Some("c-1"),
    )
    .await;
    assert!(
        res.text
            .contains("The booking was cancelled. €20.00 went back to the client&#x27;s wallet."),
        "{}",
        res.text
    );
    // Sent again with its key: nothing more happens.
    let res = post(
        &app,
        &cancel,
        MANAGER,
        &json!({"reason": "client ill"}),
        Some("c-1"),
    )
    .await;
    assert!(
        res.text.contains("The booking was cancelled."),
        "{}",
        res.text
    );
    let balance: String = app
        .scalar(&format!(
            "SELECT CAST(wallet_balance AS CHAR) FROM {{p}}volixta_clients WHERE id = {ann}"
        ))
        .await;
    assert_eq!(balance, "25.0000", "5.00 before, 20.00 refunded once");
    let res = post(&app, &cancel, MANAGER, &json!({}), Some("c-2")).await;
    assert!(
        res.text
            .contains("a cancelled booking cannot become cancelled"),
        "{}",
        res.text
    );
    let after = html(&app, &format!("{LIST}?booking={b}&tab=actions")).await;
    assert!(after.contains("This booking no longer holds its time"));
}
