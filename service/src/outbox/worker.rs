//! The workers that empty the outbox. Every replica runs some; they share the table through
//! `FOR UPDATE SKIP LOCKED` claims with a lease, so each message is tried by one worker at a
//! time and a replica that dies mid-send leaves its messages to the others once the lease ends.
use super::{
    domain::{self, Channel, LEASE_SECONDS, Next, Outcome},
    repo::{self, Claimed},
};
use crate::db::{Db, DbError};
use std::{future::Future, pin::Pin, sync::Arc, time::Duration};

/// Tries one claimed message and says how it went. One per channel.
pub trait Courier: Send + Sync + 'static {
    fn deliver<'a>(
        &'a self,
        message: &'a Claimed,
    ) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;

    /// Called once a message is given up on (tries exhausted, or refused for good).
    fn parked<'a>(
        &'a self,
        _message: &'a Claimed,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
        Box::pin(async {})
    }
}

/// Who delivers which channel.
#[derive(Clone)]
pub struct Couriers {
    pub email: Arc<dyn Courier>,
    pub webhook: Arc<dyn Courier>,
}

impl Couriers {
    fn of(&self, channel: Channel) -> &dyn Courier {
        match channel {
            Channel::Email => self.email.as_ref(),
            Channel::Webhook => self.webhook.as_ref(),
        }
    }
}

/// Messages one claim takes; small, so a slow message holds few others behind it.
const BATCH: u32 = 10;
/// How often an idle worker looks for due messages.
const IDLE: Duration = Duration::from_millis(250);

/// Starts `count` workers on this replica; they run until the handles are aborted.
pub fn spawn(db: Db, couriers: Couriers, count: usize) -> Vec<tokio::task::JoinHandle<()>> {
    (0..count)
        .map(|_| tokio::spawn(run(db.clone(), couriers.clone())))
        .collect()
}

async fn run(db: Db, couriers: Couriers) {
    loop {
        match work_once(&db, &couriers).await {
            Ok(0) => tokio::time::sleep(IDLE).await,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "outbox worker could not claim messages");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Claims one batch and tries each message of it; returns how many were claimed.
pub async fn work_once(db: &Db, couriers: &Couriers) -> Result<usize, DbError> {
    let claimed = db
        .transaction(|mut tx| async move {
            let result = repo::claim(&mut tx, db, BATCH, LEASE_SECONDS).await;
            (tx, result)
        })
        .await?;
    let n = claimed.len();
    for message in claimed {
        let outcome = couriers.of(message.channel).deliver(&message).await;
        let next = match &outcome {
            Outcome::Sent { .. } => None,
            Outcome::Failed { error, .. } => {
                tracing::info!(id = message.id, attempt = message.attempts, %error,
                    "outbox message failed; it will be tried again");
                Some(domain::after_failure(
                    message.channel,
                    message.attempts,
                    chrono::Utc::now(),
                    rand::random::<f64>(),
                ))
            }
            Outcome::Refused { error, .. } => {
                tracing::warn!(id = message.id, %error, "outbox message refused for good");
                Some(Next::Park)
            }
        };
        let mut conn = db.pool.get_conn().await?;
        if !repo::finish(&mut conn, db, &message, &outcome, next).await? {
            tracing::warn!(
                id = message.id,
                "outbox claim ran out before the try ended; the newer claim decides"
            );
        } else if next == Some(Next::Park) {
            couriers.of(message.channel).parked(&message).await;
        }
    }
    Ok(n)
}
