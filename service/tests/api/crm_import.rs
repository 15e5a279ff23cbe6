//! CSV import (dry run and real run, mapping, re-import), export, and the CLI.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn actions(report: &Value) -> Vec<(u64, String)> {
    report["outcomes"]
        .as_array()
        .expect("outcomes")
        .iter()
        .map(|o| {
            (
                o["line"].as_u64().unwrap_or(0),
                o["action"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

async fn import(app: &TestApp, csv: &str, dry_run: bool) -> Response {
    app.post(
        "/v1/clients/import",
        MANAGER,
        &json!({"csv": csv, "dry_run": dry_run}),
    )
    .await
}

const FILE: &str = "First name,Last name,E-mail,Mobile,City,Status,Date of birth,Marketing\n\
Ann,Lee,ann@example.com,+44 20 7946 0000,Leeds,vip,1990-04-01,yes\n\
,Nobody,nobody@example.com,,,,,\n\
Bob,Stone,bob@,,,,,\n\
Cat,Moss,CAT@example.com,,York,,,\n\
Dan,Ray,,0033 1 23 45 67 89,Paris,Gold,,no\n\
Eve,Hart,eve@example.com,,,,01/02/1990,\n\
Ann,Lee,ann@example.com,,Leeds,,,\n";

#[tokio::test]
async fn a_dry_run_reports_per_row_and_changes_nothing_then_the_real_run_imports() {
    let app = TestApp::spawn().await;
    let cat = app
        .create_client(
            json!({"first_name": "Cat", "last_name": "Moss", "email": "cat@example.com"}),
        )
        .await;
    let dan = app
        .create_client(json!({"first_name": "Dan", "last_name": "Ray", "phone": "+33123456789", "city": "Lyon"}))
        .await;
    let audit_before = app
        .scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_audit_log")
        .await;

    let res = import(&app, FILE, true).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let dry = res.body.clone();
    assert_eq!(dry["dry_run"], true);
    let expected = [
        (2, "create"),
        (3, "skip"),
        (4, "skip"),
        (5, "update"),
        (6, "update"),
        (7, "skip"),
        (8, "unchanged"),
    ];
    let expected: Vec<(u64, String)> = expected
        .iter()
        .map(|(l, a)| (*l, (*a).to_owned()))
        .collect();
    assert_eq!(actions(&dry), expected);
    let outcomes = dry["outcomes"].as_array().expect("outcomes");
    assert!(
        outcomes[1]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("first name"))
    );
    assert!(
        outcomes[2]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("e-mail"))
    );
    assert!(
        outcomes[5]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("birthday"))
    );
    assert_eq!(outcomes[3]["client_id"], cat["id"]);
    assert_eq!(outcomes[4]["client_id"], dan["id"]);
    assert_eq!(outcomes[6]["same_as_line"], 2);
    assert_eq!(
        (
            dry["created"].as_u64(),
            dry["updated"].as_u64(),
            dry["skipped"].as_u64()
        ),
        (Some(1), Some(2), Some(3))
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_clients")
            .await,
        2
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_audit_log")
            .await,
        audit_before
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_client_statuses WHERE name = 'Gold'")
            .await,
        0
    );

    let res = import(&app, FILE, false).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let real = res.body.clone();
    assert_eq!(
        actions(&real),
        expected,
        "the real run does what the dry run said"
    );
    let ann_id = real["outcomes"][0]["client_id"]
        .as_u64()
        .expect("new client id");
    assert_eq!(real["outcomes"][6]["client_id"], ann_id);
    let ann = app
        .get(&format!("/v1/clients/{ann_id}"), MANAGER)
        .await
        .body;
    assert_eq!(ann["status"], "VIP");
    assert_eq!(ann["phone"], "+442079460000");
    assert_eq!(ann["birthday"], "1990-04-01");
    assert_eq!(ann["notifications"]["marketing"], true);
    let cat = app
        .get(&format!("/v1/clients/{}", cat["id"]), MANAGER)
        .await
        .body;
    assert_eq!(cat["city"], "York");
    assert_eq!(
        cat["email"], "cat@example.com",
        "a case-only difference is the same address"
    );
    let dan = app
        .get(&format!("/v1/clients/{}", dan["id"]), MANAGER)
        .await
        .body;
    assert_eq!(dan["city"], "Paris");
    assert_eq!(dan["status"], "Gold");
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_client_statuses WHERE name = 'Gold'")
            .await,
        1
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_clients")
            .await,
        3
    );
    let log = app
        .get(&format!("/v1/clients/{}/audit", dan["id"]), MANAGER)
        .await;
    assert_eq!(log.body["items"][0]["action"], "import");
    assert_eq!(log.body["items"][0]["changes"]["city"]["before"], "Lyon");

    // The same file again: nobody new, nothing changed.
    let res = import(&app, FILE, false).await;
    let again: Vec<String> = actions(&res.body).into_iter().map(|(_, a)| a).collect();
    assert_eq!(
        again,
        [
            "unchanged",
            "skip",
            "skip",
            "unchanged",
            "unchanged",
            "skip",
            "unchanged"
        ]
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_clients")
            .await,
        3
    );
}

