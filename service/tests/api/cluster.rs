//! The guarantees on a multi-primary Galera cluster, one replica per node and the requests spread
//! across them. Galera certifies transactions optimistically: `SELECT … FOR UPDATE` and `GET_LOCK`
//! are local to one node, and only rows written conflict at commit. These tests need a cluster:
//! `make test-cluster` starts three nodes on this machine (scripts/galera.sh) and runs them with
//! `VOLIXTA_CLUSTER_URLS` set; `make test` runs them the same way.
use crate::bookings::{add_staff, at, book, booking, client, credit, massage, shop};
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;
use std::collections::HashMap;

/// A migrated database made through the first node, and one replica on each node.
async fn on_every_node() -> (TestApp, Vec<TestApp>) {
    let nodes = cluster_urls();
    assert!(nodes.len() >= 2, "a cluster has several nodes: {nodes:?}");
    let first = TestApp::spawn_on(&nodes[0]).await;
    let mut replicas = vec![first.handle()];
    for node in &nodes[1..] {
        replicas.push(first.replica_on(node).await);
    }
    (first, replicas)
}

async fn tally<F>(tasks: Vec<tokio::task::JoinHandle<F>>) -> HashMap<F, usize>
where
    F: std::hash::Hash + Eq,
{
    let mut outcomes = HashMap::new();
    for t in tasks {
        *outcomes.entry(t.await.expect("task")).or_default() += 1;
    }
    outcomes
}

#[tokio::test]
#[ignore = "needs a Galera cluster: make test-cluster"]
async fn three_replicas_starting_together_apply_the_migrations_once() {
    let nodes = cluster_urls();
    let empty = TestApp::create_database_on(&nodes[0]).await;
    let mut starting = Vec::new();
    for node in &nodes {
        let replica = empty.replica_on(node).await;
        starting.push(tokio::spawn(async move {
            volixta_service::migrate::run(&replica.db)
                .await
                .map_err(|e| format!("{e:#}"))
        }));
    }
    for (node, started) in nodes.iter().zip(starting) {
        started
            .await
            .expect("task")
            .unwrap_or_else(|e| panic!("the replica on {node} did not start: {e}"));
    }
    let applied: u64 = empty
        .scalar("SELECT COUNT(*) FROM {p}volixta_schema_history")
        .await;
    let files = volixta_service::migrate::migrations(PREFIX)
        .expect("migrations")
        .len() as u64;
    assert_eq!(applied, files, "each migration recorded once");
    let held: u64 = empty.scalar("SELECT COUNT(*) FROM {p}volixta_locks").await;
    assert_eq!(held, 0, "the lock row is released");
}

#[tokio::test]
#[ignore = "needs a Galera cluster: make test-cluster"]
async fn forty_requests_for_one_slot_across_the_nodes_give_one_booking() {
    let (first, replicas) = on_every_node().await;
    let s = shop(&first, massage()).await;
    let mut clients = Vec::new();
    for i in 0..4 {
        clients.push(client(&first, 700 + i).await);
    }
    let start = at(4, 12, 0);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let node = replicas[i % replicas.len()].handle();
        let body = booking(&s, clients[i % 4], start);
        tasks.push(tokio::spawn(async move {
            let res = book(&node, MANAGER, &body).await;
            (res.status, res.code().to_owned())
        }));
    }
    let outcomes = tally(tasks).await;
    assert_eq!(
        outcomes.get(&(StatusCode::CREATED, String::new())),
        Some(&1),
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.get(&(StatusCode::CONFLICT, "slot_taken".into())),
        Some(&39),
        "{outcomes:?}"
    );
    let holding: u64 = first
        .scalar("SELECT COUNT(*) FROM {p}volixta_bookings WHERE status IN ('pending','confirmed')")
        .await;
    assert_eq!(holding, 1);
}

#[tokio::test]
#[ignore = "needs a Galera cluster: make test-cluster"]
async fn forty_debits_across_the_nodes_never_overdraw_and_never_fail() {
    let (first, replicas) = on_every_node().await;
    let ann = client(&first, 800).await;
    credit(&first, ann, "20.00").await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let node = replicas[i % replicas.len()].handle();
        tasks.push(tokio::spawn(async move {
            let res = node
                .post(
                    &format!("/v1/clients/{ann}/wallet/adjustments"),
                    MANAGER,
                    &json!({"amount": "-1.00", "reason": format!("debit {i}")}),
                )
                .await;
            (res.status, res.code().to_owned())
        }));
    }
    let outcomes = tally(tasks).await;
    assert_eq!(
        outcomes.get(&(StatusCode::CREATED, String::new())),
        Some(&20),
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.get(&(StatusCode::CONFLICT, "insufficient_balance".into())),
        Some(&20),
        "{outcomes:?}"
    );
    let balance: String = first
        .scalar("SELECT CAST(wallet_balance AS CHAR) FROM {p}volixta_clients")
        .await;
    assert_eq!(balance, "0.0000");
}

