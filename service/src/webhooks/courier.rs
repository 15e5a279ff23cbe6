//! POSTs one delivery to its endpoint. The URL is resolved here and the connection pinned to
//! the checked addresses, so a name that resolves to a private address at delivery time (DNS
//! rebinding) is refused like one that did at registration; redirects are not followed.
use super::{domain, repo};
use crate::{
    db::Db,
    notifications,
    outbox::{Claimed, Courier, Outcome},
    settings,
};
use std::{future::Future, net::SocketAddr, pin::Pin, time::Duration};

/// Longest one delivery may take; shorter than the outbox's lease.
const TIMEOUT: Duration = Duration::from_secs(10);

pub struct WebhookCourier {
    pub db: Db,
    pub allowed_hosts: Vec<String>,
}

/// The addresses `url` may be reached at: its resolution, when every address of it is public
/// or the host is on the operator's list.
pub async fn resolve_public(
    url: &reqwest::Url,
    allowed_hosts: &[String],
) -> Result<Vec<SocketAddr>, String> {
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| format!("{host} does not resolve: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{host} does not resolve"));
    }
    if !domain::allowed(url, allowed_hosts) && addrs.iter().any(|a| !domain::is_public(a.ip())) {
        return Err(format!(
            "{host} is a private, loopback or reserved address; list it in \
             VOLIXTA_WEBHOOK_ALLOWED_HOSTS to allow it"
        ));
    }
    Ok(addrs)
}

fn refused(error: impl Into<String>) -> Outcome {
    Outcome::Refused {
        error: error.into(),
        status_code: None,
    }
}

impl WebhookCourier {
    async fn post(&self, m: &Claimed) -> Outcome {
        let Some(id) = m.webhook_id else {
            return refused("a webhook delivery without an endpoint");
        };
        let mut conn = match self.db.pool.get_conn().await {
            Ok(conn) => conn,
            Err(e) => {
                return Outcome::Failed {
                    error: format!("database: {e}"),
                    status_code: None,
                };
            }
        };
        let endpoint = match repo::find(&mut conn, &self.db, id).await {
            Ok(Some(e)) if e.active => e,
            Ok(Some(_)) => return refused("the endpoint is switched off"),
            Ok(None) => return refused("the endpoint was deleted"),
            Err(e) => {
                return Outcome::Failed {
                    error: format!("database: {e}"),
                    status_code: None,
                };
            }
        };
        drop(conn);
        let url = match domain::url(&endpoint.url) {
            Ok(url) => url,
            Err(e) => return refused(format!("url: {e}")),
        };
        let addrs = match resolve_public(&url, &self.allowed_hosts).await {
            Ok(addrs) => addrs,
            // A name that does not resolve now may tomorrow; a private target stays refused.
            Err(e) if e.contains("does not resolve") => {
                return Outcome::Failed {
                    error: e,
                    status_code: None,
                };
            }
            Err(e) => return refused(e),
        };
        let host = url.host_str().unwrap_or_default().to_owned();
        let client = match reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .resolve_to_addrs(&host, &addrs)
            .user_agent("Volixta-Webhooks/1")
            .build()
        {
            Ok(c) => c,
            Err(e) => return refused(format!("http client: {e}")),
        };
        let body = m.payload.clone().into_bytes();
        let signature = domain::signature(&endpoint.secret, &body);
        let sent = client
            .post(url)
            .header("content-type", "application/json")
            .header(domain::TOPIC_HEADER, &m.topic)
            .header(domain::DELIVERY_HEADER, &m.message_id)
            .header(domain::SIGNATURE_HEADER, signature)
            .header(
                domain::TIMESTAMP_HEADER,
                chrono::Utc::now().timestamp().to_string(),
            )
            .body(body)
            .send()
            .await;
        let outcome = match sent {
            Ok(response) if response.status().is_success() => Outcome::Sent {
                status_code: Some(response.status().as_u16()),
            },
            Ok(response) => Outcome::Failed {
                error: format!("the endpoint answered {}", response.status()),
                status_code: Some(response.status().as_u16()),
            },
            Err(e) => Outcome::Failed {
                error: if e.is_timeout() {
                    format!("no answer within {} s", TIMEOUT.as_secs())
                } else {
                    format!("{e}")
                },
                status_code: None,
            },
        };
        if let Ok(mut conn) = self.db.pool.get_conn().await {
            let ok = matches!(outcome, Outcome::Sent { .. });
            if let Err(e) = repo::count_try(&mut conn, &self.db, id, ok).await {
                tracing::warn!(error = %e, webhook = id, "webhook failure count not updated");
            }
        }
        outcome
    }

    /// A delivery ran out of tries: the endpoint is switched off and the managers told, once.
    async fn switch_off(&self, m: &Claimed) -> Result<(), crate::db::DbError> {
        let Some(id) = m.webhook_id else {
            return Ok(());
        };
        let db = &self.db;
        db.transaction(|mut tx| async move {
            let result = async {
                let Some(endpoint) = repo::find_for_update(&mut tx, db, id).await? else {
                    return Ok(());
                };
                let reason = format!(
                    "delivery {} failed {} times; last error kept in the delivery log",
                    m.message_id, m.attempts
                );
                if repo::disable(&mut tx, db, id, &reason).await? {
                    let settings = settings::load_with(&mut tx, db).await?;
                    let body = format!(
                        "The webhook endpoint {} (#{id}) did not accept deliveries for about a day \
                         and has been switched off. Check it, switch it back on under Settings → \
                         Webhooks, and redeliver what it missed from its delivery log.",
                        endpoint.url
                    );
                    notifications::notice(
                        &mut tx,
                        db,
                        &format!("webhook_off:{id}:{}", m.message_id),
                        &settings.manager_emails,
                        "A webhook endpoint was switched off",
                        &body,
                    )
                    .await?;
                }
                Ok(())
            }
            .await;
            (tx, result)
        })
        .await
    }
}

impl Courier for WebhookCourier {
    fn deliver<'a>(&'a self, m: &'a Claimed) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'a>> {
        Box::pin(self.post(m))
    }

    fn parked<'a>(&'a self, m: &'a Claimed) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
        Box::pin(async move {
            // Only a delivery that exhausted its tries says the endpoint is broken; one refused
            // because the endpoint is off or gone says nothing new.
            if m.attempts < crate::outbox::Channel::Webhook.max_attempts() {
                return;
            }
            if let Err(e) = self.switch_off(m).await {
                tracing::warn!(error = %e, "switching off a failing webhook endpoint failed");
            }
        })
    }
}
