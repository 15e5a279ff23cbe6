//! The wp-admin screens' fragments: who may see them, filters reaching the client list, paging,
//! row and bulk actions, escaping and translation.
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const SCREEN: &str = "/v1/render/admin/clients";

fn id(v: &Value) -> u64 {
    v["id"].as_u64().expect("id")
}

/// The client names of a rendered list, in order (the text of the name cell, links left out).
fn names(html: &str) -> Vec<String> {
    html.split(r#"<strong class="volixta-client-name">"#)
        .skip(1)
        .map(|s| {
            let cell = s.split("</strong>").next().unwrap_or("");
            let mut text = String::new();
            let mut in_tag = false;
            for c in cell.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text
        })
        .collect()
}

async fn screen(app: &TestApp, query: &str) -> Response {
    let res = app.get(&format!("{SCREEN}{query}"), MANAGER).await;
    assert_eq!(res.status, StatusCode::OK, "{query}: {}", res.text);
    res
}

async fn post_form(app: &TestApp, path: &str, actor: &str, body: &Value) -> Response {
    app.request(Method::POST, path, actor, Some(body)).await
}

#[tokio::test]
async fn only_managers_and_admins_get_the_screens() {
    let app = TestApp::spawn().await;
    let ada = id(&app
        .create_client(json!({"first_name": "Ada", "wp_user_id": 42}))
        .await);
    for actor in [MANAGER, ADMIN] {
        let res = app.get(SCREEN, actor).await;
        assert_eq!(res.status, StatusCode::OK, "{actor}: {}", res.text);
        assert!(
            res.content_type.starts_with("text/html"),
            "{}",
            res.content_type
        );
        assert_eq!(names(&res.text), vec!["Ada"]);
    }
    for actor in ["employee:3", "client:42", "guest:0", "guest:9"] {
        assert_eq!(
            app.get(SCREEN, actor).await.status,
            StatusCode::FORBIDDEN,
            "{actor}"
        );
        let bulk = post_form(
            &app,
            &format!("{SCREEN}/bulk"),
            actor,
            &json!({"bulk_action": "delete", "ids": [ada.to_string()]}),
        )
        .await;
        assert_eq!(bulk.status, StatusCode::FORBIDDEN, "{actor}");
        let row = post_form(&app, &format!("{SCREEN}/{ada}/block"), actor, &json!({})).await;
        assert_eq!(row.status, StatusCode::FORBIDDEN, "{actor}");
    }
    let client = app.get(&format!("/v1/clients/{ada}"), MANAGER).await;
    assert_eq!(client.body["deleted_at"], Value::Null);
    assert_eq!(client.body["blocked"], false);
}

#[tokio::test]
async fn filters_reach_the_list_and_pages_follow_the_cursor() {
    let app = TestApp::spawn().await;
    let group = id(&app
        .post("/v1/client-groups", MANAGER, &json!({"name": "Yoga"}))
        .await
        .body);
    app.create_client(
        json!({"first_name": "Ann", "last_name": "Lee", "status": "VIP",
        "email": "ann@example.com", "phone": "+44 20 7946 0123"}),
    )
    .await;
    let bob = id(&app
        .create_client(json!({"first_name": "Bob", "last_name": "Marsh", "status": "New"}))
        .await);
    let cy = id(&app
        .create_client(json!({"first_name": "Cy", "last_name": "Young", "status": "VIP"}))
        .await);
    app.post(
        &format!("/v1/client-groups/{group}/members"),
        MANAGER,
        &json!({"client_ids": [bob, cy]}),
    )
    .await;
    app.patch(
        &format!("/v1/clients/{cy}"),
        MANAGER,
        &json!({"blocked": true}),
    )
    .await;

    assert_eq!(
        names(&screen(&app, "").await.text),
        ["Ann Lee", "Bob Marsh", "Cy Young"]
    );
    assert_eq!(
        names(&screen(&app, "?search=7946+0123").await.text),
        ["Ann Lee"]
    );
    assert_eq!(
        names(&screen(&app, "?search=ann%40example").await.text),
        ["Ann Lee"]
    );
    assert_eq!(
        names(&screen(&app, "?status=VIP").await.text),
        ["Ann Lee", "Cy Young"]
    );
    assert_eq!(
        names(
            &screen(&app, "?status%5B%5D=New&status%5B%5D=Gold")
                .await
                .text
        ),
        ["Bob Marsh"]
    );
    assert_eq!(
        names(&screen(&app, "?status=vip,new&sort=-name").await.text),
        ["Cy Young", "Bob Marsh", "Ann Lee"]
    );
    let grouped = screen(&app, &format!("?group_id={group}")).await.text;
    assert_eq!(names(&grouped), ["Bob Marsh", "Cy Young"]);
    assert!(grouped.contains("<td class=\"column-groups\" data-colname=\"Groups\">Yoga</td>"));
    assert_eq!(
        names(&screen(&app, "?blocked=true").await.text),
        ["Cy Young"]
    );
    assert_eq!(
        names(&screen(&app, "?blocked=false&sort=-name").await.text),
        ["Bob Marsh", "Ann Lee"]
    );
    assert_eq!(
        names(&screen(&app, "?sort=-id").await.text),
        ["Cy Young", "Bob Marsh", "Ann Lee"]
    );
    // Blocked clients are never in a subscribed list, whatever they opted into.
    assert!(
        !names(&screen(&app, "?subscribed=marketing").await.text).contains(&"Cy Young".to_owned())
    );
    // Without bookings nobody used a service, and everybody never used one.
    assert!(names(&screen(&app, "?used_service_ids=1").await.text).is_empty());
    assert_eq!(
        names(&screen(&app, "?unused_service_ids%5B%5D=1").await.text).len(),
        3
    );
    assert_eq!(
        names(&screen(&app, "?active_bookings=true").await.text).len(),
        0
    );
    let none = screen(&app, "?search=zzz").await.text;
    assert!(none.contains("No clients match these filters."), "{none}");

    // The filters stay in the state actions and links carry.
    let kept = screen(&app, "?page=volixta-clients&status=VIP&search=young")
        .await
        .text;
    assert!(
        kept.contains(r#"data-hx-post="render/admin/clients/bulk?page=volixta-clients&amp;search=young&amp;status=VIP""#),
        "{kept}"
    );
    assert!(kept.contains(r#"value="young""#));
    assert!(
        kept.contains(r#"<option value="VIP" selected>VIP (2)</option>"#),
        "{kept}"
    );

    // A filter no form produces is refused in the list's own words.
    let bad = app
        .get(&format!("{SCREEN}?booked_from=yesterday"), MANAGER)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    let bad = app
        .get(&format!("{SCREEN}?view=all&view=deleted"), MANAGER)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Keyset pages of 20: the next link carries the cursor, the last page has none.
    for i in 0..20 {
        app.create_client(json!({"first_name": format!("Zed{i:02}"), "last_name": "Zulu"}))
            .await;
    }
    let first = screen(&app, "?sort=id").await.text;
    assert_eq!(names(&first).len(), 20);
    let next = first
        .split(r#"class="next-page button" href="?"#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a next page link")
        .replace("&amp;", "&");
    assert!(next.contains("after="), "{next}");
    let second = screen(&app, &format!("?{next}")).await.text;
    assert_eq!(names(&second).len(), 3);
    assert!(!second.contains("class=\"next-page button\""));
    assert!(second.contains("class=\"first-page button\""));
    let all: Vec<String> = names(&first).into_iter().chain(names(&second)).collect();
    assert_eq!(all.len(), 23);
    assert_eq!(all[..3], ["Ann Lee", "Bob Marsh", "Cy Young"]);
}

#[tokio::test]
async fn names_are_escaped_everywhere_they_appear() {
    let app = TestApp::spawn().await;
    app.create_client(json!({"first_name": "<script>alert(1)</script>", "last_name": "\"><img src=x onerror=alert(2)>",
        "status": "<b>VIP</b>"}))
        .await;
    let html = screen(&app, "").await.text;
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(!html.contains("<b>VIP"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "{html}"
    );
    // The labels of the row's controls too.
    assert!(
        html.contains(
            r#"<label class="screen-reader-text" for="cb-select-1">Select &lt;script&gt;"#
        ),
        "{html}"
    );
    assert!(!html.contains(r#"" onerror"#));
}

#[tokio::test]
async fn row_and_bulk_actions_change_clients_and_say_so() {
    let app = TestApp::spawn().await;
    let group = id(&app
        .post("/v1/client-groups", MANAGER, &json!({"name": "Regulars"}))
        .await
        .body);
    let mut ids = Vec::new();
    for name in ["Ann", "Bob", "Cy"] {
        ids.push(id(&app.create_client(json!({"first_name": name})).await));
    }
    let (ann, bob, cy) = (ids[0], ids[1], ids[2]);

    let res = post_form(
        &app,
        &format!("{SCREEN}/{ann}/block?status=New"),
        MANAGER,
        &json!({}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(
        res.text.contains("Ann can no longer book online."),
        "{}",
        res.text
    );
    assert_eq!(
        app.get(&format!("/v1/clients/{ann}"), MANAGER).await.body["blocked"],
        true
    );
    // The screen comes back with the query it was asked for.
    assert!(
        res.text.contains(r#"<option value="New" selected>"#),
        "{}",
        res.text
    );

    let res = post_form(
        &app,
        &format!("{SCREEN}/bulk"),
        MANAGER,
        &json!({"bulk_action": "unblock", "ids": [ann.to_string(), bob.to_string()]}),
    )
    .await;
    assert!(
        res.text.contains("2 clients may book online again."),
        "{}",
        res.text
    );
    assert_eq!(
        app.get(&format!("/v1/clients/{ann}"), MANAGER).await.body["blocked"],
        false
    );

    let res = post_form(&app, &format!("{SCREEN}/bulk"), MANAGER,
        &json!({"bulk_action": "add_to_group", "ids": [bob.to_string(), cy.to_string()], "bulk_group_id": group.to_string()})).await;
    assert!(
        res.text.contains("2 clients added to the group Regulars."),
        "{}",
        res.text
    );
    let members = app
        .get(&format!("/v1/clients?group_id={group}"), MANAGER)
        .await;
    assert_eq!(members.body["items"].as_array().map(Vec::len), Some(2));

    let res = post_form(
        &app,
        &format!("{SCREEN}/bulk"),
        MANAGER,
        &json!({"bulk_action": "export", "ids": [ann.to_string(), cy.to_string()]}),
    )
    .await;
    assert!(
        res.text.contains(&format!(
            r#"data-volixta-download="clients/export.csv?ids={ann},{cy}""#
        )),
        "{}",
        res.text
    );
    let csv = app
        .get(&format!("/v1/clients/export.csv?ids={ann},{cy}"), MANAGER)
        .await
        .text;
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.contains("Ann") && csv.contains("Cy") && !csv.contains("Bob"));

    // Nothing selected, no action chosen, no group: said, and nothing changes.
    for (body, says) in [
        (
            json!({"bulk_action": "delete"}),
            "Select at least one client first.",
        ),
        (
            json!({"bulk_action": "", "ids": [ann.to_string()]}),
            "Choose a bulk action first.",
        ),
        (
            json!({"bulk_action": "add_to_group", "ids": [ann.to_string()], "bulk_group_id": ""}),
            "Choose the group",
        ),
        (
            json!({"bulk_action": "restore", "ids": [ann.to_string()]}),
            "does not apply to this list",
        ),
    ] {
        let res = post_form(&app, &format!("{SCREEN}/bulk"), MANAGER, &body).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert!(res.text.contains(says), "{body}: {}", res.text);
    }

    let res = post_form(
        &app,
        &format!("{SCREEN}/bulk"),
        MANAGER,
        &json!({"bulk_action": "delete", "ids": [ann.to_string(), bob.to_string()]}),
    )
    .await;
    assert!(res.text.contains("2 clients were deleted."), "{}", res.text);
    assert_eq!(names(&res.text), ["Cy"]);
    let deleted = screen(&app, "?view=deleted").await.text;
    assert_eq!(names(&deleted), ["Ann", "Bob"]);
    assert!(deleted.contains(r#"<option value="restore">Restore</option>"#));
    assert!(
        deleted.contains(&format!(
            "render/admin/clients/{ann}/restore?page=volixta-clients&amp;view=deleted"
        )),
        "{deleted}"
    );

    // With the limit reached, restoring says so and leaves them deleted.
    let res = app
        .request(
            Method::PATCH,
            "/v1/settings",
            ADMIN,
            Some(&json!({"client_limit": 2})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = post_form(
        &app,
        &format!("{SCREEN}/bulk?view=deleted"),
        MANAGER,
        &json!({"bulk_action": "restore", "ids": [ann.to_string(), bob.to_string()]}),
    )
    .await;
    assert!(res.text.contains("Ann was restored."), "{}", res.text);
    assert!(
        res.text.contains(
            "The client limit of this site is reached, so these clients stay deleted: Bob."
        ),
        "{}",
        res.text
    );
    assert_eq!(names(&res.text), ["Bob"]);
    assert!(app.get(&format!("/v1/clients/{bob}"), MANAGER).await.body["deleted_at"].is_string());

    let res = post_form(&app, &format!("{SCREEN}/{cy}/delete"), MANAGER, &json!({})).await;
    assert!(res.text.contains("Cy was deleted."), "{}", res.text);
    let res = post_form(
        &app,
        &format!("{SCREEN}/{bob}/restore?view=deleted"),
        MANAGER,
        &json!({}),
    )
    .await;
    assert!(res.text.contains("Bob was restored."), "{}", res.text);
    let res = post_form(
        &app,
        &format!("{SCREEN}/{cy}/restore?view=deleted"),
        MANAGER,
        &json!({}),
    )
    .await;
    assert!(res.text.contains("stay deleted: Cy"), "{}", res.text);
    assert_eq!(
        post_form(&app, &format!("{SCREEN}/{cy}/explode"), MANAGER, &json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let empty = screen(&app, "").await.text;
    assert_eq!(names(&empty), ["Ann", "Bob"]);
}

#[tokio::test]
async fn the_screen_speaks_the_site_language_from_a_catalog() {
    let app = TestApp::spawn().await;
    let empty = screen(&app, "").await.text;
    assert!(empty.contains("No clients yet."), "{empty}");
    let dir = tempfile_dir();
    std::fs::create_dir_all(dir.join("languages")).expect("mkdir");
    std::fs::write(
        dir.join("languages/volixta-de_DE.po"),
        "msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"\n\n\
         msgid \"Clients\"\nmsgstr \"Kunden\"\n\n\
         msgid \"No clients yet.\"\nmsgstr \"Noch keine Kunden.\"\n",
    )
    .expect("write po");
    let german = app
        .replica_with(|c| c.template_dir = Some(dir.clone()))
        .await;
    let res = german
        .request_with(
            Method::GET,
            SCREEN,
            MANAGER,
            None,
            &[("X-Volixta-Locale", "de_DE")],
            Tamper::default(),
        )
        .await;
    assert!(
        res.text
            .contains(r#"<h1 class="wp-heading-inline">Kunden</h1>"#),
        "{}",
        res.text
    );
    assert!(res.text.contains("Noch keine Kunden."));
    // Untranslated strings stay in English; another locale gets English throughout.
    assert!(res.text.contains("Search clients"));
    let res = german
        .request_with(
            Method::GET,
            SCREEN,
            MANAGER,
            None,
            &[("X-Volixta-Locale", "fr_FR")],
            Tamper::default(),
        )
        .await;
    assert!(
        res.text
            .contains(r#"<h1 class="wp-heading-inline">Clients</h1>"#)
    );
    std::fs::remove_dir_all(&dir).ok();
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("volixta-templates-{}", nonce()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
