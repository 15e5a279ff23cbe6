//! Asking WooCommerce for an order: one open intent per thing to pay (`open_key`), created in
//! the database first, then the order in the store, then the order's id on the intent. Asked
//! again while the order is unpaid, the same order is answered.
use super::{
    IntentKind, WcClient, WooError,
    repo::{self, Intent, NewIntent},
};
use crate::{
    AppState,
    auth::Actor,
    bookings, clients,
    db::{Db, DbError},
    money::Money,
    packages, settings,
    wallet::{self, WalletError},
};
use serde::Serialize;
use serde_json::json;
use std::time::Duration;
use utoipa::ToSchema;

/// What a checkout answers: where to send the client to pay.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Checkout {
    /// WooCommerce's order id.
    pub order_id: u64,
    pub payment_url: String,
    pub amount: Money,
    pub currency: String,
    pub intent_id: u64,
}

impl Checkout {
    fn of(i: &Intent) -> Option<Self> {
        Some(Self {
            order_id: i.wc_order_id?,
            payment_url: i.payment_url.clone()?,
            amount: i.amount,
            currency: i.currency.clone(),
            intent_id: i.id,
        })
    }
}

/// The first poll of a new order: when no delivery arrived by then, the poll asks.
fn first_poll_seconds(state: &AppState) -> u64 {
    state.config.wc_poll_seconds
}

fn client(state: &AppState) -> Result<WcClient, WooError> {
    WcClient::from_config(&state.config).ok_or(WooError::NotConfigured)
}

/// A return address the plugin gives: where the store sends the client after paying.
fn return_url(url: Option<&str>) -> Option<String> {
    let url = url?.trim();
    crate::links::is_web_address(url, 500).then(|| url.to_owned())
}

/// The balance of a booking, for a manager or the booking's client.
pub async fn checkout_booking(
    state: &AppState,
    actor: Actor,
    booking_id: u64,
    return_to: Option<&str>,
) -> Result<Checkout, WooError> {
    let wc = client(state)?;
    let db = &state.db;
    bookings::authorize_online_payment(db, actor, booking_id).await?;
    let open_key = format!("booking:{booking_id}");
    let open_key = open_key.as_str();
    let opened = open_with_retry(|| async move {
        db.transaction(|mut tx| async move {
            let result = async {
                if let Some(i) = repo::find_open(&mut tx, db, open_key, true).await? {
                    return Ok((i.id, false));
                }
                let due = bookings::open_online_payment(&mut tx, db, actor, booking_id)
                    .await?
                    .ok_or(WooError::NothingDue)?;
                let uuid = uuid::Uuid::new_v4().to_string();
                let id = repo::insert_intent(
                    &mut tx,
                    db,
                    &NewIntent {
                        uuid: &uuid,
                        kind: IntentKind::Booking,
                        client_id: due.client_id,
                        booking_id: Some(booking_id),
                        booking_payment_id: Some(due.payment_id),
                        top_up_id: None,
                        package_id: None,
                        amount: due.amount,
                        currency: &due.currency,
                        open_key,
                        requested_by: &actor.to_string(),
                    },
                )
                .await?;
                Ok((id, true))
            }
            .await;
            (tx, result)
        })
        .await
    })
    .await?;
    let name = format!("Balance for booking #{booking_id}");
    ensure_order(state, &wc, opened, &name, return_to).await
}

/// A pending wallet top-up (made by `wallet::request_top_up`).
pub async fn checkout_top_up(
    state: &AppState,
    actor: Actor,
    top_up_id: u64,
    return_to: Option<&str>,
) -> Result<Checkout, WooError> {
    let wc = client(state)?;
    let db = &state.db;
    let top_up = wallet::top_up(db, top_up_id).await?;
    if top_up.status != wallet::TopUpStatus::Pending {
        return Err(WalletError::TopUpNotPending.into());
    }
    let currency = settings::load(db).await?.currency;
    let sale = Sale {
        kind: IntentKind::TopUp,
        client_id: top_up.client_id,
        top_up_id: Some(top_up_id),
        package_id: None,
        amount: top_up.amount,
        currency: &currency,
    };
    let opened = open_sale(db, actor, &format!("top_up:{top_up_id}"), &sale).await?;
    let name = format!("Wallet top-up #{top_up_id}");
    ensure_order(state, &wc, opened, &name, return_to).await
}

