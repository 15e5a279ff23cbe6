use super::IdempotencyError;
use sha2::{Digest, Sha256};

/// 1–255 visible ASCII characters, as sent by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<Self, IdempotencyError> {
        if raw.is_empty() || raw.len() > 255 || !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(IdempotencyError::MalformedKey);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What makes two requests "the same": the route and the body.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update(b"\n");
    h.update(path.as_bytes());
    h.update(b"\n");
    h.update(body);
    hex::encode(h.finalize())
}

pub struct Stored {
    pub request_hash: String,
    pub status: Option<u16>,
    pub body: Option<Vec<u8>>,
}

/// The first request's answer: its status code and JSON body.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

pub fn replay(stored: Stored, request_fingerprint: &str) -> Result<Answer, IdempotencyError> {
    if stored.request_hash != request_fingerprint {
        return Err(IdempotencyError::KeyReused);
    }
    match (stored.status, stored.body) {
        (Some(status), Some(body)) => Ok(Answer { status, body }),
        // A committed key always has its answer; this only guards against manual edits.
        _ => Err(IdempotencyError::InFlight),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii() {
        assert!(IdempotencyKey::parse("order-42_retry").is_ok());
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse("has space").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(256)).is_err());
    }

    #[test]
    fn same_key_other_body_is_refused() {
        let stored = Stored {
            request_hash: fingerprint("POST", "/v1/x", b"{}"),
            status: Some(201),
            body: Some(b"{}".to_vec()),
        };
        assert!(matches!(
            replay(stored, &fingerprint("POST", "/v1/x", b"{\"a\":1}")),
            Err(IdempotencyError::KeyReused)
        ));
    }
}
