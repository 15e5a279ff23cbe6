//! Gift codes: credit vouchers a manager creates and a client redeems into its wallet (or a
//! manager applies for it). Codes are stored only as a keyed hash and a sealed copy, redeemed
//! under the code row's lock, at most once per client, and wrong guesses are throttled.
mod domain;
mod error;
pub mod http;
mod keys;
mod repo;

pub use domain::{CodeStatus, CodeText, GiftCode, NewCodeRequest};
pub use error::GiftCodeError;
pub use keys::{CodeKeys, KeySource};
pub use repo::{Redemption, SendRequest};

use crate::{
    auth::Actor,
    db::{Db, Tx, is_duplicate_key},
    error::ApiResult,
    idempotency::{self, IdempotencyKey, Start},
    wallet::{self, Entry, EntryKind, LedgerRow, References},
};
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};
use chrono::Utc;
use http::{CreatedGiftCode, GiftCodeDetails, RedeemResponse, SendResponse};

fn fingerprint<T: serde::Serialize>(path: &str, body: &T) -> ApiResult<String> {
    Ok(idempotency::fingerprint(
        "POST",
        path,
        &serde_json::to_vec(body).map_err(anyhow::Error::from)?,
    ))
}

/// Live clients among `ids`; any other id is refused with the list of them.
async fn require_live_clients(
    tx: &mut Tx,
    db: &Db,
    ids: &[u64],
) -> ApiResult<Vec<repo::ClientFacts>> {
    let facts = repo::client_facts(tx, db, ids).await?;
    let unknown: Vec<u64> = ids
        .iter()
        .copied()
        .filter(|id| !facts.iter().any(|f| f.id == *id && f.live))
        .collect();
    if !unknown.is_empty() {
        return Err(GiftCodeError::UnknownClients(unknown).into());
    }
    Ok(facts)
}

pub async fn create(
    db: &Db,
    keys: &CodeKeys,
    actor: Actor,
    key: Option<&IdempotencyKey>,
    request: &NewCodeRequest,
) -> ApiResult<Response> {
    let new = domain::NewCode::parse(request, Utc::now())?;
    let mut tx =
        match idempotency::begin(db, actor, key, &fingerprint("/v1/gift-codes", request)?).await? {
            Start::Fresh(tx) => tx,
            Start::Replay(response) => return replay_created(db, keys, response).await,
        };
    require_live_clients(&mut tx, db, &new.client_ids).await?;
    // The unique key refuses a code made twice with the current key; one made before a data key
    // was set sits under the shared secret's hash.
    let older_hashes = &keys.lookup_hashes(&new.code)[1..];
    if repo::hash_exists(&mut tx, db, older_hashes).await? {
        return Err(GiftCodeError::CodeTaken.into());
    }
    let id = match repo::insert(&mut tx, db, &new, &keys.seal(&new.code), &actor.to_string()).await
    {
        Ok(id) => id,
        Err(e) if is_duplicate_key(&e) => return Err(GiftCodeError::CodeTaken.into()),
        Err(e) => return Err(e.into()),
    };
    repo::allow_clients(&mut tx, db, id, &new.client_ids).await?;
    let details = load_details(&mut tx, db, id, false).await?;
    // The stored answer of an Idempotency-Key must not hold the code in clear; a replay
    // fills it in again from the sealed copy.
    let stored = CreatedGiftCode {
        code: None,
        details,
    };
    idempotency::finish(tx, db, actor, key, StatusCode::CREATED, &stored).await?;
    let created = CreatedGiftCode {
        code: Some(new.code.shown()),
        details: stored.details,
    };
    Ok((StatusCode::CREATED, axum::Json(created)).into_response())
}

async fn replay_created(db: &Db, keys: &CodeKeys, response: Response) -> ApiResult<Response> {
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .map_err(anyhow::Error::from)?;
    let mut created: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(anyhow::Error::from)?;
    if let Some(id) = created["id"].as_u64() {
        created["code"] = reveal_code(db, keys, id).await?.map(|c| c.shown()).into();
    }
    Ok((status, axum::Json(created)).into_response())
}

/// The code in clear, for the e-mail a manager asked for. None if the key that sealed it is
/// gone: a data key no longer set, or a shared secret changed since (for codes it sealed).
pub async fn reveal_code(db: &Db, keys: &CodeKeys, id: u64) -> ApiResult<Option<CodeText>> {
    let mut conn = db.pool.get_conn().await?;
    let (sealed, source) = repo::sealed_code(&mut conn, db, id)
        .await?
        .ok_or(GiftCodeError::NotFound)?;
    Ok(KeySource::parse(&source).and_then(|source| keys.unseal(source, &sealed)))
}

