//! The wp-admin screens of one client: the profile with its tabs, the new / edit form, and the
//! actions they post (credits, gift codes, groups) — roles, what they change, and escaping.
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const SCREEN: &str = "/v1/render/admin/clients";

fn id(v: &Value) -> u64 {
    v["id"].as_u64().expect("id")
}

async fn html(app: &TestApp, query: &str) -> String {
    let res = app.get(&format!("{SCREEN}?{query}"), MANAGER).await;
    assert_eq!(res.status, StatusCode::OK, "{query}: {}", res.text);
    assert!(res.content_type.starts_with("text/html"), "{query}");
    res.text
}

/// A POST with a JSON body and, when given, an `Idempotency-Key`.
pub async fn post(
    app: &TestApp,
    path: &str,
    actor: &str,
    body: &Value,
    key: Option<&str>,
) -> Response {
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

async fn balance(app: &TestApp, client: u64) -> String {
    app.get(&format!("/v1/clients/{client}/wallet"), MANAGER)
        .await
        .body["balance"]
        .as_str()
        .expect("balance")
        .to_owned()
}

#[tokio::test]
async fn only_managers_and_admins_get_a_client_s_screens() {
    let app = TestApp::spawn().await;
    let ada = id(&app
        .create_client(json!({"first_name": "Ada", "wp_user_id": 42}))
        .await);
    let group = id(&app
        .post("/v1/client-groups", MANAGER, &json!({"name": "Yoga"}))
        .await
        .body);
    for actor in [MANAGER, ADMIN] {
        for query in [
            format!("client={ada}"),
            format!("client={ada}&tab=wallet"),
            "action=new".to_owned(),
            format!("action=edit&client={ada}"),
        ] {
            let res = app.get(&format!("{SCREEN}?{query}"), actor).await;
            assert_eq!(res.status, StatusCode::OK, "{actor} {query}: {}", res.text);
        }
    }
    for actor in ["employee:3", "client:42", "guest:0"] {
        for query in [
            format!("client={ada}"),
            format!("client={ada}&tab=wallet"),
            format!("client={ada}&tab=activity"),
            "action=new".to_owned(),
            format!("action=edit&client={ada}"),
        ] {
            let res = app.get(&format!("{SCREEN}?{query}"), actor).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor} {query}");
        }
        let wallet = post(
            &app,
            &format!("/v1/render/admin/client/{ada}/wallet"),
            actor,
            &json!({"direction": "credit", "amount": "50", "reason": "mine"}),
            Some(&format!("k-{actor}")),
        )
        .await;
        assert_eq!(wallet.status, StatusCode::FORBIDDEN, "{actor}");
        let create = post(
            &app,
            "/v1/render/admin/client/save",
            actor,
            &json!({"first_name": "Mallory"}),
            None,
        )
        .await;
        assert_eq!(create.status, StatusCode::FORBIDDEN, "{actor}");
        let edit = post(
            &app,
            &format!("/v1/render/admin/client/{ada}/save"),
            actor,
            &json!({"first_name": "Mallory"}),
            None,
        )
        .await;
        assert_eq!(edit.status, StatusCode::FORBIDDEN, "{actor}");
        let groups = post(
            &app,
            &format!("/v1/render/admin/client/{ada}/groups"),
            actor,
            &json!({"group_id": group.to_string(), "change": "add"}),
            None,
        )
        .await;
        assert_eq!(groups.status, StatusCode::FORBIDDEN, "{actor}");
    }
    let client = app.get(&format!("/v1/clients/{ada}"), MANAGER).await;
    assert_eq!(client.body["first_name"], "Ada");
    assert_eq!(client.body["groups"], json!([]));
    assert_eq!(balance(&app, ada).await, "0.00");
    let unknown = app.get(&format!("{SCREEN}?client=999999"), MANAGER).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_profile_shows_its_client_and_nobody_else_s_data() {
    let app = TestApp::spawn().await;
    let ann = id(&app
        .create_client(
            json!({"first_name": "Ann", "last_name": "Lee", "status": "VIP",
            "email": "ann@example.com", "phone": "+44 20 7946 0123", "city": "Leeds",
            "notes": "Prefers mornings", "birthday": "1990-02-03"}),
        )
        .await);
    let bob = id(&app
        .create_client(json!({"first_name": "Bob", "last_name": "Marsh",
            "email": "bob@example.com", "notes": "Bob's secret note"}))
        .await);
    for (client, amount, reason) in [(ann, "30.00", "Welcome gift"), (bob, "70.00", "Bob refund")] {
        let res = app
            .post(
                &format!("/v1/clients/{client}/wallet/adjustments"),
                MANAGER,
                &json!({"amount": amount, "reason": reason}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }

    let profile = html(&app, &format!("client={ann}")).await;
    for shown in [
        "Ann Lee",
        "ann@example.com",
        "+442079460123",
        "Leeds",
        "Prefers mornings",
        "1990-02-03",
        "VIP",
        "€30.00",
        "nav-tab-wrapper",
    ] {
        assert!(profile.contains(shown), "{shown} missing from the profile");
    }
    let wallet = html(&app, &format!("client={ann}&tab=wallet")).await;
    assert!(wallet.contains("Welcome gift"));
    assert!(wallet.contains("data-volixta-idempotency-key="));
    let activity = html(&app, &format!("client={ann}&tab=activity")).await;
    assert!(
        activity.contains("ann@example.com"),
        "the creation is in the log"
    );
    for tab in [
        "profile", "wallet", "bookings", "rewards", "groups", "activity",
    ] {
        let page = html(&app, &format!("client={ann}&tab={tab}")).await;
        for hidden in [
            "Bob",
            "bob@example.com",
            "secret note",
            "70.00",
            "Bob refund",
        ] {
            assert!(!page.contains(hidden), "{hidden} shown on {tab}");
        }
    }
    let bookings = html(
        &app,
        &format!("client={ann}&tab=bookings&mode=calendar&scope=all"),
    )
    .await;
    assert!(bookings.contains("No bookings in this period."));
    assert_eq!(
        app.get(
            &format!("{SCREEN}?client={ann}&tab=bookings&from=soon"),
            MANAGER
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn hostile_names_and_notes_are_escaped_on_every_screen() {
    let app = TestApp::spawn().await;
    let evil = id(&app
        .create_client(json!({"first_name": "<script>alert(1)</script>",
            "last_name": "\"><img src=x onerror=alert(2)>",
            "notes": "<b onmouseover=alert(3)>note</b>", "status": "<i>VIP</i>"}))
        .await);
    app.post(
        &format!("/v1/clients/{evil}/wallet/adjustments"),
        MANAGER,
        &json!({"amount": "5", "reason": "<svg onload=alert(4)>"}),
    )
    .await;
    let mut pages = Vec::new();
    for tab in ["profile", "wallet", "activity", "groups"] {
        pages.push(html(&app, &format!("client={evil}&tab={tab}")).await);
    }
    pages.push(html(&app, &format!("action=edit&client={evil}")).await);
    pages.push(html(&app, "action=new").await);
    pages.push(html(&app, "").await);
    for page in &pages {
        for raw in [
            "<script>alert",
            "<img src=x",
            "<b onmouseover",
            "<svg onload",
            "<i>VIP",
        ] {
            assert!(!page.contains(raw), "{raw} unescaped");
        }
    }
    assert!(pages[0].contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    assert!(pages[1].contains("&lt;svg onload=alert(4)&gt;"));
}

#[tokio::test]
async fn credits_are_added_once_per_form_and_refusals_sit_beside_the_field() {
    let app = TestApp::spawn().await;
    let ann = id(&app.create_client(json!({"first_name": "Ann"})).await);
    let path =
        format!("/v1/render/admin/client/{ann}/wallet?page=volixta-clients&kind=manual_credit");
    let credit = json!({"direction": "credit", "amount": "25,50", "reason": "Loyalty"});
    let first = post(&app, &path, MANAGER, &credit, Some("form-1")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert!(
        first
            .text
            .contains("€25.50 added to the wallet. The balance is now €25.50.")
    );
    assert!(first.text.contains("Loyalty"));
    // The same form sent again (a double click, a retry) changes nothing more.
    let again = post(&app, &path, MANAGER, &credit, Some("form-1")).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(balance(&app, ann).await, "25.50");
    // The tab keeps its filter: a kind the filter leaves out is not listed.
    assert!(
        first
            .text
            .contains(r#"<option value="manual_credit" selected>"#)
    );

    let too_much = json!({"direction": "debit", "amount": "100", "reason": "Oops"});
    let refused = post(&app, &path, MANAGER, &too_much, Some("form-2")).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(
        refused.text.contains(r#"id="volixta-adjust-amount-error""#),
        "{}",
        refused.text
    );
    assert!(refused.text.contains("does not cover this amount"));
    assert!(
        refused.text.contains(r#"value="100""#),
        "the typed amount stays"
    );
    let blank = json!({"direction": "credit", "amount": "", "reason": ""});
    let incomplete = post(&app, &path, MANAGER, &blank, Some("form-3")).await;
    assert!(
        incomplete
            .text
            .contains(r#"id="volixta-adjust-amount-error""#)
    );
    assert!(
        incomplete
            .text
            .contains(r#"id="volixta-adjust-reason-error""#)
    );
    assert_eq!(balance(&app, ann).await, "25.50");

    let debit = json!({"direction": "debit", "amount": "5", "reason": "Correction"});
    let taken = post(&app, &path, MANAGER, &debit, Some("form-4")).await;
    assert!(
        taken
            .text
            .contains("€5.00 taken off the wallet. The balance is now €20.50.")
    );
    assert_eq!(balance(&app, ann).await, "20.50");
}

#[tokio::test]
async fn a_gift_code_is_applied_from_the_wallet_tab() {
    let app = TestApp::spawn().await;
    let ann = id(&app.create_client(json!({"first_name": "Ann"})).await);
    let code = app
        .post(
            "/v1/gift-codes",
            MANAGER,
            &json!({"value": "15.00", "note": "Spring"}),
        )
        .await;
    assert_eq!(code.status, StatusCode::CREATED, "{}", code.text);
    let code_id = id(&code.body);
    let wallet = html(&app, &format!("client={ann}&tab=wallet")).await;
    assert!(
        wallet.contains(&format!(r#"<option value="{code_id}">"#)),
        "{wallet}"
    );
    let path = format!("/v1/render/admin/client/{ann}/gift-code?page=volixta-clients");
    let body = json!({"gift_code_id": code_id.to_string()});
    let applied = post(&app, &path, MANAGER, &body, Some("code-1")).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.text);
    assert!(
        applied
            .text
            .contains("The gift code was applied. The balance is now €15.00.")
    );
    assert_eq!(balance(&app, ann).await, "15.00");
    let twice = post(&app, &path, MANAGER, &body, Some("code-2")).await;
    assert!(
        twice.text.contains(r#"id="volixta-gift-code-error""#),
        "{}",
        twice.text
    );
    assert_eq!(balance(&app, ann).await, "15.00");
}

#[tokio::test]
async fn the_form_creates_and_edits_with_errors_beside_the_fields() {
    let app = TestApp::spawn().await;
    let form = html(&app, "action=new").await;
    assert!(form.contains(r#"name="first_name""#));
    assert!(form.contains("Save and add another"));

    let bad = json!({"first_name": "Nina", "last_name": "Park", "email": "nina.example.com",
        "status": "Platinum", "may_book": "1"});
    let refused = post(
        &app,
        "/v1/render/admin/client/save?page=volixta-clients",
        MANAGER,
        &bad,
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.text);
    assert!(
        refused.text.contains(r#"id="volixta-field-email-error""#),
        "{}",
        refused.text
    );
    assert!(
        refused.text.contains(r#"value="nina.example.com""#),
        "what was typed stays"
    );
    let none = app.get("/v1/clients?search=Nina", MANAGER).await;
    assert_eq!(none.body["items"], json!([]), "{}", none.text);

    let good = json!({"first_name": "Nina", "last_name": "Park", "email": "nina@example.com",
        "phone": "+33 1 23 45 67 89", "status": "Platinum", "may_book": "1", "marketing": "1",
        "birthday": "1991-04-05", "gender": "female", "notes": "Likes tea", "avatar": "owl"});
    let saved = post(
        &app,
        "/v1/render/admin/client/save?page=volixta-clients",
        MANAGER,
        &good,
        None,
    )
    .await;
    assert!(
        saved.text.contains("Nina Park was saved."),
        "{}",
        saved.text
    );
    assert!(
        saved.text.contains("nav-tab-wrapper"),
        "the profile follows"
    );
    let found = app.get("/v1/clients?search=Nina", MANAGER).await;
    let nina = &found.body["items"][0];
    assert_eq!(nina["status"], "Platinum");
    assert_eq!(nina["permissions"]["book"], true);
    assert_eq!(nina["permissions"]["cancel"], false);
    assert_eq!(nina["notifications"]["marketing"], true);
    assert_eq!(nina["notifications"]["reminders"], false);
    assert_eq!(nina["avatar"], "owl");
    let statuses = app.get("/v1/client-statuses", MANAGER).await;
    assert!(
        statuses.text.contains("Platinum"),
        "the new status is offered later"
    );

    let another = json!({"first_name": "Omar", "then": "another"});
    let next = post(
        &app,
        "/v1/render/admin/client/save?page=volixta-clients",
        MANAGER,
        &another,
        None,
    )
    .await;
    assert!(
        next.text
            .contains("Omar was added. Add the next client below."),
        "{}",
        next.text
    );
    assert!(next.text.contains(r#"name="first_name" value="""#));

    let nina_id = nina["id"].as_u64().expect("id");
    let edit = html(&app, &format!("action=edit&client={nina_id}")).await;
    assert!(edit.contains(r#"value="nina@example.com""#));
    let changed = json!({"first_name": "Nina", "last_name": "Park-Lee", "email": "nina@example.com",
        "status": "Platinum", "blocked": "1"});
    let path = format!("/v1/render/admin/client/{nina_id}/save?page=volixta-clients");
    let updated = post(&app, &path, MANAGER, &changed, None).await;
    assert!(
        updated.text.contains("Nina Park-Lee was saved."),
        "{}",
        updated.text
    );
    assert!(updated.text.contains("Blocked from online booking"));
    let empty_name = post(&app, &path, MANAGER, &json!({"first_name": " "}), None).await;
    assert!(
        empty_name
            .text
            .contains(r#"id="volixta-field-first_name-error""#)
    );
}

#[tokio::test]
async fn the_groups_tab_adds_and_removes_the_client() {
    let app = TestApp::spawn().await;
    let ann = id(&app.create_client(json!({"first_name": "Ann"})).await);
    let group = id(&app
        .post("/v1/client-groups", MANAGER, &json!({"name": "Yoga"}))
        .await
        .body);
    let path = format!("/v1/render/admin/client/{ann}/groups?page=volixta-clients");
    let added = post(
        &app,
        &path,
        MANAGER,
        &json!({"group_id": group.to_string(), "change": "add"}),
        None,
    )
    .await;
    assert!(
        added.text.contains("Added to the group Yoga."),
        "{}",
        added.text
    );
    assert_eq!(
        app.get(&format!("/v1/clients/{ann}"), MANAGER).await.body["groups"],
        json!([group])
    );
    let removed = post(
        &app,
        &path,
        MANAGER,
        &json!({"group_id": group.to_string(), "change": "remove"}),
        None,
    )
    .await;
    assert!(removed.text.contains("Removed from the group Yoga."));
    assert_eq!(
        app.get(&format!("/v1/clients/{ann}"), MANAGER).await.body["groups"],
        json!([])
    );
}

#[tokio::test]
async fn the_profile_names_who_acted_and_shows_times_in_the_business_zone() {
    let app = TestApp::spawn().await;
    let ann = id(&app
        .create_client(json!({"first_name": "Ann", "last_name": "Lee", "wp_user_id": 42}))
        .await);
    // The plugin names the acting user on changes (percent-encoded UTF-8).
    let named = app
        .request_with(
            Method::POST,
            &format!("/v1/clients/{ann}/wallet/adjustments"),
            "manager:2",
            Some(br#"{"amount": "30.00", "reason": "Welcome"}"#.to_vec()),
            &[("X-Volixta-Actor-Name", "Mar%C3%ADa%20%3Cb%3EManager")],
            Tamper::default(),
        )
        .await;
    assert_eq!(named.status, StatusCode::CREATED, "{}", named.text);
    // A read carries the name too but records nothing.
    let read = app
        .request_with(
            Method::GET,
            &format!("/v1/clients/{ann}"),
            "manager:3",
            None,
            &[("X-Volixta-Actor-Name", "Reader")],
            Tamper::default(),
        )
        .await;
    assert_eq!(read.status, StatusCode::OK);
    let unnamed = app
        .post(
            &format!("/v1/clients/{ann}/wallet/adjustments"),
            "manager:3",
            &json!({"amount": "-5.00", "reason": "Fix"}),
        )
        .await;
    assert_eq!(unnamed.status, StatusCode::CREATED, "{}", unnamed.text);
    let code = app
        .post(
            "/v1/gift-codes",
            MANAGER,
            &json!({"value": "10.00", "code": "ANNLEE10"}),
        )
        .await;
    assert_eq!(code.status, StatusCode::CREATED, "{}", code.text);
    let redeemed = app
        .post(
            "/v1/gift-codes/redeem",
            "client:42",
            &json!({"code": "annlee10"}),
        )
        .await;
    assert_eq!(redeemed.status, StatusCode::OK, "{}", redeemed.text);

    let wallet = html(&app, &format!("client={ann}&tab=wallet")).await;
    assert!(wallet.contains("María &lt;b&gt;Manager"), "{wallet}");
    assert!(wallet.contains("Manager #3"), "{wallet}");
    assert!(wallet.contains("Ann Lee (client)"), "{wallet}");
    assert!(!wallet.contains("manager:2") && !wallet.contains("client:42"));
    assert!(!wallet.contains("Reader"));
    assert!(wallet.contains("Times are in UTC."), "{wallet}");

    // With the business's zone set, every time of the profile is on its clock, named.
    let set = app
        .patch(
            "/v1/settings",
            ADMIN,
            &json!({"timezone": "America/New_York"}),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    let bad = app
        .patch("/v1/settings", ADMIN, &json!({"timezone": "Mars/Olympus"}))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains("timezone"), "{}", bad.text);
    let created: String = app
        .scalar(
            "SELECT DATE_FORMAT(created_at, '%Y-%m-%d %H:%i') FROM {p}volixta_wallet_ledger \
             WHERE reason = 'Welcome'",
        )
        .await;
    let utc = chrono::NaiveDateTime::parse_from_str(&created, "%Y-%m-%d %H:%M")
        .expect("time")
        .and_utc();
    let local = utc
        .with_timezone(&chrono_tz::America::New_York)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let wallet = html(&app, &format!("client={ann}&tab=wallet")).await;
    assert!(
        wallet.contains("Times are in America&#x2f;New_York."),
        "{wallet}"
    );
    assert!(wallet.contains(&local), "{local} in {wallet}");
    let activity = html(&app, &format!("client={ann}&tab=activity")).await;
    assert!(activity.contains("Times are in America&#x2f;New_York."));
    assert!(activity.contains("Manager #1"), "{activity}");
    let profile = html(&app, &format!("client={ann}")).await;
    assert!(profile.contains("(America&#x2f;New_York)"), "{profile}");
}