#[tokio::test]
#[ignore = "needs a Galera cluster: make test-cluster"]
async fn invoice_numbers_stay_gapless_with_bookings_on_every_node() {
    let (first, replicas) = on_every_node().await;
    let s = shop(&first, massage()).await;
    let mut staff = vec![s.staff];
    for _ in 0..2 {
        staff.push(add_staff(&first, s.location, s.service, None).await);
    }
    let ann = client(&first, 900).await;
    let mut tasks = Vec::new();
    for i in 0..30_u32 {
        let node = replicas[i as usize % replicas.len()].handle();
        let mut body = booking(&s, ann, at(2 + i64::from(i / 10), 8 + (i % 10), 0));
        body["staff_id"] = json!(staff[(i % 3) as usize]);
        tasks.push(tokio::spawn(async move {
            let res = book(&node, MANAGER, &body).await;
            (res.status, res.text)
        }));
    }
    for t in tasks {
        let (status, text) = t.await.expect("task");
        assert_eq!(status, StatusCode::CREATED, "{text}");
    }
    let seqs: Vec<u32> = first
        .rows("SELECT seq FROM {p}volixta_invoices WHERE kind = 'invoice' ORDER BY seq")
        .await;
    assert_eq!(seqs, (1..=30).collect::<Vec<u32>>());
}

#[tokio::test]
#[ignore = "needs a Galera cluster: make test-cluster"]
async fn a_client_created_on_one_node_is_read_on_the_next() {
    let (_first, replicas) = on_every_node().await;
    for round in 0..20_u64 {
        let writer = &replicas[round as usize % replicas.len()];
        let reader = &replicas[(round as usize + 1) % replicas.len()];
        let made = writer
            .create_client(
                json!({"first_name": "Read", "last_name": format!("Mine {round}"),
                "email": format!("read{round}@example.com")}),
            )
            .await;
        let id = made["id"].as_u64().expect("id");
        let res = reader.get(&format!("/v1/clients/{id}"), MANAGER).await;
        assert_eq!(res.status, StatusCode::OK, "round {round}: {}", res.text);
    }
}

/// Twenty bookings of twenty clients moved into one free slot at once, through every node: one moves,
/// nineteen are told the slot is taken. Unlike new bookings (which all write the invoice series'
/// counter row too), these moves write nothing in common but the staff member's booking guard:
/// this is the test that fails without it.
#[tokio::test]
#[ignore = "needs a Galera cluster: make test-cluster"]
async fn twenty_reschedules_into_one_slot_across_the_nodes_leave_one_winner() {
    let (first, replicas) = on_every_node().await;
    let s = shop(&first, massage()).await;
    // One client each: a client's own row is written with its bookings (its counts), and a
    // shared client would serialise the moves by itself.
    let mut ids = Vec::new();
    for day in 6..26 {
        let owner = client(&first, 950 + day as u64).await;
        let res = book(&first, MANAGER, &booking(&s, owner, at(day, 10, 0))).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        ids.push(res.body["id"].as_u64().expect("id"));
    }
    let target = crate::bookings::rfc(at(6, 17, 0));
    let mut tasks = Vec::new();
    for (i, booking_id) in ids.iter().copied().enumerate() {
        let node = replicas[i % replicas.len()].handle();
        let target = target.clone();
        tasks.push(tokio::spawn(async move {
            let res = node
                .post(
                    &format!("/v1/bookings/{booking_id}/reschedule"),
                    MANAGER,
                    &json!({"start": target}),
                )
                .await;
            (res.status, res.code().to_owned())
        }));
    }
    let outcomes = tally(tasks).await;
    assert_eq!(
        outcomes.get(&(StatusCode::OK, String::new())),
        Some(&1),
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.get(&(StatusCode::CONFLICT, "slot_taken".into())),
        Some(&19),
        "{outcomes:?}"
    );
}
