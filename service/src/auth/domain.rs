use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::fmt;

use super::AuthError;

/// How far the caller's clock may be from ours, either way.
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 300;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Manager,
    Employee,
    Client,
    Guest,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    pub role: Role,
    pub wp_user_id: u64,
}

impl Actor {
    pub fn parse(header: &str) -> Result<Self, AuthError> {
        let (role, id) = header.split_once(':').ok_or(AuthError::BadActor)?;
        let role = match role {
            "admin" => Role::Admin,
            "manager" => Role::Manager,
            "employee" => Role::Employee,
            "client" => Role::Client,
            "guest" => Role::Guest,
            _ => return Err(AuthError::BadActor),
        };
        if id.is_empty() || id.len() > 20 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AuthError::BadActor);
        }
        let wp_user_id = id.parse().map_err(|_| AuthError::BadActor)?;
        Ok(Self { role, wp_user_id })
    }

    pub fn is_manager(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Manager)
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let role = match self.role {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Employee => "employee",
            Role::Client => "client",
            Role::Guest => "guest",
        };
        write!(f, "{role}:{}", self.wp_user_id)
    }
}

/// The longest display name kept; WordPress allows 250 characters.
const MAX_NAME_CHARS: usize = 250;

/// The acting user's WordPress display name, as the plugin sends it (`X-Volixta-Actor-Name`,
/// percent-encoded UTF-8). `None` when absent, blank, or not text a screen may print.
pub fn actor_name(header: Option<&str>) -> Option<String> {
    let raw = header?;
    let (decoded, _) = form_urlencoded::parse(raw.as_bytes()).next()?;
    let name = decoded.trim();
    let fits = !name.is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && !name.chars().any(char::is_control)
        && !name.contains('\u{fffd}');
    fits.then(|| name.to_owned())
}

/// The address the plugin forwards in `X-Volixta-Client-Ip`, in one canonical text form.
pub fn client_address(header: Option<&str>) -> Option<String> {
    header?
        .trim()
        .parse::<std::net::IpAddr>()
        .ok()
        .map(|ip| match ip {
            std::net::IpAddr::V6(v6) => v6
                .to_ipv4_mapped()
                .map_or_else(|| v6.to_string(), |v4| v4.to_string()),
            std::net::IpAddr::V4(v4) => v4.to_string(),
        })
}

/// The parts of a request the signature covers.
pub struct SignedRequest<'a> {
    pub method: &'a str,
    pub path_and_query: &'a str,
    pub timestamp: &'a str,
    pub nonce: &'a str,
    pub actor: &'a str,
    pub body: &'a [u8],
}

pub fn canonical(r: &SignedRequest<'_>) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        r.method,
        r.path_and_query,
        r.timestamp,
        r.nonce,
        r.actor,
        hex::encode(Sha256::digest(r.body))
    )
}

fn mac(secret: &[u8], r: &SignedRequest<'_>) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(canonical(r).as_bytes());
    mac
}

pub fn sign(secret: &[u8], r: &SignedRequest<'_>) -> String {
    STANDARD.encode(mac(secret, r).finalize().into_bytes())
}

