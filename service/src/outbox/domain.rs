//! The outbox's rules: when a failed message is tried again, and when it stops being tried.
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How a message leaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Email,
    Webhook,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Webhook => "webhook",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "email" => Some(Self::Email),
            "webhook" => Some(Self::Webhook),
            _ => None,
        }
    }

    /// Tries before a message is parked as failed. E-mails: about eight hours of trying; webhook
    /// deliveries back off to about a day, as integrators expect.
    pub fn max_attempts(self) -> u32 {
        match self {
            Self::Email => 20,
            Self::Webhook => 32,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Waiting for its next try (or being tried right now, under a lease).
    Pending,
    Sent,
    /// Given up on: kept with the last error until someone retries it.
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(Self::Pending),
            "sent" => Some(Self::Sent),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// A claim holds a message this long; a replica that dies mid-send gives it up when it ends.
/// Longer than any one try (SMTP and webhook timeouts are shorter).
pub const LEASE_SECONDS: u32 = 60;

/// The wait before try `attempt + 1` after try `attempt` (1-based) failed: about one second,
/// doubling, at most an hour, each scaled by `jitter` (0.0..1.0 mapped to 0.75..1.25) so that
/// messages failed together do not come back together.
pub fn backoff(attempt: u32, jitter: f64) -> Duration {
    let base_ms = 1000_f64 * 2_f64.powi(attempt.saturating_sub(1).min(12) as i32);
    let capped = base_ms.min(3_600_000.0);
    let scaled = capped * (0.75 + 0.5 * jitter.clamp(0.0, 1.0));
    #[allow(clippy::cast_possible_truncation)]
    Duration::milliseconds(scaled.min(3_600_000.0) as i64)
}

/// What one try of a message came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Sent {
        status_code: Option<u16>,
    },
    /// Worth trying again later (a server down, a timeout, a 5xx).
    Failed {
        error: String,
        status_code: Option<u16>,
    },
    /// Trying again cannot help (an address refused for good, a target not allowed).
    Refused {
        error: String,
        status_code: Option<u16>,
    },
}

/// Where a message goes after a failed try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    RetryAt(DateTime<Utc>),
    Park,
}

pub fn after_failure(channel: Channel, attempts: u32, now: DateTime<Utc>, jitter: f64) -> Next {
    if attempts >= channel.max_attempts() {
        Next::Park
    } else {
        Next::RetryAt(now + backoff(attempts, jitter))
    }
}

/// Cuts an error to what the column holds, on a character boundary.
pub fn clip(error: &str) -> String {
    error.chars().take(1000).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_starts_near_a_second_doubles_and_stops_at_an_hour() {
        assert_eq!(backoff(1, 0.5), Duration::seconds(1));
        assert_eq!(backoff(2, 0.5), Duration::seconds(2));
        assert_eq!(backoff(3, 0.5), Duration::seconds(4));
        assert_eq!(backoff(1, 0.0), Duration::milliseconds(750));
        assert_eq!(backoff(1, 1.0), Duration::milliseconds(1250));
        for attempt in 13..40 {
            assert!(backoff(attempt, 1.0) <= Duration::hours(1), "{attempt}");
            assert!(backoff(attempt, 0.0) >= Duration::minutes(45), "{attempt}");
        }
        // A few seconds of outage are caught up well within a minute.
        let waited: Duration = (1..=4).map(|a| backoff(a, 1.0)).sum();
        assert!(waited < Duration::seconds(20), "{waited}");
    }

    #[test]
    fn webhooks_are_tried_for_about_a_day_and_mail_for_hours() {
        let total = |channel: Channel| -> Duration {
            (1..channel.max_attempts()).map(|a| backoff(a, 0.5)).sum()
        };
        let webhook = total(Channel::Webhook);
        assert!(
            webhook > Duration::hours(18) && webhook < Duration::hours(30),
            "{webhook}"
        );
        let email = total(Channel::Email);
        assert!(
            email > Duration::hours(4) && email < Duration::hours(12),
            "{email}"
        );
        let now = Utc::now();
        assert_eq!(after_failure(Channel::Email, 20, now, 0.5), Next::Park);
        assert_eq!(
            after_failure(Channel::Email, 1, now, 0.5),
            Next::RetryAt(now + Duration::seconds(1))
        );
    }

    #[test]
    fn errors_are_clipped_on_a_character_boundary() {
        let long = "é".repeat(2000);
        assert_eq!(clip(&long).chars().count(), 1000);
        assert_eq!(Channel::parse("email"), Some(Channel::Email));
        assert_eq!(Status::parse(Status::Failed.as_str()), Some(Status::Failed));
    }
}
