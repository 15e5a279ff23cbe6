use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn client_with_balance(app: &TestApp, amount: &str) -> u64 {
    let c = app
        .create_client(json!({"first_name": "Wally", "wp_user_id": 50}))
        .await;
    let id = c["id"].as_u64().expect("id");
    let res = app
        .post(
            &format!("/v1/clients/{id}/wallet/adjustments"),
            MANAGER,
            &json!({"amount": amount, "reason": "Opening credit"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    id
}

#[tokio::test]
async fn credits_and_debits_keep_a_running_balance() {
    let app = TestApp::spawn().await;
    let id = client_with_balance(&app, "50.00").await;
    let res = app
        .post(
            &format!("/v1/clients/{id}/wallet/adjustments"),
            MANAGER,
            &json!({"amount": "-12.5", "reason": "Correction"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    assert_eq!(res.body["balance"], "37.50");
    assert_eq!(res.body["transaction"]["kind"], "manual_debit");
    assert_eq!(res.body["transaction"]["actor"], MANAGER);

    let wallet = app
        .get(&format!("/v1/clients/{id}/wallet"), "client:50")
        .await;
    assert_eq!(wallet.status, StatusCode::OK);
    assert_eq!(wallet.body["balance"], "37.50");
    let tx = wallet.body["transactions"]
        .as_array()
        .expect("transactions");
    assert_eq!(tx.len(), 2);
    assert_eq!(tx[0]["amount"], "-12.50");
    assert_eq!(tx[0]["balance_after"], "37.50");
    assert_eq!(tx[1]["kind"], "manual_credit");
    assert_eq!(tx[1]["reason"], "Opening credit");
    let client = app.get(&format!("/v1/clients/{id}"), MANAGER).await;
    assert_eq!(client.body["wallet_balance"], "37.50");
}

#[tokio::test]
async fn the_balance_never_goes_below_zero() {
    let app = TestApp::spawn().await;
    let id = client_with_balance(&app, "10.00").await;
    let res = app
        .post(
            &format!("/v1/clients/{id}/wallet/adjustments"),
            MANAGER,
            &json!({"amount": "-10.01", "reason": "Too much"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.code(), "insufficient_balance");
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_wallet_ledger")
            .await,
        1
    );
}

#[tokio::test]
async fn bad_adjustments_are_refused() {
    let app = TestApp::spawn().await;
    let id = client_with_balance(&app, "10.00").await;
    let path = format!("/v1/clients/{id}/wallet/adjustments");
    for body in [
        json!({"amount": "0", "reason": "x"}),
        json!({"amount": "1.234", "reason": "x"}),
        json!({"amount": "5"}),
        json!({"amount": "abc", "reason": "x"}),
    ] {
        let res = app.post(&path, MANAGER, &body).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            res.text
        );
    }
    assert_eq!(
        app.post(&path, "client:50", &json!({"amount": "5", "reason": "x"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "/v1/clients/999/wallet/adjustments",
            MANAGER,
            &json!({"amount": "5", "reason": "x"})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_wallet_ledger")
            .await,
        1
    );
}

#[tokio::test]
async fn an_idempotency_key_replay_changes_nothing() {
    let app = TestApp::spawn().await;
    let id = client_with_balance(&app, "10.00").await;
    let path = format!("/v1/clients/{id}/wallet/adjustments");
    let body = serde_json::to_vec(&json!({"amount": "5.00", "reason": "Gift"})).expect("json");
    let send = |body: Vec<u8>| {
        app.request_with(
            Method::POST,
            &path,
            MANAGER,
            Some(body),
            &[("Idempotency-Key", "adj-1")],
            Tamper::default(),
        )
    };
    let first = send(body.clone()).await;
    let second = send(body).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(first.body, second.body);
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_wallet_ledger")
            .await,
        2
    );
    let other =
        send(serde_json::to_vec(&json!({"amount": "6.00", "reason": "Gift"})).expect("json")).await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other.code(), "idempotency_key_reused");
}

#[tokio::test]
async fn forty_concurrent_debits_on_two_replicas_never_overdraw() {
    let app = TestApp::spawn().await;
    let other = app.replica().await;
    let id = client_with_balance(&app, "20.00").await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let mut probe = app.handle();
        if i % 2 == 1 {
            probe.address = other.address.clone();
        }
        tasks.push(tokio::spawn(async move {
            let res = probe
                .post(
                    &format!("/v1/clients/{id}/wallet/adjustments"),
                    MANAGER,
                    &json!({"amount": "-1.00", "reason": format!("debit {i}")}),
                )
                .await;
            (res.status, res.code().to_owned())
        }));
    }
    let (mut ok, mut refused) = (0, 0);
    for t in tasks {
        match t.await.expect("task") {
            (StatusCode::CREATED, _) => ok += 1,
            (StatusCode::CONFLICT, code) if code == "insufficient_balance" => refused += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((ok, refused), (20, 20));
    let sum: String = app
        .scalar("SELECT CAST(SUM(amount) AS CHAR) FROM {p}volixta_wallet_ledger")
        .await;
    assert_eq!(sum, "0.0000");
    let balance: String = app
        .scalar("SELECT CAST(wallet_balance AS CHAR) FROM {p}volixta_clients")
        .await;
    assert_eq!(balance, "0.0000");
}

#[tokio::test]
async fn managers_filter_the_history_by_kind_and_period() {
    let app = TestApp::spawn().await;
    let id = client_with_balance(&app, "30.00").await;
    let path = format!("/v1/clients/{id}/wallet/adjustments");
    for amount in ["-5.00", "2.00", "-1.00"] {
        let res = app
            .post(&path, MANAGER, &json!({"amount": amount, "reason": "x"}))
            .await;
        assert_eq!(res.status, StatusCode::CREATED);
    }
    let kinds = |res: &Response| -> Vec<String> {
        res.body["transactions"]
            .as_array()
            .expect("transactions")
            .iter()
            .map(|t| t["kind"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let wallet = format!("/v1/clients/{id}/wallet");
    let debits = app
        .get(&format!("{wallet}?kind=manual_debit"), MANAGER)
        .await;
    assert_eq!(kinds(&debits), vec!["manual_debit", "manual_debit"]);
    assert_eq!(debits.body["balance"], "26.00");
    let both = app
        .get(
            &format!("{wallet}?kind=manual_debit,gift_code,manual_credit"),
            MANAGER,
        )
        .await;
    assert_eq!(kinds(&both).len(), 4);

    let today = chrono::Utc::now().date_naive();
    let tomorrow = today.succ_opt().expect("date");
    let yesterday = today.pred_opt().expect("date");
    let this_day = app
        .get(&format!("{wallet}?from={today}&to={today}"), MANAGER)
        .await;
    assert_eq!(kinds(&this_day).len(), 4);
    let later = app.get(&format!("{wallet}?from={tomorrow}"), MANAGER).await;
    assert_eq!(kinds(&later).len(), 0);
    let earlier = app.get(&format!("{wallet}?to={yesterday}"), MANAGER).await;
    assert_eq!(kinds(&earlier).len(), 0);

    // Keyset paging still works under a filter.
    let first = app
        .get(&format!("{wallet}?kind=manual_debit&limit=1"), MANAGER)
        .await;
    let cursor = first.body["next_cursor"].as_u64().expect("cursor");
    let second = app
        .get(
            &format!("{wallet}?kind=manual_debit&limit=1&before={cursor}"),
            MANAGER,
        )
        .await;
    assert_eq!(second.body["transactions"][0]["amount"], "-5.00");

    for bad in [
        "kind=salary",
        "from=yesterday",
        "from=2026-02-01&to=2026-01-01",
    ] {
        let res = app.get(&format!("{wallet}?{bad}"), MANAGER).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    assert_eq!(
        app.get(&wallet, "employee:2").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&wallet, "client:51").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn managers_list_every_clients_movements() {
    let app = TestApp::spawn().await;
    let first = client_with_balance(&app, "10.00").await;
    let second = app
        .create_client(json!({"first_name": "Second", "wp_user_id": 52}))
        .await["id"]
        .as_u64()
        .expect("id");
    for (id, amount) in [(second, "4.00"), (first, "-3.00"), (second, "-1.00")] {
        let res = app
            .post(
                &format!("/v1/clients/{id}/wallet/adjustments"),
                MANAGER,
                &json!({"amount": amount, "reason": "x"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }
    let all = app.get("/v1/wallet/transactions", MANAGER).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text);
    let rows = all.body["transactions"].as_array().expect("rows");
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["client_id"], second, "newest first");
    let debits = app
        .get("/v1/wallet/transactions?kind=manual_debit", MANAGER)
        .await;
    assert_eq!(
        debits.body["transactions"].as_array().map(Vec::len),
        Some(2)
    );
    let theirs = app
        .get(
            &format!("/v1/wallet/transactions?client_id={second}&limit=1"),
            MANAGER,
        )
        .await;
    assert_eq!(theirs.body["transactions"][0]["amount"], "-1.00");
    assert!(theirs.body["next_cursor"].is_u64());
    assert_eq!(
        app.get("/v1/wallet/transactions", "client:50").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/v1/wallet/transactions?from=soon", MANAGER)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}
