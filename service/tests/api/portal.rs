use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_portal_fragment_shows_name_and_balance_escaped() {
    let app = TestApp::spawn().await;
    let c = app.create_client(json!({"first_name": "Ada", "last_name": "<b>Lovelace</b>", "wp_user_id": 42, "email": "ada@example.com"})).await;
    app.post(
        &format!("/v1/clients/{}/wallet/adjustments", c["id"]),
        MANAGER,
        &json!({"amount": "50.00", "reason": "Welcome & thanks"}),
    )
    .await;
    let res = app.get("/v1/render/customer_profile", "client:42").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.content_type.starts_with("text/html"),
        "{}",
        res.content_type
    );
    assert!(
        res.text
            .contains(r#"data-volixta-fragment="customer_profile""#)
    );
    assert!(
        res.text.contains("Ada &lt;b&gt;Lovelace&lt;&#x2f;b&gt;"),
        "{}",
        res.text
    );
    assert!(!res.text.contains("<b>Lovelace"));
    assert!(res.text.contains("€50.00"));
    assert!(res.text.contains("Welcome &amp; thanks"));
}

#[tokio::test]
async fn only_a_linked_client_gets_a_portal() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.get("/v1/render/customer_profile", "client:99")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/v1/render/customer_profile", MANAGER).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/v1/render/customer_profile", "guest:0")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
