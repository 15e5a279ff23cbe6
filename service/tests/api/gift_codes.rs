use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use volixta_service::{
    config::DataKey,
    gift_codes::{self, CodeKeys},
};

async fn client(app: &TestApp, wp_user_id: u64) -> u64 {
    app.create_client(json!({
        "first_name": format!("Gift{wp_user_id}"),
        "email": format!("gift{wp_user_id}@example.com"),
        "wp_user_id": wp_user_id,
    }))
    .await["id"]
        .as_u64()
        .expect("id")
}

async fn create_code(app: &TestApp, body: Value) -> Value {
    let res = app.post("/v1/gift-codes", MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body
}

async fn redeem(app: &TestApp, wp_user_id: u64, code: &str, ip: &str) -> Response {
    let body = serde_json::to_vec(&json!({"code": code})).expect("json");
    app.request_with(
        Method::POST,
        "/v1/gift-codes/redeem",
        &format!("client:{wp_user_id}"),
        Some(body),
        &[("X-Volixta-Client-Ip", ip)],
        Tamper::default(),
    )
    .await
}

async fn count(app: &TestApp, sql: &str) -> u64 {
    app.scalar(sql).await
}

#[tokio::test]
async fn a_client_redeems_a_generated_code_into_its_wallet() {
    let app = TestApp::spawn().await;
    let id = client(&app, 100).await;
    let created = create_code(
        &app,
        json!({"value": "15.00", "max_redemptions": 3, "note": "Spring promo"}),
    )
    .await;
    let code = created["code"].as_str().expect("code").to_owned();
    assert_eq!(code.len(), 19, "{code}");
    assert_eq!(code.matches('-').count(), 3);
    assert_eq!(created["code_hint"], code[15..]);
    assert_eq!(created["status"], "active");
    assert_eq!(created["value"], "15.00");

    // Lower case and spaces instead of dashes still work.
    let typed = code.to_lowercase().replace('-', " ");
    let res = redeem(&app, 100, &typed, "203.0.113.1").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["balance"], "15.00");
    assert_eq!(res.body["credited"], "15.00");
    assert_eq!(res.body["transaction"]["kind"], "gift_code");
    assert_eq!(res.body["transaction"]["gift_code_id"], created["id"]);

    let again = redeem(&app, 100, &code, "203.0.113.1").await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "already_redeemed");

    let wallet = app
        .get(&format!("/v1/clients/{id}/wallet"), "client:100")
        .await;
    assert_eq!(wallet.body["balance"], "15.00");
    assert_eq!(
        wallet.body["transactions"].as_array().map(Vec::len),
        Some(1)
    );
    let listed = app
        .get(&format!("/v1/gift-codes/{}", created["id"]), MANAGER)
        .await;
    assert_eq!(listed.body["redemptions_count"], 1);
    assert_eq!(listed.body["redemptions"][0]["client_id"], id);
    assert_eq!(listed.body["redemptions"][0]["actor"], "client:100");
    assert!(
        listed.body.get("code").is_none(),
        "the full code is shown only once"
    );
}

