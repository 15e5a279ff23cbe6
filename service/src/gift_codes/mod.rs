//! Gift codes: credit vouchers a manager creates and a client redeems into its wallet (or a
//! manager applies for it). Codes are stored only as a keyed hash and a sealed copy, redeemed
//! under the code row's lock, at most once per client, and wrong guesses are throttled.
mod details;
mod domain;
mod error;
pub mod http;
mod keys;
mod repo;

pub use details::{GiftCodeDetails, details, list};
pub use domain::{CodeStatus, CodeText, GiftCode, NewCode, NewCodeRequest};
pub use error::GiftCodeError;
pub use keys::{CodeKeys, KeySource};
pub use repo::{Redemption, SendRequest};

use crate::{
    auth::Actor,
    db::{Db, DbError, Tx},
    wallet::{self, Entry, EntryKind, LedgerRow, References},
};
use chrono::Utc;

/// A code credited to a client's wallet.
pub struct Credited {
    pub gift_code: GiftCode,
    pub transaction: LedgerRow,
}

/// Live clients among `ids`; any other id is refused with the list of them.
async fn require_live_clients(
    tx: &mut Tx,
    db: &Db,
    ids: &[u64],
) -> Result<Vec<repo::ClientFacts>, GiftCodeError> {
    let facts = repo::client_facts(tx, db, ids).await?;
    let unknown: Vec<u64> = ids
        .iter()
        .copied()
        .filter(|id| !facts.iter().any(|f| f.id == *id && f.live))
        .collect();
    if !unknown.is_empty() {
        return Err(GiftCodeError::UnknownClients(unknown));
    }
    Ok(facts)
}

/// Stores a new code (checked by `NewCode::parse`) as its hash and sealed copy.
pub async fn create(
    tx: &mut Tx,
    db: &Db,
    keys: &CodeKeys,
    actor: Actor,
    new: &NewCode,
) -> Result<GiftCodeDetails, GiftCodeError> {
    require_live_clients(tx, db, &new.client_ids).await?;
    // The unique key refuses a code made twice with the current key; one made before a data key
    // was set sits under the shared secret's hash.
    let older_hashes = &keys.lookup_hashes(&new.code)[1..];
    if repo::hash_exists(tx, db, older_hashes).await? {
        return Err(GiftCodeError::CodeTaken);
    }
    let id = match repo::insert(tx, db, new, &keys.seal(&new.code), &actor.to_string()).await {
        Ok(id) => id,
        Err(DbError::DuplicateKey { key, .. }) if key == repo::UNIQUE_CODE => {
            return Err(GiftCodeError::CodeTaken);
        }
        Err(e) => return Err(e.into()),
    };
    repo::allow_clients(tx, db, id, &new.client_ids).await?;
    details::load(tx, db, id, false).await
}

/// A fresh code modelled on `template_id` for one client's greeting, in the greeting's
/// transaction: the template's value, its validity span counted from `now`, one use, only for
/// `client_id`. None when the template is gone or revoked (the greeting leaves without a code).
pub async fn issue_from_template(
    tx: &mut Tx,
    db: &Db,
    keys: &CodeKeys,
    template_id: u64,
    client_id: u64,
    note: &str,
    now: chrono::DateTime<Utc>,
) -> Result<Option<u64>, DbError> {
    let Some(template) = repo::find(tx, db, template_id, false).await? else {
        return Ok(None);
    };
    if template.revoked_at.is_some() {
        return Ok(None);
    }
    let new = NewCode {
        code: CodeText::generate(),
        value: template.value,
        expires_at: template
            .expires_at
            .map(|end| now + (end - template.created_at).max(chrono::Duration::days(1))),
        max_redemptions: Some(1),
        client_ids: vec![client_id],
        note: note.chars().take(200).collect(),
    };
    let id = repo::insert(tx, db, &new, &keys.seal(&new.code), "system").await?;
    repo::allow_clients(tx, db, id, &new.client_ids).await?;
    Ok(Some(id))
}

/// The code in clear, for the e-mail a manager asked for. None if the key that sealed it is
/// gone: a data key no longer set, or a shared secret changed since (for codes it sealed).
/// Stamps a send request once its e-mail has left.
pub async fn mark_sent(db: &Db, send_id: u64) -> Result<(), DbError> {
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    repo::mark_sent(&mut conn, db, send_id).await
}

