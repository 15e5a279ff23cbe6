//! The wp-admin Activity screen: the audit log across the business, for managers only, with its
//! filters and keyset paging.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

const SCREEN: &str = "/v1/render/admin/activity";

async fn html(app: &TestApp, query: &str) -> String {
    let res = app.get(&format!("{SCREEN}?{query}"), MANAGER).await;
    assert_eq!(res.status, StatusCode::OK, "{query}: {}", res.text);
    res.text
}

fn rows(html: &str) -> usize {
    let body = &html[html.find("<tbody>").expect("table")..];
    body.matches("class=\"column-primary\"").count()
}

#[tokio::test]
async fn managers_see_the_business_activity_filtered_and_paged() {
    let app = TestApp::spawn().await;
    for actor in ["employee:3", "client:42", "guest:0"] {
        let res = app.get(SCREEN, actor).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor}");
    }
    let ada = app
        .create_client(json!({"first_name": "Ada", "last_name": "<i>Byron</i>"}))
        .await["id"]
        .as_u64()
        .expect("id");
    for i in 0..27 {
        app.create_client(json!({"first_name": format!("Guest{i}")}))
            .await;
    }
    let res = app
        .patch(
            &format!("/v1/clients/{ada}"),
            ADMIN,
            &json!({"notes": "prefers mornings"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    // Newest first, 25 a page, the next page by cursor.
    let first = html(&app, "page=volixta-activity").await;
    assert_eq!(rows(&first), 25);
    assert!(first.contains("&lt;i&gt;Byron"), "names are escaped");
    assert!(!first.contains("<i>Byron"));
    let next = first
        .split("data-hx-get=\"render/admin/activity?")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(|q| q.replace("&amp;", "&"))
        .expect("an Older link");
    assert!(next.contains("before="), "{next}");
    let second = html(&app, &next).await;
    assert_eq!(rows(&second), 4, "29 entries in all");
    assert!(second.contains("Newest"));

    // By actor, by kind, by client name, by period.
    let by_admin = html(&app, "actor=admin%3A1").await;
    assert_eq!(rows(&by_admin), 1);
    assert!(by_admin.contains("prefers mornings"));
    assert_eq!(rows(&html(&app, "kind=update").await), 1);
    assert_eq!(rows(&html(&app, "kind=create&client=Byron").await), 1);
    assert_eq!(rows(&html(&app, &format!("client={ada}")).await), 2);
    let today = chrono::Utc::now().date_naive();
    let long_ago = today - chrono::Duration::days(30);
    assert_eq!(
        rows(&html(&app, &format!("from={long_ago}&to={long_ago}")).await),
        0
    );
    let around = html(
        &app,
        &format!(
            "actor=admin%3A1&from={}&to={}",
            today - chrono::Duration::days(1),
            today + chrono::Duration::days(1)
        ),
    )
    .await;
    assert_eq!(rows(&around), 1);
    let reversed = html(&app, &format!("from={today}&to={long_ago}")).await;
    assert!(reversed.contains("volixta-activity-to-error"), "{reversed}");
    assert_eq!(rows(&reversed), 0);
}
