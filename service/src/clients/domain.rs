use super::ClientError;
use crate::money::Money;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// A pragmatic check: one `@`, a non-empty local part, a dotted domain, no spaces.
    pub fn parse(raw: &str) -> Result<Self, ClientError> {
        let s = raw.trim();
        let ok = s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && local.len() <= 64
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            });
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ClientError::Email)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// E.164: `+` and 8–15 digits. Spaces, dots, dashes and brackets are dropped; `00` stands for `+`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, ClientError> {
        let s = raw.trim();
        let international = s.starts_with('+') || s.starts_with("00");
        let mut digits = String::with_capacity(16);
        for (i, c) in s.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => {}
                ' ' | '.' | '-' | '(' | ')' | '/' => {}
                _ => return Err(ClientError::Phone),
            }
        }
        if s.starts_with("00") {
            digits.drain(..2);
        }
        if !international || !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
            return Err(ClientError::Phone);
        }
        Ok(Self(format!("+{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn non_empty_trimmed(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct NewClientRequest {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub wp_user_id: Option<u64>,
    pub status: Option<String>,
}

/// A client that passed every rule: what the repository may store.
#[derive(Debug)]
pub struct NewClient {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub wp_user_id: Option<u64>,
    pub status: String,
}

impl TryFrom<NewClientRequest> for NewClient {
    type Error = ClientError;

    fn try_from(r: NewClientRequest) -> Result<Self, Self::Error> {
        let first_name = non_empty_trimmed(r.first_name).ok_or(ClientError::FirstNameRequired)?;
        let last_name = non_empty_trimmed(r.last_name).unwrap_or_default();
        if first_name.chars().count() > 100 || last_name.chars().count() > 100 {
            return Err(ClientError::NameTooLong);
        }
        let status = non_empty_trimmed(r.status).unwrap_or_else(|| "New".into());
        if status.chars().count() > 40 {
            return Err(ClientError::StatusTooLong);
        }
        Ok(Self {
            first_name,
            last_name,
            email: non_empty_trimmed(r.email)
                .map(|e| Email::parse(&e))
                .transpose()?,
            phone: non_empty_trimmed(r.phone)
                .map(|p| Phone::parse(&p))
                .transpose()?,
            wp_user_id: r.wp_user_id.filter(|id| *id > 0),
            status,
        })
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Client {
    pub id: u64,
    pub wp_user_id: Option<u64>,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: String,
    pub blocked: bool,
    pub wallet_balance: Money,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub merged_into_id: Option<u64>,
}

impl Client {
    pub fn full_name(&self) -> String {
        if self.last_name.is_empty() {
            self.first_name.clone()
        } else {
            format!("{} {}", self.first_name, self.last_name)
        }
    }

    pub fn is_live(&self) -> bool {
        self.deleted_at.is_none() && self.merged_into_id.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for good in ["ann@example.com", " a.b+c@sub.example.co.uk "] {
            assert!(Email::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a b@example.com",
            "a@@b.com",
            "a@b..com",
            "a@.b.com",
        ] {
            assert_eq!(Email::parse(bad), Err(ClientError::Email), "{bad}");
        }
    }

    #[test]
    fn phones_are_normalised_to_e164() {
        let p = |s: &str| Phone::parse(s).map(|p| p.0);
        assert_eq!(p("+44 20 7946 0000"), Ok("+442079460000".into()));
        assert_eq!(p("0033 (1) 23-45-67-89"), Ok("+33123456789".into()));
        assert_eq!(p("+1.555.010.0100"), Ok("+15550100100".into()));
        assert_eq!(p("020 7946 0000"), Err(ClientError::Phone));
        assert_eq!(p("+12"), Err(ClientError::Phone));
        assert_eq!(p("+44 20 ext 5"), Err(ClientError::Phone));
    }

    #[test]
    fn first_name_is_required() {
        let r = NewClientRequest {
            first_name: Some("  ".into()),
            last_name: None,
            email: None,
            phone: None,
            wp_user_id: None,
            status: None,
        };
        assert_eq!(
            NewClient::try_from(r).err(),
            Some(ClientError::FirstNameRequired)
        );
    }
}