pub async fn reveal_code(
    db: &Db,
    keys: &CodeKeys,
    id: u64,
) -> Result<Option<CodeText>, GiftCodeError> {
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    let (sealed, source) = repo::sealed_code(&mut conn, db, id)
        .await?
        .ok_or(GiftCodeError::NotFound)?;
    Ok(KeySource::parse(&source).and_then(|source| keys.unseal(source, &sealed)))
}

/// Moves the codes sealed with the shared secret's keys to the data key, so that neither a
/// leak of WordPress's options nor a new shared secret reaches them any more. Run at start by
/// every replica; each row moves once. Returns how many moved and how many no longer open
/// (sealed under a shared secret since changed: those stay as they are).
pub async fn reseal_with_data_key(db: &Db, keys: &CodeKeys) -> Result<(u64, u64), DbError> {
    let (mut moved, mut unreadable, mut after) = (0, 0, 0);
    if !keys.has_previous() {
        return Ok((moved, unreadable));
    }
    let mut conn = db.pool.get_conn().await?;
    loop {
        let batch = repo::sealed_with_shared_secret(&mut conn, db, after, 200).await?;
        let Some((last, _)) = batch.last() else {
            return Ok((moved, unreadable));
        };
        after = *last;
        for (id, sealed) in batch {
            match keys.unseal(KeySource::SharedSecret, &sealed) {
                Some(code) => {
                    repo::reseal(&mut conn, db, id, &keys.seal(&code)).await?;
                    moved += 1;
                }
                None => unreadable += 1,
            }
        }
    }
}

/// Revoking twice changes nothing; redemptions already made keep their credit.
pub async fn revoke(db: &Db, actor: Actor, id: u64) -> Result<GiftCodeDetails, GiftCodeError> {
    db.transaction(|mut tx| async move {
        let result = revoke_in(&mut tx, db, actor, id).await;
        (tx, result)
    })
    .await
}

async fn revoke_in(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    id: u64,
) -> Result<GiftCodeDetails, GiftCodeError> {
    repo::find(tx, db, id, true)
        .await?
        .ok_or(GiftCodeError::NotFound)?;
    repo::revoke(tx, db, id, &actor.to_string()).await?;
    details::load(tx, db, id, true).await
}

/// Credits the code's value to the client and records the redemption, under the code's lock.
async fn credit(
    tx: &mut Tx,
    db: &Db,
    code: GiftCode,
    client_id: u64,
    actor: Actor,
) -> Result<Credited, GiftCodeError> {
    let row = wallet::post(
        tx,
        db,
        Entry {
            client_id,
            amount: code.value,
            kind: EntryKind::GiftCode,
            reason: format!("Gift code …{}", code.code_hint),
            actor: actor.to_string(),
            refs: References {
                gift_code_id: Some(code.id),
                ..References::default()
            },
        },
    )
    .await?;
    match repo::record_redemption(tx, db, &code, client_id, row.id, &actor.to_string()).await {
        Err(DbError::DuplicateKey { key, .. }) if key == repo::UNIQUE_REDEMPTION => {
            Err(GiftCodeError::AlreadyRedeemed)
        }
        Err(e) => Err(e.into()),
        Ok(()) => Ok(Credited {
            gift_code: code,
            transaction: row,
        }),
    }
}

async fn refusal(
    tx: &mut Tx,
    db: &Db,
    code: &GiftCode,
    client_id: u64,
) -> Result<Result<(), domain::Refusal>, DbError> {
    let allowed = !code.restricted || repo::is_allowed(tx, db, code.id, client_id).await?;
    let redeemed = repo::has_redeemed(tx, db, code.id, client_id).await?;
    Ok(domain::check_redeemable(
        code,
        Utc::now(),
        allowed,
        redeemed,
    ))
}