#[tokio::test]
async fn a_mapping_names_the_columns_and_the_limit_skips_the_rest() {
    let app = TestApp::spawn().await;
    app.patch("/v1/settings", ADMIN, &json!({"client_limit": 2}))
        .await;
    let csv = "Given;Family;Contact\nAnn;Lee;ann@example.com\nBob;Stone;bob@example.com\nCat;Moss;cat@example.com\n";
    let mapping = json!({"first_name": "Given", "last_name": "Family", "email": "Contact"});
    let res = app
        .post(
            "/v1/clients/import",
            MANAGER,
            &json!({"csv": csv, "mapping": mapping, "dry_run": true}),
        )
        .await;
    let plan: Vec<String> = actions(&res.body).into_iter().map(|(_, a)| a).collect();
    assert_eq!(plan, ["create", "create", "skip"]);
    let res = app
        .post(
            "/v1/clients/import",
            MANAGER,
            &json!({"csv": csv, "mapping": mapping}),
        )
        .await;
    assert_eq!(res.body["created"], 2);
    assert!(
        res.body["outcomes"][2]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("limit"))
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_clients")
            .await,
        2
    );

    for (body, field) in [
        (
            json!({"csv": csv, "mapping": {"shoe_size": "Given"}}),
            "mapping",
        ),
        (
            json!({"csv": csv, "mapping": {"first_name": "Nope"}}),
            "mapping",
        ),
        (json!({"csv": "Email\nx@example.com\n"}), "mapping"),
        (json!({"csv": ""}), "csv"),
    ] {
        let res = app.post("/v1/clients/import", MANAGER, &body).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            res.body["error"]["fields"][field].is_string(),
            "{}",
            res.text
        );
    }
    assert_eq!(
        app.post("/v1/clients/import", "employee:1", &json!({"csv": csv}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_export_neutralises_formulas_and_imports_back_unchanged() {
    let app = TestApp::spawn().await;
    app.create_client(json!({"first_name": "=HYPERLINK(\"http://evil\",\"x\")", "last_name": "+cmd|' /C calc'!A0",
        "status": "VIP", "notes": "@SUM(1+1)", "phone": "+44 20 7946 0000", "email": "evil@example.com"}))
        .await;
    app.create_client(json!({"first_name": "Plain", "last_name": "-minus", "status": "New"}))
        .await;
    let g = app
        .post("/v1/client-groups", MANAGER, &json!({"name": "Yoga"}))
        .await
        .body;
    let list = app.get("/v1/clients", MANAGER).await.body;
    let first = list["items"][0]["id"].clone();
    app.post(
        &format!("/v1/client-groups/{}/members", g["id"]),
        MANAGER,
        &json!({"client_ids": [first]}),
    )
    .await;

    let res = app.get("/v1/clients/export.csv?status=VIP", MANAGER).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.content_type.starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(res.text.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 1, "filtered like the list");
    let cell = |name: &str| rows[0][headers.iter().position(|h| h == name).expect(name)].to_owned();
    assert_eq!(cell("first_name"), "'=HYPERLINK(\"http://evil\",\"x\")");
    assert_eq!(cell("last_name"), "'+cmd|' /C calc'!A0");
    assert_eq!(cell("notes"), "'@SUM(1+1)");
    assert_eq!(cell("phone"), "'+442079460000");
    assert_eq!(cell("groups"), "Yoga");
    for row in &rows {
        for c in row {
            assert!(!c.starts_with(['=', '+', '-', '@']), "{c}");
        }
    }

    let all = app.get("/v1/clients/export.csv", MANAGER).await;
    assert_eq!(all.text.lines().count(), 3);
    assert!(all.text.contains("'-minus"));
    let res = import(&app, &all.text, false).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let back: Vec<String> = actions(&res.body).into_iter().map(|(_, a)| a).collect();
    assert_eq!(
        back,
        ["unchanged", "create"],
        "matched by e-mail; the other had no e-mail or phone"
    );
    assert_eq!(
        app.get("/v1/clients/export.csv", "client:1").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_cli_imports_a_file_with_a_dry_run_first() {
    let app = TestApp::spawn().await;
    let dir = std::env::temp_dir().join(format!("volixta-import-{}", nonce()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("clients.csv");
    let mut csv = String::from("Given name,E-mail\n");
    for i in 0..250 {
        csv.push_str(&format!("Client {i},c{i}@example.com\n"));
    }
    csv.push_str(",broken@example.com\n");
    std::fs::write(&file, csv).expect("write");
    let run = |dry: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_volixta-service"));
        cmd.arg("import-clients")
            .arg(&file)
            .args(["--mapping", "first_name=Given name,email=E-mail"])
            .env("VOLIXTA_DATABASE_URL", TestApp::database_url(&app.db_name))
            .env("VOLIXTA_TABLE_PREFIX", PREFIX)
            .env("VOLIXTA_SHARED_SECRET", SECRET);
        if dry {
            cmd.arg("--dry-run");
        }
        cmd.output().expect("run the binary")
    };
    let out = run(true);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("line 252: skip: first name is required"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "dry run, nothing changed. 251 rows: 250 created, 0 updated, 0 unchanged, 1 skipped"
        ),
        "{stdout}"
    );
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_clients")
            .await,
        0
    );
    let out = run(false);
    assert!(out.status.success());
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_clients")
            .await,
        250
    );
    assert_eq!(
        app.scalar::<u64>(
            "SELECT COUNT(*) FROM {p}volixta_audit_log WHERE action = 'import' AND actor = 'cli'"
        )
        .await,
        250
    );
    let out = run(false);
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("0 created, 0 updated, 250 unchanged, 1 skipped")
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn the_same_file_imported_twice_at_once_on_two_replicas_creates_each_client_once() {
    let app = TestApp::spawn().await;
    let replica = app.replica().await;
    let mut csv = String::from("first_name,email\n");
    for i in 0..300 {
        csv.push_str(&format!("C{i},c{i}@example.com\n"));
    }
    let mut tasks = Vec::new();
    for i in 0..4 {
        let mut probe = app.handle();
        if i % 2 == 1 {
            probe.address.clone_from(&replica.address);
        }
        let csv = csv.clone();
        tasks.push(tokio::spawn(async move {
            import(&probe, &csv, false).await.body
        }));
    }
    let mut created = 0;
    for t in tasks {
        created += t.await.expect("task")["created"].as_u64().expect("created");
    }
    assert_eq!(created, 300);
    assert_eq!(
        app.scalar::<u64>("SELECT COUNT(*) FROM {p}volixta_clients")
            .await,
        300
    );
}
