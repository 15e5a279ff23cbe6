//! The client e-wallet: an append-only ledger whose last `balance_after` is the balance.
//! Other domains (bookings, gift codes, WooCommerce top-ups) post through `post` inside their
//! own transaction, so the money and the thing it paid for commit together or not at all.
mod domain;
mod error;
pub mod http;
mod repo;

pub use domain::{
    ActorFilter, Adjustment, BrokenLedger, Entry, EntryKind, HistoryFilter, LedgerRow, References,
    TopUp, TopUpFlag, TopUpStatus,
};
pub use error::WalletError;

use crate::{
    auth::Actor,
    db::{Db, DbError, Tx},
    ledger,
    money::Money,
    paging::{Page, PageRequest},
    webhooks,
};
use serde_json::json;

/// Posts one ledger row under the client's row lock. Fails without writing when the balance
/// would go below zero, or the client is deleted or merged. Every movement of every caller
/// passes here, so this is where `wallet.changed` is told to the webhook endpoints, in the same
/// transaction as the row.
pub async fn post(tx: &mut Tx, db: &Db, entry: Entry) -> Result<LedgerRow, WalletError> {
    let row = ledger::post::<repo::Ledger>(tx, db, &entry).await?;
    webhooks::publish(tx, db, "wallet.changed", &json!({ "entry": row })).await?;
    Ok(row)
}

pub async fn balance(db: &Db, client_id: u64) -> Result<Money, WalletError> {
    ledger::balance::<repo::Ledger>(db, client_id)
        .await?
        .ok_or(WalletError::ClientNotFound)
}

/// One client's movements, newest first.
pub async fn history(
    db: &Db,
    client_id: u64,
    page: PageRequest,
) -> Result<Page<LedgerRow>, WalletError> {
    history_filtered(db, Some(client_id), &HistoryFilter::default(), page).await
}

/// A manager's credit or debit.
pub async fn adjust(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    adjustment: &Adjustment,
) -> Result<LedgerRow, WalletError> {
    let entry = Entry {
        client_id: adjustment.client_id,
        amount: adjustment.amount,
        kind: domain::manual_kind(adjustment.amount),
        reason: adjustment.reason.clone(),
        actor: actor.to_string(),
        refs: References::default(),
    };
    post(tx, db, entry).await
}

/// One client's movements (`Some`) or every client's (`None`), newest first.
pub async fn history_filtered(
    db: &Db,
    client_id: Option<u64>,
    filter: &HistoryFilter,
    page: PageRequest,
) -> Result<Page<LedgerRow>, WalletError> {
    let query = repo::history(client_id, filter, page);
    Ok(ledger::history::<repo::Ledger>(db, &query).await?)
}

const AUDIT_PAGE_ROWS: u32 = 5000;

/// Checks every client's wallet in one consistent snapshot: each `balance_after` is the running
/// sum of the ledger, none is negative, and the sum equals `clients.wallet_balance`. Returns
/// the broken wallets, by client id; empty means every ledger is sound.
pub async fn verify_ledgers(db: &Db) -> Result<Vec<BrokenLedger>, DbError> {
    let mut tx = db.snapshot().await?;
    let cached: std::collections::BTreeMap<u64, rust_decimal::Decimal> =
        repo::cached_balances(&mut tx, db)
            .await?
            .into_iter()
            .collect();
    let mut audited = std::collections::BTreeSet::new();
    let mut broken = Vec::new();
    let mut current: Option<domain::LedgerAudit> = None;
    let mut cursor = (0, 0);
    loop {
        let page = repo::ledger_page(&mut tx, db, cursor, AUDIT_PAGE_ROWS).await?;
        let Some(&(last_client, last_id, _, _)) = page.last() else {
            break;
        };
        for (client_id, id, amount, balance_after) in page {
            if current.as_ref().is_none_or(|a| a.client_id() != client_id) {
                if let Some(done) = current.take() {
                    let balance = cached.get(&done.client_id()).copied();
                    broken.extend(done.finish(balance));
                }
                audited.insert(client_id);
                current = Some(domain::LedgerAudit::new(client_id));
            }
            if let Some(audit) = current.as_mut() {
                audit.row(id, amount, balance_after);
            }
        }
        cursor = (last_client, last_id);
    }
    if let Some(done) = current.take() {
        let balance = cached.get(&done.client_id()).copied();
        broken.extend(done.finish(balance));
    }
    for (&client_id, &balance) in &cached {
        if !audited.contains(&client_id) {
            broken.extend(domain::LedgerAudit::new(client_id).finish(Some(balance)));
        }
    }
    tx.rollback().await?;
    broken.sort_by_key(|b| b.client_id);
    Ok(broken)
}

