//! wp-admin → Volixta → Credits & Gifts: roles, gift codes created, applied, e-mailed and
//! revoked through the screen's forms, and every wallet movement with its filters.
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const SCREEN: &str = "/v1/render/admin/credits";

async fn html(app: &TestApp, query: &str) -> String {
    let res = app.get(&format!("{SCREEN}?{query}"), MANAGER).await;
    assert_eq!(res.status, StatusCode::OK, "{query}: {}", res.text);
    assert!(res.content_type.starts_with("text/html"), "{query}");
    res.text
}

async fn post(app: &TestApp, path: &str, actor: &str, body: &Value, key: Option<&str>) -> Response {
    let headers: Vec<(&str, &str)> = key.map(|k| ("Idempotency-Key", k)).into_iter().collect();
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

async fn codes(app: &TestApp) -> u64 {
    app.scalar("SELECT COUNT(*) FROM {p}volixta_gift_codes")
        .await
}

#[tokio::test]
async fn only_managers_and_admins_reach_credits_and_gifts() {
    let app = TestApp::spawn().await;
    let ann = app
        .create_client(json!({"first_name": "Ann", "email": "ann@example.com", "wp_user_id": 42}))
        .await["id"]
        .as_u64()
        .expect("id");
    let code = app
        .post("/v1/gift-codes", MANAGER, &json!({"value": "10.00"}))
        .await;
    let code = code.body["id"].as_u64().expect("id");
    for actor in [MANAGER, ADMIN] {
        for query in ["", "tab=movements", "action=new", &format!("code={code}")] {
            let res = app.get(&format!("{SCREEN}?{query}"), actor).await;
            assert_eq!(res.status, StatusCode::OK, "{actor} {query}: {}", res.text);
        }
    }
    for actor in ["employee:3", "client:42", "guest:0"] {
        for query in ["", "tab=movements", &format!("code={code}")] {
            let res = app.get(&format!("{SCREEN}?{query}"), actor).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor} {query}");
        }
        for (path, body) in [
            (format!("{SCREEN}/gift-codes"), json!({"value": "5"})),
            (format!("{SCREEN}/gift-codes/{code}/revoke"), json!({})),
            (
                format!("{SCREEN}/gift-codes/{code}/apply"),
                json!({"client_id": ann.to_string()}),
            ),
            (
                format!("{SCREEN}/gift-codes/{code}/send"),
                json!({"client_ids": [ann.to_string()]}),
            ),
        ] {
            let res = post(&app, &path, actor, &body, Some(&format!("k-{actor}"))).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor} {path}");
        }
    }
    assert_eq!(codes(&app).await, 1);
    assert_eq!(
        app.get(&format!("/v1/clients/{ann}/wallet"), MANAGER)
            .await
            .body["balance"],
        "0.00"
    );
    let bad = app.get(&format!("{SCREEN}?tab=elsewhere"), MANAGER).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing = app.get(&format!("{SCREEN}?code=999999"), MANAGER).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_code_is_created_once_applied_e_mailed_and_revoked_from_the_screen() {
    let app = TestApp::spawn().await;
    let ann = app
        .create_client(json!({"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com"}))
        .await["id"]
        .as_u64()
        .expect("id");
    let bob = app
        .create_client(
            json!({"first_name": "Bob", "last_name": "<b>Stone</b>", "email": "bob@example.com"}),
        )
        .await["id"]
        .as_u64()
        .expect("id");
    let create = format!("{SCREEN}/gift-codes?page=volixta-credits");

    // Bad input: the reasons sit beside the fields and nothing is created.
    let refused = post(
        &app,
        &create,
        MANAGER,
        &json!({"value": "", "expires": "someday", "max_redemptions": "0"}),
        Some("new-1"),
    )
    .await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.text);
    assert!(
        refused.text.contains(r#"id="volixta-code-value-error""#),
        "{}",
        refused.text
    );
    let refused = post(
        &app,
        &create,
        MANAGER,
        &json!({"value": "20", "max_redemptions": "0", "own_code": "no"}),
        Some("new-2"),
    )
    .await;
    assert!(
        refused
            .text
            .contains(r#"id="volixta-code-max_redemptions-error""#)
            || refused.text.contains(r#"id="volixta-code-own_code-error""#),
        "{}",
        refused.text
    );
    assert!(
        refused.text.contains(r#"value="20""#),
        "the typed value stays"
    );
    assert_eq!(codes(&app).await, 0);

    // A search keeps what was typed and offers the clients it finds.
    let searching = html(&app, "action=new&value=20&note=Spring&search=lee").await;
    assert!(
        searching.contains(&format!(r#"name="client_ids[]" value="{ann}""#)),
        "{searching}"
    );
    assert!(searching.contains(r#"value="Spring""#));

    let form = json!({"value": "20,00", "note": "Spring", "max_redemptions": "5", "own_code": "SPRING-2099", "client_ids": [ann.to_string(), bob.to_string()]});
    let created = post(&app, &create, MANAGER, &form, Some("new-3")).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    assert!(
        created.text.contains("SPRING2099"),
        "the code in full, once: {}",
        created.text
    );
    assert!(created.text.contains("Copy the code now"));
    assert!(
        created.text.contains("Bob &lt;b&gt;Stone&lt;&#x2f;b&gt;"),
        "allowed clients, escaped"
    );
    let again = post(&app, &create, MANAGER, &form, Some("new-3")).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(codes(&app).await, 1, "a resent form creates one code");
    let id: u64 = app.scalar("SELECT id FROM {p}volixta_gift_codes").await;
    let list = html(&app, "").await;
    assert!(list.contains("…2099") && list.contains("Spring") && list.contains("€20.00"));
    assert!(!list.contains("SPRING2099"), "lists never show the code");

    // Apply it to Ann: her wallet, the code's redemptions and the movements all show it.
    let apply = format!("{SCREEN}/gift-codes/{id}/apply?page=volixta-credits&code={id}");
    let none = post(&app, &apply, MANAGER, &json!({}), Some("apply-0")).await;
    assert!(
        none.text.contains(r#"id="volixta-apply-error""#),
        "{}",
        none.text
    );
    let applied = post(
        &app,
        &apply,
        MANAGER,
        &json!({"client_id": ann.to_string()}),
        Some("apply-1"),
    )
    .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.text);
    assert!(
        applied
            .text
            .contains("The gift code was applied to Ann Lee. Their balance is now €20.00."),
        "{}",
        applied.text
    );
    let twice = post(
        &app,
        &apply,
        MANAGER,
        &json!({"client_id": ann.to_string()}),
        Some("apply-2"),
    )
    .await;
    assert!(twice.text.contains("already redeemed"), "{}", twice.text);
    assert_eq!(
        app.get(&format!("/v1/clients/{ann}/wallet"), MANAGER)
            .await
            .body["balance"],
        "20.00"
    );
    let view = html(&app, &format!("code={id}")).await;
    assert!(view.contains("id=\"volixta-code-redemptions\"") && view.contains("Ann Lee"));
    assert!(view.contains("Manager #1"), "{view}");

    // E-mail requests are queued, and the screen says so.
    let send = format!("{SCREEN}/gift-codes/{id}/send?page=volixta-credits&code={id}");
    let empty = post(&app, &send, MANAGER, &json!({}), Some("send-0")).await;
    assert!(
        empty.text.contains(r#"id="volixta-send-error""#),
        "{}",
        empty.text
    );
    let sent = post(
        &app,
        &send,
        MANAGER,
        &json!({"client_ids": [bob.to_string()]}),
        Some("send-1"),
    )
    .await;
    assert!(sent.text.contains("The request is queued"), "{}", sent.text);
    assert!(sent.text.contains("Queued"));
    let queued: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_gift_code_sends WHERE sent_at IS NULL")
        .await;
    assert_eq!(queued, 1);

    // Revoking asks first, then refuses any further use.
    let ask = html(&app, &format!("code={id}&confirm=revoke")).await;
    assert!(ask.contains(r#"id="volixta-revoke-confirm""#));
    let revoked = post(
        &app,
        &format!("{SCREEN}/gift-codes/{id}/revoke?page=volixta-credits&code={id}"),
        MANAGER,
        &json!({}),
        None,
    )
    .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text);
    assert!(revoked.text.contains("The gift code was revoked"));
    assert!(
        !revoked.text.contains(r#"id="volixta-code-apply""#),
        "a revoked code offers no apply form"
    );
    let late = post(
        &app,
        &apply,
        MANAGER,
        &json!({"client_id": bob.to_string()}),
        Some("apply-3"),
    )
    .await;
    assert!(late.text.contains("revoked"), "{}", late.text);
    assert_eq!(
        app.get(&format!("/v1/clients/{bob}/wallet"), MANAGER)
            .await
            .body["balance"],
        "0.00"
    );
    assert!(html(&app, "status=revoked").await.contains("…2099"));
    assert!(!html(&app, "status=active").await.contains("…2099"));
}

#[tokio::test]
async fn movements_of_every_client_filter_by_client_kind_period_and_actor() {
    let app = TestApp::spawn().await;
    let ann = app
        .create_client(json!({"first_name": "Ann", "last_name": "Lee", "wp_user_id": 42}))
        .await["id"]
        .as_u64()
        .expect("id");
    let bob = app.create_client(json!({"first_name": "Bob"})).await["id"]
        .as_u64()
        .expect("id");
    let named = app
        .request_with(
            Method::POST,
            &format!("/v1/clients/{ann}/wallet/adjustments"),
            "manager:2",
            Some(br#"{"amount": "30.00", "reason": "Welcome Ann"}"#.to_vec()),
            &[("X-Volixta-Actor-Name", "Maria%20Manager")],
            Tamper::default(),
        )
        .await;
    assert_eq!(named.status, StatusCode::CREATED);
    app.post(
        &format!("/v1/clients/{bob}/wallet/adjustments"),
        MANAGER,
        &json!({"amount": "12.00", "reason": "Welcome Bob"}),
    )
    .await;
    app.post(
        &format!("/v1/clients/{ann}/wallet/adjustments"),
        MANAGER,
        &json!({"amount": "-5.00", "reason": "Correction"}),
    )
    .await;
    app.post(
        "/v1/gift-codes",
        MANAGER,
        &json!({"value": "7.00", "code": "ANN-SEVEN"}),
    )
    .await;
    let redeemed = app
        .post(
            "/v1/gift-codes/redeem",
            "client:42",
            &json!({"code": "ANNSEVEN"}),
        )
        .await;
    assert_eq!(redeemed.status, StatusCode::OK, "{}", redeemed.text);

    let all = html(&app, "tab=movements").await;
    for text in [
        "Welcome Ann",
        "Welcome Bob",
        "Correction",
        "Gift code …EVEN",
        "Maria Manager",
        "Ann Lee (client)",
        "Manager #1",
    ] {
        assert!(all.contains(text), "{text} in {all}");
    }
    assert!(!all.contains(">manager:2"), "shown by name");
    let only_bob = html(&app, "tab=movements&client=bob").await;
    assert!(only_bob.contains("Welcome Bob") && !only_bob.contains("Welcome Ann"));
    let by_id = html(&app, &format!("tab=movements&client_id={ann}")).await;
    assert!(by_id.contains("Welcome Ann") && !by_id.contains("Welcome Bob"));
    let nobody = html(&app, "tab=movements&client=zzzz").await;
    assert!(nobody.contains("No client matches this search."));
    let debits = html(&app, "tab=movements&kind=manual_debit").await;
    assert!(debits.contains("Correction") && !debits.contains("Welcome"));
    let maria = html(&app, "tab=movements&actor=manager%3A2").await;
    assert!(maria.contains("Welcome Ann") && !maria.contains("Welcome Bob"));
    assert!(
        maria.contains(r#"<option value="manager:2" selected>Maria Manager"#),
        "{maria}"
    );
    let clients_themselves = html(&app, "tab=movements&actor=client").await;
    assert!(
        clients_themselves.contains("Gift code …EVEN") && !clients_themselves.contains("Welcome")
    );
    let future = html(&app, "tab=movements&from=2999-01-01").await;
    assert!(future.contains("No wallet movements match these filters."));
    let today = chrono::Utc::now().date_naive();
    let window = html(
        &app,
        &format!(
            "tab=movements&from={}&to={}",
            today.pred_opt().expect("day"),
            today.succ_opt().expect("day")
        ),
    )
    .await;
    assert!(window.contains("Welcome Bob"));
    let bad = app
        .get(&format!("{SCREEN}?tab=movements&from=yesterday"), MANAGER)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad_kind = app
        .get(&format!("{SCREEN}?tab=movements&kind=salary"), MANAGER)
        .await;
    assert_eq!(bad_kind.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Keyset pages of 25, newest first, the last page without "Older".
    for n in 0..30 {
        app.post(
            &format!("/v1/clients/{bob}/wallet/adjustments"),
            MANAGER,
            &json!({"amount": "1.00", "reason": format!("Tick {n}")}),
        )
        .await;
    }
    let first = html(&app, "tab=movements").await;
    assert!(first.contains("Tick 29") && !first.contains("Tick 4<"));
    let older = first
        .split("href=\"?")
        .filter_map(|s| s.split('"').next())
        .find(|href| href.contains("before="))
        .expect("an Older link")
        .replace("&amp;", "&");
    let second = html(&app, &older).await;
    assert!(second.contains("Tick 4<") && second.contains("Welcome Ann"));
    assert!(!second.contains("Tick 29"));
    assert!(!second.contains(">Older<"));
}