/// Moves the codes sealed with the shared secret's keys to the data key, so that neither a
/// leak of WordPress's options nor a new shared secret reaches them any more. Run at start by
/// every replica; each row moves once. Returns how many moved and how many no longer open
/// (sealed under a shared secret since changed: those stay as they are).
pub async fn reseal_with_data_key(
    db: &Db,
    keys: &CodeKeys,
) -> Result<(u64, u64), mysql_async::Error> {
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

async fn load_details<Q: mysql_async::prelude::Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
    with_sends: bool,
) -> ApiResult<GiftCodeDetails> {
    let code = repo::find(conn, db, id, false)
        .await?
        .ok_or(GiftCodeError::NotFound)?;
    let mut details = describe(conn, db, vec![code]).await?;
    let mut one = details.pop().ok_or(GiftCodeError::NotFound)?;
    if with_sends {
        one.sends = Some(repo::sends_of(conn, db, id, 0).await?);
    }
    Ok(one)
}

/// Adds status, allowed clients and redemptions to codes, in two queries for the whole page.
async fn describe<Q: mysql_async::prelude::Queryable>(
    conn: &mut Q,
    db: &Db,
    codes: Vec<GiftCode>,
) -> ApiResult<Vec<GiftCodeDetails>> {
    let ids: Vec<u64> = codes.iter().map(|c| c.id).collect();
    let allowed = repo::allowed_clients_of(conn, db, &ids).await?;
    let redemptions = repo::redemptions_of(conn, db, &ids).await?;
    let now = Utc::now();
    Ok(codes
        .into_iter()
        .map(|code| GiftCodeDetails {
            status: code.status(now),
            client_ids: allowed
                .iter()
                .filter(|(g, _)| *g == code.id)
                .map(|(_, c)| *c)
                .collect(),
            redemptions: redemptions
                .iter()
                .filter(|r| r.gift_code_id == code.id)
                .cloned()
                .collect(),
            sends: None,
            gift_code: code,
        })
        .collect())
}

pub async fn details(db: &Db, id: u64) -> ApiResult<GiftCodeDetails> {
    let mut conn = db.pool.get_conn().await?;
    load_details(&mut conn, db, id, true).await
}

pub async fn list(
    db: &Db,
    status: Option<CodeStatus>,
    before: Option<u64>,
    limit: u16,
) -> ApiResult<Vec<GiftCodeDetails>> {
    let mut conn = db.pool.get_conn().await?;
    let codes = repo::list(&mut conn, db, status, before, limit).await?;
    describe(&mut conn, db, codes).await
}

/// Revoking twice changes nothing; redemptions already made keep their credit.
pub async fn revoke(db: &Db, actor: Actor, id: u64) -> ApiResult<GiftCodeDetails> {
    let mut tx = db.begin().await?;
    repo::find(&mut tx, db, id, true)
        .await?
        .ok_or(GiftCodeError::NotFound)?;
    repo::revoke(&mut tx, db, id, &actor.to_string()).await?;
    let details = load_details(&mut tx, db, id, true).await?;
    tx.commit().await?;
    Ok(details)
}

/// Credits the code's value to the client and records the redemption, under the code's lock.
async fn credit(
    tx: &mut Tx,
    db: &Db,
    code: &GiftCode,
    client_id: u64,
    actor: Actor,
) -> ApiResult<LedgerRow> {
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
    match repo::record_redemption(tx, db, code, client_id, row.id, &actor.to_string()).await {
        Err(e) if is_duplicate_key(&e) => Err(GiftCodeError::AlreadyRedeemed.into()),
        other => Ok(other.map(|()| row)?),
    }
}