/// Installs the triggers that make the ledger append-only in the database itself. A database
/// user without the TRIGGER privilege (or SUPER, with binary logging on) keeps working without
/// them: no code path updates or deletes ledger rows, and `verify-ledgers` still checks.
pub async fn install_append_only_guard(db: &Db) -> anyhow::Result<()> {
    ledger::install_append_only_guard::<repo::Ledger>(db).await
}

/// The amount a client may ask to buy, checked before anything is stored.
pub fn top_up_amount(amount: Money) -> Result<Money, WalletError> {
    domain::top_up_amount(amount)
}

/// A client's request to buy credits (`amount` checked by `top_up_amount`); credited by
/// `complete_top_up` once paid.
pub async fn request_top_up(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    client_id: u64,
    amount: Money,
) -> Result<TopUp, WalletError> {
    match repo::client_is_live(tx, db, client_id).await? {
        None => return Err(WalletError::ClientNotFound),
        Some(false) => return Err(WalletError::ClientNotActive),
        Some(true) => {}
    }
    let id = repo::insert_top_up(tx, db, client_id, amount, &actor.to_string()).await?;
    repo::find_top_up(tx, db, id, false)
        .await?
        .ok_or(WalletError::TopUpNotFound)
}

pub async fn top_up(db: &Db, id: u64) -> Result<TopUp, WalletError> {
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    repo::find_top_up(&mut conn, db, id, false)
        .await?
        .ok_or(WalletError::TopUpNotFound)
}

pub async fn list_top_ups(
    db: &Db,
    client_id: Option<u64>,
    status: Option<TopUpStatus>,
    flagged: bool,
    page: PageRequest,
) -> Result<Page<TopUp>, WalletError> {
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    let rows = repo::list_top_ups(&mut conn, db, client_id, status, flagged, page).await?;
    Ok(Page::from_rows(rows, page.limit, |t| t.id))
}

pub async fn cancel_top_up(db: &Db, id: u64) -> Result<TopUp, WalletError> {
    db.transaction(|mut tx| async move {
        let result = cancel_pending_top_up(&mut tx, db, id).await;
        (tx, result)
    })
    .await
}

async fn cancel_pending_top_up(tx: &mut Tx, db: &Db, id: u64) -> Result<TopUp, WalletError> {
    let top_up = repo::find_top_up(tx, db, id, true)
        .await?
        .ok_or(WalletError::TopUpNotFound)?;
    if top_up.status != TopUpStatus::Pending {
        return Err(WalletError::TopUpNotPending);
    }
    repo::cancel_top_up(tx, db, id).await?;
    repo::find_top_up(tx, db, id, false)
        .await?
        .ok_or(WalletError::TopUpNotFound)
}

/// Links the WooCommerce order created to pay a pending top-up. Fails on a top-up that is not
/// pending, and (duplicate key) when that order already pays another top-up.
pub async fn attach_top_up_order(
    tx: &mut Tx,
    db: &Db,
    top_up_id: u64,
    wc_order_id: u64,
) -> Result<TopUp, WalletError> {
    let top_up = repo::find_top_up(tx, db, top_up_id, true)
        .await?
        .ok_or(WalletError::TopUpNotFound)?;
    if top_up.status != TopUpStatus::Pending {
        return Err(WalletError::TopUpNotPending);
    }
    repo::attach_order(tx, db, top_up_id, wc_order_id).await?;
    repo::find_top_up(tx, db, top_up_id, false)
        .await?
        .ok_or(WalletError::TopUpNotFound)
}

