use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;
use volixta_service::{
    money::Money,
    wallet::{self, TopUpCompletion, TopUpFlag},
};

fn money(s: &str) -> Money {
    s.parse().expect("money")
}

async fn client(app: &TestApp, wp_user_id: u64) -> u64 {
    app.create_client(json!({"first_name": "Topsy", "wp_user_id": wp_user_id}))
        .await["id"]
        .as_u64()
        .expect("id")
}

async fn request(app: &TestApp, client_id: u64, actor: &str, amount: &str) -> u64 {
    let res = app
        .post(
            &format!("/v1/clients/{client_id}/wallet/top-ups"),
            actor,
            &json!({"amount": amount}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["status"], "pending");
    assert_eq!(res.body["wc_order_id"], serde_json::Value::Null);
    res.body["id"].as_u64().expect("id")
}

async fn complete(app: &TestApp, top_up: u64, order: u64, paid: &str) -> TopUpCompletion {
    let (db, paid) = (&app.db, money(paid));
    db.transaction(|mut tx| async move {
        let result = wallet::complete_top_up(&mut tx, db, top_up, order, paid).await;
        (tx, result)
    })
    .await
    .expect("completes")
}

async fn ledger_rows(app: &TestApp) -> u64 {
    app.scalar("SELECT COUNT(*) FROM {p}volixta_wallet_ledger")
        .await
}

#[tokio::test]
async fn a_client_asks_for_a_top_up_and_is_credited_once_paid() {
    let app = TestApp::spawn().await;
    let id = client(&app, 61).await;
    let top_up = request(&app, id, "client:61", "25.00").await;
    assert_eq!(
        app.get(&format!("/v1/clients/{id}"), MANAGER).await.body["wallet_balance"],
        "0.00",
        "nothing is credited before the payment"
    );

    let TopUpCompletion::Credited {
        top_up: paid,
        transaction,
    } = complete(&app, top_up, 9001, "25.00").await
    else {
        panic!("the first confirmation credits");
    };
    assert_eq!(paid.wc_order_id, Some(9001));
    assert_eq!(paid.ledger_id, Some(transaction.id));
    assert_eq!(transaction.wc_order_id, Some(9001));
    assert_eq!(transaction.balance_after, money("25.00"));

    // WooCommerce delivers the same confirmation again: nothing more happens.
    assert!(matches!(
        complete(&app, top_up, 9001, "25.00").await,
        TopUpCompletion::AlreadyPaid(_)
    ));
    assert_eq!(ledger_rows(&app).await, 1);

    let wallet = app
        .get(&format!("/v1/clients/{id}/wallet"), "client:61")
        .await;
    assert_eq!(wallet.body["balance"], "25.00");
    assert_eq!(wallet.body["transactions"][0]["kind"], "top_up");
    let mine = app
        .get(&format!("/v1/wallet/top-ups/{top_up}"), "client:61")
        .await;
    assert_eq!(mine.body["status"], "paid");
    assert_eq!(mine.body["amount_paid"], "25.00");
}

#[tokio::test]
async fn a_payment_that_does_not_match_is_flagged_and_credits_nothing() {
    let app = TestApp::spawn().await;
    let id = client(&app, 62).await;
    let short = request(&app, id, "client:62", "40.00").await;
    let TopUpCompletion::Flagged(flagged) = complete(&app, short, 7001, "39.99").await else {
        panic!("an amount mismatch is flagged");
    };
    assert_eq!(flagged.flag, Some(TopUpFlag::AmountMismatch));
    assert!(
        flagged
            .flag_detail
            .as_deref()
            .is_some_and(|d| d.contains("39.99")),
        "{flagged:?}"
    );
    assert_eq!(flagged.status, wallet::TopUpStatus::Pending);

    let cancelled = request(&app, id, "client:62", "10.00").await;
    let res = app
        .post(
            &format!("/v1/wallet/top-ups/{cancelled}/cancel"),
            "client:62",
            &json!({}),
        )
        .await;
    assert_eq!(res.body["status"], "cancelled", "{}", res.text);
    let TopUpCompletion::Flagged(late) = complete(&app, cancelled, 7002, "10.00").await else {
        panic!("a payment after cancelling is flagged");
    };
    assert_eq!(late.flag, Some(TopUpFlag::PaidAfterCancel));

    // One order cannot pay two top-ups.
    let first = request(&app, id, "client:62", "5.00").await;
    let second = request(&app, id, "client:62", "5.00").await;
    assert!(matches!(
        complete(&app, first, 7003, "5.00").await,
        TopUpCompletion::Credited { .. }
    ));
    let TopUpCompletion::Flagged(reused) = complete(&app, second, 7003, "5.00").await else {
        panic!("an order that already paid another top-up is flagged");
    };
    assert_eq!(reused.flag, Some(TopUpFlag::OrderMismatch));

    assert_eq!(ledger_rows(&app).await, 1);
    let balance: String = app
        .scalar("SELECT CAST(wallet_balance AS CHAR) FROM {p}volixta_clients")
        .await;
    assert_eq!(balance, "5.0000");
    let flagged = app.get("/v1/wallet/top-ups?flagged=true", MANAGER).await;
    assert_eq!(flagged.status, StatusCode::OK);
    assert_eq!(flagged.body["top_ups"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn ten_confirmations_of_one_payment_on_two_replicas_credit_once() {
    let app = TestApp::spawn().await;
    let other = app.replica().await;
    let id = client(&app, 63).await;
    let top_up = request(&app, id, MANAGER, "30.00").await;
    let mut tasks = Vec::new();
    for i in 0..10 {
        let db = if i % 2 == 0 {
            app.db.clone()
        } else {
            other.db.clone()
        };
        tasks.push(tokio::spawn(async move {
            let db = &db;
            let outcome = db
                .transaction(|mut tx| async move {
                    let result =
                        wallet::complete_top_up(&mut tx, db, top_up, 555, money("30.00")).await;
                    (tx, result)
                })
                .await
                .expect("completes");
            matches!(outcome, TopUpCompletion::Credited { .. })
        }));
    }
    let mut credited = 0;
    for t in tasks {
        credited += u32::from(t.await.expect("task"));
    }
    assert_eq!(credited, 1);
    assert_eq!(ledger_rows(&app).await, 1);
    let balance: String = app
        .scalar("SELECT CAST(wallet_balance AS CHAR) FROM {p}volixta_clients")
        .await;
    assert_eq!(balance, "30.0000");
}

#[tokio::test]
async fn top_ups_are_checked_and_private() {
    let app = TestApp::spawn().await;
    let id = client(&app, 64).await;
    let other = client(&app, 65).await;
    let path = format!("/v1/clients/{id}/wallet/top-ups");
    for amount in ["0", "-5.00", "10000.01", "1.234"] {
        let res = app
            .post(&path, "client:64", &json!({"amount": amount}))
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{amount}: {}",
            res.text
        );
    }
    assert_eq!(
        app.post(&path, "client:65", &json!({"amount": "5.00"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&path, "employee:3", &json!({"amount": "5.00"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mine = request(&app, id, "client:64", "15.00").await;
    request(&app, other, "client:65", "20.00").await;
    assert_eq!(
        app.get(&format!("/v1/wallet/top-ups/{mine}"), "client:65")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(
            &format!("/v1/wallet/top-ups/{mine}/cancel"),
            "client:65",
            &json!({})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/v1/wallet/top-ups", "client:64").await.status,
        StatusCode::FORBIDDEN
    );
    let listed = app.get(&path, "client:64").await;
    assert_eq!(listed.body["top_ups"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        app.get("/v1/wallet/top-ups?status=pending", MANAGER)
            .await
            .body["top_ups"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(
        app.get("/v1/wallet/top-ups?status=lost", MANAGER)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let cancel = format!("/v1/wallet/top-ups/{mine}/cancel");
    assert_eq!(
        app.post(&cancel, MANAGER, &json!({})).await.status,
        StatusCode::OK
    );
    let again = app.post(&cancel, MANAGER, &json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "top_up_not_pending");
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_wallet_top_ups")
            .await,
        2
    );
}

/// A role that may never see top-ups learns nothing from the answer: the same 403 whether the
/// id exists or not.
#[tokio::test]
async fn roles_without_access_get_403_whether_a_top_up_exists_or_not() {
    let app = TestApp::spawn().await;
    let id = client(&app, 66).await;
    let existing = request(&app, id, "client:66", "12.00").await;
    let missing = existing + 1000;
    for actor in ["guest:0", "employee:3"] {
        for top_up in [existing, missing] {
            let read = app
                .get(&format!("/v1/wallet/top-ups/{top_up}"), actor)
                .await;
            assert_eq!(read.status, StatusCode::FORBIDDEN, "{actor} reads {top_up}");
            let cancel = app
                .post(
                    &format!("/v1/wallet/top-ups/{top_up}/cancel"),
                    actor,
                    &json!({}),
                )
                .await;
            assert_eq!(
                cancel.status,
                StatusCode::FORBIDDEN,
                "{actor} cancels {top_up}"
            );
        }
    }
    // Those who may look are still told apart by ownership, not by role.
    assert_eq!(
        app.get(&format!("/v1/wallet/top-ups/{missing}"), "client:66")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/v1/wallet/top-ups/{existing}"), "client:66")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/v1/wallet/top-ups/{missing}"), MANAGER)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.scalar::<String>("SELECT status FROM {p}volixta_wallet_top_ups")
            .await,
        "pending"
    );
}