#[tokio::test]
async fn a_database_leak_does_not_reveal_codes() {
    let app = TestApp::spawn().await;
    client(&app, 101).await;
    let body = serde_json::to_vec(&json!({"value": "20.00"})).expect("json");
    let create = || {
        app.request_with(
            Method::POST,
            "/v1/gift-codes",
            MANAGER,
            Some(body.clone()),
            &[("Idempotency-Key", "gift-1")],
            Tamper::default(),
        )
    };
    let first = create().await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let code = first.body["code"].as_str().expect("code").to_owned();
    let replay = create().await;
    assert_eq!(replay.status, StatusCode::CREATED);
    assert_eq!(
        replay.body["code"],
        code.as_str(),
        "a replay shows the same code"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM {p}volixta_gift_codes").await,
        1
    );

    let plain = code.replace('-', "");
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    use mysql_async::prelude::Queryable;
    let dump: Vec<(Vec<u8>, Vec<u8>, String)> = conn
        .query(
            app.db
                .sql("SELECT code_hash, code_sealed, code_hint FROM {p}volixta_gift_codes"),
        )
        .await
        .expect("select");
    let stored: Vec<Vec<u8>> = conn
        .query(
            app.db
                .sql("SELECT response_body FROM {p}volixta_idempotency"),
        )
        .await
        .expect("select");
    drop(conn);
    let leaks = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes).to_uppercase();
        text.contains(&plain) || text.contains(&code)
    };
    for (hash, sealed, hint) in &dump {
        assert!(
            !leaks(hash) && !leaks(sealed),
            "the code is stored in clear"
        );
        assert_eq!(hint.len(), 4);
    }
    assert!(
        stored.iter().all(|b| !leaks(b)),
        "the idempotency answer holds the code"
    );

    // The sealed copy opens only with the shared secret, for the e-mail a manager asks for.
    let id = first.body["id"].as_u64().expect("id");
    let revealed = gift_codes::reveal_code(&app.db, &CodeKeys::derive(SECRET.as_bytes()), id)
        .await
        .expect("reveal")
        .expect("opens");
    assert_eq!(revealed.as_str(), plain);
    assert!(
        gift_codes::reveal_code(&app.db, &CodeKeys::derive(b"another secret"), id)
            .await
            .expect("reveal")
            .is_none()
    );
    assert_eq!(
        redeem(&app, 101, &code, "203.0.113.2").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_expired_revoked_used_up_and_foreign_codes_get_one_answer() {
    let app = TestApp::spawn().await;
    client(&app, 110).await;
    let other = client(&app, 111).await;
    let expired = create_code(
        &app,
        json!({"value": "5.00", "code": "EXPIRED-1", "expires_at": "2099-01-01T00:00:00Z"}),
    )
    .await;
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    use mysql_async::prelude::Queryable;
    // Time passes: the expiry is now behind us.
    conn.query_drop(app.db.sql(&format!(
        "UPDATE {{p}}volixta_gift_codes SET expires_at = NOW(6) - INTERVAL 1 SECOND WHERE id = {}",
        expired["id"]
    )))
    .await
    .expect("update");
    drop(conn);
    let revoked = create_code(&app, json!({"value": "5.00", "code": "REVOKED-1"})).await;
    let res = app
        .post(
            &format!("/v1/gift-codes/{}/revoke", revoked["id"]),
            MANAGER,
            &json!({}),
        )
        .await;
    assert_eq!(res.body["status"], "revoked", "{}", res.text);
    create_code(
        &app,
        json!({"value": "5.00", "code": "USEDUP-1", "max_redemptions": 1}),
    )
    .await;
    assert_eq!(
        redeem(&app, 111, "USEDUP-1", "198.51.100.1").await.status,
        StatusCode::OK
    );
    create_code(
        &app,
        json!({"value": "5.00", "code": "FOREIGN-1", "client_ids": [other]}),
    )
    .await;

    let mut answers = Vec::new();
    for code in [
        "NOSUCHCODE",
        "EXPIRED-1",
        "REVOKED-1",
        "USEDUP-1",
        "FOREIGN-1",
    ] {
        let res = redeem(&app, 110, code, "198.51.100.2").await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{code}: {}",
            res.text
        );
        assert_eq!(res.code(), "code_invalid");
        answers.push(res.text);
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    let credited: u64 = count(
        &app,
        "SELECT COUNT(*) FROM {p}volixta_wallet_ledger WHERE kind = 'gift_code'",
    )
    .await;
    assert_eq!(credited, 1, "only the other client's redemption");
}

#[tokio::test]
async fn wrong_codes_are_throttled_per_client_and_per_address_on_every_replica() {
    let app = TestApp::spawn().await;
    let other = app.replica().await;
    for n in 0..7 {
        client(&app, 120 + n).await;
    }
    let good = create_code(&app, json!({"value": "1.00"})).await["code"]
        .as_str()
        .expect("code")
        .to_owned();

    // One client, alternating replicas and addresses: five wrong codes, then even a good one waits.
    for i in 0..5 {
        let replica = if i % 2 == 0 { &app } else { &other };
        let res = redeem(replica, 120, &format!("WRONG{i}X"), &format!("192.0.2.{i}")).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let blocked = redeem(&other, 120, &good, "192.0.2.99").await;
    assert_eq!(
        blocked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        blocked.text
    );
    assert_eq!(blocked.code(), "too_many_requests");
    assert_eq!(
        redeem(&app, 121, &good, "192.0.2.99").await.status,
        StatusCode::OK
    );

    // One address, many clients: twenty wrong codes from it, then it waits; others do not.
    for n in 0..4 {
        for i in 0..5 {
            let replica = if i % 2 == 0 { &app } else { &other };
            let res = redeem(replica, 122 + n, &format!("NOPE{i}{n}X"), "203.0.113.50").await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
        }
    }
    let from_there = redeem(&app, 126, &good, "203.0.113.50").await;
    assert_eq!(from_there.status, StatusCode::TOO_MANY_REQUESTS);
    let elsewhere = redeem(&other, 126, &good, "203.0.113.51").await;
    assert_eq!(elsewhere.status, StatusCode::OK, "{}", elsewhere.text);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM {p}volixta_gift_code_attempts").await,
        25
    );
}

#[tokio::test]
async fn ten_clients_redeeming_a_single_use_code_at_once_credit_one() {
    let app = TestApp::spawn().await;
    let other = app.replica().await;
    for n in 0..10 {
        client(&app, 130 + n).await;
    }
    let code = create_code(&app, json!({"value": "50.00", "max_redemptions": 1})).await["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let mut tasks = Vec::new();
    for n in 0..10u64 {
        let mut probe = app.handle();
        if n % 2 == 1 {
            probe.address = other.address.clone();
        }
        let code = code.clone();
        tasks.push(tokio::spawn(async move {
            let res = redeem(&probe, 130 + n, &code, &format!("10.0.0.{n}")).await;
            (res.status, res.code().to_owned())
        }));
    }
    let (mut won, mut refused) = (0, 0);
    for t in tasks {
        match t.await.expect("task") {
            (StatusCode::OK, _) => won += 1,
            (StatusCode::UNPROCESSABLE_ENTITY, code) if code == "code_invalid" => refused += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((won, refused), (1, 9));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM {p}volixta_gift_code_redemptions"
        )
        .await,
        1
    );
    assert_eq!(
        count(&app, "SELECT redemptions FROM {p}volixta_gift_codes").await,
        1
    );
    let credited: String = app
        .scalar("SELECT CAST(SUM(amount) AS CHAR) FROM {p}volixta_wallet_ledger")
        .await;
    assert_eq!(credited, "50.0000");
}

#[tokio::test]
async fn managers_type_restrict_apply_revoke_and_list_codes() {
    let app = TestApp::spawn().await;
    let vip = client(&app, 140).await;
    let regular = client(&app, 141).await;
    let typed = create_code(
        &app,
        json!({"value": "12.50", "code": "summer 2026", "client_ids": [vip]}),
    )
    .await;
    assert_eq!(typed["code"], "SUMMER2026");
    assert_eq!(typed["restricted"], true);
    assert_eq!(typed["client_ids"], json!([vip]));
    let id = typed["id"].as_u64().expect("id");
    let taken = app
        .post(
            "/v1/gift-codes",
            MANAGER,
            &json!({"value": "1.00", "code": "Summer-2026"}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert_eq!(taken.code(), "code_taken");

    let apply_path = format!("/v1/gift-codes/{id}/apply");
    let apply = async |client_id: u64| {
        app.post(&apply_path, MANAGER, &json!({"client_id": client_id}))
            .await
    };
    let res = apply(regular).await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::CONFLICT, "client_not_eligible")
    );
    let res = apply(vip).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["balance"], "12.50");
    assert_eq!(res.body["transaction"]["actor"], MANAGER);
    let res = apply(vip).await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::CONFLICT, "already_redeemed")
    );
    assert_eq!(apply(9999).await.status, StatusCode::UNPROCESSABLE_ENTITY);

    let open = create_code(&app, json!({"value": "3.00", "code": "OPEN-CODE"})).await;
    let revoked = app
        .post(&format!("/v1/gift-codes/{id}/revoke"), ADMIN, &json!({}))
        .await;
    assert_eq!(revoked.body["status"], "revoked");
    assert_eq!(revoked.body["revoked_by"], ADMIN);
    assert_eq!(
        app.post(&format!("/v1/gift-codes/{id}/revoke"), MANAGER, &json!({}))
            .await
            .body["revoked_by"],
        ADMIN,
        "revoking twice changes nothing"
    );
    let res = app
        .post(
            &format!("/v1/gift-codes/{}/apply", open["id"]),
            MANAGER,
            &json!({"client_id": regular}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);

    let list = |q: &'static str| app.get(q, MANAGER);
    let all = list("/v1/gift-codes").await;
    assert_eq!(all.body["gift_codes"].as_array().map(Vec::len), Some(2));
    assert_eq!(all.body["gift_codes"][0]["id"], open["id"], "newest first");
    let gone = list("/v1/gift-codes?status=revoked").await;
    assert_eq!(gone.body["gift_codes"][0]["id"], id);
    assert_eq!(
        gone.body["gift_codes"][0]["redemptions"][0]["client_id"],
        vip
    );
    assert_eq!(
        list("/v1/gift-codes?status=active").await.body["gift_codes"][0]["id"],
        open["id"]
    );
    assert_eq!(
        list("/v1/gift-codes?status=lost").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let page = list("/v1/gift-codes?limit=1").await;
    let cursor = page.body["next_cursor"].as_u64().expect("cursor");
    let next = app
        .get(&format!("/v1/gift-codes?limit=1&before={cursor}"), MANAGER)
        .await;
    assert_eq!(next.body["gift_codes"][0]["id"], id);

    for (body, field) in [
        (json!({"value": "0"}), "value"),
        (json!({"value": "-1.00"}), "value"),
        (json!({"value": "1.001"}), ""),
        (
            json!({"value": "5", "expires_at": "2020-01-01T00:00:00Z"}),
            "expires_at",
        ),
        (
            json!({"value": "5", "max_redemptions": 0}),
            "max_redemptions",
        ),
        (json!({"value": "5", "code": "abc"}), "code"),
        (json!({"value": "5", "client_ids": [424242]}), "client_ids"),
    ] {
        let res = app.post("/v1/gift-codes", MANAGER, &body).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            res.text
        );
        if !field.is_empty() {
            assert!(
                res.body["error"]["fields"].get(field).is_some(),
                "{body}: {}",
                res.text
            );
        }
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM {p}volixta_gift_codes").await,
        2
    );
}

