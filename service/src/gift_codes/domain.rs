use super::GiftCodeError;
use crate::money::Money;
use chrono::{DateTime, Utc};
use mysql_async::prelude::FromRow;
use rand::Rng;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// No 0/O, 1/I/L: a code read aloud or from paper is typed right the first time.
pub const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// 16 symbols of 31: about 79 bits, far beyond guessing at the throttled rate.
pub const GENERATED_LEN: usize = 16;
const TYPED_MIN: usize = 6;
const TYPED_MAX: usize = 32;

/// Wrong codes allowed per window, per client and per visitor address. A window starts with
/// its first wrong code.
pub const ATTEMPT_WINDOW_MINUTES: u32 = 15;
pub const MAX_FAILURES_PER_CLIENT: u32 = 5;
pub const MAX_FAILURES_PER_ADDRESS: u32 = 20;

/// A code in its normal form: upper case, no spaces or dashes.
#[derive(Clone, PartialEq, Eq)]
pub struct CodeText(String);

impl std::fmt::Debug for CodeText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CodeText(…{})", self.hint())
    }
}

impl CodeText {
    /// What a person typed: case, spaces and dashes do not matter.
    pub fn normalise(raw: &str) -> Option<Self> {
        let code: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let valid = (TYPED_MIN..=TYPED_MAX).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        valid.then_some(Self(code))
    }

    /// A manager's own code, e.g. `SUMMER-2026`.
    pub fn typed(raw: &str) -> Result<Self, GiftCodeError> {
        Self::normalise(raw).ok_or(GiftCodeError::BadCode)
    }

    pub fn generate() -> Self {
        let mut rng = rand::rng();
        Self(
            (0..GENERATED_LEN)
                .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                .collect(),
        )
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last four characters, shown in lists instead of the code.
    pub fn hint(&self) -> &str {
        &self.0[self.0.len().saturating_sub(4)..]
    }

    /// How a manager is shown the code: a generated one in groups of four, a typed one as is.
    pub fn shown(&self) -> String {
        let generated =
            self.0.len() == GENERATED_LEN && self.0.bytes().all(|b| ALPHABET.contains(&b));
        if generated {
            self.grouped()
        } else {
            self.0.clone()
        }
    }

    /// Groups of four, `ABCD-EFGH-JKMN-PQRS`, easier to read and type.
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CodeStatus {
    Active,
    Expired,
    UsedUp,
    Revoked,
}

impl CodeStatus {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "expired" => Some(Self::Expired),
            "used_up" => Some(Self::UsedUp),
            "revoked" => Some(Self::Revoked),
            _ => None,
        }
    }
}

/// A gift code as stored, without its secret parts.
#[derive(Clone, Debug, Serialize, ToSchema, FromRow)]
pub struct GiftCode {
    pub id: u64,
    /// The last four characters of the code.
    pub code_hint: String,
    pub value: Money,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub expires_at: Option<DateTime<Utc>>,
    pub max_redemptions: Option<u32>,
    pub redemptions_count: u32,
    /// Only the clients of `client_ids` may redeem it.
    pub restricted: bool,
    pub note: String,
    pub created_by: String,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub created_at: DateTime<Utc>,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
}

impl GiftCode {
    pub fn status(&self, now: DateTime<Utc>) -> CodeStatus {
        if self.revoked_at.is_some() {
            CodeStatus::Revoked
        } else if self.expires_at.is_some_and(|e| e <= now) {
            CodeStatus::Expired
        } else if self
            .max_redemptions
            .is_some_and(|max| self.redemptions_count >= max)
        {
            CodeStatus::UsedUp
        } else {
            CodeStatus::Active
        }
    }
}

/// Why a code cannot be redeemed now by a given client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    AlreadyRedeemed,
    Revoked,
    Expired,
    UsedUp,
    NotEligible,
}

pub fn check_redeemable(
    code: &GiftCode,
    now: DateTime<Utc>,
    client_allowed: bool,
    already_redeemed: bool,
) -> Result<(), Refusal> {
    if already_redeemed {
        return Err(Refusal::AlreadyRedeemed);
    }
    match code.status(now) {
        CodeStatus::Revoked => Err(Refusal::Revoked),
        CodeStatus::Expired => Err(Refusal::Expired),
        CodeStatus::UsedUp => Err(Refusal::UsedUp),
        CodeStatus::Active if code.restricted && !client_allowed => Err(Refusal::NotEligible),
        CodeStatus::Active => Ok(()),
    }
}

