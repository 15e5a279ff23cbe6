//! wp-admin → Volixta → Invoices: who reaches it, its filters (client, period, status, number,
//! kind) and pages, credit notes beside their invoice, one document opened with its lines, and
//! the booking panel's Payment tab linking the booking's invoice and credit note.
use crate::bookings::{add_staff, at, book, booking, id, massage, shop};
use crate::helpers::*;
use chrono::{Datelike, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SCREEN: &str = "/v1/render/admin/invoices";

async fn html(app: &TestApp, query: &str) -> String {
    let res = app.get(&format!("{SCREEN}?{query}"), MANAGER).await;
    assert_eq!(res.status, StatusCode::OK, "{query}: {}", res.text);
    assert!(res.content_type.starts_with("text/html"), "{query}");
    res.text
}

/// The numbers the list shows, top to bottom.
fn listed(page: &str) -> Vec<String> {
    page.split("class=\"volixta-invoice-row")
        .skip(1)
        .map(|row| {
            let start = row.find("class=\"row-title\">").expect("a number") + 18;
            row[start..start + row[start..].find('<').expect("end")].to_owned()
        })
        .collect()
}

async fn named_client(app: &TestApp, first: &str, last: &str, wp: u64) -> u64 {
    id(&app
        .create_client(json!({"first_name": first, "last_name": last,
            "email": format!("client{wp}@example.com"), "wp_user_id": wp}))
        .await)
}

fn year() -> i32 {
    Utc::now().year()
}

#[tokio::test]
async fn only_managers_and_admins_reach_the_invoices_screen() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    add_staff(&app, s.location, s.service, Some(55)).await;
    let ann = named_client(&app, "Ann", "Lee", 42).await;
    let res = book(&app, MANAGER, &booking(&s, ann, at(2, 9, 0))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let invoice: u64 = app.scalar("SELECT MAX(id) FROM {p}volixta_invoices").await;
    for actor in [MANAGER, ADMIN] {
        for query in ["", &format!("invoice={invoice}"), "status=paid"] {
            let res = app.get(&format!("{SCREEN}?{query}"), actor).await;
            assert_eq!(res.status, StatusCode::OK, "{actor} {query}: {}", res.text);
        }
    }
    for actor in ["employee:55", "client:42", "guest:0"] {
        for query in ["", &format!("invoice={invoice}")] {
            let res = app.get(&format!("{SCREEN}?{query}"), actor).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{actor} {query}");
            assert!(!res.text.contains("INV-"), "{actor} sees no number");
        }
    }
}

#[tokio::test]
async fn the_screen_filters_pages_and_sets_credit_notes_beside_their_invoice() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let grace = named_client(&app, "Grace", "Hopper", 201).await;
    let alan = named_client(&app, "Alan", "Turing", 202).await;
    let ada = named_client(&app, "Ada", "Lovelace", 203).await;
    let eve = named_client(&app, "Eve <b>Bold</b>", "O'Hara", 204).await;
    let y = year();
    let inv = |n: u32| format!("INV-{y}-{n:06}");

    // INV-1 Grace, paid in cash.
    let mut paid = booking(&s, grace, at(2, 8, 0));
    paid["payment"] = json!({"method": "cash", "status": "paid"});
    let res = book(&app, MANAGER, &paid).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    // INV-2 Alan, cancelled: credited by CN-1.
    let res = book(&app, MANAGER, &booking(&s, alan, at(2, 10, 0))).await;
    let cancelled = id(&res.body);
    let res = app
        .post(
            &format!("/v1/bookings/{cancelled}/cancel"),
            MANAGER,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    // INV-3 Ada, 20.00 of 50.00 paid.
    let res = book(&app, MANAGER, &booking(&s, ada, at(2, 12, 0))).await;
    let partly = id(&res.body);
    let res = app
        .post(
            &format!("/v1/bookings/{partly}/payments"),
            MANAGER,
            &json!({"amount": "20.00", "method": "card"}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    // INV-4 Eve, unpaid, a name that must not become markup.
    let res = book(&app, MANAGER, &booking(&s, eve, at(2, 14, 0))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);

    let all = html(&app, "page=volixta-invoices").await;
    let cn = format!("CN-{y}-000001");
    assert_eq!(
        listed(&all),
        [inv(4), inv(3), cn.clone(), inv(2), inv(1)],
        "newest first"
    );
    assert!(all.contains("Eve &lt;b&gt;Bold"), "the name is escaped");
    assert!(!all.contains("<b>Bold"));
    // The credited invoice names its credit note and the credit note its invoice, each a link
    // that finds the other.
    let row_of = |page: &str, number: &str| -> String {
        let at = page
            .find(&format!("class=\"row-title\">{number}<"))
            .expect("row");
        let end = page[at..].find("</tr>").expect("row end");
        page[at..at + end].to_owned()
    };
    let credited = row_of(&all, &inv(2));
    assert!(credited.contains("is-credited"), "{credited}");
    assert!(credited.contains(&format!("number={cn}")), "{credited}");
    let note = row_of(&all, &cn);
    assert!(note.contains("is-credit_note"), "{note}");
    assert!(note.contains(&format!(">{}</a>", inv(2))), "{note}");
    assert!(
        note.contains("data-volixta-download=\"invoices&#x2f;"),
        "{note}"
    );

    // Filters: client (a search or one client), status, number, kind, period.
    let q = |query: &str| format!("page=volixta-invoices&{query}");
    assert_eq!(listed(&html(&app, &q("client=hopper")).await), [inv(1)]);
    assert_eq!(
        listed(&html(&app, &q(&format!("client_id={alan}"))).await),
        [cn.clone(), inv(2)]
    );
    let nobody = html(&app, &q("client=nobody-at-all")).await;
    assert!(listed(&nobody).is_empty());
    assert!(nobody.contains("No client matches this search."));
    assert_eq!(listed(&html(&app, &q("status=paid")).await), [inv(1)]);
    assert_eq!(
        listed(&html(&app, &q("status=partially_paid")).await),
        [inv(3)]
    );
    assert_eq!(listed(&html(&app, &q("status=unpaid")).await), [inv(4)]);
    assert_eq!(listed(&html(&app, &q("status=credited")).await), [inv(2)]);
    assert_eq!(listed(&html(&app, &q("number=cn-")).await), [cn.as_str()]);
    assert_eq!(
        listed(&html(&app, &q("kind=credit_note")).await),
        [cn.as_str()]
    );
    let today = Utc::now().date_naive();
    let tomorrow = today + Duration::days(1);
    assert_eq!(
        listed(
            &html(
                &app,
                &q(&format!("from={today}&to={today}&client=lovelace"))
            )
            .await
        ),
        [inv(3)]
    );
    assert!(listed(&html(&app, &q(&format!("from={tomorrow}"))).await).is_empty());
    // A filter that means nothing is said, and nothing pretends to match it.
    for bad in [
        "from=yesterday",
        "status=lost",
        "kind=receipt",
        "client_id=x",
    ] {
        let page = html(&app, &q(bad)).await;
        assert!(listed(&page).is_empty(), "{bad}");
        assert!(page.contains("volixta-invoices-filter-error"), "{bad}");
    }

    // Open one: its lines, totals, payments, the booking's documents and its PDF.
    let third: u64 = app
        .scalar(&format!(
            "SELECT id FROM {{p}}volixta_invoices WHERE number = '{}'",
            inv(3)
        ))
        .await;
    let open = html(&app, &q(&format!("invoice={third}"))).await;
    assert!(open.contains(&format!("Invoice {}", inv(3))), "{open}");
    assert!(open.contains("id=\"volixta-invoice-lines\""));
    assert!(open.contains("Massage"));
    assert!(open.contains("€50.00"), "the total");
    assert!(open.contains("€20.00"), "the card payment");
    assert!(
        open.contains("id=\"volixta-invoice-balance\">€30.00<"),
        "{open}"
    );
    assert!(open.contains(&format!(
        "data-volixta-download=\"invoices&#x2f;{third}&#x2f;pdf\""
    )));
    assert_eq!(listed(&open).len(), 5, "the list stays under it");
    let gone = html(&app, &q("invoice=999999")).await;
    assert!(gone.contains("That invoice does not exist."));

    // Pages of 25, newest first; the next page's link carries the filters.
    for i in 0..22 {
        let res = book(
            &app,
            MANAGER,
            &booking(&s, ada, at(3 + i / 4, 8 + 2 * (i % 4) as u32, 0)),
        )
        .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }
    let first = html(&app, &q("client=lovelace")).await;
    assert_eq!(listed(&first).len(), 23, "all of Ada's fit one page");
    let first = html(&app, "page=volixta-invoices").await;
    assert_eq!(listed(&first).len(), 25);
    assert_eq!(listed(&first)[0], inv(26));
    let next = first
        .split("data-hx-get=\"render/admin/invoices?")
        .filter_map(|s| s.split('"').next())
        .find(|s| s.contains("cursor="))
        .expect("an Older link")
        .replace("&amp;", "&");
    let second = html(&app, &next).await;
    assert_eq!(listed(&second), [inv(2), inv(1)]);
    assert!(second.contains(">Newest</a>"));
}

#[tokio::test]
async fn the_payment_tab_links_the_invoice_and_its_credit_note() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let grace = named_client(&app, "Grace", "Hopper", 301).await;
    let res = book(&app, MANAGER, &booking(&s, grace, at(2, 9, 0))).await;
    let b = id(&res.body);
    let y = year();
    let tab = |actor: &'static str, path: String| {
        let app = &app;
        async move {
            let res = app.get(&path, actor).await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text);
            res.text
        }
    };
    let manager = format!("/v1/render/admin/bookings?booking={b}&tab=payment");
    let page = tab(MANAGER, manager.clone()).await;
    let table = &page[page
        .find("id=\"volixta-booking-invoices\"")
        .expect("the invoices")..];
    let table = &table[..table.find("</table>").expect("end")];
    assert!(table.contains(&format!("INV-{y}-000001")), "{table}");
    assert!(
        table.contains("?page=volixta-invoices&amp;invoice="),
        "{table}"
    );
    assert!(table.contains("is-unpaid"), "{table}");
    assert!(
        table.contains("data-volixta-download=\"invoices&#x2f;"),
        "{table}"
    );

    let res = app
        .post(&format!("/v1/bookings/{b}/cancel"), MANAGER, &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let page = tab(MANAGER, manager).await;
    let table = &page[page
        .find("id=\"volixta-booking-invoices\"")
        .expect("the invoices")..];
    let table = &table[..table.find("</table>").expect("end")];
    assert!(table.contains("is-credited"), "{table}");
    assert!(table.contains(&format!("CN-{y}-000001")), "{table}");
    assert!(table.contains("is-credit_note"), "{table}");

    // An employee sees its own booking's documents, without a link to a manager's screen.
    let sam = add_staff(&app, s.location, s.service, Some(77)).await;
    let mut own = booking(&s, grace, at(3, 9, 0));
    own["staff_id"] = json!(sam);
    let res = book(&app, MANAGER, &own).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let own = id(&res.body);
    let page = tab(
        "employee:77",
        format!("/v1/render/admin/my-bookings?booking={own}&tab=payment"),
    )
    .await;
    assert!(page.contains(&format!("INV-{y}-000002")), "{page}");
    assert!(!page.contains("page=volixta-invoices"), "{page}");
}

#[tokio::test]
async fn a_booking_paid_with_a_package_session_says_so_on_its_invoice() {
    let app = TestApp::spawn().await;
    let s = shop(&app, massage()).await;
    let ann = named_client(&app, "Ann", "Lee", 401).await;
    let p = crate::packages::package(&app, &s, json!({})).await;
    let cp = crate::packages::given(&app, ann, id(&p)).await;
    let mut body = booking(&s, ann, at(2, 10, 0));
    body["payment"] = json!({"client_package_id": id(&cp)});
    let res = book(&app, MANAGER, &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let b = id(&res.body);
    let inv: Value = app
        .get(&format!("/v1/bookings/{b}/invoice"), MANAGER)
        .await
        .body;
    assert_eq!(
        inv["package_session"], "Paid with package Therapy Starter Pack (session 1 of 3)",
        "{inv}"
    );
    assert_eq!(inv["payment_status"], "paid");
    assert_eq!(inv["balance_due"], "0.00", "{inv}");
    assert_eq!(inv["credits_used"], "0.00");
    let id_of = inv["id"].as_u64().expect("id");
    let page = html(&app, &format!("invoice={id_of}")).await;
    assert!(
        page.contains("Paid with package Therapy Starter Pack (session 1 of 3)"),
        "the admin screen shows the line"
    );
    let pdf = app.get(&format!("/v1/invoices/{id_of}/pdf"), MANAGER).await;
    assert_eq!(pdf.status, StatusCode::OK);
    let text = crate::invoices::pdf_text(&pdf.bytes);
    assert!(
        text.contains("Paid with package Therapy Starter Pack (session 1 of 3)"),
        "{text}"
    );

    // A cancelled booking gives the session back; its credit note carries no package line.
    let res = app
        .post(&format!("/v1/bookings/{b}/cancel"), MANAGER, &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let cn_id: u64 = app
        .scalar("SELECT id FROM {p}volixta_invoices WHERE kind = 'credit_note'")
        .await;
    let cn = app
        .get(&format!("/v1/invoices/{cn_id}"), MANAGER)
        .await
        .body;
    assert_eq!(cn["package_session"], Value::Null, "{cn}");
}
