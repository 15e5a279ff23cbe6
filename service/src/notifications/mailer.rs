//! The SMTP side: one pooled lettre transport per replica over `VOLIXTA_SMTP_URL`
//! (`smtp://host:25` plain, `smtp://host:587?tls=required` STARTTLS, `smtps://host:465` TLS,
//! `smtp://user:password@host…` with authentication).
use super::NotifyError;
use crate::outbox::Outcome;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor, message::Mailbox,
    transport::smtp::PoolConfig,
};
use std::time::Duration;

/// Longest one SMTP conversation may take; shorter than the outbox's lease.
const TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    pub from: Mailbox,
}

impl Mailer {
    pub fn new(smtp_url: &str, from: &str) -> Result<Self, NotifyError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| NotifyError::SmtpUrl(e.to_string()))?
            .timeout(Some(TIMEOUT))
            .pool_config(PoolConfig::new().max_size(4))
            .build();
        let from = from
            .parse()
            .map_err(|_| NotifyError::Sender(from.to_owned()))?;
        Ok(Self { transport, from })
    }

    /// The host part of the sender, for Message-IDs.
    pub fn domain(&self) -> &str {
        self.from.email.domain()
    }

    pub async fn send(&self, message: Message) -> Outcome {
        match self.transport.send(message).await {
            Ok(response) => Outcome::Sent {
                status_code: Some(u16::from(response.code())),
            },
            // A 5xx answer (no such mailbox, message refused) will not change on a retry.
            Err(e) if e.is_permanent() => Outcome::Refused {
                error: e.to_string(),
                status_code: e.status().map(u16::from),
            },
            Err(e) => Outcome::Failed {
                error: e.to_string(),
                status_code: e.status().map(u16::from),
            },
        }
    }
}