/// When a client profile (`from`) is merged into another (`to`), its pending top-ups follow;
/// the ledger stays where it is (the merge posts the balance across). Returns how many moved.
pub async fn reassign_client(tx: &mut Tx, db: &Db, from: u64, to: u64) -> Result<u64, DbError> {
    repo::reassign_pending_top_ups(tx, db, from, to).await
}

/// What `complete_top_up` did.
#[derive(Clone, Debug)]
pub enum TopUpCompletion {
    /// The wallet was credited by this ledger row.
    Credited {
        top_up: TopUp,
        transaction: LedgerRow,
    },
    /// An earlier confirmation of the same order already credited it; nothing changed.
    AlreadyPaid(TopUp),
    /// The payment does not match; recorded on the top-up for a manager, nothing credited.
    Flagged(TopUp),
}

/// Credits a paid top-up exactly once, inside the caller's transaction (the WooCommerce
/// webhook's). The top-up row's lock makes concurrent confirmations of one order wait for each
/// other; the second finds it paid and changes nothing.
pub async fn complete_top_up(
    tx: &mut Tx,
    db: &Db,
    top_up_id: u64,
    wc_order_id: u64,
    amount_paid: Money,
) -> Result<TopUpCompletion, WalletError> {
    let top_up = repo::find_top_up(tx, db, top_up_id, true)
        .await?
        .ok_or(WalletError::TopUpNotFound)?;
    let decision = match domain::decide_completion(&top_up, wc_order_id, amount_paid) {
        domain::Completion::Credit
            if repo::client_is_live(tx, db, top_up.client_id).await? != Some(true) =>
        {
            domain::Completion::Flag(
                TopUpFlag::ClientNotActive,
                format!(
                    "order {wc_order_id} paid {amount_paid} for a client that is deleted or merged"
                ),
            )
        }
        other => other,
    };
    match decision {
        domain::Completion::AlreadyPaid => Ok(TopUpCompletion::AlreadyPaid(top_up)),
        domain::Completion::Flag(flag, detail) => {
            flag_top_up(tx, db, top_up_id, flag, &detail).await
        }
        domain::Completion::Credit => {
            match repo::mark_paid(tx, db, top_up_id, wc_order_id, amount_paid).await {
                Ok(()) => {}
                Err(DbError::DuplicateKey { key, .. }) if key == repo::UNIQUE_ORDER => {
                    let detail = format!(
                        "order {wc_order_id} paid {amount_paid}, but that order already pays another top-up"
                    );
                    return flag_top_up(tx, db, top_up_id, TopUpFlag::OrderMismatch, &detail).await;
                }
                Err(e) => return Err(e.into()),
            }
            let transaction = post(
                tx,
                db,
                Entry {
                    client_id: top_up.client_id,
                    amount: top_up.amount,
                    kind: EntryKind::TopUp,
                    reason: format!("Top-up #{top_up_id} (order #{wc_order_id})"),
                    actor: "woocommerce".to_owned(),
                    refs: References {
                        wc_order_id: Some(wc_order_id),
                        ..References::default()
                    },
                },
            )
            .await?;
            repo::set_top_up_ledger(tx, db, top_up_id, transaction.id).await?;
            let top_up = repo::find_top_up(tx, db, top_up_id, false)
                .await?
                .ok_or(WalletError::TopUpNotFound)?;
            Ok(TopUpCompletion::Credited {
                top_up,
                transaction,
            })
        }
    }
}

async fn flag_top_up(
    tx: &mut Tx,
    db: &Db,
    top_up_id: u64,
    flag: TopUpFlag,
    detail: &str,
) -> Result<TopUpCompletion, WalletError> {
    tracing::warn!(
        top_up_id,
        flag = flag.as_str(),
        detail,
        "top-up payment flagged"
    );
    repo::flag(tx, db, top_up_id, flag, detail).await?;
    Ok(TopUpCompletion::Flagged(
        repo::find_top_up(tx, db, top_up_id, false)
            .await?
            .ok_or(WalletError::TopUpNotFound)?,
    ))
}