async fn refusal(
    tx: &mut Tx,
    db: &Db,
    code: &GiftCode,
    client_id: u64,
) -> ApiResult<Result<(), domain::Refusal>> {
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
/// 429 even for a right code. A wrong code commits its place (and nothing else); any other
/// outcome gives the place back.
pub async fn redeem(
    db: &Db,
    keys: &CodeKeys,
    actor: Actor,
    key: Option<&IdempotencyKey>,
    client_id: u64,
    request: &http::RedeemRequest,
    address: Option<String>,
) -> ApiResult<Response> {
    let mut tx = match idempotency::begin(
        db,
        actor,
        key,
        &fingerprint("/v1/gift-codes/redeem", request)?,
    )
    .await?
    {
        Start::Fresh(tx) => tx,
        Start::Replay(response) => return Ok(response),
    };
    let buckets = domain::buckets(client_id, address.as_deref());
    for bucket in &buckets {
        if !repo::take_try(&mut tx, db, bucket, domain::ATTEMPT_WINDOW_MINUTES).await? {
            tx.rollback().await?;
            return Err(GiftCodeError::Throttled.into());
        }
    }
    let found = match CodeText::normalise(&request.code) {
        Some(code) => repo::lock_by_hash(&mut tx, db, &keys.lookup_hashes(&code)).await?,
        None => None,
    };
    let refused = match &found {
        None => Some(GiftCodeError::CodeInvalid),
        Some(code) => refusal(&mut tx, db, code, client_id)
            .await?
            .err()
            .map(domain::client_refusal),
    };
    let code = match (found, refused) {
        (Some(code), None) => code,
        (_, Some(GiftCodeError::CodeInvalid) | None) => {
            repo::log_wrong_code(&mut tx, db, client_id, address.as_deref()).await?;
            // The key is not spent on a wrong code: a retry with it is a new try.
            idempotency::release(&mut tx, db, actor, key).await?;
            tx.commit().await?;
            return Err(GiftCodeError::CodeInvalid.into());
        }
        (_, Some(refused)) => {
            tx.rollback().await?;
            return Err(refused.into());
        }
    };
    for bucket in &buckets {
        repo::give_back_try(&mut tx, db, bucket).await?;
    }
    let transaction = credit(&mut tx, db, &code, client_id, actor).await?;
    let body = RedeemResponse {
        balance: transaction.balance_after,
        credited: code.value,
        gift_code_id: code.id,
        transaction,
    };
    idempotency::finish(tx, db, actor, key, StatusCode::OK, &body).await
}

/// Forgets wrong-code counts and records long out of every window.
pub async fn purge_stale_attempts(db: &Db) -> Result<(), mysql_async::Error> {
    repo::purge_stale_attempts(db).await
}

/// A manager applies a code to a client without the client typing it; the refusals name the
/// reason, since a manager may know them.
pub async fn apply(
    db: &Db,
    actor: Actor,
    key: Option<&IdempotencyKey>,
    id: u64,
    request: &http::ApplyRequest,
) -> ApiResult<Response> {
    let mut tx = match idempotency::begin(
        db,
        actor,
        key,
        &fingerprint(&format!("/v1/gift-codes/{id}/apply"), request)?,
    )
    .await?
    {
        Start::Fresh(tx) => tx,
        Start::Replay(response) => return Ok(response),
    };
    let code = repo::find(&mut tx, db, id, true)
        .await?
        .ok_or(GiftCodeError::NotFound)?;
    require_live_clients(&mut tx, db, &[request.client_id]).await?;
    refusal(&mut tx, db, &code, request.client_id)
        .await?
        .map_err(domain::manager_refusal)?;
    let transaction = credit(&mut tx, db, &code, request.client_id, actor).await?;
    let body = RedeemResponse {
        balance: transaction.balance_after,
        credited: code.value,
        gift_code_id: code.id,
        transaction,
    };
    idempotency::finish(tx, db, actor, key, StatusCode::OK, &body).await
}

/// Records a manager's request to e-mail the code to each client (one row each); the
/// notifications worker sends them.
pub async fn request_send(
    db: &Db,
    actor: Actor,
    key: Option<&IdempotencyKey>,
    id: u64,
    request: &http::SendBody,
) -> ApiResult<Response> {
    let mut client_ids = request.client_ids.clone();
    client_ids.sort_unstable();
    client_ids.dedup();
    if client_ids.is_empty() {
        return Err(GiftCodeError::NoClients.into());
    }
    let mut tx = match idempotency::begin(
        db,
        actor,
        key,
        &fingerprint(&format!("/v1/gift-codes/{id}/send"), request)?,
    )
    .await?
    {
        Start::Fresh(tx) => tx,
        Start::Replay(response) => return Ok(response),
    };
    let code = repo::find(&mut tx, db, id, true)
        .await?
        .ok_or(GiftCodeError::NotFound)?;
    match code.status(Utc::now()) {
        CodeStatus::Active => {}
        CodeStatus::Revoked => return Err(GiftCodeError::Revoked.into()),
        CodeStatus::Expired => return Err(GiftCodeError::Expired.into()),
        CodeStatus::UsedUp => return Err(GiftCodeError::UsedUp.into()),
    }
    let facts = require_live_clients(&mut tx, db, &client_ids).await?;
    let no_email: Vec<u64> = facts
        .iter()
        .filter(|f| !f.has_email)
        .map(|f| f.id)
        .collect();
    if !no_email.is_empty() {
        return Err(GiftCodeError::ClientsWithoutEmail(no_email).into());
    }
    if code.restricted {
        let mut not_allowed = Vec::new();
        for client_id in &client_ids {
            if !repo::is_allowed(&mut tx, db, id, *client_id).await? {
                not_allowed.push(*client_id);
            }
        }
        if !not_allowed.is_empty() {
            return Err(GiftCodeError::ClientsNotEligible(not_allowed).into());
        }
    }
    let mut first = None;
    for client_id in &client_ids {
        let send_id = repo::insert_send(&mut tx, db, id, *client_id, &actor.to_string()).await?;
        first.get_or_insert(send_id);
    }
    let requests = repo::sends_of(&mut tx, db, id, first.unwrap_or(0).saturating_sub(1)).await?;
    idempotency::finish(
        tx,
        db,
        actor,
        key,
        StatusCode::ACCEPTED,
        &SendResponse { requests },
    )
    .await
}