/// A client's answer hides why a code failed, so codes cannot be probed; only "you already
/// used it" is told, since that client already knows the code exists.
pub fn client_refusal(refusal: Refusal) -> GiftCodeError {
    match refusal {
        Refusal::AlreadyRedeemed => GiftCodeError::AlreadyRedeemed,
        Refusal::Revoked | Refusal::Expired | Refusal::UsedUp | Refusal::NotEligible => {
            GiftCodeError::CodeInvalid
        }
    }
}

/// A manager applying a code by id is told exactly what is wrong.
pub fn manager_refusal(refusal: Refusal) -> GiftCodeError {
    match refusal {
        Refusal::AlreadyRedeemed => GiftCodeError::AlreadyRedeemed,
        Refusal::Revoked => GiftCodeError::Revoked,
        Refusal::Expired => GiftCodeError::Expired,
        Refusal::UsedUp => GiftCodeError::UsedUp,
        Refusal::NotEligible => GiftCodeError::NotEligible,
    }
}

/// Where wrong codes are counted, with how many each allows per window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub key: String,
    pub limit: u32,
}

/// The client's bucket is the main guard. The address's is a looser, secondary one: visitors
/// behind one office or proxy share an address. Always in this order, so that two redemptions
/// never wait on each other's buckets in a cycle.
pub fn buckets(client_id: u64, address: Option<&str>) -> Vec<Bucket> {
    let mut buckets = vec![Bucket {
        key: format!("client:{client_id}"),
        limit: MAX_FAILURES_PER_CLIENT,
    }];
    if let Some(address) = address {
        buckets.push(Bucket {
            key: format!("address:{address}"),
            limit: MAX_FAILURES_PER_ADDRESS,
        });
    }
    buckets
}

