//! The wp-admin screens of client data: likely duplicates, the merge of two profiles and the
//! CSV import — roles, what they change (and what a dry run does not), and escaping.
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

const SCREEN: &str = "/v1/render/admin/clients";

fn id(v: &Value) -> u64 {
    v["id"].as_u64().expect("id")
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

async fn html(app: &TestApp, query: &str) -> String {
    let res = app.get(&format!("{SCREEN}?{query}"), MANAGER).await;
    assert_eq!(res.status, StatusCode::OK, "{query}: {}", res.text);
    res.text
}

async fn count(app: &TestApp, condition: &str) -> u64 {
    app.scalar(&format!(
        "SELECT COUNT(*) FROM {{p}}volixta_clients WHERE {condition}"
    ))
    .await
}

/// The import's id in a screen: the mapping form posts to `import/<id>/run`.
fn import_id(page: &str) -> u64 {
    let at = page.find("clients/import/").expect("a run form") + "clients/import/".len();
    page[at..]
        .split('/')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("an import id")
}

/// Polls the import screen until its run is over.
async fn finished(app: &TestApp, import: u64) -> String {
    for _ in 0..100 {
        let page = html(app, &format!("action=import&import={import}")).await;
        if !page.contains("data-hx-trigger=\"every 1s\"") {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the import did not finish");
}

#[tokio::test]
async fn only_managers_and_admins_reach_the_client_data_screens() {
    let app = TestApp::spawn().await;
    let ann = id(&app
        .create_client(json!({"first_name": "Ann", "email": "ann@x.com"}))
        .await);
    let anne = id(&app
        .create_client(json!({"first_name": "Anne", "email": "ann@x.com"}))
        .await);
    for actor in [MANAGER, ADMIN] {
        for query in [
            "action=duplicates".to_owned(),
            "action=import".to_owned(),
            format!("action=merge&client={ann}"),
            format!("action=merge&client={ann}&with={anne}"),
        ] {
            let res = app.get(&format!("{SCREEN}?{query}"), actor).await;
            assert_eq!(res.status, StatusCode::OK, "{actor} {query}: {}", res.text);
        }
    }
    for actor in ["employee:3", "client:42", "guest:0"] {
        for query in [
            "action=duplicates".to_owned(),
            "action=import".to_owned(),
            format!("action=merge&client={ann}&with={anne}"),
        ] {
            let res = app.get(&format!("{SCREEN}?{query}"), actor).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor} {query}");
        }
        let merge = post(
            &app,
            &format!("{SCREEN}/merge"),
            actor,
            &json!({"client": ann.to_string(), "with": anne.to_string(), "keep": ann.to_string(), "confirm": "1"}),
            Some("k1"),
        )
        .await;
        assert_eq!(merge.status, StatusCode::FORBIDDEN, "{actor}");
        let dismiss = post(
            &app,
            &format!("{SCREEN}/duplicates/dismiss"),
            actor,
            &json!({"a": ann.to_string(), "b": anne.to_string()}),
            None,
        )
        .await;
        assert_eq!(dismiss.status, StatusCode::FORBIDDEN, "{actor}");
        let upload = post(
            &app,
            &format!("{SCREEN}/import"),
            actor,
            &json!({"csv": "first_name\nMallory\n", "file_name": "m.csv"}),
            None,
        )
        .await;
        assert_eq!(upload.status, StatusCode::FORBIDDEN, "{actor}");
    }
    assert_eq!(count(&app, "merged_into_id IS NOT NULL").await, 0);
    assert_eq!(count(&app, "first_name = 'Mallory'").await, 0);
    let pairs: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_client_distinct_pairs")
        .await;
    assert_eq!(pairs, 0);
    let imports: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_client_imports")
        .await;
    assert_eq!(imports, 0);
}

#[tokio::test]
async fn duplicates_are_listed_compared_merged_once_and_dismissed() {
    let app = TestApp::spawn().await;
    let ann = id(&app
        .create_client(
            json!({"first_name": "Ann", "last_name": "Lee", "email": "ann@x.com", "city": "Leeds"}),
        )
        .await);
    let anne = id(&app
        .create_client(json!({"first_name": "<b>Anne</b>", "last_name": "Lee", "email": "ANN@x.com", "phone": "+44 20 7946 0001"}))
        .await);
    let tom = id(&app
        .create_client(json!({"first_name": "Tom", "phone": "+44 20 7946 0777"}))
        .await);
    let thomas = id(&app
        .create_client(json!({"first_name": "Thomas", "phone": "+44 20 7946 0777"}))
        .await);
    let credit = app
        .post(
            &format!("/v1/clients/{anne}/wallet/adjustments"),
            MANAGER,
            &json!({"amount": "15.00", "reason": "gift"}),
        )
        .await;
    assert_eq!(credit.status, StatusCode::CREATED, "{}", credit.text);

    let list = html(&app, "action=duplicates").await;
    assert!(list.contains("Same e-mail address"));
    assert!(list.contains("Same phone number"));
    assert!(list.contains(&format!("action=merge&amp;client={ann}&amp;with={anne}")));
    assert!(list.contains("&lt;b&gt;Anne&lt;"), "names are escaped");
    assert!(!list.contains("<b>Anne</b>"));

    let compare = html(&app, &format!("action=merge&client={ann}&with={anne}")).await;
    assert!(compare.contains("€15.00"), "the other's balance is shown");
    assert!(compare.contains("Leeds") && compare.contains("+442079460001"));
    assert!(compare.contains("data-volixta-idempotency-key="));
    let search = html(&app, &format!("action=merge&client={tom}&search=thomas")).await;
    assert!(search.contains(&format!("action=merge&amp;client={tom}&amp;with={thomas}")));

    // Without the confirmation nothing happens.
    let form =
        json!({"client": ann.to_string(), "with": anne.to_string(), "keep": ann.to_string()});
    let unconfirmed = post(
        &app,
        &format!("{SCREEN}/merge?page=volixta-clients"),
        MANAGER,
        &form,
        Some("m-0"),
    )
    .await;
    assert_eq!(unconfirmed.status, StatusCode::OK);
    assert!(unconfirmed.text.contains("Tick the box"));
    assert_eq!(count(&app, "merged_into_id IS NOT NULL").await, 0);

    // Confirmed, sent twice with one key: one merge, the profile of the kept client answers.
    let mut form = form;
    form["confirm"] = json!("1");
    for _ in 0..2 {
        let merged = post(
            &app,
            &format!("{SCREEN}/merge?page=volixta-clients"),
            MANAGER,
            &form,
            Some("m-1"),
        )
        .await;
        assert_eq!(merged.status, StatusCode::OK, "{}", merged.text);
        assert!(
            merged.text.contains("was merged into this profile"),
            "{}",
            merged.text
        );
        assert!(merged.text.contains("€15.00"));
    }
    assert_eq!(count(&app, &format!("merged_into_id = {ann}")).await, 1);
    let kept = app.get(&format!("/v1/clients/{ann}"), MANAGER).await;
    assert_eq!(kept.body["wallet_balance"], "15.00");
    assert_eq!(kept.body["phone"], "+442079460001");
    let merge_rows: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_wallet_ledger WHERE kind = 'merge'")
        .await;
    assert_eq!(merge_rows, 2, "one debit and one credit");
    // A merged profile cannot be merged again.
    let again = post(
        &app,
        &format!("{SCREEN}/merge"),
        MANAGER,
        &form,
        Some("m-2"),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(
        again.text.contains("Only live profiles can be merged")
            || again.text.contains("were not merged")
    );

    // "Not the same person": the pair is gone from the list for good.
    let dismissed = post(
        &app,
        &format!("{SCREEN}/duplicates/dismiss?page=volixta-clients"),
        MANAGER,
        &json!({"a": tom.to_string(), "b": thomas.to_string()}),
        None,
    )
    .await;
    assert_eq!(dismissed.status, StatusCode::OK, "{}", dismissed.text);
    assert!(dismissed.text.contains("marked as different people"));
    assert!(!dismissed.text.contains(&format!("with={thomas}")));
    assert!(dismissed.text.contains("No likely duplicates."));
    assert_eq!(
        count(&app, "merged_into_id IS NULL AND deleted_at IS NULL").await,
        3
    );
}

#[tokio::test]
async fn an_import_is_mapped_dry_run_then_run_with_its_progress() {
    let app = TestApp::spawn().await;
    let ann = id(&app
        .create_client(json!({"first_name": "Ann", "email": "ann@x.com"}))
        .await);
    let csv = "Given name;Family;Mail;Mobile;Shoe\n\
               <script>alert(1)</script>;Lee;new@x.com;+44 20 7946 0200;42\n\
               Ann;Updated;ann@x.com;;41\n\
               Bad;Row;not-an-email;;40\n";
    let upload = post(
        &app,
        &format!("{SCREEN}/import?page=volixta-clients"),
        MANAGER,
        &json!({"csv": csv, "file_name": "team <export>.csv"}),
        None,
    )
    .await;
    assert_eq!(upload.status, StatusCode::OK, "{}", upload.text);
    let page = upload.text;
    assert!(page.contains("team &lt;export&gt;.csv"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;"));
    assert!(!page.contains("<script>alert"));
    // Headers the import knows are suggested; the others left out.
    assert!(page.contains(r#"<option value="first_name" selected>"#));
    assert!(page.contains(r#"<option value="email" selected>"#));
    let import = import_id(&page);

    // A field chosen twice is refused beside the column.
    let run = format!("{SCREEN}/import/{import}/run?page=volixta-clients");
    let twice = post(
        &app,
        &run,
        MANAGER,
        &json!({"column_0": "first_name", "column_1": "first_name", "dry_run": "1"}),
        Some("r-0"),
    )
    .await;
    assert_eq!(twice.status, StatusCode::OK);
    assert!(twice.text.contains("already chosen for another column"));
    // No name column: the import's own refusal.
    let nameless = post(
        &app,
        &run,
        MANAGER,
        &json!({"column_2": "email", "dry_run": "1"}),
        Some("r-1"),
    )
    .await;
    assert!(nameless.text.contains("first_name"), "{}", nameless.text);

    let mapping = json!({"column_0": "first_name", "column_1": "last_name", "column_2": "email", "column_3": "phone", "column_4": ""});
    let mut dry = mapping.clone();
    dry["dry_run"] = json!("1");
    let started = post(&app, &run, MANAGER, &dry, Some("r-2")).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text);
    let report = finished(&app, import).await;
    assert!(report.contains("nothing was changed"), "{report}");
    assert!(report.contains(r#"id="volixta-import-created">1<"#));
    assert!(report.contains(r#"id="volixta-import-updated">1<"#));
    assert!(report.contains(r#"id="volixta-import-skipped">1<"#));
    assert_eq!(count(&app, "1").await, 1, "a dry run writes no client");
    assert_eq!(count(&app, "last_name = 'Updated'").await, 0);

    let mut real = mapping.clone();
    real["real"] = json!("1");
    for _ in 0..2 {
        let started = post(&app, &run, MANAGER, &real, Some("r-3")).await;
        assert_eq!(started.status, StatusCode::OK, "{}", started.text);
    }
    let report = finished(&app, import).await;
    assert!(report.contains("was imported"), "{report}");
    assert!(
        report.contains("not a valid") || report.contains("e-mail"),
        "the skipped row says why"
    );
    assert_eq!(
        count(&app, "first_name = '<script>alert(1)</script>'").await,
        1
    );
    assert_eq!(
        count(&app, &format!("id = {ann} AND last_name = 'Updated'")).await,
        1
    );
    assert_eq!(count(&app, "1").await, 2);
    let (done, total): (u64, u64) = (
        app.scalar(&format!(
            "SELECT rows_done FROM {{p}}volixta_client_imports WHERE id = {import}"
        ))
        .await,
        app.scalar(&format!(
            "SELECT rows_total FROM {{p}}volixta_client_imports WHERE id = {import}"
        ))
        .await,
    );
    assert_eq!((done, total), (3, 3));
    let audits: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_audit_log WHERE action = 'import'")
        .await;
    assert_eq!(
        audits, 2,
        "one run wrote: the form sent twice started it once"
    );

    // Not a CSV at all: the reason beside the file field, nothing kept.
    let empty = post(
        &app,
        &format!("{SCREEN}/import"),
        MANAGER,
        &json!({"csv": "", "file_name": "x.csv"}),
        None,
    )
    .await;
    assert!(empty.text.contains("volixta-field-csv-error"));
}

#[tokio::test]
async fn a_new_client_starts_with_credits_a_photo_and_a_login_once() {
    let app = TestApp::spawn().await;
    let png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    let save = "/v1/render/admin/client/save?page=volixta-clients";
    let form = json!({"first_name": "Iris", "email": "iris@x.com", "status": "Platinum",
        "preload_credits": "25,50", "avatar_image": png, "wp_account": "link", "wp_user_id": "77"});

    // What the form itself can tell is wrong is refused beside the field, and nothing is made.
    for (field, value, error) in [
        (
            "preload_credits",
            json!("-5"),
            "volixta-field-preload_credits-error",
        ),
        (
            "avatar_image",
            json!("data:image/png;base64,aGVsbG8="),
            "volixta-field-avatar-error",
        ),
        ("wp_user_id", json!(""), "volixta-field-wp_user_id-error"),
    ] {
        let mut bad = form.clone();
        bad[field] = value;
        let res = post(&app, save, MANAGER, &bad, Some(&format!("bad-{field}"))).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert!(res.text.contains(error), "{field}: {}", res.text);
        assert!(!res.text.contains("aGVsbG8"), "the photo is not sent back");
    }
    assert_eq!(count(&app, "1").await, 0);

    // Sent twice with one key: one client, credited once.
    for _ in 0..2 {
        let res = post(&app, save, MANAGER, &form, Some("new-iris")).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert!(res.text.contains("Iris was saved."), "{}", res.text);
        assert!(res.text.contains("€25.50"));
    }
    assert_eq!(count(&app, "first_name = 'Iris'").await, 1);
    let iris = app.get("/v1/clients?search=iris", MANAGER).await.body["items"][0].clone();
    assert_eq!(iris["wallet_balance"], "25.50");
    assert_eq!(iris["avatar"], "upload");
    assert_eq!(iris["wp_user_id"], 77);
    assert_eq!(iris["status"], "Platinum");
    let credits: u64 = app
        .scalar("SELECT COUNT(*) FROM {p}volixta_wallet_ledger WHERE kind = 'manual_credit'")
        .await;
    assert_eq!(credits, 1);
    let photo = app
        .get(&format!("/v1/clients/{}/avatar", id(&iris)), MANAGER)
        .await;
    assert_eq!(photo.content_type, "image/png");

    // The edit form unlinks the login.
    let edit = post(
        &app,
        &format!(
            "/v1/render/admin/client/{}/save?page=volixta-clients",
            id(&iris)
        ),
        MANAGER,
        &json!({"first_name": "Iris", "email": "iris@x.com", "wp_account": "unlink"}),
        None,
    )
    .await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.text);
    let iris = app
        .get(&format!("/v1/clients/{}", id(&iris)), MANAGER)
        .await;
    assert_eq!(iris.body["wp_user_id"], Value::Null);
}