/// A package offered for sale (active, with a price), bought by a client (or for it by a
/// manager). The client package is made when the order is paid.
pub async fn checkout_package(
    state: &AppState,
    actor: Actor,
    package_id: u64,
    client_id: u64,
    return_to: Option<&str>,
) -> Result<Checkout, WooError> {
    let wc = client(state)?;
    let db = &state.db;
    clients::authorize(db, actor, client_id)
        .await
        .map_err(|e| WooError::Booking(e.into()))?;
    let package = packages::get(db, package_id).await?;
    if !package.active || package.price.is_zero() || package.quantity_left == Some(0) {
        return Err(WooError::NotForSale);
    }
    let currency = settings::load(db).await?.currency;
    let sale = Sale {
        kind: IntentKind::Package,
        client_id,
        top_up_id: None,
        package_id: Some(package_id),
        amount: package.price,
        currency: &currency,
    };
    let open_key = format!("package:{package_id}:client:{client_id}");
    let opened = open_sale(db, actor, &open_key, &sale).await?;
    ensure_order(state, &wc, opened, &package.name, return_to).await
}

/// A top-up or a package sale: nothing to change beside the intent itself.
struct Sale<'a> {
    kind: IntentKind,
    client_id: u64,
    top_up_id: Option<u64>,
    package_id: Option<u64>,
    amount: Money,
    currency: &'a str,
}

/// The open intent of `open_key`, or a new one for `sale`; `true` when it is new.
async fn open_sale(
    db: &Db,
    actor: Actor,
    open_key: &str,
    sale: &Sale<'_>,
) -> Result<(u64, bool), WooError> {
    open_with_retry(|| async move {
        db.transaction(|mut tx| async move {
            let result = async {
                if let Some(i) = repo::find_open(&mut tx, db, open_key, true).await? {
                    return Ok((i.id, false));
                }
                let uuid = uuid::Uuid::new_v4().to_string();
                let id = repo::insert_intent(
                    &mut tx,
                    db,
                    &NewIntent {
                        uuid: &uuid,
                        kind: sale.kind,
                        client_id: sale.client_id,
                        booking_id: None,
                        booking_payment_id: None,
                        top_up_id: sale.top_up_id,
                        package_id: sale.package_id,
                        amount: sale.amount,
                        currency: sale.currency,
                        open_key,
                        requested_by: &actor.to_string(),
                    },
                )
                .await?;
                Ok((id, true))
            }
            .await;
            (tx, result)
        })
        .await
    })
    .await
}

/// Two requests opening the same thing at once: the loser's insert hits the open key and, run
/// again, finds the winner's intent.
async fn open_with_retry<F, Fut>(open: F) -> Result<(u64, bool), WooError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(u64, bool), WooError>>,
{
    match open().await {
        Err(WooError::Db(DbError::DuplicateKey { key, .. })) if key == repo::UNIQUE_OPEN => {
            open().await
        }
        other => other,
    }
}