#[tokio::test]
async fn only_managers_manage_codes_and_only_clients_redeem() {
    let app = TestApp::spawn().await;
    let id = client(&app, 150).await;
    let code = create_code(&app, json!({"value": "4.00", "code": "ROLES-1"})).await;
    let gid = code["id"].as_u64().expect("id");
    for actor in ["client:150", "employee:4", "guest:0"] {
        for (path, body) in [
            ("/v1/gift-codes".to_owned(), json!({"value": "1.00"})),
            (format!("/v1/gift-codes/{gid}/revoke"), json!({})),
            (
                format!("/v1/gift-codes/{gid}/apply"),
                json!({"client_id": id}),
            ),
            (
                format!("/v1/gift-codes/{gid}/send"),
                json!({"client_ids": [id]}),
            ),
        ] {
            let res = app.post(&path, actor, &body).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor} {path}");
        }
        assert_eq!(
            app.get("/v1/gift-codes", actor).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get(&format!("/v1/gift-codes/{gid}"), actor)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
    for actor in [MANAGER, ADMIN, "employee:4"] {
        let res = app
            .post("/v1/gift-codes/redeem", actor, &json!({"code": "ROLES-1"}))
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor}");
    }
    // A client without a client record has nothing to credit.
    let res = app
        .post(
            "/v1/gift-codes/redeem",
            "client:999",
            &json!({"code": "ROLES-1"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM {p}volixta_wallet_ledger").await,
        0
    );
}

#[tokio::test]
async fn a_redeem_retried_with_its_key_credits_once() {
    let app = TestApp::spawn().await;
    client(&app, 160).await;
    create_code(&app, json!({"value": "9.00", "code": "RETRY-ME"})).await;
    let body = serde_json::to_vec(&json!({"code": "RETRY-ME"})).expect("json");
    let send = || {
        app.request_with(
            Method::POST,
            "/v1/gift-codes/redeem",
            "client:160",
            Some(body.clone()),
            &[("Idempotency-Key", "redeem-1")],
            Tamper::default(),
        )
    };
    let first = send().await;
    let second = send().await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body, second.body);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM {p}volixta_wallet_ledger").await,
        1
    );
}