/// A new code's checked terms.
#[derive(Clone, Debug)]
pub struct NewCode {
    pub code: CodeText,
    pub value: Money,
    pub expires_at: Option<DateTime<Utc>>,
    pub max_redemptions: Option<u32>,
    pub client_ids: Vec<u64>,
    pub note: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct NewCodeRequest {
    /// The credit it adds to a wallet.
    pub value: Money,
    /// After this instant the code no longer works.
    pub expires_at: Option<DateTime<Utc>>,
    /// How many clients in all may redeem it (each once); none means no limit.
    pub max_redemptions: Option<u32>,
    /// The manager's own code (6–32 letters and digits; dashes and spaces are ignored).
    /// Left out, a 16-character code is generated.
    pub code: Option<String>,
    /// Only these clients may redeem it.
    pub client_ids: Option<Vec<u64>>,
    /// What the code is for, shown to managers.
    pub note: Option<String>,
}

impl NewCode {
    pub fn parse(request: &NewCodeRequest, now: DateTime<Utc>) -> Result<Self, GiftCodeError> {
        if request.value.is_negative() || request.value.is_zero() {
            return Err(GiftCodeError::ValueNotPositive);
        }
        if request.expires_at.is_some_and(|e| e <= now) {
            return Err(GiftCodeError::ExpiryInPast);
        }
        if request.max_redemptions == Some(0) {
            return Err(GiftCodeError::BadMaxRedemptions);
        }
        let note = request
            .note
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_owned();
        if note.chars().count() > 200 {
            return Err(GiftCodeError::NoteTooLong);
        }
        let code = match request.code.as_deref() {
            Some(raw) => CodeText::typed(raw)?,
            None => CodeText::generate(),
        };
        let mut client_ids = request.client_ids.clone().unwrap_or_default();
        client_ids.sort_unstable();
        client_ids.dedup();
        Ok(Self {
            code,
            value: request.value,
            expires_at: request.expires_at,
            max_redemptions: request.max_redemptions,
            client_ids,
            note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn generated_codes_use_the_unambiguous_alphabet_and_differ() {
        let a = CodeText::generate();
        let b = CodeText::generate();
        assert_eq!(a.as_str().len(), GENERATED_LEN);
        assert!(a.as_str().bytes().all(|c| ALPHABET.contains(&c)));
        assert_ne!(a, b);
        let grouped = a.grouped();
        assert_eq!(grouped.len(), 19);
        assert_eq!(CodeText::normalise(&grouped.to_lowercase()), Some(a));
    }

    #[test]
    fn typed_codes_are_normalised_and_checked() {
        assert_eq!(
            CodeText::typed(" summer-2026 ")
                .map(|c| c.as_str().to_owned())
                .ok(),
            Some("SUMMER2026".to_owned())
        );
        assert!(matches!(
            CodeText::typed("abc"),
            Err(GiftCodeError::BadCode)
        ));
        assert!(matches!(
            CodeText::typed("café-2026"),
            Err(GiftCodeError::BadCode)
        ));
        assert!(matches!(
            CodeText::typed(&"A".repeat(33)),
            Err(GiftCodeError::BadCode)
        ));
        assert_eq!(
            CodeText::typed("SUMMER2026")
                .map(|c| c.hint().to_owned())
                .ok(),
            Some("2026".into())
        );
    }

    fn code(now: DateTime<Utc>) -> GiftCode {
        GiftCode {
            id: 1,
            code_hint: "ABCD".into(),
            value: "10.00".parse().expect("money"),
            expires_at: Some(now + Duration::days(1)),
            max_redemptions: Some(2),
            redemptions_count: 1,
            restricted: false,
            note: String::new(),
            created_by: "manager:1".into(),
            created_at: now,
            revoked_at: None,
            revoked_by: None,
        }
    }

    #[test]
    fn redeemability_follows_revocation_expiry_count_and_audience() {
        let now = Utc::now();
        assert_eq!(check_redeemable(&code(now), now, false, false), Ok(()));
        assert_eq!(
            check_redeemable(&code(now), now, false, true),
            Err(Refusal::AlreadyRedeemed)
        );
        let mut c = code(now);
        c.redemptions_count = 2;
        assert_eq!(check_redeemable(&c, now, true, false), Err(Refusal::UsedUp));
        assert_eq!(
            check_redeemable(&code(now), now + Duration::days(1), true, false),
            Err(Refusal::Expired)
        );
        let mut c = code(now);
        c.revoked_at = Some(now);
        assert_eq!(
            check_redeemable(&c, now, true, false),
            Err(Refusal::Revoked)
        );
        let mut c = code(now);
        c.restricted = true;
        assert_eq!(
            check_redeemable(&c, now, false, false),
            Err(Refusal::NotEligible)
        );
        assert_eq!(check_redeemable(&c, now, true, false), Ok(()));
    }

    #[test]
    fn every_hidden_refusal_gives_the_client_the_same_error() {
        for r in [
            Refusal::Revoked,
            Refusal::Expired,
            Refusal::UsedUp,
            Refusal::NotEligible,
        ] {
            assert!(matches!(client_refusal(r), GiftCodeError::CodeInvalid));
            assert!(!matches!(manager_refusal(r), GiftCodeError::CodeInvalid));
        }
    }

    #[test]
    fn the_client_bucket_comes_first() {
        let both = buckets(7, Some("203.0.113.9"));
        assert_eq!(
            both,
            vec![
                Bucket {
                    key: "client:7".into(),
                    limit: MAX_FAILURES_PER_CLIENT
                },
                Bucket {
                    key: "address:203.0.113.9".into(),
                    limit: MAX_FAILURES_PER_ADDRESS
                },
            ]
        );
        assert_eq!(buckets(7, None).len(), 1);
    }

    #[test]
    fn new_codes_are_checked() {
        let now = Utc::now();
        let ok = NewCodeRequest {
            value: "25.00".parse().expect("money"),
            client_ids: Some(vec![3, 1, 3]),
            ..NewCodeRequest::default()
        };
        let parsed = NewCode::parse(&ok, now).expect("valid");
        assert_eq!(parsed.client_ids, vec![1, 3]);
        assert_eq!(parsed.code.shown().len(), 19);
        let typed = NewCodeRequest {
            code: Some("summer-2026".into()),
            ..ok.clone()
        };
        assert_eq!(
            NewCode::parse(&typed, now).expect("valid").code.shown(),
            "SUMMER2026"
        );
        let bad = |r: NewCodeRequest| NewCode::parse(&r, now).err();
        assert!(matches!(
            bad(NewCodeRequest {
                value: Money::ZERO,
                ..ok.clone()
            }),
            Some(GiftCodeError::ValueNotPositive)
        ));
        assert!(matches!(
            bad(NewCodeRequest {
                expires_at: Some(now),
                ..ok.clone()
            }),
            Some(GiftCodeError::ExpiryInPast)
        ));
        assert!(matches!(
            bad(NewCodeRequest {
                max_redemptions: Some(0),
                ..ok.clone()
            }),
            Some(GiftCodeError::BadMaxRedemptions)
        ));
        assert!(matches!(
            bad(NewCodeRequest {
                code: Some("x".into()),
                ..ok.clone()
            }),
            Some(GiftCodeError::BadCode)
        ));
    }
}
