//! The rules of outbound webhooks: which topics exist, which URLs may be called, and how a
//! delivery is signed.
use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::net::IpAddr;

pub const TOPICS: &[&str] = &[
    "booking.created",
    "booking.rescheduled",
    "booking.cancelled",
    "booking.status_changed",
    "payment.received",
    "client.created",
    "client.updated",
    "client.merged",
    "wallet.changed",
    "package.assigned",
];

pub const TOPIC_HEADER: &str = "x-volixta-webhook-topic";
pub const DELIVERY_HEADER: &str = "x-volixta-webhook-delivery-id";
pub const SIGNATURE_HEADER: &str = "x-volixta-webhook-signature";
/// Unix seconds of this try, for receivers that refuse stale deliveries.
pub const TIMESTAMP_HEADER: &str = "x-volixta-webhook-timestamp";

/// base64(HMAC-SHA256(secret, raw body)).
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// A checked list of topics: known names, no repeats, at least one.
pub fn topics(raw: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for t in raw {
        let t = t.trim();
        if !TOPICS.contains(&t) {
            return Err(format!(
                "unknown topic {t:?}; topics are {}",
                TOPICS.join(", ")
            ));
        }
        if !out.iter().any(|o| o == t) {
            out.push(t.to_owned());
        }
    }
    if out.is_empty() {
        return Err("at least one topic".into());
    }
    Ok(out)
}

/// A secret is 16 to 200 printable characters.
pub fn secret(raw: &str) -> Result<String, String> {
    let n = raw.chars().count();
    if !(16..=200).contains(&n) || raw.chars().any(char::is_control) {
        return Err("16 to 200 characters".into());
    }
    Ok(raw.to_owned())
}

/// An endpoint URL: http or https, a host, no credentials, at most 2000 characters.
pub fn url(raw: &str) -> Result<reqwest::Url, String> {
    let raw = raw.trim();
    if raw.len() > 2000 {
        return Err("at most 2000 characters".into());
    }
    let url = reqwest::Url::parse(raw).map_err(|_| "an http:// or https:// URL".to_owned())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("an http:// or https:// URL".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL names no host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("put credentials in the secret, not the URL".into());
    }
    Ok(url)
}

/// Whether the URL's host is on the operator's list of hosts that may be private: listed as
/// `host`, `host:port`, `[v6]` or `[v6]:port`.
pub fn allowed(url: &reqwest::Url, allowed_hosts: &[String]) -> bool {
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let port = url.port_or_known_default().unwrap_or(0);
    let forms = [
        host.clone(),
        format!("{host}:{port}"),
        format!("[{host}]"),
        format!("[{host}]:{port}"),
    ];
    allowed_hosts.iter().any(|a| forms.contains(a))
}

/// An address on the public internet: not loopback, private, link-local, shared (CGNAT),
/// multicast, unspecified, documentation or otherwise reserved. Webhooks go only there unless
/// the operator lists the host, so an admin cannot make the service call into its own network.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || (o[0] == 198 && (18..20).contains(&o[1]))
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8)
                || (s[0] == 0x64 && s[1] == 0xff9b))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_base64_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            STANDARD.encode(
                hex::decode("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
                    .expect("hex")
            )
        );
    }

    #[test]
    fn private_and_reserved_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
        ] {
            assert!(!is_public(ip.parse().expect("ip")), "{ip}");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_public(ip.parse().expect("ip")), "{ip}");
        }
    }

    #[test]
    fn urls_topics_and_allowed_hosts_are_checked() {
        assert!(url("ftp://example.com/").is_err());
        assert!(url("https://user:pw@example.com/").is_err());
        assert!(url("not a url").is_err());
        let u = url("http://127.0.0.1:9000/hook").expect("url");
        assert!(allowed(&u, &["127.0.0.1".into()]));
        assert!(allowed(&u, &["127.0.0.1:9000".into()]));
        assert!(!allowed(&u, &["127.0.0.1:9001".into()]));
        assert!(!allowed(&u, &[]));
        assert!(
            topics(&["booking.created".into(), "booking.created".into()])
                .is_ok_and(|t| t.len() == 1)
        );
        assert!(topics(&["booking.eaten".into()]).is_err());
        assert!(topics(&[]).is_err());
        assert!(secret("short").is_err());
        assert!(secret("a-long-enough-secret").is_ok());
    }
}