#[tokio::test]
async fn sending_a_code_records_one_request_per_client() {
    let app = TestApp::spawn().await;
    let a = client(&app, 170).await;
    let b = client(&app, 171).await;
    let no_email = app
        .create_client(json!({"first_name": "Quiet", "wp_user_id": 172}))
        .await["id"]
        .as_u64()
        .expect("id");
    let code = create_code(&app, json!({"value": "7.00"})).await;
    let id = code["id"].as_u64().expect("id");
    let path = format!("/v1/gift-codes/{id}/send");

    let res = app
        .post(&path, MANAGER, &json!({"client_ids": [a, no_email]}))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(
        res.body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains(&no_email.to_string())
    );
    let res = app.post(&path, MANAGER, &json!({"client_ids": []})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM {p}volixta_gift_code_sends").await,
        0
    );

    let res = app
        .post(&path, MANAGER, &json!({"client_ids": [b, a, a]}))
        .await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.text);
    let requests = res.body["requests"].as_array().expect("requests");
    assert_eq!(requests.len(), 2);
    assert!(
        requests
            .iter()
            .all(|r| r["sent_at"].is_null() && r["requested_by"] == MANAGER)
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM {p}volixta_gift_code_sends WHERE sent_at IS NULL"
        )
        .await,
        2
    );
    let details = app.get(&format!("/v1/gift-codes/{id}"), MANAGER).await;
    assert_eq!(details.body["sends"].as_array().map(Vec::len), Some(2));

    app.post(&format!("/v1/gift-codes/{id}/revoke"), MANAGER, &json!({}))
        .await;
    let res = app.post(&path, MANAGER, &json!({"client_ids": [a]})).await;
    assert_eq!(
        (res.status, res.code()),
        (StatusCode::CONFLICT, "code_revoked")
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM {p}volixta_gift_code_sends").await,
        2
    );
}

