//! E-mails handed to SMTP per second from the outbox by two workers (the default of
//! `VOLIXTA_OUTBOX_WORKERS`), against a real SMTP server on loopback: the API tests' sink
//! (`tests/api/mail_sink.rs`, RFC 5321 with DATA and dot-stuffing), so every message is claimed,
//! rendered from its templates, built as MIME, sent over a pooled SMTP connection and marked sent.
//! Two scenarios, each timed from when the message's row was written (`created_at`, the
//! database's clock) to when the sink accepted it (end of DATA answered; the same host's clock):
//!
//! - **a campaign**: one marketing message to N opted-in clients writes N e-mails in one
//!   transaction (`POST /v1/marketing`); then the two workers start and drain them. Messages per
//!   second from the workers' start to the last acceptance; written → accepted is mostly the wait
//!   in line, so its p50 is about half the drain.
//! - **one at a time**: e-mails written one per transaction (`notifications::notice`, as a booking
//!   change writes its own) at a steady pace well below the campaign's rate, with the workers
//!   already running: written → accepted is the idle workers' poll (every 250 ms) plus one send.
//!
//! `VOLIXTA_BENCH_EMAILS` sets N (default 2000; 200 in a quick run, `cargo test --bench
//! outbox_smtp`, which writes no docs). Prints a markdown table and writes its section of
//! docs/benchmarks.md.
#[path = "../tests/api/helpers.rs"]
#[allow(dead_code)]
mod helpers;
#[path = "../tests/api/mail_sink.rs"]
#[allow(dead_code)]
mod mail_sink;
#[path = "support/report.rs"]
mod report;

use helpers::{MANAGER, Tamper, TestApp};
use mail_sink::SmtpSink;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::{
    collections::HashMap,
    fmt::Write as _,
    time::{Duration, Instant, UNIX_EPOCH},
};

const WORKERS: usize = 2;
/// E-mails of the one-at-a-time scenario, and the pause between two of them.
const SINGLES: usize = 100;
const SINGLE_GAP: Duration = Duration::from_millis(40);

struct Outcome {
    scenario: String,
    emails: usize,
    /// Messages per second while the workers were draining (campaign only).
    per_second: Option<f64>,
    latencies: Vec<Duration>,
}

/// Written → accepted of every message the sink got, matched to its row by Message-ID.
async fn latencies(app: &TestApp, sink: &SmtpSink, topic: &str) -> Vec<Duration> {
    let written: HashMap<String, f64> = app
        .rows::<String>(&format!(
            "SELECT CONCAT(message_id, ' ', UNIX_TIMESTAMP(created_at)) FROM {{p}}volixta_outbox \
             WHERE topic = '{topic}'"
        ))
        .await
        .into_iter()
        .filter_map(|row| {
            let (id, at) = row.split_once(' ')?;
            Some((id.to_owned(), at.parse().ok()?))
        })
        .collect();
    sink.messages()
        .iter()
        .filter_map(|m| {
            let (headers, _) = mail_sink::parse(&m.data);
            let id = mail_sink::header(&headers, "message-id")
                .trim_start_matches('<')
                .split('@')
                .next()?
                .to_owned();
            let at = written.get(&id)?;
            let accepted = m.accepted_at.duration_since(UNIX_EPOCH).ok()?.as_secs_f64();
            Some(Duration::from_secs_f64((accepted - at).max(0.0)))
        })
        .collect()
}

/// N opted-in clients through the CSV import (one request).
async fn clients(app: &TestApp, n: usize) {
    let mut csv = String::from("First name,Last name,E-mail,Marketing\n");
    for i in 0..n {
        writeln!(csv, "Reader,No {i},reader{i}@example.com,yes").expect("string");
    }
    let res = app
        .post("/v1/clients/import", MANAGER, &json!({"csv": csv}))
        .await;
    assert!(res.status.is_success(), "{}", res.text);
}