fn valid_nonce(nonce: &str) -> bool {
    (16..=64).contains(&nonce.len())
        && nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What the signature headers say, checked before the body is read: a caller that cannot
/// even produce well-formed, current headers is refused without the service buffering its body.
#[derive(Debug)]
pub struct Credentials {
    pub actor: Actor,
    signature: Vec<u8>,
}

/// Checks the headers alone: the actor's and nonce's shape, the clock window, and that the
/// signature is base64. `now` is unix seconds.
pub fn check_headers(
    actor: &str,
    nonce: &str,
    timestamp: &str,
    signature: &str,
    now: i64,
) -> Result<Credentials, AuthError> {
    let actor = Actor::parse(actor)?;
    if !valid_nonce(nonce) {
        return Err(AuthError::BadNonce);
    }
    let timestamp: i64 = timestamp.parse().map_err(|_| AuthError::BadTimestamp)?;
    // abs_diff cannot overflow, whatever extreme value the caller sends.
    if now.abs_diff(timestamp) > MAX_CLOCK_SKEW_SECONDS.unsigned_abs() {
        return Err(AuthError::BadTimestamp);
    }
    let signature = STANDARD
        .decode(signature)
        .map_err(|_| AuthError::BadSignature)?;
    Ok(Credentials { actor, signature })
}

/// Checks the signature over the whole request, once the body is in.
pub fn check_signature(
    secret: &[u8],
    r: &SignedRequest<'_>,
    credentials: &Credentials,
) -> Result<(), AuthError> {
    // verify_slice compares in constant time.
    mac(secret, r)
        .verify_slice(&credentials.signature)
        .map_err(|_| AuthError::BadSignature)
}

/// Checks everything but the nonce's novelty, which needs the database. `now` is unix seconds.
pub fn verify(
    secret: &[u8],
    r: &SignedRequest<'_>,
    signature: &str,
    now: i64,
) -> Result<Actor, AuthError> {
    let credentials = check_headers(r.actor, r.nonce, r.timestamp, signature, now)?;
    check_signature(secret, r, &credentials)?;
    Ok(credentials.actor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Vectors {
        vectors: Vec<Vector>,
    }

    #[derive(serde::Deserialize)]
    struct Vector {
        secret: String,
        method: String,
        path_and_query: String,
        timestamp: i64,
        nonce: String,
        actor: String,
        body: String,
        canonical: String,
        signature: String,
    }

    fn vectors() -> Vec<Vector> {
        let raw = include_str!("../../../tests/vectors/signing.json");
        serde_json::from_str::<Vectors>(raw)
            .expect("valid vectors")
            .vectors
    }

    fn request<'a>(v: &'a Vector, ts: &'a str) -> SignedRequest<'a> {
        SignedRequest {
            method: &v.method,
            path_and_query: &v.path_and_query,
            timestamp: ts,
            nonce: &v.nonce,
            actor: &v.actor,
            body: v.body.as_bytes(),
        }
    }

    #[test]
    fn shared_vectors_verify() {
        let all = vectors();
        assert!(all.len() >= 5);
        for v in &all {
            let ts = v.timestamp.to_string();
            let r = request(v, &ts);
            assert_eq!(canonical(&r), v.canonical);
            assert_eq!(sign(v.secret.as_bytes(), &r), v.signature);
            let actor = verify(v.secret.as_bytes(), &r, &v.signature, v.timestamp + 10);
            assert_eq!(
                actor.map(|a| a.to_string()).as_deref(),
                Ok(v.actor.as_str())
            );
        }
    }

    #[test]
    fn any_change_breaks_the_signature() {
        let v = &vectors()[2];
        let ts = v.timestamp.to_string();
        let secret = v.secret.as_bytes();
        let now = v.timestamp;
        let base = request(v, &ts);
        let tampered = [
            SignedRequest {
                method: "PUT",
                ..request(v, &ts)
            },
            SignedRequest {
                path_and_query: "/v1/clients?x=1",
                ..request(v, &ts)
            },
            SignedRequest {
                body: b"{}",
                ..request(v, &ts)
            },
            SignedRequest {
                actor: "admin:3",
                ..request(v, &ts)
            },
            SignedRequest {
                nonce: "abcdefghijklmnoq",
                ..request(v, &ts)
            },
        ];
        for r in &tampered {
            assert_eq!(
                verify(secret, r, &v.signature, now),
                Err(AuthError::BadSignature)
            );
        }
        assert_eq!(
            verify(b"wrong", &base, &v.signature, now),
            Err(AuthError::BadSignature)
        );
        assert_eq!(
            verify(secret, &base, "not base64!", now),
            Err(AuthError::BadSignature)
        );
    }

    #[test]
    fn clock_window_is_five_minutes_each_way() {
        let v = &vectors()[0];
        let ts = v.timestamp.to_string();
        let r = request(v, &ts);
        let s = v.secret.as_bytes();
        assert!(verify(s, &r, &v.signature, v.timestamp + 300).is_ok());
        assert!(verify(s, &r, &v.signature, v.timestamp - 300).is_ok());
        assert_eq!(
            verify(s, &r, &v.signature, v.timestamp + 301),
            Err(AuthError::BadTimestamp)
        );
        assert_eq!(
            verify(s, &r, &v.signature, v.timestamp - 301),
            Err(AuthError::BadTimestamp)
        );
    }

    #[test]
    fn extreme_timestamps_are_refused() {
        let v = &vectors()[0];
        let s = v.secret.as_bytes();
        for ts in [i64::MIN, i64::MIN + 1, i64::MAX] {
            let ts = ts.to_string();
            let r = request(v, &ts);
            for now in [v.timestamp, 0] {
                assert_eq!(
                    verify(s, &r, &v.signature, now),
                    Err(AuthError::BadTimestamp),
                    "{ts} at {now}"
                );
            }
        }
    }

    #[test]
    fn actor_header_is_strict() {
        assert!(Actor::parse("manager:1").is_ok());
        for bad in [
            "manager",
            "boss:1",
            "client:",
            "client:-1",
            "client: 1",
            "client:1x",
            "",
        ] {
            assert_eq!(Actor::parse(bad), Err(AuthError::BadActor), "{bad}");
        }
    }

    #[test]
    fn actor_names_are_decoded_and_checked() {
        assert_eq!(
            actor_name(Some("Maria%20Manager")).as_deref(),
            Some("Maria Manager")
        );
        assert_eq!(
            actor_name(Some("Zo%C3%AB%20%2B%201")).as_deref(),
            Some("Zoë + 1")
        );
        assert_eq!(actor_name(Some("%20%20")), None);
        assert_eq!(actor_name(Some("a%0Ab")), None);
        assert_eq!(actor_name(Some("%FF")), None);
        assert_eq!(actor_name(Some(&"x".repeat(251))), None);
        assert_eq!(actor_name(None), None);
    }

    #[test]
    fn nonce_shape() {
        assert!(valid_nonce("abcdefghijklmnop"));
        assert!(valid_nonce(&"Z".repeat(64)));
        assert!(!valid_nonce("short"));
        assert!(!valid_nonce(&"Z".repeat(65)));
        assert!(!valid_nonce("abcdefghijklmno/"));
    }

    #[test]
    fn addresses_are_canonical() {
        assert_eq!(
            client_address(Some(" 203.0.113.9 ")),
            Some("203.0.113.9".into())
        );
        assert_eq!(
            client_address(Some("::ffff:203.0.113.9")),
            Some("203.0.113.9".into())
        );
        assert_eq!(
            client_address(Some("2001:DB8::1")),
            Some("2001:db8::1".into())
        );
        assert_eq!(client_address(Some("not an ip")), None);
        assert_eq!(client_address(None), None);
    }
}
