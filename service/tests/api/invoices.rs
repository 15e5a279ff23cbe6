//! Invoices: every booking has one from its creation, numbered without gaps per series and year
//! (also when bookings race on two replicas), its lines as the booking was priced, credited on
//! cancellation, visible to whoever sees the booking and absent for everyone else.
use crate::bookings::{Shop, add_staff, at, book, booking, client, credit, id, shop};
use crate::helpers::*;
use chrono::{Datelike, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn year() -> i32 {
    Utc::now().year()
}

fn money(v: &Value) -> rust_decimal::Decimal {
    v.as_str()
        .unwrap_or_else(|| panic!("money string, got {v}"))
        .parse()
        .expect("decimal")
}

/// A shop with a 20 % tax added on top and an add-on, as `prices_with_addons…` in bookings.
async fn taxed_shop(app: &TestApp) -> (Shop, u64) {
    let res = app
        .patch(
            "/v1/settings",
            ADMIN,
            &json!({"prices_include_tax": false, "tax_rate_percent": "20.00",
                    "business_name": "Studio Łódź", "business_address": "1 Main Street\n75001 Paris",
                    "business_tax_number": "FR12345678901"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let s = shop(
        app,
        json!({"name": "Facial", "duration_minutes": 45, "price": "40.00", "capacity": 4,
               "addons": [{"name": "Mask", "price": "7.35", "duration_minutes": 15, "max_quantity": 3}]}),
    )
    .await;
    let svc = app
        .get(&format!("/v1/services/{}", s.service), MANAGER)
        .await;
    let mask = svc.body["addons"][0]["id"].as_u64().expect("addon");
    (s, mask)
}

async fn invoice_of(app: &TestApp, booking: u64, actor: &str) -> Response {
    app.get(&format!("/v1/bookings/{booking}/invoice"), actor)
        .await
}

#[tokio::test]
async fn a_booking_is_invoiced_line_by_line_and_the_invoice_adds_up() {
    let app = TestApp::spawn().await;
    let (s, mask) = taxed_shop(&app).await;
    let ann = client(&app, 1401).await;
    credit(&app, ann, "20.00").await;
    let mut body = booking(&s, ann, at(3, 9, 0));
    body["people"] = json!(2);
    body["addons"] = json!([{"id": mask, "quantity": 3}]);
    body["discount"] = json!({"type": "amount", "value": "5.00"});
    body["payment"] = json!({"use_wallet": "20.00", "method": "cash", "status": "paid",
                             "choice": "full"});
    let res = book(&app, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let b = id(&res.body);

    let res = invoice_of(&app, b, "client:1401").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let inv = &res.body;
    assert_eq!(inv["number"], format!("INV-{}-000001", year()));
    assert_eq!(inv["kind"], "invoice");
    assert_eq!(inv["state"], "open");
    assert_eq!(inv["seller_name"], "Studio Łódź");
    assert_eq!(inv["seller_tax_number"], "FR12345678901");
    assert_eq!(inv["buyer_name"], "Ann Client");
    let lines = inv["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["description"], "Facial");
    assert_eq!(lines[0]["quantity"], 2);
    assert_eq!(lines[0]["unit_price"], "40.00");
    assert_eq!(lines[0]["tax_rate"], "20.00");
    assert_eq!(lines[0]["discount"], "5.00");
    assert_eq!(lines[0]["total"], "90.00");
    assert_eq!(lines[1]["description"], "Mask");
    assert_eq!(lines[1]["quantity"], 3);
    assert_eq!(lines[1]["tax"], "4.41");
    assert_eq!(lines[1]["total"], "26.46");
    // As printed: the lines add up to the total, the taxes per rate to the tax total, and the
    // total less what was paid is the balance.
    let total = money(&inv["total"]);
    let sum: rust_decimal::Decimal = lines.iter().map(|l| money(&l["total"])).sum();
    assert_eq!(sum, total);
    assert_eq!(inv["total"], "116.46");
    assert_eq!(inv["tax_total"], "19.41");
    let taxes = inv["taxes"].as_array().expect("taxes");
    assert_eq!(taxes.len(), 1);
    assert_eq!(taxes[0]["tax"], "19.41");
    assert_eq!(
        money(&taxes[0]["base"]) + money(&taxes[0]["tax"]),
        total,
        "base and tax make the total"
    );
    assert_eq!(inv["credits_used"], "20.00");
    assert_eq!(inv["amount_paid"], "116.46");
    assert_eq!(inv["balance_due"], "0.00");
    assert_eq!(inv["payment_status"], "paid");
    let methods: Vec<&str> = inv["payments"]
        .as_array()
        .expect("payments")
        .iter()
        .map(|p| p["method"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(methods, ["wallet", "cash"]);
    assert_eq!(inv["booking"]["service"], "Facial");
    assert_eq!(inv["booking"]["location"], "Main street");

    // The same document by its own id, for the manager.
    let by_id = app
        .get(&format!("/v1/invoices/{}", inv["id"]), MANAGER)
        .await;
    assert_eq!(by_id.status, StatusCode::OK, "{}", by_id.text);
    assert_eq!(by_id.body["number"], inv["number"]);

    // A second booking, unpaid and with a deposit: the next number, a balance due.
    let res = app
        .request(
            Method::PUT,
            &format!("/v1/services/{}/pricing", s.service),
            MANAGER,
            Some(&json!({"deposit": {"type": "fixed", "value": "10.00"}})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = book(&app, MANAGER, &booking(&s, ann, at(4, 9, 0))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let inv = invoice_of(&app, id(&res.body), MANAGER).await.body;
    assert_eq!(inv["number"], format!("INV-{}-000002", year()));
    assert_eq!(inv["total"], "48.00");
    assert_eq!(inv["deposit"], "10.00");
    assert_eq!(inv["amount_paid"], "0.00");
    assert_eq!(inv["balance_due"], "48.00");
    assert_eq!(inv["payment_status"], "unpaid");
    assert_eq!(inv["credits_used"], "0.00");
}

#[tokio::test]
async fn cancelling_credits_the_invoice_and_keeps_it() {
    let app = TestApp::spawn().await;
    let s = shop(&app, crate::bookings::massage()).await;
    let ann = client(&app, 1402).await;
    let mut body = booking(&s, ann, at(3, 9, 0));
    body["payment"] = json!({"method": "card", "status": "paid"});
    let res = book(&app, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let b = id(&res.body);
    let before = invoice_of(&app, b, MANAGER).await.body;
    assert_eq!(before["number"], format!("INV-{}-000001", year()));

    let res = app
        .post(&format!("/v1/bookings/{b}/cancel"), MANAGER, &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let after = invoice_of(&app, b, MANAGER).await.body;
    assert_eq!(after["number"], before["number"], "the invoice is kept");
    assert_eq!(after["state"], "credited");
    assert_eq!(after["total"], "50.00");
    assert_eq!(after["balance_due"], "0.00");
    let docs = after["documents"].as_array().expect("documents");
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[1]["kind"], "credit_note");
    assert_eq!(docs[1]["number"], format!("CN-{}-000001", year()));
    assert_eq!(docs[1]["total"], "-50.00");

    let cn = app
        .get(&format!("/v1/invoices/{}", docs[1]["id"]), MANAGER)
        .await;
    assert_eq!(cn.status, StatusCode::OK, "{}", cn.text);
    assert_eq!(cn.body["related_number"], before["number"]);
    assert_eq!(cn.body["reason"], "cancelled");
    assert_eq!(cn.body["lines"][0]["total"], "-50.00");
    // The refund to the wallet is what the credit note lists.
    assert_eq!(cn.body["payments"][0]["kind"], "refund");
    assert_eq!(cn.body["payments"][0]["amount"], "50.00");

    let kinds: Vec<String> = app
        .rows("SELECT kind FROM {p}volixta_invoices ORDER BY id")
        .await;
    assert_eq!(
        kinds,
        ["invoice", "credit_note"],
        "nothing deleted, nothing more issued"
    );

    // A second cancel is refused and issues nothing.
    let res = app
        .post(&format!("/v1/bookings/{b}/cancel"), MANAGER, &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    let n: u64 = app.scalar("SELECT COUNT(*) FROM {p}volixta_invoices").await;
    assert_eq!(n, 2);
}

#[tokio::test]
async fn another_clients_invoice_is_absent() {
    let app = TestApp::spawn().await;
    let s = shop(&app, crate::bookings::massage()).await;
    let ann = client(&app, 1403).await;
    let _bob = client(&app, 1404).await;
    let res = book(&app, MANAGER, &booking(&s, ann, at(3, 9, 0))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let b = id(&res.body);
    let inv = invoice_of(&app, b, "client:1403").await;
    assert_eq!(inv.status, StatusCode::OK, "{}", inv.text);
    let inv_id = inv.body["id"].as_u64().expect("id");

    for path in [
        format!("/v1/bookings/{b}/invoice"),
        format!("/v1/invoices/{inv_id}"),
        format!("/v1/invoices?client_id={ann}"),
    ] {
        let res = app.get(&path, "client:1404").await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}: {}", res.text);
    }
    let list = app.get("/v1/invoices", "client:1404").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert_eq!(list.body["invoices"], json!([]));
    let list = app.get("/v1/invoices", "client:1403").await;
    assert_eq!(list.body["invoices"].as_array().map(Vec::len), Some(1));

    // An employee sees its own staff member's bookings' invoices only.
    let other = add_staff(&app, s.location, s.service, Some(55)).await;
    assert_ne!(other, s.staff);
    let res = invoice_of(&app, b, "employee:55").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    let list = app.get("/v1/invoices", "employee:55").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert_eq!(list.body["invoices"], json!([]));

    // A client whose permission level hides invoices is refused its own.
    let res = app
        .patch(
            &format!("/v1/clients/{ann}"),
            MANAGER,
            &json!({"permissions": {"view_invoices": false}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = invoice_of(&app, b, "client:1403").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
}

#[tokio::test]
async fn numbers_stay_gapless_when_thirty_bookings_race_on_two_replicas() {
    let app = TestApp::spawn().await;
    let replica = app.replica().await;
    let s = shop(&app, crate::bookings::massage()).await;
    let mut staff = vec![s.staff];
    for _ in 0..2 {
        staff.push(add_staff(&app, s.location, s.service, None).await);
    }
    let ann = client(&app, 1405).await;
    let mut tasks = Vec::new();
    for i in 0..30_u32 {
        let node = if i % 2 == 0 {
            app.handle()
        } else {
            replica.handle()
        };
        let mut body = booking(&s, ann, at(2 + i64::from(i / 10), 8 + (i % 10), 0));
        body["staff_id"] = json!(staff[(i % 3) as usize]);
        tasks.push(tokio::spawn(
            async move { book(&node, MANAGER, &body).await },
        ));
    }
    for t in tasks {
        let res = t.await.expect("task");
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }
    let seqs: Vec<u32> = app
        .rows("SELECT seq FROM {p}volixta_invoices WHERE kind = 'invoice' ORDER BY seq")
        .await;
    assert_eq!(seqs, (1..=30).collect::<Vec<u32>>());
    let distinct: u64 = app
        .scalar("SELECT COUNT(DISTINCT number) FROM {p}volixta_invoices")
        .await;
    assert_eq!(distinct, 30);
    let unbilled: u64 = app
        .scalar(
            "SELECT COUNT(*) FROM {p}volixta_bookings b WHERE NOT EXISTS \
             (SELECT 1 FROM {p}volixta_invoices i WHERE i.booking_id = b.id)",
        )
        .await;
    assert_eq!(unbilled, 0);
    let last: u32 = app
        .scalar("SELECT last_number FROM {p}volixta_invoice_counters WHERE series = 'INV'")
        .await;
    assert_eq!(last, 30);
}

#[tokio::test]
async fn a_refused_booking_takes_no_number() {
    let app = TestApp::spawn().await;
    let s = shop(&app, crate::bookings::massage()).await;
    let ann = client(&app, 1406).await;
    let res = book(&app, MANAGER, &booking(&s, ann, at(3, 9, 0))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    // The same slot again, and credits the client does not have: refused, nothing written.
    let res = book(&app, MANAGER, &booking(&s, ann, at(3, 9, 0))).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    let mut body = booking(&s, ann, at(3, 12, 0));
    body["payment"] = json!({"use_wallet": "30.00"});
    let res = book(&app, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    let res = book(&app, MANAGER, &booking(&s, ann, at(3, 14, 0))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let inv = invoice_of(&app, id(&res.body), MANAGER).await.body;
    assert_eq!(inv["number"], format!("INV-{}-000002", year()));
}

#[tokio::test]
async fn the_series_is_a_setting_and_lists_filter() {
    let app = TestApp::spawn().await;
    let s = shop(&app, crate::bookings::massage()).await;
    let ann = client(&app, 1407).await;
    let bob = client(&app, 1408).await;
    for bad in ["inv", "", "A-", "TOO-LONG-SERIES", "IN V"] {
        let res = app
            .patch("/v1/settings", ADMIN, &json!({"invoice_series": bad}))
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            res.text
        );
    }
    let res = book(&app, MANAGER, &booking(&s, ann, at(3, 9, 0))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let first = id(&res.body);
    let res = app
        .patch(
            "/v1/settings",
            ADMIN,
            &json!({"invoice_series": "SHOP2", "credit_note_series": "SHOP2-CN"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let mut paid = booking(&s, bob, at(3, 12, 0));
    paid["payment"] = json!({"method": "cash", "status": "paid"});
    let res = book(&app, MANAGER, &paid).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let inv = invoice_of(&app, id(&res.body), MANAGER).await.body;
    assert_eq!(inv["number"], format!("SHOP2-{}-000001", year()));
    let res = app
        .post(&format!("/v1/bookings/{first}/cancel"), MANAGER, &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    let numbers = |v: &Value| -> Vec<String> {
        v["invoices"]
            .as_array()
            .expect("invoices")
            .iter()
            .map(|i| i["number"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let all = app.get("/v1/invoices", MANAGER).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text);
    let y = year();
    assert_eq!(
        numbers(&all.body),
        [
            format!("SHOP2-CN-{y}-000001"),
            format!("SHOP2-{y}-000001"),
            format!("INV-{y}-000001")
        ]
    );
    let q = |query: &str| format!("/v1/invoices?{query}");
    let res = app.get(&q("status=paid"), MANAGER).await;
    assert_eq!(numbers(&res.body), [format!("SHOP2-{y}-000001")]);
    let res = app.get(&q("status=credited"), MANAGER).await;
    assert_eq!(numbers(&res.body), [format!("INV-{y}-000001")]);
    assert_eq!(
        res.body["invoices"][0]["related_number"],
        format!("SHOP2-CN-{y}-000001")
    );
    let res = app.get(&q("kind=credit_note"), MANAGER).await;
    assert_eq!(numbers(&res.body), [format!("SHOP2-CN-{y}-000001")]);
    let res = app.get(&q(&format!("client_id={bob}")), MANAGER).await;
    assert_eq!(numbers(&res.body), [format!("SHOP2-{y}-000001")]);
    let res = app.get(&q("number=inv-"), MANAGER).await;
    assert_eq!(numbers(&res.body), [format!("INV-{y}-000001")]);
    let today = Utc::now().date_naive();
    let res = app
        .get(&q(&format!("from={today}&to={today}&limit=2")), MANAGER)
        .await;
    assert_eq!(numbers(&res.body).len(), 2);
    let next = res.body["next_cursor"].as_str().expect("a next page");
    let res = app
        .get(
            &q(&format!("from={today}&to={today}&limit=2&cursor={next}")),
            MANAGER,
        )
        .await;
    assert_eq!(numbers(&res.body), [format!("INV-{y}-000001")]);
    assert_eq!(res.body["next_cursor"], Value::Null);
    let res = app
        .get(
            &q(&format!("to={}", today.pred_opt().expect("yesterday"))),
            MANAGER,
        )
        .await;
    assert_eq!(res.body["invoices"], json!([]));
    let res = app.get(&q("status=lost"), MANAGER).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
}

/// The text of a PDF as `pdftotext -layout` reads it.
pub(crate) fn pdf_text(bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("volixta-pdf-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("invoice.pdf");
    std::fs::write(&file, bytes).expect("pdf written");
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[tokio::test]
async fn the_pdf_prints_every_line_the_taxes_credits_and_balance() {
    let app = TestApp::spawn().await;
    let (s, mask) = taxed_shop(&app).await;
    let zoe = id(&app
        .create_client(json!({"first_name": "Zoë", "last_name": "Łukasiewicz",
            "email": "zoe@example.com", "wp_user_id": 1409, "street": "Ulica 5", "zip": "00-001",
            "city": "Warszawa"}))
        .await);
    credit(&app, zoe, "25.00").await;
    let mut body = booking(&s, zoe, at(3, 9, 0));
    body["addons"] = json!([{"id": mask, "quantity": 2}]);
    body["payment"] = json!({"use_wallet": "25.00", "method": "cash", "status": "unpaid"});
    let res = book(&app, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let b = id(&res.body);
    let inv = invoice_of(&app, b, MANAGER).await.body;
    // Facial 48.00, Mask 2 × 7.35 = 14.70 + 2.94 = 17.64: 65.64; 25.00 in credits.
    assert_eq!(inv["total"], "65.64");
    assert_eq!(inv["balance_due"], "40.64");
    assert_eq!(inv["payment_status"], "partially_paid");

    let res = app
        .get(&format!("/v1/bookings/{b}/invoice.pdf"), "client:1409")
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.content_type, "application/pdf");
    assert!(res.bytes.starts_with(b"%PDF-"));
    // `VOLIXTA_INVOICE_SAMPLE=file.pdf` keeps this one, for docs/invoices.md's picture.
    if let Ok(path) = std::env::var("VOLIXTA_INVOICE_SAMPLE") {
        std::fs::write(path, &res.bytes).expect("sample written");
    }
    assert!(
        res.bytes.len() < 60_000,
        "fonts are subset: {} bytes",
        res.bytes.len()
    );
    let text = pdf_text(&res.bytes);
    let number = inv["number"].as_str().expect("number");
    for expected in [
        "Invoice",
        number,
        "Studio Łódź",
        "FR12345678901",
        "Zoë Łukasiewicz",
        "00-001 Warszawa",
        "Facial",
        "Mask",
        "48.00",
        "17.64",
        "Tax 20.00%",
        "10.94",
        "Total",
        "65.64",
        "Credits used",
        "25.00",
        "Wallet credits",
        "Amount paid",
        "Balance due",
        "40.64",
        "Partially paid",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }

    // Another client gets nothing, by either address.
    let _bob = client(&app, 1410).await;
    let res = app
        .get(&format!("/v1/bookings/{b}/invoice.pdf"), "client:1410")
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    let res = app
        .get(&format!("/v1/invoices/{}/pdf", inv["id"]), "client:1410")
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);

    // The credit note of a cancellation prints as one.
    let res = app
        .post(&format!("/v1/bookings/{b}/cancel"), MANAGER, &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let inv = invoice_of(&app, b, MANAGER).await.body;
    let cn = &inv["documents"][1];
    let res = app
        .get(&format!("/v1/invoices/{}/pdf", cn["id"]), MANAGER)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let text = pdf_text(&res.bytes);
    for expected in [
        "Credit note",
        cn["number"].as_str().expect("number"),
        &format!("Credits invoice {number}"),
        "-65.64",
        "REFUNDS",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}

#[tokio::test]
async fn the_portal_lists_the_clients_own_invoices_and_opens_one() {
    let app = TestApp::spawn().await;
    let (s, mask) = taxed_shop(&app).await;
    let ann = client(&app, 1411).await;
    let bob = client(&app, 1412).await;
    let mut body = booking(&s, ann, at(3, 9, 0));
    body["addons"] = json!([{"id": mask, "quantity": 1}]);
    body["payment"] = json!({"method": "card", "status": "paid"});
    let res = book(&app, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let mine = invoice_of(&app, id(&res.body), MANAGER).await.body;
    let res = book(&app, MANAGER, &booking(&s, bob, at(3, 12, 0))).await;
    let theirs = invoice_of(&app, id(&res.body), MANAGER).await.body;

    let page = app.get("/v1/render/customer_profile", "client:1411").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let html = &page.text;
    let number = mine["number"].as_str().expect("number");
    assert!(html.contains(number), "{html}");
    // The row, and its PDF fetched through the proxy (the path is HTML-escaped).
    assert!(html.contains(&format!("data-invoice-id=\"{}\"", mine["id"])));
    assert!(
        html.contains(&format!("invoices&#x2f;{}&#x2f;pdf", mine["id"])),
        "{html}"
    );
    assert!(!html.contains(theirs["number"].as_str().expect("number")));
    assert!(html.contains("Card"), "the payment method is shown");

    let page = app
        .get(
            &format!("/v1/render/customer_profile?invoice={}", mine["id"]),
            "client:1411",
        )
        .await;
    assert!(page.text.contains("id=\"volixta-invoice-detail\""));
    assert!(page.text.contains("Mask × 1"), "add-ons are listed");
    assert!(page.text.contains("Sam Stylist"), "the provider is named");

    // Another client's invoice id opens nothing of it.
    let page = app
        .get(
            &format!("/v1/render/customer_profile?invoice={}", theirs["id"]),
            "client:1411",
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(!page.text.contains("id=\"volixta-invoice-detail\""));
    assert!(page.text.contains("That invoice could not be found."));
}

async fn set_options(app: &TestApp, booking: u64, addons: Value) -> Response {
    app.request(
        Method::POST,
        &format!("/v1/bookings/{booking}/options"),
        MANAGER,
        Some(&json!({ "addons": addons })),
    )
    .await
}

#[tokio::test]
async fn a_change_rewrites_an_unpaid_invoice_and_credits_a_paid_one() {
    let app = TestApp::spawn().await;
    let (s, mask) = taxed_shop(&app).await;
    let ann = client(&app, 1413).await;
    let y = year();

    // Unpaid: the same number, the new lines.
    let res = book(&app, MANAGER, &booking(&s, ann, at(3, 9, 0))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let unpaid = id(&res.body);
    let res = set_options(&app, unpaid, json!([{"id": mask, "quantity": 1}])).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let inv = invoice_of(&app, unpaid, MANAGER).await.body;
    assert_eq!(inv["number"], format!("INV-{y}-000001"));
    assert_eq!(inv["lines"].as_array().map(Vec::len), Some(2));
    assert_eq!(inv["total"], "56.82");
    assert_eq!(inv["documents"].as_array().map(Vec::len), Some(1));

    // Paid: a credit note for the old invoice and a corrected one with the next number.
    let mut body = booking(&s, ann, at(3, 12, 0));
    body["payment"] = json!({"method": "cash", "status": "paid"});
    let res = book(&app, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let paid = id(&res.body);
    let res = set_options(&app, paid, json!([{"id": mask, "quantity": 2}])).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let inv = invoice_of(&app, paid, MANAGER).await.body;
    assert_eq!(inv["number"], format!("INV-{y}-000003"));
    assert_eq!(inv["state"], "open");
    assert_eq!(inv["reason"], "changed");
    assert_eq!(inv["related_number"], format!("INV-{y}-000002"));
    assert_eq!(inv["total"], "65.64");
    assert_eq!(inv["amount_paid"], "48.00");
    assert_eq!(inv["balance_due"], "17.64");
    let docs: Vec<(String, String, String)> = inv["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| {
            (
                d["number"].as_str().unwrap_or_default().to_owned(),
                d["state"].as_str().unwrap_or_default().to_owned(),
                d["total"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        docs,
        [
            (format!("INV-{y}-000002"), "credited".into(), "48.00".into()),
            (format!("CN-{y}-000001"), "open".into(), "-48.00".into()),
            (format!("INV-{y}-000003"), "open".into(), "65.64".into()),
        ]
    );
    // Setting the same options again issues nothing.
    let res = set_options(&app, paid, json!([{"id": mask, "quantity": 2}])).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let n: u64 = app.scalar("SELECT COUNT(*) FROM {p}volixta_invoices").await;
    assert_eq!(n, 4);
}
