//! The public booking form: a visitor books as a new client in one transaction with the booking,
//! a known e-mail is asked to log in (one answer for every kind of known e-mail), a filled
//! honeypot and a visitor past the limits are refused with nothing written, a repeated post books
//! once, and two visitors racing for one slot make one booking.
use crate::admin_slot_picker::{ahead, shop, slot_values, urlencoding};
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const FORM: &str = "/v1/render/booking-form";
const BOOK: &str = "/v1/render/booking-form/book";
const GUEST: &str = "guest:0";

async fn html(app: &TestApp, path: &str, actor: &str) -> String {
    let res = app.get(path, actor).await;
    assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text);
    res.text
}

/// The query of the last step for the first free slot `days` ahead.
async fn chosen(app: &TestApp, days: i64, actor: &str) -> (String, Vec<String>) {
    let s = shop(app).await;
    let picker = html(
        app,
        &format!(
            "{FORM}/slot-picker?service_id={}&location_id={}&staff_id={}&date={}",
            s.service,
            s.location,
            s.staff,
            ahead(days)
        ),
        actor,
    )
    .await;
    let slots = slot_values(&picker);
    assert!(!slots.is_empty(), "no slot offered: {picker}");
    let query = format!(
        "service_id={}&location_id={}&staff_id={}&addons=&slot={}",
        s.service,
        s.location,
        s.staff,
        urlencoding(&slots[0])
    );
    (query, slots)
}

async fn book(app: &TestApp, query: &str, actor: &str, key: &str, body: &Value) -> Response {
    app.request_with(
        Method::POST,
        &format!("{BOOK}?{query}"),
        actor,
        Some(serde_json::to_vec(body).expect("json")),
        &[
            ("Idempotency-Key", key),
            ("X-Volixta-Client-Ip", "203.0.113.7"),
        ],
        Tamper::default(),
    )
    .await
}

fn visitor(email: &str, wp_user_id: u64) -> Value {
    json!({"first_name": "Grace", "last_name": "Hopper", "email": email, "phone": "",
           "notes": "first visit", "website": "", "wp_user_id": wp_user_id})
}

async fn count(app: &TestApp, sql: &str) -> u64 {
    app.scalar(sql).await
}

#[tokio::test]
async fn a_visitor_books_through_the_steps_and_becomes_a_client_once() {
    let app = TestApp::spawn().await;
    let (query, _) = chosen(&app, 2, GUEST).await;
    let start = html(&app, FORM, GUEST).await;
    assert!(start.contains("Book an appointment") && start.contains(">Massage"));
    let details = html(&app, &format!("{FORM}?{query}&step=review"), GUEST).await;
    assert!(details.contains("name=\"email\"") && details.contains("name=\"website\""));
    assert!(details.contains("50.00"), "the price shows: {details}");

    let first = book(
        &app,
        &query,
        GUEST,
        "k-visitor-1",
        &visitor("grace@example.com", 501),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert!(
        first.text.contains("Thank you, your booking is made."),
        "{}",
        first.text
    );
    assert!(first.text.contains("grace@example.com"));
    let client: u64 = count(
        &app,
        "SELECT id FROM {p}volixta_clients WHERE wp_user_id = 501",
    )
    .await;
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) FROM {{p}}volixta_bookings WHERE client_id = {client} AND notes = 'first visit'")).await,
        1
    );
    // A double submit answers the same page and books nothing more.
    let again = book(
        &app,
        &query,
        GUEST,
        "k-visitor-1",
        &visitor("grace@example.com", 501),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(strip_keys(&again.text), strip_keys(&first.text));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM {p}volixta_bookings").await,
        1
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM {p}volixta_clients").await,
        1
    );
    // The new client sees its booking as any client does.
    let mine = app.get("/v1/render/customer_profile", "client:501").await;
    assert!(mine.text.contains("Massage"), "{}", mine.text);
}

/// The pages without their fresh idempotency keys.
fn strip_keys(html: &str) -> String {
    let strip = |html: &str, marker: &str| -> String {
        html.split(marker)
            .map(|part| part.split_once('"').map_or(part, |(_, rest)| rest))
            .collect()
    };
    // The key rides twice: for htmx's header and in the plain post's field.
    strip(
        &strip(html, "data-volixta-idempotency-key=\""),
        "name=\"volixta_book_key\" value=\"",
    )
}

