//! Marketing messages: a manager writes one, and every live, unblocked client who accepts
//! marketing gets it once, with a signed link that unsubscribes without logging in.
use crate::{
    config::Config,
    db::{Db, DbError, Tx},
    outbox::{self, Channel, NewMessage},
    settings,
};
use hmac::{Hmac, KeyInit, Mac};
use mysql_async::prelude::Queryable;
use secrecy::ExposeSecret;
use serde_json::json;
use sha2::Sha256;

/// The key unsubscribe links are signed with: derived from the service's data key, else from
/// the shared secret. Changing that root key invalidates the links already sent.
#[derive(Clone)]
pub struct UnsubscribeKey([u8; 32]);

impl UnsubscribeKey {
    pub fn of(config: &Config) -> Self {
        let root: &[u8] = match &config.data_key {
            Some(key) => key.expose(),
            None => config.shared_secret.expose_secret().as_bytes(),
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(root).expect("HMAC takes any key length");
        mac.update(b"volixta unsubscribe v1");
        Self(mac.finalize().into_bytes().into())
    }

    fn mac(&self, client_id: u64) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(format!("marketing:{client_id}").as_bytes());
        mac
    }

    /// The link's token for one client: hex HMAC-SHA256 of the client's id.
    pub fn token(&self, client_id: u64) -> String {
        hex::encode(self.mac(client_id).finalize().into_bytes())
    }

    /// Whether `token` is this client's, compared in constant time.
    pub fn verify(&self, client_id: u64, token: &str) -> bool {
        let Ok(bytes) = hex::decode(token.trim()) else {
            return false;
        };
        self.mac(client_id).verify_slice(&bytes).is_ok()
    }

    /// `base?client=…&token=…`.
    pub fn link(&self, base: &str, client_id: u64) -> String {
        let sep = if base.contains('?') { '&' } else { '?' };
        format!(
            "{base}{sep}client={client_id}&token={}",
            self.token(client_id)
        )
    }
}

