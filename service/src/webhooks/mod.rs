//! Outbound webhooks for integrators. An admin registers endpoints (URL, topics, secret); every
//! event of a subscribed topic becomes one outbox row per endpoint in the event's own
//! transaction (`publish`), which the outbox's workers POST ([`WebhookCourier`]) signed with the
//! endpoint's secret, retried with backoff for about a day; an endpoint whose delivery runs out
//! of tries is switched off and the managers are told. Private and loopback targets are refused
//! unless the operator lists them (`VOLIXTA_WEBHOOK_ALLOWED_HOSTS`).
mod courier;
mod domain;
mod error;
pub mod http;
mod repo;

pub use courier::WebhookCourier;
pub use domain::{
    DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, TOPIC_HEADER, TOPICS, signature,
};
pub use error::WebhookError;
pub use repo::EndpointRow;

use crate::{
    auth::Actor,
    db::{Db, DbError, Tx},
    outbox::{self, Channel, MessageRow, NewMessage},
};
use chrono::Utc;
use serde_json::{Value, json};

pub struct NewEndpoint<'a> {
    pub url: &'a str,
    pub topics: &'a [String],
    pub secret: Option<&'a str>,
    pub description: &'a str,
}

/// A secret for an endpoint registered without one: 32 random bytes, hex.
fn generate_secret() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// Checks a URL for registration: its form, and unless the operator allows its host, that it
/// does not resolve to a private or loopback address.
async fn check_url(raw: &str, allowed_hosts: &[String]) -> Result<String, WebhookError> {
    let url = domain::url(raw).map_err(|m| WebhookError::field("url", m))?;
    courier::resolve_public(&url, allowed_hosts)
        .await
        .map_err(|m| WebhookError::field("url", m))?;
    Ok(url.to_string())
}

/// Registers an endpoint; answers it with its secret (shown this once).
pub async fn create(
    db: &Db,
    actor: Actor,
    allowed_hosts: &[String],
    e: &NewEndpoint<'_>,
) -> Result<(EndpointRow, String), WebhookError> {
    let topics = domain::topics(e.topics).map_err(|m| WebhookError::field("topics", m))?;
    let secret = match e.secret {
        Some(s) => domain::secret(s).map_err(|m| WebhookError::field("secret", m))?,
        None => generate_secret(),
    };
    if e.description.chars().count() > 200 {
        return Err(WebhookError::field("description", "at most 200 characters"));
    }
    let url = check_url(e.url, allowed_hosts).await?;
    let topics = topics.join(",");
    let (url, secret, actor) = (&url, &secret, &actor.to_string());
    let topics = &topics;
    let row = db
        .transaction(|mut tx| async move {
            let result = async {
                let id =
                    repo::insert(&mut tx, db, url, topics, secret, e.description, actor).await?;
                repo::find(&mut tx, db, id)
                    .await?
                    .ok_or(WebhookError::NotFound)
            }
            .await;
            (tx, result)
        })
        .await?;
    Ok((row, secret.clone()))
}

pub async fn list(db: &Db) -> Result<Vec<EndpointRow>, WebhookError> {
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    Ok(repo::list(&mut conn, db).await?)
}

pub async fn get(db: &Db, id: u64) -> Result<EndpointRow, WebhookError> {
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    repo::find(&mut conn, db, id)
        .await?
        .ok_or(WebhookError::NotFound)
}

pub struct Change<'a> {
    pub url: Option<&'a str>,
    pub topics: Option<&'a [String]>,
    pub secret: Option<&'a str>,
    pub description: Option<&'a str>,
    /// Turning an endpoint back on clears its failure count; deliveries parked meanwhile are
    /// redelivered one by one from its log.
    pub active: Option<bool>,
}

pub async fn update(
    db: &Db,
    allowed_hosts: &[String],
    id: u64,
    c: &Change<'_>,
) -> Result<EndpointRow, WebhookError> {
    let url = match c.url {
        Some(raw) => Some(check_url(raw, allowed_hosts).await?),
        None => None,
    };
    let topics = c
        .topics
        .map(|t| domain::topics(t).map(|t| t.join(",")))
        .transpose()
        .map_err(|m| WebhookError::field("topics", m))?;
    let secret = c
        .secret
        .map(domain::secret)
        .transpose()
        .map_err(|m| WebhookError::field("secret", m))?;
    if c.description.is_some_and(|d| d.chars().count() > 200) {
        return Err(WebhookError::field("description", "at most 200 characters"));
    }
    let u = &repo::Update {
        url: url.as_deref(),
        topics: topics.as_deref(),
        secret: secret.as_deref(),
        description: c.description,
        active: c.active,
    };
    db.transaction(|mut tx| async move {
        let result = async {
            repo::find_for_update(&mut tx, db, id)
                .await?
                .ok_or(WebhookError::NotFound)?;
            repo::update(&mut tx, db, id, u).await?;
            repo::find(&mut tx, db, id)
                .await?
                .ok_or(WebhookError::NotFound)
        }
        .await;
        (tx, result)
    })
    .await
}

/// Removes an endpoint; deliveries still waiting for it are parked on their next try.
pub async fn delete(db: &Db, id: u64) -> Result<(), WebhookError> {
    let found = db
        .transaction(|mut tx| async move {
            let result = repo::delete(&mut tx, db, id).await;
            (tx, result)
        })
        .await?;
    if found {
        Ok(())
    } else {
        Err(WebhookError::NotFound)
    }
}

/// An endpoint's deliveries, newest first (the log).
pub async fn deliveries(
    db: &Db,
    id: u64,
    before: Option<u64>,
    limit: u32,
) -> Result<Vec<MessageRow>, WebhookError> {
    get(db, id).await?;
    Ok(outbox::list(db, None, Some(Channel::Webhook), Some(id), before, limit).await?)
}

/// Sends one delivery of an endpoint again, with the same delivery id and body.
pub async fn redeliver(db: &Db, id: u64, delivery: u64) -> Result<MessageRow, WebhookError> {
    let message = outbox::find(db, delivery)
        .await?
        .filter(|m| m.webhook_id == Some(id))
        .ok_or(WebhookError::NotFound)?;
    if !outbox::retry(db, message.id).await? {
        return Err(WebhookError::AlreadyPending);
    }
    outbox::find(db, delivery)
        .await?
        .ok_or(WebhookError::NotFound)
}

/// Whether an active endpoint subscribes to `topic`: a change that must read more to describe
/// its event (a client's whole profile after a bulk import) asks first, and reads nothing when
/// no one listens.
pub async fn wanted(tx: &mut Tx, db: &Db, topic: &str) -> Result<bool, DbError> {
    Ok(!repo::subscribers(tx, db, topic).await?.is_empty())
}

/// Writes one delivery of an event per subscribed endpoint, in the event's transaction. The
/// body is fixed here, so every try sends the same bytes under the same signature.
pub async fn publish(tx: &mut Tx, db: &Db, topic: &str, data: &Value) -> Result<(), DbError> {
    debug_assert!(TOPICS.contains(&topic), "unknown topic {topic}");
    let endpoints = repo::subscribers(tx, db, topic).await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let event = outbox::new_id();
    let body = json!({
        "event_id": event,
        "topic": topic,
        "created_at": Utc::now(),
        "data": data,
    });
    for id in endpoints {
        outbox::enqueue(
            tx,
            db,
            &NewMessage {
                channel: Channel::Webhook,
                topic,
                dedupe_key: &format!("{event}:webhook:{id}"),
                recipient: &id.to_string(),
                webhook_id: Some(id),
                payload: &body,
            },
        )
        .await?;
    }
    Ok(())
}