async fn campaign(app: &TestApp, sink: &SmtpSink, n: usize) -> Outcome {
    clients(app, n).await;
    let body = json!({"subject": "Spring offers", "body": "Ten percent off every massage in April.\n\nSee you soon!"});
    let res = app
        .request_with(
            Method::POST,
            "/v1/marketing",
            MANAGER,
            Some(serde_json::to_vec(&body).expect("json")),
            &[(
                "X-Volixta-Unsubscribe-Url",
                "https://spa.example/wp-json/volixta/v1/unsubscribe",
            )],
            Tamper::default(),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["recipients"], n);

    let url = sink.url();
    let start = Instant::now();
    let workers = app
        .outbox_workers(|c| {
            c.smtp_url = url;
            c.outbox_workers = WORKERS;
        })
        .await;
    let got = sink.wait_for(n, 600).await;
    let drained = start.elapsed();
    assert_eq!(got.len(), n, "every e-mail reached the sink");
    drop(workers);
    Outcome {
        scenario: format!("a campaign: {n} marketing e-mails written at once, then drained"),
        emails: n,
        per_second: Some(n as f64 / drained.as_secs_f64()),
        latencies: latencies(app, sink, "marketing").await,
    }
}

async fn one_at_a_time(app: &TestApp, sink: &SmtpSink) -> Outcome {
    let before = sink.messages().len();
    let url = sink.url();
    let _workers = app
        .outbox_workers(|c| {
            c.smtp_url = url;
            c.outbox_workers = WORKERS;
        })
        .await;
    let db = &app.db;
    for i in 0..SINGLES {
        let (key, to) = (&format!("bench:{i}"), &[format!("owner{i}@example.com")]);
        db.transaction(|mut tx| async move {
            let result = volixta_service::notifications::notice(
                &mut tx,
                db,
                key,
                to,
                "Your booking",
                "A booking e-mail's worth of text.",
            )
            .await;
            (tx, result)
        })
        .await
        .expect("written");
        tokio::time::sleep(SINGLE_GAP).await;
    }
    let got = sink.wait_for(before + SINGLES, 120).await;
    assert_eq!(got.len(), before + SINGLES, "every e-mail reached the sink");
    Outcome {
        scenario: format!(
            "one at a time: {SINGLES} e-mails, one per transaction every {} ms, workers idle between",
            SINGLE_GAP.as_millis()
        ),
        emails: SINGLES,
        per_second: None,
        latencies: latencies(app, sink, "notice").await,
    }
}

#[tokio::main]
async fn main() {
    let quick = report::quick_mode();
    let n: usize = std::env::var("VOLIXTA_BENCH_EMAILS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if quick { 200 } else { 2000 });
    let load_at_start = report::load_average();
    let mut app = TestApp::spawn().await;
    app.skip_ledger_check_on_drop();
    let sink = SmtpSink::start().await;
    let outcomes = [
        campaign(&app, &sink, n).await,
        one_at_a_time(&app, &sink).await,
    ];

    let mut table = String::from(
        "| scenario | e-mails | per second | written → accepted p50 | p99 |\n| --- | ---: | ---: | ---: | ---: |\n",
    );
    for o in &outcomes {
        assert_eq!(
            o.latencies.len(),
            o.emails,
            "each e-mail matched to its row"
        );
        let mut samples = o.latencies.clone();
        writeln!(
            table,
            "| {} | {} | {} | {} | {} |",
            o.scenario,
            o.emails,
            o.per_second.map_or("—".to_owned(), |r| format!("{r:.0}")),
            report::ms(report::percentile(&mut samples, 0.5)),
            report::ms(report::percentile(&mut samples, 0.99)),
        )
        .expect("string");
    }
    let section = format!(
        "## Outbox to SMTP\n\n`cargo bench -p volixta-service --bench outbox_smtp` (part of `make bench`{}): \
         e-mails handed to SMTP from the outbox by {WORKERS} workers (one replica's default), each \
         claimed in a batch of up to 10 (`FOR UPDATE SKIP LOCKED`), rendered from its templates \
         (text and HTML; a marketing e-mail with its signed unsubscribe link), sent over lettre's \
         pooled SMTP connection to a real SMTP server on loopback (the API tests' sink) and marked \
         sent. \"written → accepted\" runs from the row's `created_at` to the server's answer to the \
         end of DATA. Service, MariaDB 10.11 and the SMTP server on one {} host; 1-minute load \
         average {load_at_start} at the start, {} at the end.\n\n{table}",
        if quick {
            "; this is a quick run of a debug build"
        } else {
            ""
        },
        report::cpu(),
        report::load_average()
    );
    println!("{section}");
    if !quick {
        report::write_section("outbox-smtp", &section);
    }
}