/// Makes sure the intent has its WooCommerce order: the request that opened it creates the
/// order; another one waits for it, or takes over once the opener's 30 s claim lapsed.
async fn ensure_order(
    state: &AppState,
    wc: &WcClient,
    (intent_id, opened): (u64, bool),
    line_name: &str,
    return_to: Option<&str>,
) -> Result<Checkout, WooError> {
    let db = &state.db;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut creator = opened;
    loop {
        let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
        let intent = repo::find(&mut conn, db, intent_id)
            .await?
            .ok_or(WooError::Busy)?;
        drop(conn);
        if let Some(done) = Checkout::of(&intent) {
            return Ok(done);
        }
        if !creator {
            creator = db
                .transaction(|mut tx| async move {
                    let r = repo::claim_creation(&mut tx, db, intent_id).await;
                    (tx, r)
                })
                .await?;
        }
        if creator {
            return create_order(state, wc, &intent, line_name, return_to).await;
        }
        if tokio::time::Instant::now() > deadline {
            return Err(WooError::Busy);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn create_order(
    state: &AppState,
    wc: &WcClient,
    intent: &Intent,
    line_name: &str,
    return_to: Option<&str>,
) -> Result<Checkout, WooError> {
    let db = &state.db;
    let person = clients::find(db, intent.client_id).await?;
    let (first, last, email, phone) = person
        .map(|c| (c.first_name, c.last_name, c.email, c.phone))
        .unwrap_or_default();
    let mut meta = vec![json!({"key": "volixta_payment_intent", "value": intent.uuid})];
    let target = match intent.kind {
        IntentKind::Booking => ("volixta_booking_id", intent.booking_id),
        IntentKind::TopUp => ("volixta_top_up_id", intent.top_up_id),
        IntentKind::Package => ("volixta_package_id", intent.package_id),
    };
    if let (key, Some(id)) = target {
        meta.insert(0, json!({"key": key, "value": id.to_string()}));
    }
    meta.push(json!({"key": "volixta_client_id", "value": intent.client_id.to_string()}));
    if let Some(url) = return_url(return_to) {
        meta.push(json!({"key": "volixta_return_url", "value": url}));
    }
    let mut billing = json!({"first_name": first, "last_name": last});
    if let Some(email) = email.filter(|e| !e.is_empty()) {
        billing["email"] = json!(email);
    }
    if let Some(phone) = phone.filter(|p| !p.is_empty()) {
        billing["phone"] = json!(phone);
    }
    let body = json!({
        "status": "pending",
        "currency": intent.currency,
        "set_paid": false,
        "billing": billing,
        // The service already computed taxes: the store must not add any on top.
        "fee_lines": [{
            "name": line_name,
            "total": intent.amount.to_string(),
            "tax_status": "none",
            "meta_data": [{"key": target.0, "value": target.1.map(|i| i.to_string()).unwrap_or_default()}],
        }],
        "meta_data": meta,
    });
    let order = match wc.create_order(&body).await {
        Ok(order) => order,
        Err(e) => {
            let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
            repo::release_creation(&mut conn, db, intent.id).await?;
            tracing::warn!(intent = intent.id, error = %e, "WooCommerce refused to create an order");
            return Err(e.into());
        }
    };
    let first_poll = first_poll_seconds(state);
    let (order_ref, intent_ref) = (&order, intent);
    db.transaction(|mut tx| async move {
        let result = async {
            let o = order_ref;
            repo::set_order(
                &mut tx,
                db,
                intent_ref.id,
                o.id,
                o.order_key.as_deref(),
                o.payment_url.as_deref(),
                first_poll,
            )
            .await?;
            match intent_ref.kind {
                IntentKind::Booking => {
                    if let Some(p) = intent_ref.booking_payment_id {
                        bookings::attach_online_order(&mut tx, db, p, o.id).await?;
                    }
                }
                IntentKind::TopUp => {
                    if let Some(t) = intent_ref.top_up_id {
                        wallet::attach_top_up_order(&mut tx, db, t, o.id).await?;
                    }
                }
                IntentKind::Package => {}
            }
            Ok::<_, WooError>(())
        }
        .await;
        (tx, result)
    })
    .await?;
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    let intent = repo::find(&mut conn, db, intent.id)
        .await?
        .ok_or(WooError::Busy)?;
    Checkout::of(&intent).ok_or(WooError::Store(super::WcError::Failed {
        status: 201,
        message: "the order came back without a payment URL".into(),
    }))
}