#[tokio::test]
async fn the_portal_offers_a_redeem_form_and_shows_the_credit() {
    let app = TestApp::spawn().await;
    client(&app, 180).await;
    let code = create_code(&app, json!({"value": "11.00"})).await["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let before = app.get("/v1/render/customer_profile", "client:180").await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(
        before
            .text
            .contains(r#"data-hx-post="render/portal/gift-code?"#),
        "{}",
        before.text
    );
    assert!(before.text.contains(r#"name="code""#));
    assert_eq!(
        redeem(&app, 180, &code, "192.0.2.80").await.status,
        StatusCode::OK
    );
    let after = app.get("/v1/render/customer_profile", "client:180").await;
    assert!(
        after.text.contains(r#"data-amount="11.00""#),
        "{}",
        after.text
    );
    assert!(
        after.text.contains(&format!("Gift code …{}", &code[15..])),
        "{}",
        after.text
    );
}

/// The count of wrong codes is decided by the database together with each try: thirty wrong
/// codes sent at once by one client, over two replicas, get exactly the limit of real tries.
#[tokio::test]
async fn thirty_wrong_codes_at_once_get_exactly_the_limit_of_tries() {
    let app = TestApp::spawn().await;
    let other = app.replica().await;
    client(&app, 150).await;
    client(&app, 151).await;
    let good = create_code(&app, json!({"value": "3.00", "max_redemptions": 5})).await["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let mut tasks = Vec::new();
    for i in 0..30u32 {
        let mut probe = app.handle();
        if i % 2 == 1 {
            probe.address = other.address.clone();
        }
        tasks.push(tokio::spawn(async move {
            let res = redeem(
                &probe,
                150,
                &format!("WRONG{i:02}X"),
                &format!("192.0.2.{i}"),
            )
            .await;
            res.status
        }));
    }
    let (mut tried, mut throttled) = (0, 0);
    for t in tasks {
        match t.await.expect("task") {
            StatusCode::UNPROCESSABLE_ENTITY => tried += 1,
            StatusCode::TOO_MANY_REQUESTS => throttled += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((tried, throttled), (5, 25));

    // Locked out: even the right code waits, on either replica and from a fresh address.
    for replica in [&app, &other] {
        let res = redeem(replica, 150, &good, "198.51.100.7").await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.text);
    }
    // Another client is not affected, neither its wrong codes nor its right one.
    assert_eq!(
        redeem(&other, 151, "NOTTHEONE", "198.51.100.8")
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        redeem(&app, 151, &good, "198.51.100.8").await.status,
        StatusCode::OK
    );

    // The window passes.
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    use mysql_async::prelude::Queryable;
    conn.query_drop(app.db.sql(
        "UPDATE {p}volixta_gift_code_throttle \
         SET window_started_at = window_started_at - INTERVAL 16 MINUTE",
    ))
    .await
    .expect("update");
    drop(conn);
    let res = redeem(&other, 150, &good, "198.51.100.7").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM {p}volixta_wallet_ledger WHERE kind = 'gift_code'"
        )
        .await,
        2
    );
}

#[tokio::test]
async fn a_wrong_code_does_not_spend_its_idempotency_key() {
    let app = TestApp::spawn().await;
    client(&app, 152).await;
    let good = create_code(&app, json!({"value": "4.00"})).await["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let send = |code: &str| {
        app.request_with(
            Method::POST,
            "/v1/gift-codes/redeem",
            "client:152",
            Some(serde_json::to_vec(&json!({"code": code})).expect("json")),
            &[("Idempotency-Key", "redeem-1")],
            Tamper::default(),
        )
    };
    assert_eq!(
        send("TYPO1234").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let res = send(&good).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(send(&good).await.body, res.body, "a replay of the success");
    assert_eq!(
        count(&app, "SELECT failures FROM {p}volixta_gift_code_throttle").await,
        1,
        "only the wrong code counts"
    );
}

const DATA_KEY: &str = "5d1c0a7e93b24f6c8e1d2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f";

fn data_key() -> DataKey {
    DataKey::parse(DATA_KEY).expect("64 hex characters")
}

async fn sealed_with(app: &TestApp, id: u64) -> String {
    app.scalar(&format!(
        "SELECT CAST(sealed_with AS CHAR) FROM {{p}}volixta_gift_codes WHERE id = {id}"
    ))
    .await
}

/// A code sealed with the service's own key opens and redeems after the shared secret (which
/// WordPress stores too) changes, and the shared secret alone does not open it.
#[tokio::test]
async fn codes_sealed_with_the_data_key_outlive_a_new_shared_secret() {
    let app = TestApp::spawn().await;
    let keyed = app.replica_with(|c| c.data_key = Some(data_key())).await;
    client(&keyed, 160).await;
    async fn create(on: &TestApp) -> Response {
        let body = serde_json::to_vec(&json!({"value": "8.00"})).expect("json");
        on.request_with(
            Method::POST,
            "/v1/gift-codes",
            MANAGER,
            Some(body),
            &[("Idempotency-Key", "keyed-1")],
            Tamper::default(),
        )
        .await
    }
    let first = create(&keyed).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let code = first.body["code"].as_str().expect("code").to_owned();
    let id = first.body["id"].as_u64().expect("id");
    assert_eq!(sealed_with(&app, id).await, "data_key");

    let rotated = app
        .replica_with(|c| {
            c.data_key = Some(data_key());
            c.shared_secret = "a rotated shared secret".to_owned().into();
        })
        .await;
    // The replay fills the code in from the sealed copy: the data key alone opens it.
    let replay = create(&rotated).await;
    assert_eq!(replay.body["code"], code.as_str(), "{}", replay.text);
    let opened = async |keys: CodeKeys| {
        gift_codes::reveal_code(&app.db, &keys, id)
            .await
            .expect("reveal")
            .map(|c| c.as_str().to_owned())
    };
    assert_eq!(
        opened(CodeKeys::new(
            Some(data_key().expose()),
            b"a rotated shared secret"
        ))
        .await,
        Some(code.replace('-', ""))
    );
    assert_eq!(opened(CodeKeys::derive(SECRET.as_bytes())).await, None);
    let res = redeem(&rotated, 160, &code, "203.0.113.60").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["credited"], "8.00");
}

/// Codes made before a data key was configured keep working with it: found and opened with the
/// shared secret's keys, then moved to the data key so that a new shared secret spares them too.
#[tokio::test]
async fn codes_sealed_before_the_data_key_keep_working() {
    let app = TestApp::spawn().await;
    for n in 0..3 {
        client(&app, 170 + n).await;
    }
    let generated = create_code(&app, json!({"value": "6.00", "max_redemptions": 3})).await;
    let code = generated["code"].as_str().expect("code").to_owned();
    let id = generated["id"].as_u64().expect("id");
    let typed = create_code(&app, json!({"value": "2.00", "code": "BEFORE-2026"})).await;
    assert_eq!(sealed_with(&app, id).await, "shared_secret");

    let keyed = app.replica_with(|c| c.data_key = Some(data_key())).await;
    let res = redeem(&keyed, 170, &code, "203.0.113.70").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let keys = CodeKeys::new(Some(data_key().expose()), SECRET.as_bytes());
    let revealed = gift_codes::reveal_code(&app.db, &keys, id)
        .await
        .expect("reveal")
        .expect("opens");
    assert_eq!(revealed.as_str(), code.replace('-', ""));
    // The same code cannot be made again under the new key.
    let again = keyed
        .post(
            "/v1/gift-codes",
            MANAGER,
            &json!({"value": "1.00", "code": "before 2026"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    assert_eq!(again.code(), "code_taken");

    // At start a replica with the data key moves the older codes to it, each once.
    assert_eq!(
        gift_codes::reseal_with_data_key(&app.db, &keys)
            .await
            .expect("reseal"),
        (2, 0)
    );
    assert_eq!(
        gift_codes::reseal_with_data_key(&app.db, &keys)
            .await
            .expect("reseal"),
        (0, 0)
    );
    assert_eq!(sealed_with(&app, id).await, "data_key");
    let rotated = app
        .replica_with(|c| {
            c.data_key = Some(data_key());
            c.shared_secret = "a rotated shared secret".to_owned().into();
        })
        .await;
    let res = redeem(&rotated, 171, &code, "203.0.113.71").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = redeem(&rotated, 172, "before-2026", "203.0.113.72").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["gift_code_id"], typed["id"]);
    assert!(
        gift_codes::reveal_code(&app.db, &CodeKeys::derive(SECRET.as_bytes()), id)
            .await
            .expect("reveal")
            .is_none(),
        "the shared secret no longer opens a moved code"
    );
}
