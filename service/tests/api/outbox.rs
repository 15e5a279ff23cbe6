//! E-mails through the outbox against a real SMTP conversation (`mail_sink`): written in the
//! booking's transaction, delivered once per recipient and event by the workers of two replicas,
//! after an outage too; the .ics reads back and moves on reschedule; failures park and retry.
use crate::bookings::{Shop, at, booking, massage, rfc, shop};
use crate::helpers::*;
use crate::mail_sink::{SmtpSink, free_port, header, ics_value, parse, part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

/// A shop whose staff member and client have addresses, and one manager address.
async fn mail_shop(app: &TestApp) -> (Shop, u64) {
    let s = shop(app, massage()).await;
    let res = app
        .patch(
            &format!("/v1/staff/{}", s.staff),
            MANAGER,
            &json!({"email": "sam@example.com"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .patch(
            "/v1/settings",
            ADMIN,
            &json!({"manager_emails": ["boss@example.com"], "mail_reply_to": "desk@example.com",
                    "business_name": "Spa & Co", "business_address": "1 Main Street, Paris"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let client = app
        .create_client(
            json!({"first_name": "Ann", "last_name": "O'Neil", "email": "ann@example.com"}),
        )
        .await;
    (s, client["id"].as_u64().expect("id"))
}

async fn outbox_counts(app: &TestApp) -> (u64, u64, u64) {
    let n = |status: &'static str| {
        let app = app.handle();
        async move {
            app.scalar::<u64>(&format!(
                "SELECT COUNT(*) FROM {{p}}volixta_outbox WHERE channel = 'email' AND status = '{status}'"
            ))
            .await
        }
    };
    (n("pending").await, n("sent").await, n("failed").await)
}

fn by_recipient<'a>(
    mails: &'a [crate::mail_sink::Received],
    to: &str,
) -> Vec<&'a crate::mail_sink::Received> {
    mails.iter().filter(|m| m.to == [to]).collect()
}

#[tokio::test]
async fn smtp_down_bookings_succeed_and_each_mail_arrives_once_from_two_replicas() {
    let app = TestApp::spawn().await;
    let (s, client) = mail_shop(&app).await;
    let port = free_port().await;
    let url = format!("smtp://127.0.0.1:{port}");
    let (u1, u2) = (url.clone(), url.clone());
    let _a = app.outbox_workers(|c| c.smtp_url = u1).await;
    let _b = app.outbox_workers(|c| c.smtp_url = u2).await;
    let start = at(3, 10, 0);
    let res = app
        .post("/v1/bookings", MANAGER, &booking(&s, client, start))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    // The outage: tries fail and are scheduled again, the booking is untouched.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let tried: u64 = app
            .scalar(
                "SELECT COUNT(*) FROM {p}volixta_outbox WHERE attempts >= 2 AND status = 'pending'",
            )
            .await;
        if tried == 3 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no retries during the outage"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let error: String = app
        .scalar("SELECT MAX(last_error) FROM {p}volixta_outbox")
        .await;
    assert!(!error.is_empty());
    let sink = SmtpSink::start_on(port).await;
    let mails = sink.wait_for(3, 60).await;
    assert_eq!(mails.len(), 3, "{mails:#?}");
    // Nothing more comes: every message was marked sent once.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(sink.messages().len(), 3);
    assert_eq!(outbox_counts(&app).await, (0, 3, 0));
    for to in ["ann@example.com", "sam@example.com", "boss@example.com"] {
        assert_eq!(by_recipient(&mails, to).len(), 1, "{to}");
    }
    let ann = by_recipient(&mails, "ann@example.com")[0];
    assert_eq!(ann.from, "no-reply@localhost");
    let (headers, parts) = parse(&ann.data);
    assert!(header(&headers, "reply-to").contains("desk@example.com"));
    assert!(
        header(&headers, "subject").contains("Massage"),
        "{headers:?}"
    );
    let message_ids: Vec<String> = app.rows("SELECT message_id FROM {p}volixta_outbox").await;
    assert!(
        message_ids
            .iter()
            .any(|id| header(&headers, "message-id") == format!("<{id}@localhost>")),
        "{headers:?}"
    );
    let text = &part(&parts, "text/plain").body;
    assert!(text.contains("Hello Ann O'Neil"), "{text}");
    assert!(text.contains("Main street"), "{text}");
    assert!(text.contains("Sam Stylist"), "{text}");
    assert!(
        text.contains(&start.format("%Y-%m-%d").to_string()),
        "{text}"
    );
    assert!(text.contains("Spa & Co"), "{text}");
    let html = &part(&parts, "text/html").body;
    assert!(
        html.contains("Ann O&#x27;Neil") || html.contains("Ann O&#39;Neil"),
        "{html}"
    );
    assert!(html.contains("Spa &amp; Co"), "{html}");
    let ics = &part(&parts, "text/calendar").body;
    assert_eq!(ics_value(ics, "METHOD"), "REQUEST");
    assert_eq!(
        ics_value(ics, "DTSTART"),
        start.format("%Y%m%dT%H%M%SZ").to_string()
    );
    assert_eq!(ics_value(ics, "SEQUENCE"), "0");
    let sam = by_recipient(&mails, "sam@example.com")[0];
    let staff_text = part(&parse(&sam.data).1, "text/plain").body.clone();
    assert!(
        staff_text.contains("New booking for Ann O'Neil"),
        "{staff_text}"
    );
    assert!(staff_text.contains("a manager"), "{staff_text}");
}

#[tokio::test]
async fn reschedule_and_cancel_say_who_did_what_and_move_the_calendar_entry() {
    let app = TestApp::spawn().await;
    let (s, client) = mail_shop(&app).await;
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let _workers = app.outbox_workers(|c| c.smtp_url = url).await;
    let first = at(4, 10, 0);
    let res = app
        .post("/v1/bookings", MANAGER, &booking(&s, client, first))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let id = res.body["id"].as_u64().expect("id");
    assert_eq!(sink.wait_for(3, 30).await.len(), 3);
    let moved = at(5, 14, 0);
    let res = app
        .request_with(
            Method::POST,
            &format!("/v1/bookings/{id}/reschedule"),
            MANAGER,
            Some(serde_json::to_vec(&json!({"start": rfc(moved)})).expect("json")),
            &[("X-Volixta-Actor-Name", "Maria%20Manager")],
            Tamper::default(),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let mails = sink.wait_for(6, 30).await;
    assert_eq!(mails.len(), 6);
    let created = part(
        &parse(
            &mails[..3]
                .iter()
                .find(|m| m.to == ["ann@example.com"])
                .expect("mail")
                .data,
        )
        .1,
        "text/calendar",
    )
    .body
    .clone();
    let ann = mails[3..]
        .iter()
        .find(|m| m.to == ["ann@example.com"])
        .expect("moved mail");
    let (headers, parts) = parse(&ann.data);
    assert!(header(&headers, "subject").contains("moved"), "{headers:?}");
    let text = &part(&parts, "text/plain").body;
    assert!(
        text.contains("moved by a manager (Maria Manager)"),
        "{text}"
    );
    // The site's language is en_US: a 12-hour clock.
    assert!(
        text.contains(&format!("Before: {} at 10:00 AM", first.format("%Y-%m-%d"))),
        "{text}"
    );
    assert!(
        text.contains(&format!("Now: {} at 2:00 PM", moved.format("%Y-%m-%d"))),
        "{text}"
    );
    let ics = &part(&parts, "text/calendar").body;
    assert_eq!(ics_value(ics, "UID"), ics_value(&created, "UID"));
    assert_eq!(ics_value(ics, "SEQUENCE"), "1");
    assert_eq!(
        ics_value(ics, "DTSTART"),
        moved.format("%Y%m%dT%H%M%SZ").to_string()
    );
    let res = app
        .post(
            &format!("/v1/bookings/{id}/cancel"),
            &format!("client:{}", 0),
            &json!({}),
        )
        .await;
    assert_ne!(res.status, StatusCode::OK, "a stranger cannot cancel");
    let res = app
        .post(
            &format!("/v1/bookings/{id}/cancel"),
            MANAGER,
            &json!({"reason": "closed for works"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let mails = sink.wait_for(9, 30).await;
    assert_eq!(mails.len(), 9);
    let sam = mails[6..]
        .iter()
        .find(|m| m.to == ["sam@example.com"])
        .expect("cancel mail");
    let (_, parts) = parse(&sam.data);
    let text = &part(&parts, "text/plain").body;
    assert!(
        text.contains("cancelled by a manager (Maria Manager)"),
        "{text}"
    );
    assert!(text.contains("Reason: closed for works"), "{text}");
    let cal = part(&parts, "text/calendar");
    assert!(
        cal.header("content-type")
            .is_some_and(|c| c.contains("method=CANCEL"))
    );
    assert_eq!(ics_value(&cal.body, "METHOD"), "CANCEL");
    assert_eq!(ics_value(&cal.body, "STATUS"), "CANCELLED");
    assert_eq!(ics_value(&cal.body, "SEQUENCE"), "2");
    assert_eq!(ics_value(&cal.body, "UID"), ics_value(&created, "UID"));
}

#[tokio::test]
async fn a_booking_that_fails_writes_no_mail() {
    let app = TestApp::spawn().await;
    let (s, client) = mail_shop(&app).await;
    let start = at(3, 11, 0);
    let res = app
        .post("/v1/bookings", MANAGER, &booking(&s, client, start))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let before: u64 = app.scalar("SELECT COUNT(*) FROM {p}volixta_outbox").await;
    assert_eq!(before, 3);
    let res = app
        .post("/v1/bookings", MANAGER, &booking(&s, client, start))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    let after: u64 = app.scalar("SELECT COUNT(*) FROM {p}volixta_outbox").await;
    assert_eq!(
        after, before,
        "the refused booking's transaction wrote no e-mail"
    );
}

#[tokio::test]
async fn a_replica_that_died_mid_send_leaves_the_mail_to_another_with_the_same_message_id() {
    let app = TestApp::spawn().await;
    let (s, client) = mail_shop(&app).await;
    let res = app
        .post("/v1/bookings", MANAGER, &booking(&s, client, at(3, 12, 0)))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    // What a replica killed after its claim leaves behind: a claimed row, its lease running.
    app.exec(
        "UPDATE {p}volixta_outbox SET claim_token = 'dead-replica-claim00000000000000', \
         attempts = 1, next_attempt_at = UTC_TIMESTAMP(6) + INTERVAL 2 SECOND",
    )
    .await;
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let _workers = app.outbox_workers(|c| c.smtp_url = url).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(
        sink.messages().is_empty(),
        "nothing is taken while the lease runs"
    );
    let mails = sink.wait_for(3, 30).await;
    assert_eq!(mails.len(), 3);
    let ids: Vec<String> = app
        .rows("SELECT message_id FROM {p}volixta_outbox ORDER BY id")
        .await;
    for m in &mails {
        let (headers, _) = parse(&m.data);
        let id = header(&headers, "message-id");
        assert!(ids.iter().any(|i| id == format!("<{i}@localhost>")), "{id}");
    }
    let attempts: Vec<u32> = app.rows("SELECT attempts FROM {p}volixta_outbox").await;
    assert!(attempts.iter().all(|a| *a == 2), "{attempts:?}");
}

#[tokio::test]
async fn a_refused_mail_is_parked_visible_to_managers_and_retried_on_request() {
    let app = TestApp::spawn().await;
    let (s, client) = mail_shop(&app).await;
    let sink = SmtpSink::start().await;
    sink.refuse_recipients(true);
    let url = sink.url();
    let _workers = app.outbox_workers(|c| c.smtp_url = url).await;
    let res = app
        .post("/v1/bookings", MANAGER, &booking(&s, client, at(3, 13, 0)))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while outbox_counts(&app).await != (0, 0, 3) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            outbox_counts(&app).await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let res = app.get("/v1/outbox?status=failed", MANAGER).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let failed = res.body["messages"].as_array().expect("messages").clone();
    assert_eq!(failed.len(), 3);
    assert!(
        failed[0]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("550")),
        "{failed:?}"
    );
    assert!(failed[0].get("payload").is_none());
    assert_eq!(
        app.get("/v1/outbox", "client:5").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/v1/outbox?status=lost", MANAGER).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    sink.refuse_recipients(false);
    let id = failed[0]["id"].as_u64().expect("id");
    let res = app
        .post(&format!("/v1/outbox/{id}/retry"), MANAGER, &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let mails = sink.wait_for(1, 20).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, [failed[0]["recipient"].as_str().expect("to")]);
    assert_eq!(outbox_counts(&app).await, (0, 1, 2));
}

#[tokio::test]
async fn a_gift_code_is_mailed_only_when_a_manager_asks() {
    let app = TestApp::spawn().await;
    let (_, client) = mail_shop(&app).await;
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let _workers = app.outbox_workers(|c| c.smtp_url = url).await;
    let res = app
        .post(
            "/v1/gift-codes",
            MANAGER,
            &json!({"value": "15.00", "code": "SPRING-2026"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let gid = res.body["id"].as_u64().expect("id");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(sink.messages().is_empty(), "creating a code sends nothing");
    let res = app
        .post(
            &format!("/v1/gift-codes/{gid}/send"),
            MANAGER,
            &json!({"client_ids": [client]}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let mails = sink.wait_for(1, 20).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["ann@example.com"]);
    let text = part(&parse(&mails[0].data).1, "text/plain").body.clone();
    assert!(text.contains("SPRING2026"), "{text}");
    assert!(text.contains("15.00"), "{text}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let stamped: Option<chrono::NaiveDateTime> = app
            .scalar("SELECT sent_at FROM {p}volixta_gift_code_sends")
            .await;
        if stamped.is_some() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the send request is stamped"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sends = app.get(&format!("/v1/gift-codes/{gid}"), MANAGER).await;
    let sends: &Value = &sends.body["sends"][0];
    assert!(sends["sent_at"].is_string(), "{sends}");
}
