//! wp-admin → Volixta → Marketing over the real router, outbox and templates: only managers; the
//! number of clients a message reaches (live, unblocked, opted in, with an address) shown before
//! sending; a bad message refused beside its field with nothing written; the confirmation; one
//! send for a double click (same Idempotency-Key); the list with who sent it and the outbox's
//! delivered and failed counts.
use crate::helpers::*;
use crate::mail_sink::SmtpSink;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PAGE: &str = "https://spa.example/wp-json/volixta/v1/unsubscribe";

async fn client(app: &TestApp, body: Value) -> u64 {
    app.create_client(body).await["id"]
        .as_u64()
        .expect("client id")
}

async fn post(app: &TestApp, path: &str, actor: &str, body: &Value, key: Option<&str>) -> Response {
    let mut headers = vec![("X-Volixta-Unsubscribe-Url", PAGE)];
    if let Some(key) = key {
        headers.push(("Idempotency-Key", key));
    }
    app.request_with(
        Method::POST,
        path,
        actor,
        Some(serde_json::to_vec(body).expect("json")),
        &headers,
        Tamper::default(),
    )
    .await
}

async fn written(app: &TestApp) -> u64 {
    app.scalar("SELECT COUNT(*) FROM {p}volixta_outbox WHERE topic = 'marketing'")
        .await
}

#[tokio::test]
async fn managers_see_the_audience_confirm_send_once_and_follow_delivery() {
    let app = TestApp::spawn().await;
    client(
        &app,
        json!({"first_name": "Ann", "email": "ann@example.com", "notifications": {"marketing": true}}),
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
    client(
        &app,
        json!({"first_name": "Dan", "notifications": {"marketing": true}}),
    )
    .await;
    let eve = client(
        &app,
        json!({"first_name": "Eve", "email": "eve@example.com", "notifications": {"marketing": true}}),
    )
    .await;

    for actor in ["employee:7", "client:42", "guest:0"] {
        let res = app.get("/v1/render/admin/marketing", actor).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor}");
        for path in ["review", "send"] {
            let res = post(
                &app,
                &format!("/v1/render/admin/marketing/{path}"),
                actor,
                &json!({"subject": "Hi", "body": "News"}),
                None,
            )
            .await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor} {path}");
        }
    }

    let screen = app.get("/v1/render/admin/marketing", MANAGER).await;
    assert_eq!(screen.status, StatusCode::OK, "{}", screen.text);
    assert!(
        screen.text.contains("2 clients will receive it"),
        "Ann and Eve only: {}",
        screen.text
    );
    assert!(screen.text.contains("No message has been sent yet."));

    // A subject that would add a header: beside its field, what was typed kept, nothing written.
    for path in ["review", "send"] {
        let res = post(
            &app,
            &format!("/v1/render/admin/marketing/{path}"),
            MANAGER,
            &json!({"subject": "Hi\r\nBcc: all@example.com", "body": "<b>News</b>"}),
            None,
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert!(
            res.text.contains("volixta-field-subject-error"),
            "{}",
            res.text
        );
        assert!(res.text.contains("&lt;b&gt;News"), "kept, escaped");
    }
    assert_eq!(written(&app).await, 0);

    // The confirmation: the message as it goes, to how many, and a key for "Send now".
    let message =
        json!({"subject": "Spring <offers>", "body": "Ten percent off.\n\nSee you soon!"});
    let confirm = post(
        &app,
        "/v1/render/admin/marketing/review",
        MANAGER,
        &message,
        None,
    )
    .await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.text);
    for shown in [
        "It goes to 2 clients now.",
        "Spring &lt;offers&gt;",
        "Send now to 2 clients",
        "data-volixta-idempotency-key=",
    ] {
        assert!(confirm.text.contains(shown), "{shown}: {}", confirm.text);
    }
    assert_eq!(written(&app).await, 0, "reviewing writes nothing");
    let edit = post(
        &app,
        "/v1/render/admin/marketing/review",
        MANAGER,
        &json!({"step": "edit", "subject": "Spring <offers>", "body": "Ten percent off."}),
        None,
    )
    .await;
    assert!(
        edit.text.contains(r#"value="Spring &lt;offers&gt;""#),
        "{}",
        edit.text
    );
    assert!(edit.text.contains("Review before sending"));

    // "Send now" twice with the confirmation's key: one message, two e-mails.
    for _ in 0..2 {
        let sent = post(
            &app,
            "/v1/render/admin/marketing/send",
            MANAGER,
            &message,
            Some("marketing-send-1"),
        )
        .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.text);
        assert!(
            sent.text.contains("is on its way to 2 clients"),
            "{}",
            sent.text
        );
    }
    let messages: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_marketing_messages")
        .await;
    assert_eq!((messages, written(&app).await), (1, 2));

    // Eve's e-mail parked as after a mail server's 5xx; Ann's delivered by the outbox.
    app.exec(&format!(
        "UPDATE {{p}}volixta_outbox SET status = 'failed', last_error = '550 no such mailbox' \
         WHERE topic = 'marketing' AND dedupe_key LIKE '%:{eve}'"
    ))
    .await;
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let _workers = app.outbox_workers(|c| c.smtp_url = url).await;
    for _ in 0..600 {
        let sent: u64 = app
            .scalar("SELECT COUNT(*) FROM {p}volixta_outbox WHERE topic = 'marketing' AND status = 'sent'")
            .await;
        if sent == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(sink.messages().len(), 1);
    let list = app.get("/v1/render/admin/marketing", MANAGER).await;
    let row = list
        .text
        .split("<tr id=\"volixta-marketing-")
        .nth(1)
        .expect("the message's row")
        .split("</tr>")
        .next()
        .expect("row");
    for cell in [
        "Spring &lt;offers&gt;",
        "Manager #1",
        r#"data-colname="Recipients">2<"#,
        r#"data-colname="Delivered">1<"#,
        r#"<span class="volixta-failed">1</span>"#,
        r#"data-colname="Waiting">0<"#,
    ] {
        assert!(row.contains(cell), "{cell}: {row}");
    }
    assert!(
        list.text.contains("2 clients will receive it"),
        "sending changes no one's choice"
    );
}