/// A client types a code. Unknown, expired, revoked, used-up and not-for-you codes all get the
/// same 422 `code_invalid` and count as a wrong code for the client and for its address.
///
/// Every try first takes a place in those buckets, in this transaction; a full bucket answers
/// 429 even for a right code. A wrong code commits its place (and nothing else:
/// `GiftCodeError::WrongCode` commits); any other outcome gives the place back.
pub async fn redeem(
    tx: &mut Tx,
    db: &Db,
    keys: &CodeKeys,
    actor: Actor,
    client_id: u64,
    typed: &str,
    address: Option<&str>,
) -> Result<Credited, GiftCodeError> {
    let buckets = domain::buckets(client_id, address);
    for bucket in &buckets {
        if !repo::take_try(tx, db, bucket, domain::ATTEMPT_WINDOW_MINUTES).await? {
            return Err(GiftCodeError::Throttled);
        }
    }
    let found = match CodeText::normalise(typed) {
        Some(code) => repo::lock_by_hash(tx, db, &keys.lookup_hashes(&code)).await?,
        None => None,
    };
    let refused = match &found {
        None => Some(GiftCodeError::CodeInvalid),
        Some(code) => refusal(tx, db, code, client_id)
            .await?
            .err()
            .map(domain::client_refusal),
    };
    let code = match (found, refused) {
        (Some(code), None) => code,
        (_, Some(GiftCodeError::CodeInvalid) | None) => {
            repo::log_wrong_code(tx, db, client_id, address).await?;
            return Err(GiftCodeError::WrongCode);
        }
        (_, Some(refused)) => return Err(refused),
    };
    for bucket in &buckets {
        repo::give_back_try(tx, db, bucket).await?;
    }
    credit(tx, db, code, client_id, actor).await
}

/// When a client profile (`from`) is merged into another (`to`), the codes it may redeem and
/// its redemptions follow. Returns how many redemptions moved.
pub async fn reassign_client(tx: &mut Tx, db: &Db, from: u64, to: u64) -> Result<u64, DbError> {
    repo::reassign_client(tx, db, from, to).await
}

/// Forgets wrong-code counts and records long out of every window.
pub async fn purge_stale_attempts(db: &Db) -> Result<(), DbError> {
    repo::purge_stale_attempts(db).await
}

/// A manager applies a code to a client without the client typing it; the refusals name the
/// reason, since a manager may know them.
pub async fn apply(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    id: u64,
    client_id: u64,
) -> Result<Credited, GiftCodeError> {
    let code = repo::find(tx, db, id, true)
        .await?
        .ok_or(GiftCodeError::NotFound)?;
    require_live_clients(tx, db, &[client_id]).await?;
    refusal(tx, db, &code, client_id)
        .await?
        .map_err(domain::manager_refusal)?;
    credit(tx, db, code, client_id, actor).await
}

/// The clients to e-mail a code to, each once; at least one.
pub fn send_targets(client_ids: &[u64]) -> Result<Vec<u64>, GiftCodeError> {
    let mut client_ids = client_ids.to_vec();
    client_ids.sort_unstable();
    client_ids.dedup();
    if client_ids.is_empty() {
        return Err(GiftCodeError::NoClients);
    }
    Ok(client_ids)
}

/// Records a manager's request to e-mail the code to each client of `send_targets` (one row
/// each) and writes each e-mail in the same transaction; the outbox's workers send them.
pub async fn request_send(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    id: u64,
    client_ids: &[u64],
) -> Result<Vec<SendRequest>, GiftCodeError> {
    let code = repo::find(tx, db, id, true)
        .await?
        .ok_or(GiftCodeError::NotFound)?;
    match code.status(Utc::now()) {
        CodeStatus::Active => {}
        CodeStatus::Revoked => return Err(GiftCodeError::Revoked),
        CodeStatus::Expired => return Err(GiftCodeError::Expired),
        CodeStatus::UsedUp => return Err(GiftCodeError::UsedUp),
    }
    let facts = require_live_clients(tx, db, client_ids).await?;
    let no_email: Vec<u64> = facts
        .iter()
        .filter(|f| !f.has_email)
        .map(|f| f.id)
        .collect();
    if !no_email.is_empty() {
        return Err(GiftCodeError::ClientsWithoutEmail(no_email));
    }
    if code.restricted {
        let mut not_allowed = Vec::new();
        for client_id in client_ids {
            if !repo::is_allowed(tx, db, id, *client_id).await? {
                not_allowed.push(*client_id);
            }
        }
        if !not_allowed.is_empty() {
            return Err(GiftCodeError::ClientsNotEligible(not_allowed));
        }
    }
    let mut first = None;
    for client_id in client_ids {
        let send_id = repo::insert_send(tx, db, id, *client_id, &actor.to_string()).await?;
        crate::notifications::gift_code_send(tx, db, send_id, id, *client_id).await?;
        first.get_or_insert(send_id);
    }
    Ok(repo::sends_of(tx, db, id, first.unwrap_or(0).saturating_sub(1)).await?)
}
