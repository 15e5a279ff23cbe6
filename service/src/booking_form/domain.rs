//! The booking form's own rules: the visitor's details as typed, the honeypot, and the buckets
//! a visitor's attempts are counted in. Pure, so they are unit-tested here.
use crate::clients::Email;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Bookings a visitor's address may ask for in a window: enough for a family or an office
/// behind one address, too few for a script.
pub const MAX_PER_ADDRESS: u32 = 10;
/// Bookings one e-mail may be given by visitors in a window: each one that creates an account
/// sends a welcome e-mail, which must not become a way to flood someone's inbox.
pub const MAX_PER_EMAIL: u32 = 3;
pub const WINDOW_MINUTES: u32 = 60;

/// What the last step posts; the choices before it ride in the query string. Every field is
/// text, as a form sends it, except the two the plugin sets.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct BookForm {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub notes: String,
    /// The honeypot: a field people never see or reach; only a script fills it in.
    pub website: String,
    /// Set by the plugin, never by the browser (it overwrites whatever came): the WordPress
    /// account it made, or reuses, for a first-time visitor.
    pub wp_user_id: Option<u64>,
    /// Set by the plugin: a WordPress account other than that one already has this e-mail.
    pub existing_account: Option<bool>,
}

/// The details as the form shows them again.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Typed {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub notes: String,
}

impl BookForm {
    pub fn typed(&self) -> Typed {
        let keep = |s: &str, n: usize| s.trim().chars().take(n).collect::<String>();
        Typed {
            first_name: keep(&self.first_name, 100),
            last_name: keep(&self.last_name, 100),
            email: keep(&self.email, 254),
            phone: keep(&self.phone, 40),
            notes: keep(&self.notes, 2000),
        }
    }

    pub fn is_bot(&self) -> bool {
        !self.website.trim().is_empty()
    }

    /// The fields a first-time visitor must fill in; the clients domain checks the rest (the
    /// phone's form) when it creates the profile.
    pub fn newcomer_errors(&self) -> BTreeMap<String, String> {
        let mut errors = BTreeMap::new();
        if self.first_name.trim().is_empty() {
            errors.insert("first_name".into(), "Enter your first name.".into());
        }
        if self.last_name.trim().is_empty() {
            errors.insert("last_name".into(), "Enter your last name.".into());
        }
        if self.email.trim().is_empty() {
            errors.insert("email".into(), "Enter your e-mail address.".into());
        } else if Email::parse(&self.email).is_err() {
            errors.insert(
                "email".into(),
                "Enter an e-mail address like name@example.com.".into(),
            );
        }
        errors
    }
}

/// A counter of attempts: its row's key and how many a window allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub key: String,
    pub limit: u32,
}

/// The bucket of an e-mail: hashed, so the table holds no address in clear.
pub fn email_bucket(email: &str) -> Bucket {
    let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
    Bucket {
        key: format!("email:{}", hex::encode(digest)),
        limit: MAX_PER_EMAIL,
    }
}

/// The buckets a visitor's booking counts in: its e-mail's, and its address's when the plugin
/// sent one.
pub fn buckets(email: &str, address: Option<&str>) -> Vec<Bucket> {
    let mut out = vec![email_bucket(email)];
    if let Some(address) = address {
        out.push(Bucket {
            key: format!("address:{address}"),
            limit: MAX_PER_ADDRESS,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_counts_whatever_its_case() {
        assert_eq!(
            email_bucket(" Ada@Example.com "),
            email_bucket("ada@example.com")
        );
        assert!(!email_bucket("ada@example.com").key.contains("ada"));
        let both = buckets("ada@example.com", Some("203.0.113.9"));
        assert_eq!(both.len(), 2);
        assert_eq!(both[1].key, "address:203.0.113.9");
        assert_eq!(buckets("ada@example.com", None).len(), 1);
    }

    #[test]
    fn a_newcomer_names_themselves_and_gives_an_email() {
        let blank = BookForm::default();
        let errors = blank.newcomer_errors();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            ["email", "first_name", "last_name"]
        );
        let typo = BookForm {
            first_name: "Ada".into(),
            last_name: "L".into(),
            email: "ada.example.com".into(),
            ..BookForm::default()
        };
        assert_eq!(typo.newcomer_errors().keys().collect::<Vec<_>>(), ["email"]);
        assert!(!typo.is_bot());
        let bot = BookForm {
            website: "http://spam".into(),
            ..typo
        };
        assert!(bot.is_bot());
    }
}
