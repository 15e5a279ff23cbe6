//! The wp-admin E-mails and Webhooks screens over the real router, outbox and templates: who may
//! open and use them, settings refused beside their field with nothing saved, previews escaped
//! into a sandboxed iframe, a test e-mail queued in the outbox, a parked message retried, and an
//! endpoint added (its secret shown once), switched off, redelivered and deleted.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

const EMPLOYEE: &str = "employee:7";
const CLIENT: &str = "client:42";

async fn html(app: &TestApp, path: &str, actor: &str) -> String {
    let res = app.get(path, actor).await;
    assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text);
    assert!(res.content_type.starts_with("text/html"), "{path}");
    res.text
}

async fn form(app: &TestApp, path: &str, actor: &str, body: &serde_json::Value) -> String {
    let res = app.post(path, actor, body).await;
    assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text);
    res.text
}

#[tokio::test]
async fn the_emails_screen_edits_previews_tests_and_retries_for_whom_it_may() {
    let app = TestApp::spawn().await;
    for actor in [EMPLOYEE, CLIENT, "guest:0"] {
        assert_eq!(
            app.get("/v1/render/admin/emails", actor).await.status,
            StatusCode::FORBIDDEN
        );
        for path in ["save", "test", "retry?id=1"] {
            let res = app
                .post(
                    &format!("/v1/render/admin/emails/{path}"),
                    actor,
                    &json!({}),
                )
                .await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor} {path}");
        }
    }
    // Managers read the settings; saving and testing are the administrators'.
    let read = html(&app, "/v1/render/admin/emails", MANAGER).await;
    assert!(read.contains("Only an administrator can change"), "{read}");
    assert!(!read.contains("Save e-mail settings"));
    for path in ["save", "test"] {
        let res = app
            .post(
                &format!("/v1/render/admin/emails/{path}"),
                MANAGER,
                &json!({"to": "a@example.com"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}");
    }

    // A wrong address: the reason beside its field, what was typed kept, nothing saved.
    let refused = form(
        &app,
        "/v1/render/admin/emails/save",
        ADMIN,
        &json!({"mail_from_name": "Studio Lumen", "mail_reply_to": "desk@example.com",
                "manager_emails": "boss@example.com\nnot an address", "business_name": "Lumen"}),
    )
    .await;
    assert!(
        refused.contains(r#"id="volixta-field-manager_emails-error""#),
        "{refused}"
    );
    assert!(refused.contains("not an address"));
    let saved: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_settings WHERE name IN ('mail_from_name', 'manager_emails')")
        .await;
    assert_eq!(saved, 0, "a refusal saves nothing");
    let hostile = "<script>alert(1)</script> & \"Co\"";
    let ok = form(
        &app,
        "/v1/render/admin/emails/save",
        ADMIN,
        &json!({"mail_from_name": "Studio Lumen", "mail_reply_to": "desk@example.com",
                "manager_emails": "boss@example.com\nfloor@example.com", "business_name": hostile,
                "business_address": "1 Main St"}),
    )
    .await;
    assert!(ok.contains("The e-mail settings were saved."), "{ok}");
    let settings = app.get("/v1/settings", ADMIN).await.body;
    assert_eq!(settings["mail_from_name"], "Studio Lumen");
    assert_eq!(
        settings["manager_emails"],
        json!(["boss@example.com", "floor@example.com"])
    );

    // Each preview is the real template in a sandboxed iframe; what a user typed is escaped
    // once by the e-mail and once more into srcdoc, so it never becomes markup in wp-admin.
    for sample in [
        "booking_created",
        "booking_rescheduled",
        "booking_cancelled",
        "gift_code",
        "notice",
    ] {
        let page = html(
            &app,
            &format!("/v1/render/admin/emails?sample={sample}"),
            MANAGER,
        )
        .await;
        assert!(
            page.contains(r#"sandbox srcdoc="&lt;!DOCTYPE html&gt;"#),
            "{sample}: {page}"
        );
        assert!(!page.contains("<script>"), "{sample}");
        assert!(
            page.contains("&amp;lt;script&amp;gt;alert(1)"),
            "{sample}: the business name escaped twice inside srcdoc"
        );
    }
    let rescheduled = html(
        &app,
        "/v1/render/admin/emails?sample=booking_rescheduled",
        ADMIN,
    )
    .await;
    assert!(rescheduled.contains("Deep tissue massage"), "{rescheduled}");
    let res = app
        .get("/v1/render/admin/emails?sample=nope", MANAGER)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A test e-mail: refused without an address, queued through the outbox with one.
    let refused = form(
        &app,
        "/v1/render/admin/emails/test",
        ADMIN,
        &json!({"to": "nobody"}),
    )
    .await;
    assert!(
        refused.contains(r#"id="volixta-field-to-error""#),
        "{refused}"
    );
    let none: u64 = app.scalar("SELECT COUNT(*) FROM {p}volixta_outbox").await;
    assert_eq!(none, 0);
    let queued = form(
        &app,
        "/v1/render/admin/emails/test",
        ADMIN,
        &json!({"to": "check@example.com"}),
    )
    .await;
    assert!(
        queued.contains("A test e-mail to check@example.com is queued"),
        "{queued}"
    );
    let id: u64 = app
        .scalar("SELECT id FROM {p}volixta_outbox WHERE recipient = 'check@example.com' AND topic = 'notice' AND status = 'pending'")
        .await;
    assert!(queued.contains(&format!(r#"id="volixta-message-{id}""#)));

    // Parked after its tries (the worker's last step, done here by hand): listed as failed
    // with its error, and "Retry" puts it back in line with the same message id.
    app.exec(&format!(
        "UPDATE {{p}}volixta_outbox SET status = 'failed', attempts = 20, \
         last_error = '550 mailbox unavailable', last_status_code = 550 WHERE id = {id}"
    ))
    .await;
    let message_id: String = app
        .scalar(&format!(
            "SELECT message_id FROM {{p}}volixta_outbox WHERE id = {id}"
        ))
        .await;
    let failed = html(&app, "/v1/render/admin/emails?status=failed", MANAGER).await;
    assert!(failed.contains("550 mailbox unavailable"), "{failed}");
    assert!(failed.contains(&format!("retry?page=volixta-emails&amp;id={id}")));
    let retried = form(
        &app,
        &format!("/v1/render/admin/emails/retry?id={id}"),
        MANAGER,
        &json!({}),
    )
    .await;
    assert!(retried.contains("is back in line"), "{retried}");
    let now: Vec<String> = app
        .rows(&format!(
            "SELECT CONCAT(status, ' ', message_id) FROM {{p}}volixta_outbox WHERE id = {id}"
        ))
        .await;
    assert_eq!(now, vec![format!("pending {message_id}")]);
    let again = form(
        &app,
        &format!("/v1/render/admin/emails/retry?id={id}"),
        MANAGER,
        &json!({}),
    )
    .await;
    assert!(again.contains("already waiting"), "{again}");
}

#[tokio::test]
async fn the_webhooks_screen_adds_shows_the_secret_once_switches_redelivers_and_deletes() {
    let app = TestApp::spawn().await;
    let server = app
        .replica_with(|c| c.webhook_allowed_hosts = vec!["127.0.0.1".into()])
        .await;
    for actor in [MANAGER, EMPLOYEE, CLIENT] {
        assert_eq!(
            server.get("/v1/render/admin/webhooks", actor).await.status,
            StatusCode::FORBIDDEN,
            "{actor}"
        );
        for path in [
            "create",
            "switch?id=1&active=0",
            "delete?id=1",
            "redeliver?id=1&delivery=1",
        ] {
            let res = server
                .post(
                    &format!("/v1/render/admin/webhooks/{path}"),
                    actor,
                    &json!({"url": "http://127.0.0.1:9/"}),
                )
                .await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor} {path}");
        }
    }
    let empty = html(&server, "/v1/render/admin/webhooks", ADMIN).await;
    assert!(empty.contains("No endpoints yet"), "{empty}");

    // Refused beside the field, nothing registered: a private target, then no topic.
    let refused = form(
        &app,
        "/v1/render/admin/webhooks/create",
        ADMIN,
        &json!({"url": "http://10.0.0.8/hook", "description": "<b>ERP</b>", "topics": ["client.created"]}),
    )
    .await;
    assert!(
        refused.contains(r#"id="volixta-field-url-error""#),
        "{refused}"
    );
    assert!(
        refused.contains("&lt;b&gt;ERP&lt;&#x2f;b&gt;"),
        "typed text kept, escaped"
    );
    let refused = form(
        &server,
        "/v1/render/admin/webhooks/create",
        ADMIN,
        &json!({"url": "http://127.0.0.1:9/hook", "topics": []}),
    )
    .await;
    assert!(
        refused.contains(r#"id="volixta-field-topics-error""#),
        "{refused}"
    );
    let count: u64 = app.scalar("SELECT COUNT(*) FROM {p}volixta_webhooks").await;
    assert_eq!(count, 0);

    // Added with a generated secret, shown in this answer and never again.
    let created = form(
        &server,
        "/v1/render/admin/webhooks/create",
        ADMIN,
        &json!({"url": "http://127.0.0.1:9/hook", "description": "ERP",
                "topics": ["client.created", "wallet.changed"], "secret": ""}),
    )
    .await;
    let secret: String = app.scalar("SELECT secret FROM {p}volixta_webhooks").await;
    assert_eq!(secret.len(), 64);
    assert!(created.contains(&secret), "{created}");
    let id: u64 = app.scalar("SELECT id FROM {p}volixta_webhooks").await;
    let list = html(&server, "/v1/render/admin/webhooks", ADMIN).await;
    assert!(!list.contains(&secret), "the secret is shown once");
    assert!(list.contains("client.created, wallet.changed"), "{list}");
    assert!(list.contains("None yet"));

    // An event: its delivery is in the log and the list; redeliver is refused while it waits.
    app.create_client(json!({"first_name": "Ann"})).await;
    let delivery: u64 = app
        .scalar("SELECT id FROM {p}volixta_outbox WHERE channel = 'webhook'")
        .await;
    let log = html(
        &server,
        &format!("/v1/render/admin/webhooks?webhook={id}"),
        ADMIN,
    )
    .await;
    assert!(
        log.contains(&format!(r#"id="volixta-delivery-{delivery}""#)),
        "{log}"
    );
    assert!(
        !log.contains("Redeliver"),
        "a waiting delivery is not redelivered"
    );
    app.exec(&format!(
        "UPDATE {{p}}volixta_outbox SET status = 'failed', last_status_code = 500 WHERE id = {delivery}"
    ))
    .await;
    let again = form(
        &server,
        &format!("/v1/render/admin/webhooks/redeliver?id={id}&delivery={delivery}"),
        ADMIN,
        &json!({}),
    )
    .await;
    assert!(again.contains("is back in line"), "{again}");
    let status: String = app
        .scalar(&format!(
            "SELECT status FROM {{p}}volixta_outbox WHERE id = {delivery}"
        ))
        .await;
    assert_eq!(status, "pending");

    // Switched off and on, then deleted after the question.
    let off = form(
        &server,
        &format!("/v1/render/admin/webhooks/switch?id={id}&active=0"),
        ADMIN,
        &json!({}),
    )
    .await;
    assert!(off.contains("Switched off"), "{off}");
    let active: bool = app.scalar("SELECT active FROM {p}volixta_webhooks").await;
    assert!(!active);
    form(
        &server,
        &format!("/v1/render/admin/webhooks/switch?id={id}&active=1"),
        ADMIN,
        &json!({}),
    )
    .await;
    let question = html(
        &server,
        &format!("/v1/render/admin/webhooks?action=delete&webhook={id}"),
        ADMIN,
    )
    .await;
    assert!(question.contains("Delete the endpoint"), "{question}");
    let gone = form(
        &server,
        &format!("/v1/render/admin/webhooks/delete?id={id}"),
        ADMIN,
        &json!({}),
    )
    .await;
    assert!(gone.contains("was deleted"), "{gone}");
    let count: u64 = app.scalar("SELECT COUNT(*) FROM {p}volixta_webhooks").await;
    assert_eq!(count, 0);
    let res = server
        .get(&format!("/v1/render/admin/webhooks?webhook={id}"), ADMIN)
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}
