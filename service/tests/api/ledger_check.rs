//! `volixta-service verify-ledgers`, run as the real binary against a test database. Every
//! `TestApp` also runs the same check on its database just before dropping it (helpers.rs).
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;
use std::process::Command;

fn verify_ledgers_cli(app: &TestApp) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_volixta-service"))
        .arg("verify-ledgers")
        .env("VOLIXTA_DATABASE_URL", TestApp::database_url(&app.db_name))
        .env("VOLIXTA_TABLE_PREFIX", PREFIX)
        .env("VOLIXTA_SHARED_SECRET", SECRET)
        .output()
        .expect("the binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

async fn client_with_credit(app: &TestApp, wp_user_id: u64, amount: &str) -> u64 {
    let id = app
        .create_client(json!({"first_name": "Ledger", "wp_user_id": wp_user_id}))
        .await["id"]
        .as_u64()
        .expect("id");
    let res = app
        .post(
            &format!("/v1/clients/{id}/wallet/adjustments"),
            MANAGER,
            &json!({"amount": amount, "reason": "Opening"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    id
}

#[tokio::test]
async fn verify_ledgers_passes_over_a_full_workload() {
    let app = TestApp::spawn().await;
    let mut clients = Vec::new();
    for n in 0..5 {
        clients.push(client_with_credit(&app, 70 + n, "100.00").await);
    }
    app.create_client(json!({"first_name": "Never credited"}))
        .await;
    for (i, id) in clients.iter().enumerate() {
        for k in 0..4 {
            let amount = if k % 2 == 0 { "-7.25" } else { "3.10" };
            let res = app
                .post(
                    &format!("/v1/clients/{id}/wallet/adjustments"),
                    MANAGER,
                    &json!({"amount": amount, "reason": format!("op {i}.{k}")}),
                )
                .await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        }
    }
    // Gift codes, redeemed and applied, and top-ups, paid twice and mismatched.
    let res = app
        .post(
            "/v1/gift-codes",
            MANAGER,
            &json!({"value": "8.00", "code": "LEDGER-GIFT"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let gift = res.body["id"].as_u64().expect("id");
    let res = app
        .post(
            "/v1/gift-codes/redeem",
            "client:70",
            &json!({"code": "ledger-gift"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = app
        .post(
            &format!("/v1/gift-codes/{gift}/apply"),
            MANAGER,
            &json!({"client_id": clients[1]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    for (n, id) in clients.iter().enumerate().take(3) {
        let res = app
            .post(
                &format!("/v1/clients/{id}/wallet/top-ups"),
                MANAGER,
                &json!({"amount": "12.00"}),
            )
            .await;
        let top_up = res.body["id"].as_u64().expect("id");
        let order = 4000 + n as u64;
        let paid = if n == 2 { "11.00" } else { "12.00" };
        for _ in 0..2 {
            let db = &app.db;
            let paid = paid.parse().expect("money");
            db.transaction(|mut tx| async move {
                let result =
                    volixta_service::wallet::complete_top_up(&mut tx, db, top_up, order, paid)
                        .await;
                (tx, result)
            })
            .await
            .expect("completes");
        }
    }
    let kinds: u64 = app
        .scalar("SELECT COUNT(DISTINCT kind) FROM {p}volixta_wallet_ledger")
        .await;
    assert_eq!(kinds, 4, "manual credit and debit, gift code, top-up");

    let (ok, text) = verify_ledgers_cli(&app);
    assert!(ok, "{text}");
    assert!(text.contains("every wallet ledger is sound"), "{text}");
}

#[tokio::test]
async fn verify_ledgers_names_each_broken_client_and_fails() {
    let mut app = TestApp::spawn().await;
    app.skip_ledger_check_on_drop();
    let cached_wrong = client_with_credit(&app, 80, "10.00").await;
    let chain_wrong = client_with_credit(&app, 81, "10.00").await;
    let sound = client_with_credit(&app, 82, "10.00").await;
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    use mysql_async::prelude::Queryable;
    conn.exec_drop(
        app.db
            .sql("UPDATE {p}volixta_clients SET wallet_balance = 11 WHERE id = ?"),
        (cached_wrong,),
    )
    .await
    .expect("update");
    // A row whose balance_after does not follow from the previous one (10 - 2 is not 9).
    conn.exec_drop(
        app.db.sql(
            "INSERT INTO {p}volixta_wallet_ledger (client_id, amount, balance_after, kind, actor) \
             VALUES (?, -2, 9, 'manual_debit', 'manager:1')",
        ),
        (chain_wrong,),
    )
    .await
    .expect("insert");
    drop(conn);

    let (ok, text) = verify_ledgers_cli(&app);
    assert!(!ok, "{text}");
    assert!(
        text.contains(&format!("client {cached_wrong}: cached balance 11")),
        "{text}"
    );
    assert!(
        text.contains(&format!("client {chain_wrong}: row ")),
        "{text}"
    );
    assert!(!text.contains(&format!("client {sound}:")), "{text}");
    assert!(text.contains("2 client wallet(s) are broken"), "{text}");

    let broken = volixta_service::wallet::verify_ledgers(&app.db)
        .await
        .expect("check runs");
    assert_eq!(
        broken.iter().map(|b| b.client_id).collect::<Vec<_>>(),
        vec![cached_wrong, chain_wrong]
    );
}

#[tokio::test]
async fn the_ledger_refuses_updates_and_deletes() {
    let app = TestApp::spawn().await;
    client_with_credit(&app, 90, "10.00").await;
    let mut conn = app.db.pool.get_conn().await.expect("conn");
    use mysql_async::prelude::Queryable;
    for sql in [
        "UPDATE {p}volixta_wallet_ledger SET amount = 1000",
        "DELETE FROM {p}volixta_wallet_ledger",
    ] {
        let err = conn
            .query_drop(app.db.sql(sql))
            .await
            .expect_err("append-only");
        assert!(err.to_string().contains("append-only"), "{err}");
    }
    let sum: String = app
        .scalar("SELECT CAST(SUM(amount) AS CHAR) FROM {p}volixta_wallet_ledger")
        .await;
    assert_eq!(sum, "10.0000");
    // The reward points ledger is kept the same way.
    let client: u64 = app
        .scalar("SELECT MIN(client_id) FROM {p}volixta_wallet_ledger")
        .await;
    let res = app
        .post(
            &format!("/v1/clients/{client}/rewards"),
            MANAGER,
            &serde_json::json!({"points": 5, "reason": "welcome"}),
        )
        .await;
    assert_eq!(res.status, reqwest::StatusCode::CREATED, "{}", res.text);
    for sql in [
        "UPDATE {p}volixta_reward_ledger SET points = 1000",
        "DELETE FROM {p}volixta_reward_ledger",
    ] {
        let err = conn
            .query_drop(app.db.sql(sql))
            .await
            .expect_err("append-only");
        assert!(err.to_string().contains("append-only"), "{err}");
    }
    let points: u64 = app
        .scalar("SELECT CAST(SUM(points) AS UNSIGNED) FROM {p}volixta_reward_ledger")
        .await;
    assert_eq!(points, 5);
}

/// Many WordPress hosts give the database user no TRIGGER privilege: the service must still
/// migrate and run, without the triggers.
#[tokio::test]
async fn migrations_apply_for_a_user_without_the_trigger_privilege() {
    use mysql_async::prelude::Queryable;
    let suffix = &nonce()[..12];
    let db_name = format!("t_{}_{suffix}", chrono::Utc::now().timestamp());
    let user = format!("vx_{suffix}");
    let mut root = mysql_async::Conn::from_url(server_url())
        .await
        .expect("root");
    root.query_drop(format!("CREATE DATABASE `{db_name}`"))
        .await
        .expect("db");
    root.query_drop(format!("CREATE USER '{user}'@'%' IDENTIFIED BY 'pw'"))
        .await
        .expect("user");
    root.query_drop(format!(
        "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, REFERENCES \
         ON `{db_name}`.* TO '{user}'@'%'"
    ))
    .await
    .expect("grant");

    let opts = mysql_async::Opts::from_url(&server_url()).expect("url");
    let url = format!(
        "mysql://{user}:pw@{}:{}/{db_name}",
        opts.ip_or_hostname(),
        opts.tcp_port()
    );
    let config = volixta_service::Config::for_database(url, PREFIX, SECRET);
    let outcome = async {
        let db = volixta_service::db::connect(&config).await?;
        volixta_service::migrate::run(&db).await?;
        let broken = volixta_service::wallet::verify_ledgers(&db).await?;
        db.pool.disconnect().await?;
        anyhow::Ok(broken)
    }
    .await;
    let triggers: Option<u64> = root
        .exec_first(
            "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?",
            (&db_name,),
        )
        .await
        .expect("count");
    let _ = root.query_drop(format!("DROP USER '{user}'@'%'")).await;
    let _ = root
        .query_drop(format!("DROP DATABASE IF EXISTS `{db_name}`"))
        .await;
    assert!(outcome.expect("migrates without TRIGGER").is_empty());
    assert_eq!(triggers, Some(0));
}