#[tokio::test]
async fn a_known_email_is_asked_to_log_in_and_nothing_tells_which_kind() {
    let app = TestApp::spawn().await;
    let (query, _) = chosen(&app, 2, GUEST).await;
    app.create_client(json!({"first_name": "Ada", "email": "ada@example.com"}))
        .await;
    let blocked = app
        .create_client(json!({"first_name": "Bo", "email": "bo@example.com"}))
        .await;
    let res = app
        .patch(
            &format!("/v1/clients/{}", blocked["id"]),
            MANAGER,
            &json!({"blocked": true}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let mut answers = Vec::new();
    for (i, body) in [
        visitor("ADA@example.com", 601),
        visitor("bo@example.com", 602),
        json!({"first_name": "Grace", "last_name": "Hopper", "email": "wp@example.com", "phone": "",
               "notes": "first visit", "website": "", "existing_account": true}),
    ]
    .iter()
    .enumerate()
    {
        let res = book(&app, &query, GUEST, &format!("k-known-{i}"), body).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert!(
            res.text.contains("already has an account with us"),
            "{}",
            res.text
        );
        let email = body["email"].as_str().unwrap_or_default();
        answers.push(strip_keys(&res.text).replace(email, "E"));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[1], answers[2]);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM {p}volixta_clients").await,
        2
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM {p}volixta_bookings").await,
        0
    );
}

#[tokio::test]
async fn a_blocked_client_cannot_book_online() {
    let app = TestApp::spawn().await;
    let (query, _) = chosen(&app, 2, GUEST).await;
    app.create_client(json!({"first_name": "Bo", "wp_user_id": 77, "blocked": true}))
        .await;
    let res = book(
        &app,
        &query,
        "client:77",
        "k-blocked",
        &json!({"notes": ""}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(
        res.text.contains("The booking was not made"),
        "{}",
        res.text
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM {p}volixta_bookings").await,
        0
    );
}

#[tokio::test]
async fn scripts_and_visitors_past_the_limits_are_refused_with_nothing_written() {
    let app = TestApp::spawn().await;
    let (query, _) = chosen(&app, 2, GUEST).await;
    let mut bot = visitor("bot@example.com", 700);
    bot["website"] = json!("http://spam.example");
    let res = book(&app, &query, GUEST, "k-bot", &bot).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert_eq!(res.code(), "rejected");
    // One e-mail: a few tries an hour, whatever each one ends with.
    let mut known = visitor("again@example.com", 0);
    known["existing_account"] = json!(true);
    for i in 0..booking_form_max_per_email() {
        let res = book(&app, &query, GUEST, &format!("k-mail-{i}"), &known).await;
        assert_eq!(res.status, StatusCode::OK, "{i}: {}", res.text);
    }
    let res = book(&app, &query, GUEST, "k-mail-x", &known).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.text);
    // One address: more, but not without end (one is counted above already).
    let mut refused = false;
    for i in 0..volixta_service::booking_form::MAX_PER_ADDRESS {
        let mut other = visitor(&format!("v{i}@example.com"), 0);
        other["existing_account"] = json!(true);
        let res = book(&app, &query, GUEST, &format!("k-addr-{i}"), &other).await;
        refused |= res.status == StatusCode::TOO_MANY_REQUESTS;
    }
    assert!(refused, "the address was never limited");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM {p}volixta_clients").await,
        0
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM {p}volixta_bookings").await,
        0
    );
}

#[tokio::test]
async fn a_resent_post_is_answered_again_without_counting_against_the_limits() {
    let app = TestApp::spawn().await;
    let (query, _) = chosen(&app, 2, GUEST).await;
    let body = visitor("ada@example.com", 801);
    let first = book(&app, &query, GUEST, "k-resent", &body).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    // A flaky connection resends the same post more often than the e-mail's limit allows.
    for i in 0..booking_form_max_per_email() + 2 {
        let again = book(&app, &query, GUEST, "k-resent", &body).await;
        assert_eq!(again.status, StatusCode::OK, "resend {i}: {}", again.text);
        assert_eq!(strip_keys(&again.text), strip_keys(&first.text));
    }
    // Only the first post was an attempt: a new one with the e-mail is still answered (asked to
    // log in, as for any known e-mail), not refused as one too many.
    let mut known = visitor("ada@example.com", 0);
    known["existing_account"] = json!(true);
    let next = book(&app, &query, GUEST, "k-resent-2", &known).await;
    assert_eq!(next.status, StatusCode::OK, "{}", next.text);
    assert!(
        next.text.contains("already has an account"),
        "{}",
        next.text
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM {p}volixta_bookings").await,
        1
    );
}

#[tokio::test]
async fn an_account_without_a_client_is_told_so_in_a_clients_words_and_staff_in_theirs() {
    let app = TestApp::spawn().await;
    let (query, _) = chosen(&app, 2, GUEST).await;
    let review = format!("{FORM}?{query}&step=review");
    let account = html(&app, &review, "guest:55").await;
    assert!(
        account.contains("not linked to a client profile yet"),
        "{account}"
    );
    assert!(!account.contains("Staff book for clients"), "{account}");
    assert!(!account.contains("may not do that"), "{account}");
    assert!(
        !account.contains("volixta-bf-book"),
        "no Book now: {account}"
    );
    let staff = html(&app, &review, MANAGER).await;
    assert!(staff.contains("Staff book for clients"), "{staff}");
    assert!(!staff.contains("not linked to a client profile"), "{staff}");
}

#[tokio::test]
async fn the_done_page_links_to_the_portal_page_the_plugin_names() {
    let app = TestApp::spawn().await;
    let (query, slots) = chosen(&app, 2, GUEST).await;
    let post = |key: &'static str, portal: &'static str, body: Value, query: String| {
        let app = &app;
        async move {
            app.request_with(
                Method::POST,
                &format!("{BOOK}?{query}"),
                GUEST,
                Some(serde_json::to_vec(&body).expect("json")),
                &[
                    ("Idempotency-Key", key),
                    ("X-Volixta-Client-Ip", "203.0.113.9"),
                    ("X-Volixta-Portal-Url", portal),
                ],
                Tamper::default(),
            )
            .await
        }
    };
    let linked = post(
        "k-portal-1",
        "https://shop.example/my-account/?a=1&b=\"2\"",
        visitor("lin@example.com", 901),
        query.clone(),
    )
    .await;
    assert_eq!(linked.status, StatusCode::OK, "{}", linked.text);
    assert!(
        linked
            .text
            .contains("id=\"volixta-bf-portal\" href=\"https:&#x2f;&#x2f;shop.example&#x2f;my-account&#x2f;?a=1&amp;b=&quot;2&quot;\""),
        "{}",
        linked.text
    );
    // Anything but a plain web address is not linked.
    let later = slots.last().expect("slots");
    let other = query.replace(&urlencoding(&slots[0]), &urlencoding(later));
    let script = post(
        "k-portal-2",
        "javascript:alert(1)",
        visitor("js@example.com", 902),
        other,
    )
    .await;
    assert_eq!(script.status, StatusCode::OK, "{}", script.text);
    assert!(script.text.contains("Thank you, your booking is made."));
    assert!(
        !script.text.contains("volixta-bf-portal"),
        "{}",
        script.text
    );
}

fn booking_form_max_per_email() -> u32 {
    volixta_service::booking_form::MAX_PER_EMAIL
}

#[tokio::test]
async fn two_visitors_racing_for_one_slot_make_one_booking_and_the_loser_gets_the_nearest() {
    let app = TestApp::spawn().await;
    let other = app.replica().await;
    let (query, _) = chosen(&app, 3, GUEST).await;
    let (first, second) = (visitor("a@example.com", 801), visitor("b@example.com", 802));
    let (a, b) = tokio::join!(
        book(&app, &query, GUEST, "k-race-a", &first),
        book(&other, &query, GUEST, "k-race-b", &second),
    );
    let pages = [a, b];
    let won: Vec<&Response> = pages
        .iter()
        .filter(|r| r.text.contains("Thank you, your booking is made."))
        .collect();
    assert_eq!(
        won.len(),
        1,
        "{:?}",
        pages.iter().map(|p| &p.text).collect::<Vec<_>>()
    );
    let lost = pages
        .iter()
        .find(|r| !r.text.contains("Thank you"))
        .expect("a loser");
    assert!(
        lost.text.contains("that time was just taken"),
        "{}",
        lost.text
    );
    assert!(
        lost.text.contains("The nearest free times:"),
        "{}",
        lost.text
    );
    assert!(!slot_values(&lost.text).is_empty());
    // The loser's profile went with its booking.
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM {p}volixta_clients").await,
        1
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM {p}volixta_bookings").await,
        1
    );
}

