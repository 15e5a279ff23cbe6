//! Every list that pages answers the same way: a page of at most `limit` rows (50 unless asked,
//! never more than 500), and a `next_cursor` exactly when another page follows.
use crate::helpers::*;
use serde_json::{Value, json};

/// Walks a list page by page; returns the size of each page and checks the last says null.
async fn walk(app: &TestApp, path: &str, items: &str, cursor: &str, limit: u16) -> Vec<usize> {
    let mut sizes = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &next {
            None => format!("{path}{sep}limit={limit}"),
            Some(c) => format!("{path}{sep}limit={limit}&{cursor}={c}"),
        };
        let res = app.get(&url, MANAGER).await;
        assert_eq!(res.status, reqwest::StatusCode::OK, "{url}: {}", res.text);
        sizes.push(res.body[items].as_array().map_or(0, Vec::len));
        next = match &res.body["next_cursor"] {
            Value::Null => return sizes,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        };
        assert!(sizes.len() < 10, "{url} never ends");
    }
}

#[tokio::test]
async fn every_list_pages_the_same_way() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for n in 0..4 {
        let c = app
            .create_client(
                json!({"first_name": format!("Page{n}"), "email": format!("p{n}@example.com")}),
            )
            .await;
        ids.push(c["id"].as_u64().expect("id"));
    }
    let first = ids[0];
    for amount in ["5.00", "-1.00", "2.00", "-1.00"] {
        let res = app
            .post(
                &format!("/v1/clients/{first}/wallet/adjustments"),
                MANAGER,
                &json!({"amount": amount, "reason": "paging"}),
            )
            .await;
        assert_eq!(res.status, reqwest::StatusCode::CREATED, "{}", res.text);
    }
    for value in ["1.00", "2.00", "3.00", "4.00"] {
        app.post("/v1/gift-codes", MANAGER, &json!({"value": value}))
            .await;
    }
    let wallet = format!("/v1/clients/{first}/wallet");
    let audit = format!("/v1/clients/{first}/audit");
    let lists = [
        ("/v1/clients", "items", "after"),
        (wallet.as_str(), "transactions", "before"),
        ("/v1/wallet/transactions", "transactions", "before"),
        ("/v1/gift-codes", "gift_codes", "before"),
    ];
    for (path, items, cursor) in lists {
        // Four rows: two full pages and no empty third; one page when it holds them all.
        assert_eq!(
            walk(&app, path, items, cursor, 2).await,
            vec![2, 2],
            "{path}"
        );
        assert_eq!(
            walk(&app, path, items, cursor, 3).await,
            vec![3, 1],
            "{path}"
        );
        assert_eq!(walk(&app, path, items, cursor, 4).await, vec![4], "{path}");
    }
    // The client's audit trail, one row a page: no page is empty.
    let rows = app.get(&audit, MANAGER).await.body["items"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(rows >= 1, "creating the client is audited");
    assert_eq!(
        walk(&app, &audit, "items", "before", 1).await,
        vec![1; rows]
    );
    // Limits outside the shared bounds are brought inside them.
    let all = app.get(&format!("{wallet}?limit=9999"), MANAGER).await;
    assert_eq!(all.body["transactions"].as_array().map(Vec::len), Some(4));
    let one = app.get(&format!("{wallet}?limit=0"), MANAGER).await;
    assert_eq!(one.body["transactions"].as_array().map(Vec::len), Some(1));
    assert!(one.body["next_cursor"].is_u64());
}
