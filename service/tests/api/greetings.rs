//! Reminders before bookings and birthday and anniversary greetings: written by the scheduler
//! of every replica, once per occasion (the outbox's unique key decides), across restarts and
//! with two schedulers at once; opt-outs, blocked clients and cancelled bookings get nothing;
//! delivered over a real SMTP conversation (`mail_sink`).
use crate::bookings::{Shop, at, booking, massage, rfc, shop};
use crate::helpers::*;
use crate::mail_sink::{SmtpSink, parse, part};
use chrono::{Datelike, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use volixta_service::{
    gift_codes::CodeKeys,
    notifications::occasions::{self, Written},
};

fn keys() -> CodeKeys {
    CodeKeys::new(None, SECRET.as_bytes())
}

async fn client(app: &TestApp, body: Value) -> u64 {
    app.create_client(body).await["id"]
        .as_u64()
        .expect("client id")
}

async fn settings(app: &TestApp, body: Value) {
    let res = app.patch("/v1/settings", ADMIN, &body).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
}

async fn book(app: &TestApp, s: &Shop, client: u64, days: i64, hour: u32) -> u64 {
    let res = app
        .post(
            "/v1/bookings",
            MANAGER,
            &booking(s, client, at(days, hour, 0)),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_u64().expect("booking id")
}

/// The e-mail outbox rows of one topic, as (dedupe key, recipient), by key.
async fn written(app: &TestApp, topic: &str) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = app
        .rows::<String>(&format!(
            "SELECT CONCAT(dedupe_key, ' ', recipient) FROM {{p}}volixta_outbox \
             WHERE topic = '{topic}'"
        ))
        .await
        .into_iter()
        .map(|r| {
            let (k, to) = r.split_once(' ').expect("pair");
            (k.to_owned(), to.to_owned())
        })
        .collect();
    rows.sort();
    rows
}

/// Two schedulers (two replicas' pools) looking at the same moment.
async fn two_schedulers(app: &TestApp, other: &TestApp) -> Written {
    let now = Utc::now();
    let (k1, k2) = (keys(), keys());
    let (a, b) = tokio::join!(
        occasions::schedule(&app.db, &k1, now),
        occasions::schedule(&other.db, &k2, now)
    );
    let (a, b) = (a.expect("first scheduler"), b.expect("second scheduler"));
    Written {
        reminders: a.reminders + b.reminders,
        greetings: a.greetings + b.greetings,
    }
}

#[tokio::test]
async fn one_reminder_per_booking_and_start_with_two_schedulers_and_a_restart() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    settings(
        &app,
        json!({"reminder_hours_before": 72, "business_name": "Spa & Co"}),
    )
    .await;
    let ann = client(
        &app,
        json!({"first_name": "Ann", "last_name": "O'Neil", "email": "ann@example.com"}),
    )
    .await;
    let bob = client(
        &app,
        json!({"first_name": "Bob", "email": "bob@example.com",
               "notifications": {"reminders": false}}),
    )
    .await;
    let cid = client(
        &app,
        json!({"first_name": "Cid", "email": "cid@example.com", "blocked": true}),
    )
    .await;
    let soon = book(&app, &s, ann, 2, 10).await;
    let later = book(&app, &s, ann, 9, 10).await;
    let cancelled = book(&app, &s, ann, 2, 13).await;
    let res = app
        .post(
            &format!("/v1/bookings/{cancelled}/cancel"),
            MANAGER,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    book(&app, &s, bob, 2, 15).await;
    // A blocked client cannot book online; the team books for them, and no e-mail goes out.
    let res = app
        .post("/v1/bookings", MANAGER, &booking(&s, cid, at(1, 16, 0)))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    // The booking location's clock: 10:00 UTC is 19:00 in Tokyo.
    let res = app
        .patch(
            &format!("/v1/locations/{}", s.location),
            MANAGER,
            &json!({"timezone": "Asia/Tokyo"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    let replica = app.replica().await;
    let first = two_schedulers(&app, &replica).await;
    assert_eq!(first.reminders, 1, "{first:?}");
    let key = occasions::reminder_key(soon, at(2, 10, 0));
    assert_eq!(
        written(&app, "booking.reminder").await,
        vec![(key.clone(), "ann@example.com".to_owned())]
    );
    // A restarted replica (a new pool, nothing remembered) finds nothing new.
    drop(replica);
    let restarted = app.replica().await;
    let again = occasions::schedule(&restarted.db, &keys(), Utc::now())
        .await
        .expect("scheduler");
    assert_eq!(again, Written::default());
    assert_eq!(written(&app, "booking.reminder").await.len(), 1);

    // A booking moved into another start gets a reminder of its own; the far one none yet.
    let moved = at(2, 12, 0);
    let res = app
        .post(
            &format!("/v1/bookings/{soon}/reschedule"),
            MANAGER,
            &json!({"start": rfc(moved)}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let second = two_schedulers(&app, &restarted).await;
    assert_eq!(second.reminders, 1, "{second:?}");
    let keys_now: Vec<String> = written(&app, "booking.reminder")
        .await
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let mut expected = vec![key, occasions::reminder_key(soon, moved)];
    expected.sort();
    assert_eq!(keys_now, expected);
    assert!(!keys_now.iter().any(|k| k.contains(&format!(":{later}:"))));

    // Delivered: the client's reminder, on the location's clock, the business's name escaped.
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let _workers = app.outbox_workers(|c| c.smtp_url = url).await;
    // Besides the reminders, the booking e-mails to the clients: Ann's three bookings, her
    // cancellation and her move, Bob's and Cid's bookings.
    let mails = sink.wait_for(2 + 7, 60).await;
    assert_eq!(mails.len(), 9, "{mails:#?}");
    let reminders: Vec<_> = mails
        .iter()
        .filter(|m| {
            let (headers, _) = parse(&m.data);
            crate::mail_sink::header(&headers, "subject").starts_with("Reminder")
        })
        .collect();
    assert_eq!(reminders.len(), 2, "{mails:#?}");
    assert!(reminders.iter().all(|m| m.to == ["ann@example.com"]));
    let texts: Vec<String> = reminders
        .iter()
        .map(|m| part(&parse(&m.data).1, "text/plain").body.clone())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("7:00 PM") && t.contains("Asia/Tokyo")),
        "{texts:?}"
    );
    assert!(texts.iter().all(|t| t.contains("Hello Ann O'Neil")));
    let html = part(&parse(&reminders[0].data).1, "text/html").body.clone();
    assert!(html.contains("Spa &amp; Co"), "{html}");
}

#[tokio::test]
async fn reminders_off_writes_none() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    settings(&app, json!({"reminder_hours_before": 0})).await;
    let ann = client(
        &app,
        json!({"first_name": "Ann", "email": "ann@example.com"}),
    )
    .await;
    book(&app, &s, ann, 1, 10).await;
    let w = occasions::schedule(&app.db, &keys(), Utc::now())
        .await
        .expect("scheduler");
    assert_eq!(w, Written::default());
    let res = app
        .patch(
            "/v1/settings",
            ADMIN,
            &json!({"reminder_hours_before": 400}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
}

/// A date `years` ago on today's month and day (today in UTC, the business's zone here).
fn years_ago_today(years: i32) -> String {
    let today = Utc::now().date_naive();
    let (month, day, _) = occasions::celebrated_on(today);
    format!("{:04}-{month:02}-{day:02}", today.year() - years)
}

#[tokio::test]
async fn birthdays_and_anniversaries_once_a_year_with_a_fresh_gift_code_each() {
    let app = TestApp::spawn().await;
    let template = app
        .post(
            "/v1/gift-codes",
            MANAGER,
            &json!({"value": "15.00", "note": "Birthday template",
                    "expires_at": rfc(Utc::now() + chrono::Duration::days(30))}),
        )
        .await;
    assert_eq!(template.status, StatusCode::CREATED, "{}", template.text);
    let template_id = template.body["id"].as_u64().expect("id");
    // A greeting names an existing code, never a made-up one.
    let res = app
        .patch(
            "/v1/settings",
            ADMIN,
            &json!({"greeting_gift_code_id": 999_999}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    settings(
        &app,
        json!({"timezone": "UTC", "birthday_greetings": true, "anniversary_greetings": true,
               "greeting_gift_code_id": template_id}),
    )
    .await;
    let today = years_ago_today(30);
    let ann = client(
        &app,
        json!({"first_name": "Ann", "email": "ann@example.com", "birthday": today,
               "anniversary": years_ago_today(5), "wp_user_id": 501}),
    )
    .await;
    client(
        &app,
        json!({"first_name": "Bob", "email": "bob@example.com", "birthday": today,
               "notifications": {"birthday": false}}),
    )
    .await;
    client(
        &app,
        json!({"first_name": "Cid", "email": "cid@example.com", "birthday": today,
               "blocked": true}),
    )
    .await;
    client(
        &app,
        json!({"first_name": "Dee", "email": "dee@example.com", "birthday": "1990-01-01"
               .replace("01-01", if today.ends_with("01-01") { "01-02" } else { "01-01" })}),
    )
    .await;

    let replica = app.replica().await;
    let first = two_schedulers(&app, &replica).await;
    assert_eq!(first.greetings, 2, "{first:?}");
    let year = Utc::now().year();
    assert_eq!(
        written(&app, "client.birthday").await,
        vec![(
            format!("birthday:{ann}:{year}"),
            "ann@example.com".to_owned()
        )]
    );
    assert_eq!(
        written(&app, "client.anniversary").await,
        vec![(
            format!("anniversary:{ann}:{year}"),
            "ann@example.com".to_owned()
        )]
    );
    // One fresh code per greeting that reached the outbox, none for the scheduler that lost.
    let issued: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_gift_codes WHERE created_by = 'system'")
        .await;
    assert_eq!(issued, 2);
    drop(replica);
    let restarted = app.replica().await;
    let again = occasions::schedule(&restarted.db, &keys(), Utc::now())
        .await
        .expect("scheduler");
    assert_eq!(again, Written::default());
    let issued: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_gift_codes WHERE created_by = 'system'")
        .await;
    assert_eq!(issued, 2);

    let sink = SmtpSink::start().await;
    let url = sink.url();
    let _workers = app.outbox_workers(|c| c.smtp_url = url).await;
    let mails = sink.wait_for(2, 60).await;
    assert_eq!(mails.len(), 2, "{mails:#?}");
    assert!(mails.iter().all(|m| m.to == ["ann@example.com"]));
    let birthday = mails
        .iter()
        .find(|m| crate::mail_sink::header(&parse(&m.data).0, "subject").contains("birthday"))
        .expect("birthday mail");
    let text = part(&parse(&birthday.data).1, "text/plain").body.clone();
    assert!(text.contains("Happy birthday"), "{text}");
    // The code in the e-mail is Ann's own: she redeems it once, for the template's value.
    let code = text
        .lines()
        .map(str::trim)
        .find(|l| l.len() >= 16 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .expect("a code line")
        .to_owned();
    let res = app
        .post(
            "/v1/gift-codes/redeem",
            "client:501",
            &json!({"code": code}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["balance"], "15.00", "{}", res.text);
    let res = app
        .post(
            "/v1/gift-codes/redeem",
            "client:501",
            &json!({"code": code}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
}

#[tokio::test]
async fn the_settings_screen_sets_reminders_greetings_and_their_gift_code() {
    let app = TestApp::spawn().await;
    let code = app
        .post(
            "/v1/gift-codes",
            MANAGER,
            &json!({"value": "10.00", "note": "<b>Birthday</b>"}),
        )
        .await;
    assert_eq!(code.status, StatusCode::CREATED, "{}", code.text);
    let code_id = code.body["id"].as_u64().expect("id");
    let page = app.get("/v1/render/admin/settings", ADMIN).await.text;
    assert!(
        page.contains(r#"name="reminder_hours_before" value="24""#),
        "{page}"
    );
    assert!(
        page.contains(&format!(r#"<option value="{code_id}">"#)),
        "{page}"
    );
    assert!(!page.contains("<b>Birthday</b>"), "the note is escaped");
    let save = "/v1/render/admin/settings/save?page=volixta-settings";
    let good = json!({"slot_interval_minutes": "15", "min_booking_notice_minutes": "60",
        "min_change_notice_minutes": "1440", "max_booking_ahead_days": "365",
        "currency": "EUR", "prices_include_tax": "1", "tax_rate_percent": "0",
        "client_limit": "", "time_format": "auto", "reminder_hours_before": "48",
        "birthday_greetings": "1", "greeting_gift_code_id": code_id.to_string()});
    for (field, value) in [
        ("reminder_hours_before", "soon"),
        ("reminder_hours_before", "500"),
        ("greeting_gift_code_id", "424242"),
    ] {
        let mut body = good.clone();
        body[field] = json!(value);
        let res = app.post(save, ADMIN, &body).await;
        assert!(
            res.text.contains(&format!("volixta-field-{field}-error")),
            "{field}={value}: {}",
            res.text
        );
        let s = app.get("/v1/settings", ADMIN).await.body;
        assert_eq!(s["reminder_hours_before"], 24, "nothing saved");
        assert_eq!(s["birthday_greetings"], false, "nothing saved");
    }
    let res = app.post(save, ADMIN, &good).await;
    assert!(res.text.contains("Settings saved."), "{}", res.text);
    let s = app.get("/v1/settings", ADMIN).await.body;
    assert_eq!(s["reminder_hours_before"], 48);
    assert_eq!(s["birthday_greetings"], true);
    assert_eq!(s["anniversary_greetings"], false);
    assert_eq!(s["greeting_gift_code_id"], code_id);
    assert!(
        res.text
            .contains(&format!(r#"<option value="{code_id}" selected>"#))
    );
    // Empty: no reminders, no gift code.
    let mut off = good.clone();
    off["reminder_hours_before"] = json!("");
    off["greeting_gift_code_id"] = json!("");
    let res = app.post(save, ADMIN, &off).await;
    assert!(res.text.contains("Settings saved."), "{}", res.text);
    let s = app.get("/v1/settings", ADMIN).await.body;
    assert_eq!(s["reminder_hours_before"], 0);
    assert!(s["greeting_gift_code_id"].is_null());
}

async fn marketing(
    app: &TestApp,
    body: &Value,
    unsubscribe: Option<&str>,
) -> crate::helpers::Response {
    let headers: Vec<(&str, &str)> = unsubscribe
        .map(|u| vec![("X-Volixta-Unsubscribe-Url", u)])
        .unwrap_or_default();
    app.request_with(
        reqwest::Method::POST,
        "/v1/marketing",
        MANAGER,
        Some(serde_json::to_vec(body).expect("json")),
        &headers,
        Tamper::default(),
    )
    .await
}

async fn subscribed(app: &TestApp, client: u64) -> bool {
    app.get(&format!("/v1/clients/{client}"), MANAGER)
        .await
        .body["notifications"]["marketing"]
        .as_bool()
        .expect("marketing flag")
}

/// The client's audit entries of unsubscribing, newest first.
async fn unsubscribes(app: &TestApp, client: u64) -> Vec<Value> {
    let res = app
        .get(&format!("/v1/clients/{client}/audit"), MANAGER)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    res.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "unsubscribe")
        .cloned()
        .collect()
}

#[tokio::test]
async fn marketing_reaches_only_opted_in_unblocked_clients_and_its_signed_link_unsubscribes() {
    let app = TestApp::spawn().await;
    let page_url = "https://spa.example/wp-json/volixta/v1/unsubscribe";
    let ann = client(
        &app,
        json!({"first_name": "Ann", "email": "ann@example.com",
               "notifications": {"marketing": true}}),
    )
    .await;
    client(
        &app,
        json!({"first_name": "Bob", "email": "bob@example.com"}),
    )
    .await;
    client(
        &app,
        json!({"first_name": "Cid", "email": "cid@example.com", "blocked": true,
               "notifications": {"marketing": true}}),
    )
    .await;
    let dee = client(
        &app,
        json!({"first_name": "Dee", "email": "dee@example.com",
               "notifications": {"marketing": true}}),
    )
    .await;
    let res = app.delete(&format!("/v1/clients/{dee}"), MANAGER).await;
    assert!(res.status.is_success(), "{}", res.text);

    let message = json!({"subject": "Spring offers", "body": "Ten percent off <script>alert(1)</script>.\n\nSee you soon!"});
    // Refused, nothing written: no unsubscribe page, a subject that would add a header, a
    // page that is no web address; and not for employees.
    for (body, url) in [
        (message.clone(), None),
        (
            json!({"subject": "Hi\r\nBcc: all@example.com", "body": "x"}),
            Some(page_url),
        ),
        (message.clone(), Some("javascript:alert(1)")),
        (json!({"subject": "Hi", "body": "  "}), Some(page_url)),
    ] {
        let res = marketing(&app, &body, url).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            res.text
        );
    }
    let res = app.post("/v1/marketing", "employee:7", &message).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let none: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_outbox WHERE topic = 'marketing'")
        .await;
    assert_eq!(none, 0);

    let res = marketing(&app, &message, Some(page_url)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["recipients"], 1);
    assert_eq!(
        written(&app, "marketing").await,
        vec![(
            format!("marketing:{}:{ann}", res.body["id"]),
            "ann@example.com".to_owned()
        )]
    );

    let sink = SmtpSink::start().await;
    let url = sink.url();
    let _workers = app.outbox_workers(|c| c.smtp_url = url).await;
    let mails = sink.wait_for(1, 60).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["ann@example.com"]);
    let (headers, parts) = parse(&mails[0].data);
    assert_eq!(
        crate::mail_sink::header(&headers, "subject"),
        "Spring offers"
    );
    let list = crate::mail_sink::header(&headers, "list-unsubscribe").to_owned();
    let link = list
        .strip_prefix('<')
        .and_then(|l| l.strip_suffix('>'))
        .expect("List-Unsubscribe <url>")
        .to_owned();
    assert!(
        link.starts_with(&format!("{page_url}?client={ann}&token=")),
        "{link}"
    );
    assert_eq!(
        crate::mail_sink::header(&headers, "list-unsubscribe-post"),
        "List-Unsubscribe=One-Click",
        "one-click unsubscribe (RFC 8058) is offered"
    );
    let text = &part(&parts, "text/plain").body;
    assert!(text.contains(&link), "{text}");
    let html = &part(&parts, "text/html").body;
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;"), "{html}");
    let token = link.rsplit("token=").next().expect("token").to_owned();

    // Altered or forged links are refused and change nothing.
    let mut altered = token.clone().into_bytes();
    altered[5] = if altered[5] == b'a' { b'b' } else { b'a' };
    let altered = String::from_utf8(altered).expect("ascii");
    for (who, t) in [
        (ann, altered.as_str()),
        (ann + 1, token.as_str()),
        (ann, ""),
    ] {
        let res = app
            .get(
                &format!("/v1/unsubscribe?client={who}&token={t}"),
                "guest:0",
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
        assert!(res.text.contains("not valid"), "{}", res.text);
        let res = app
            .post(
                "/v1/unsubscribe",
                "guest:0",
                &json!({"client": who.to_string(), "token": t}),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
        // A mail program's one-click post carries the link in its query.
        let res = app
            .post(
                &format!("/v1/unsubscribe?client={who}&token={t}"),
                "guest:0",
                &json!({"List-Unsubscribe": "One-Click"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    }
    assert!(subscribed(&app, ann).await, "nothing changed");
    assert!(unsubscribes(&app, ann).await.is_empty(), "nothing recorded");

    // The real link: a confirmation first (opening it changes nothing), then the button.
    let res = app
        .get(
            &format!("/v1/unsubscribe?client={ann}&token={token}"),
            "guest:0",
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(res.text.contains(r#"<form method="post""#), "{}", res.text);
    let policy = res.headers[reqwest::header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("policy");
    assert!(
        policy.contains("default-src 'none'") && policy.contains("form-action 'self'"),
        "{policy}"
    );
    assert!(subscribed(&app, ann).await);
    let res = app
        .post(
            "/v1/unsubscribe",
            "guest:0",
            &json!({"client": ann.to_string(), "token": token}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(res.text.contains("You are unsubscribed"), "{}", res.text);
    assert!(!subscribed(&app, ann).await);

    // The client's audit log says who: the client, by the link (no session named them).
    let entries = unsubscribes(&app, ann).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["actor"], "unsubscribe_link");
    let change = &entries[0]["changes"]["notifications"];
    assert_eq!(
        (
            &change["before"]["marketing"],
            &change["after"]["marketing"]
        ),
        (&json!(true), &json!(false)),
        "{change}"
    );
    let activity = app
        .get(
            &format!("/v1/render/admin/clients?client={ann}&tab=activity"),
            MANAGER,
        )
        .await;
    assert_eq!(activity.status, StatusCode::OK, "{}", activity.text);
    for shown in [
        "Unsubscribed from marketing",
        "The client, by the link in an e-mail",
    ] {
        assert!(activity.text.contains(shown), "{shown}: {}", activity.text);
    }
    // Once more: still a confirmation, nothing recorded twice.
    let res = app
        .post(
            "/v1/unsubscribe",
            "guest:0",
            &json!({"client": ann.to_string(), "token": token}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(unsubscribes(&app, ann).await.len(), 1);

    // Subscribed again by a manager, then unsubscribed by a mail program's one-click post to
    // the link (RFC 8058): no page, the link's query is the proof.
    let res = app
        .patch(
            &format!("/v1/clients/{ann}"),
            MANAGER,
            &json!({"notifications": {"marketing": true}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .post(
            &format!("/v1/unsubscribe?client={ann}&token={token}"),
            "guest:0",
            &json!({"List-Unsubscribe": "One-Click"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(!subscribed(&app, ann).await);
    assert_eq!(unsubscribes(&app, ann).await.len(), 2);

    let res = marketing(&app, &message, Some(page_url)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["recipients"], 0, "nobody left to write to");
}