/// Why a marketing message is refused.
#[derive(Debug, thiserror::Error)]
pub enum MarketingError {
    #[error("{field}: {message}")]
    Field {
        field: &'static str,
        message: &'static str,
    },
    #[error(transparent)]
    Db(#[from] DbError),
}

impl crate::db::TxError for MarketingError {
    fn is_retryable(&self) -> bool {
        matches!(self, Self::Db(e) if e.is_retryable())
    }
}

/// Checks a message before anything is written.
pub fn check(subject: &str, body: &str, unsubscribe_url: &str) -> Result<(), MarketingError> {
    let bad = |field, message| Err(MarketingError::Field { field, message });
    if subject.trim().is_empty() || subject.chars().count() > 200 {
        return bad("subject", "1 to 200 characters");
    }
    if subject.chars().any(char::is_control) {
        return bad("subject", "one line");
    }
    if body.trim().is_empty() || body.chars().count() > 20_000 {
        return bad("body", "1 to 20000 characters");
    }
    // The address also goes between the `<…>` of List-Unsubscribe, which it must not close.
    if !crate::links::is_web_address(unsubscribe_url, 500)
        || unsubscribe_url.contains(['<', '>', '"'])
    {
        return bad(
            "unsubscribe_url",
            "the site's unsubscribe page, an http(s) address",
        );
    }
    Ok(())
}

/// Who a marketing message goes to: live, unblocked clients who accept marketing and have an
/// address. The Marketing screen counts with it and the send writes to it, so the number shown
/// before sending is the rule the sending applies.
const AUDIENCE: &str = "SELECT id, TRIM(CONCAT(first_name, ' ', last_name)), email \
     FROM {p}volixta_clients \
     WHERE live = 1 AND blocked = 0 AND notify_marketing = 1 \
     AND email IS NOT NULL AND email <> '' ORDER BY id";

/// How many clients a message sent now would reach (addresses that are no e-mail address are
/// skipped by the send, so here too).
pub async fn audience(db: &Db) -> Result<u64, DbError> {
    let mut conn = db.pool.get_conn().await?;
    let clients: Vec<(u64, String, String)> = conn.exec(db.sql(AUDIENCE), ()).await?;
    Ok(clients
        .iter()
        .filter(|(_, _, email)| settings::is_email(email.trim()))
        .count() as u64)
}

/// A message sent, with how its e-mails fared in the outbox.
#[derive(Debug, Clone)]
pub struct SentMessage {
    pub id: u64,
    pub subject: String,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub recipients: u64,
    pub delivered: u64,
    pub failed: u64,
    pub waiting: u64,
}

/// Messages sent, newest first, older than `before` when given; at most `limit`.
pub async fn sent(db: &Db, before: Option<u64>, limit: u32) -> Result<Vec<SentMessage>, DbError> {
    let mut conn = db.pool.get_conn().await?;
    let rows: Vec<(u64, String, String, chrono::NaiveDateTime, u64)> = conn
        .exec(
            db.sql(
                "SELECT id, subject, created_by, created_at, recipients \
                 FROM {p}volixta_marketing_messages WHERE id < ? ORDER BY id DESC LIMIT ?",
            ),
            (before.unwrap_or(u64::MAX), limit),
        )
        .await?;
    drop(conn);
    let mut out = Vec::with_capacity(rows.len());
    for (id, subject, created_by, created_at, recipients) in rows {
        let counts = outbox::counts_by_key_prefix(db, &format!("marketing:{id}:")).await?;
        let of = |status: &str| -> u64 {
            counts
                .iter()
                .filter(|(s, _)| s.as_str() == status)
                .map(|(_, n)| *n)
                .sum()
        };
        out.push(SentMessage {
            id,
            subject,
            created_by,
            created_at: created_at.and_utc(),
            recipients,
            delivered: of("sent"),
            failed: of("failed"),
            waiting: of("pending"),
        });
    }
    Ok(out)
}

/// Records the message and writes its e-mails, one per live, unblocked client who accepts
/// marketing and has an address, all in one transaction. Returns (message id, recipients).
pub async fn send(
    db: &Db,
    actor: &str,
    subject: &str,
    body: &str,
    unsubscribe_url: &str,
) -> Result<(u64, u64), MarketingError> {
    check(subject, body, unsubscribe_url)?;
    db.transaction(|mut tx| async move {
        let result = send_in(&mut tx, db, actor, subject, body, unsubscribe_url).await;
        (tx, result)
    })
    .await
}

/// [`send`] in the caller's transaction (the Marketing screen's idempotent send); the caller
/// has run [`check`].
pub async fn send_in(
    tx: &mut Tx,
    db: &Db,
    actor: &str,
    subject: &str,
    body: &str,
    unsubscribe_url: &str,
) -> Result<(u64, u64), MarketingError> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_marketing_messages \
             (subject, body, unsubscribe_url, created_by) VALUES (?, ?, ?, ?)",
        ),
        (subject.trim(), body, unsubscribe_url, actor),
    )
    .await
    .map_err(DbError::from)?;
    let id = tx.last_insert_id().unwrap_or_default();
    let clients: Vec<(u64, String, String)> =
        tx.exec(db.sql(AUDIENCE), ()).await.map_err(DbError::from)?;
    let mut sent = 0;
    for (client_id, name, email) in clients {
        let email = email.trim();
        if !settings::is_email(email) {
            continue;
        }
        let payload = json!({
            "kind": "marketing",
            "marketing_id": id,
            "client_id": client_id,
            "client_name": name,
            "subject": subject.trim(),
            "body": body,
            "unsubscribe_url": unsubscribe_url,
        });
        if outbox::enqueue(
            tx,
            db,
            &NewMessage {
                channel: Channel::Email,
                topic: "marketing",
                dedupe_key: &format!("marketing:{id}:{client_id}"),
                recipient: email,
                webhook_id: None,
                payload: &payload,
            },
        )
        .await?
        {
            sent += 1;
        }
    }
    tx.exec_drop(
        db.sql("UPDATE {p}volixta_marketing_messages SET recipients = ? WHERE id = ?"),
        (sent, id),
    )
    .await
    .map_err(DbError::from)?;
    Ok((id, sent))
}

/// Turns marketing off for a client whose link checked out; `false` for no such live client.
pub async fn unsubscribe(db: &Db, client_id: u64) -> Result<bool, DbError> {
    crate::clients::opt_out_of_marketing(db, client_id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_the_clients_own_and_an_altered_one_fails() {
        let key = UnsubscribeKey([7; 32]);
        let t = key.token(42);
        assert!(key.verify(42, &t));
        assert!(!key.verify(43, &t));
        let mut altered = t.clone().into_bytes();
        altered[0] = if altered[0] == b'0' { b'1' } else { b'0' };
        assert!(!key.verify(42, &String::from_utf8(altered).expect("ascii")));
        assert!(!key.verify(42, "zz"));
        assert!(!key.verify(42, ""));
        assert_eq!(
            key.link("https://x.example/u?a=1", 42),
            format!("https://x.example/u?a=1&client=42&token={t}")
        );
        assert!(check("Hi", "Body", "javascript:alert(1)").is_err());
        assert!(check("Hi\r\nBcc: x", "Body", "https://x.example/u").is_err());
        assert!(check("Hi", "Body", "https://x.example/u").is_ok());
    }
}