#[tokio::test]
async fn a_client_books_for_itself_with_its_credits_as_far_as_they_go() {
    let app = TestApp::spawn().await;
    let (query, _) = chosen(&app, 2, GUEST).await;
    let client = app
        .create_client(json!({"first_name": "Cy", "email": "cy@example.com", "wp_user_id": 91}))
        .await;
    let id = client["id"].as_u64().expect("id");
    let res = app
        .post(
            &format!("/v1/clients/{id}/wallet/adjustments"),
            MANAGER,
            &json!({"amount": "20.00", "reason": "welcome"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let payment = html(&app, &format!("{FORM}?{query}&step=payment"), "client:91").await;
    assert!(payment.contains("Pay with my credits"), "{payment}");
    let with = format!("{query}&use_wallet=credits");
    let review = html(&app, &format!("{FORM}?{with}&step=review"), "client:91").await;
    assert!(
        review.contains("Paid with your credits") && review.contains("Booking as Cy"),
        "{review}"
    );
    assert!(
        !review.contains("name=\"email\""),
        "a client types no details"
    );
    let res = book(
        &app,
        &with,
        "client:91",
        "k-client",
        &json!({"notes": "window seat"}),
    )
    .await;
    assert!(
        res.text.contains("Thank you, your booking is made."),
        "{}",
        res.text
    );
    assert!(!res.text.contains("set your password"));
    let spent: u64 = app
        .scalar(&format!(
            "SELECT (SELECT wallet_balance = 0 FROM {{p}}volixta_clients WHERE id = {id}) \
             AND (SELECT amount_paid = 20 FROM {{p}}volixta_bookings WHERE client_id = {id})"
        ))
        .await;
    assert_eq!(spent, 1, "the 20.00 of credits paid the booking");
    // Someone else's account may look at the form, but not book.
    let staff = book(&app, &with, "employee:5", "k-staff", &json!({"notes": ""})).await;
    assert_eq!(staff.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_form_follows_the_clock_and_the_pay_on_site_setting() {
    let app = TestApp::spawn().await;
    let (query, _) = chosen(&app, 2, GUEST).await;
    let twelve = html(&app, &format!("{FORM}?{query}&step=payment"), GUEST).await;
    assert!(twelve.contains(" AM") && twelve.contains("On site, at the appointment"));
    let res = app
        .patch(
            "/v1/settings",
            ADMIN,
            &json!({"time_format": "24h", "pay_on_site": false}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let day = html(&app, &format!("{FORM}?{query}&step=payment"), GUEST).await;
    assert!(!day.contains(" AM") && !day.contains(" PM"), "{day}");
    assert!(day.contains("Paying on site is not offered"));
    let res = book(
        &app,
        &query,
        GUEST,
        "k-online",
        &visitor("on@example.com", 901),
    )
    .await;
    assert!(
        res.text.contains("Paying on site is not offered"),
        "{}",
        res.text
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM {p}volixta_bookings").await,
        0
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM {p}volixta_clients").await,
        0
    );
}

#[tokio::test]
async fn a_client_pays_the_service_with_a_package_session_and_another_clients_pays_nothing() {
    let app = TestApp::spawn().await;
    let (query, slots) = chosen(&app, 2, GUEST).await;
    let service = count(&app, "SELECT id FROM {p}volixta_services").await;
    let client_id = |v: Value| v["id"].as_u64().expect("id");
    let pia = client_id(
        app.create_client(
            json!({"first_name": "Pia", "email": "pia@example.com", "wp_user_id": 93}),
        )
        .await,
    );
    let oz = client_id(
        app.create_client(json!({"first_name": "Oz", "email": "oz@example.com", "wp_user_id": 94}))
            .await,
    );
    let res = app
        .post(
            "/v1/packages",
            MANAGER,
            &json!({"name": "Five <massages>", "sessions": 5, "price": "200.00", "service_ids": [service]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let package = res.body["id"].as_u64().expect("id");
    let give = |client: u64| {
        let app = app.handle();
        async move {
            let res = app
                .post(
                    &format!("/v1/clients/{client}/packages"),
                    MANAGER,
                    &json!({"package_id": package}),
                )
                .await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
            res.body["id"].as_u64().expect("id")
        }
    };
    let mine = give(pia).await;
    let theirs = give(oz).await;

    // The payment step offers the client's own usable package (escaped), nobody else's.
    let payment = html(&app, &format!("{FORM}?{query}&step=payment"), "client:93").await;
    assert!(
        payment.contains(&format!("name=\"package\" value=\"{mine}\"")),
        "{payment}"
    );
    assert!(payment.contains("Five &lt;massages&gt; — 5 of 5 sessions left"));
    assert!(!payment.contains(&format!("value=\"{theirs}\"")));
    let visitor_form = html(&app, &format!("{FORM}?{query}&step=payment"), GUEST).await;
    assert!(!visitor_form.contains("name=\"package\""));
    // Another client's package named in the address is said beside the field, not priced in.
    let stolen = html(
        &app,
        &format!("{FORM}?{query}&package={theirs}&step=review"),
        "client:93",
    )
    .await;
    assert!(
        stolen.contains("This package cannot pay for this booking."),
        "{stolen}"
    );
    assert!(!stolen.contains("Paid with a package session"));

    // The session pays the whole service: the booking is made even without paying on site.
    let res = app
        .patch("/v1/settings", ADMIN, &json!({"pay_on_site": false}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let with = format!("{query}&package={mine}");
    let review = html(&app, &format!("{FORM}?{with}&step=review"), "client:93").await;
    assert!(
        review.contains("Paid with a package session") && review.contains("Booking as Pia"),
        "{review}"
    );
    let res = book(&app, &with, "client:93", "k-package", &json!({"notes": ""})).await;
    assert!(
        res.text.contains("Thank you, your booking is made."),
        "{}",
        res.text
    );
    let used = |id: u64| {
        let app = app.handle();
        async move {
            app.scalar::<u64>(&format!(
                "SELECT sessions_used FROM {{p}}volixta_client_packages WHERE id = {id}"
            ))
            .await
        }
    };
    assert_eq!(used(mine).await, 1);
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM {{p}}volixta_bookings b JOIN {{p}}volixta_booking_payments p \
                 ON p.booking_id = b.id WHERE b.client_id = {pia} AND b.payment_status = 'paid' \
                 AND p.method = 'package'"
            )
        )
        .await,
        1
    );

    // Posting another client's package books nothing and uses nothing: the transaction decides.
    let later = query.replace(
        &urlencoding(&slots[0]),
        &urlencoding(slots.last().expect("a slot")),
    );
    let res = book(
        &app,
        &format!("{later}&package={theirs}"),
        "client:93",
        "k-theft",
        &json!({"notes": ""}),
    )
    .await;
    assert!(
        res.text.contains("The booking was not made") && res.text.contains("package"),
        "{}",
        res.text
    );
    assert_eq!(used(theirs).await, 0);
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM {{p}}volixta_bookings WHERE client_id = {pia}")
        )
        .await,
        1
    );
}

#[tokio::test]
async fn two_packages_of_one_name_are_told_apart_by_number_and_last_day() {
    let app = TestApp::spawn().await;
    let (query, _) = chosen(&app, 2, GUEST).await;
    let service = count(&app, "SELECT id FROM {p}volixta_services").await;
    let pia = app
        .create_client(json!({"first_name": "Pia", "email": "pia@example.com", "wp_user_id": 95}))
        .await["id"]
        .as_u64()
        .expect("id");
    let res = app
        .post(
            "/v1/packages",
            MANAGER,
            &json!({"name": "Therapy Pack", "sessions": 5, "price": "200.00", "service_ids": [service]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let package = res.body["id"].as_u64().expect("id");
    let last_day = chrono::Utc::now().date_naive() + chrono::Duration::days(400);
    let mut owned = Vec::new();
    for body in [
        json!({"package_id": package, "expires_on": last_day.to_string()}),
        json!({"package_id": package, "expires_on": null}),
    ] {
        let res = app
            .post(&format!("/v1/clients/{pia}/packages"), MANAGER, &body)
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        owned.push(res.body["id"].as_u64().expect("id"));
    }
    let payment = html(&app, &format!("{FORM}?{query}&step=payment"), "client:95").await;
    let label = |id: u64| -> String {
        let at = payment
            .find(&format!("name=\"package\" value=\"{id}\""))
            .unwrap_or_else(|| panic!("package {id} offered: {payment}"));
        let rest = &payment[at..];
        let start = rest.find('>').expect("input end") + 1;
        rest[start..rest.find("</label>").expect("label end")]
            .trim()
            .to_owned()
    };
    let day = last_day.format("%A %-d %B %Y");
    assert_eq!(
        label(owned[0]),
        format!(
            "Therapy Pack — 5 of 5 sessions left (package #{}, expires {day})",
            owned[0]
        )
    );
    assert_eq!(
        label(owned[1]),
        format!(
            "Therapy Pack — 5 of 5 sessions left (package #{}, no expiry)",
            owned[1]
        )
    );
}
