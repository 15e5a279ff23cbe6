//! One `Config`, read once from `VOLIXTA_*` variables (CONTRACT.md).
use secrecy::SecretString;
use std::{net::SocketAddr, path::PathBuf};

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub table_prefix: String,
    pub listen: SocketAddr,
    pub shared_secret: SecretString,
    pub wc_webhook_secret: Option<SecretString>,
    pub wc_url: Option<String>,
    pub wc_consumer_key: Option<String>,
    pub wc_consumer_secret: Option<SecretString>,
    /// `VOLIXTA_WC_POLL_SECONDS`: how often orders still awaited are asked about, at first.
    pub wc_poll_seconds: u64,
    pub smtp_url: String,
    pub mail_from: String,
    /// Outbox workers on this replica (`VOLIXTA_OUTBOX_WORKERS`); 0 sends nothing from it.
    pub outbox_workers: usize,
    /// Hosts webhook endpoints may name although they resolve to a private, loopback or
    /// link-local address (`VOLIXTA_WEBHOOK_ALLOWED_HOSTS`, comma-separated).
    pub webhook_allowed_hosts: Vec<String>,
    /// A folder whose templates replace the built-in ones of `shortcodes/`, file by file.
    pub template_dir: Option<PathBuf>,
    /// The service's own key for data it seals; None falls back to the shared secret.
    pub data_key: Option<DataKey>,
}

/// `VOLIXTA_DATA_KEY`: 32 bytes, written as 64 hex characters. Never printed.
#[derive(Clone)]
pub struct DataKey([u8; 32]);

impl DataKey {
    pub fn parse(text: &str) -> Option<Self> {
        let mut key = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut key).ok()?;
        Some(Self(key))
    }

    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "VOLIXTA_SHARED_SECRET is not set: set it to the secret configured in the WordPress plugin (Settings → Volixta)"
    )]
    MissingSecret,
    #[error("VOLIXTA_LISTEN={0:?} is not an address like 127.0.0.1:8787")]
    BadListen(String),
    #[error("VOLIXTA_TABLE_PREFIX={0:?} may contain only letters, digits and underscores")]
    BadPrefix(String),
    #[error("VOLIXTA_OUTBOX_WORKERS={0:?} is not a number from 0 to 64")]
    BadWorkers(String),
    #[error(
        "VOLIXTA_DATA_KEY must be 64 hexadecimal characters (32 bytes), e.g. from `openssl rand -hex 32`"
    )]
    BadDataKey,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// `a.example, B.example:8080 ,` → `["a.example", "b.example:8080"]`.
fn host_list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect()
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let shared_secret = var("VOLIXTA_SHARED_SECRET").ok_or(ConfigError::MissingSecret)?;
        let listen_raw = var("VOLIXTA_LISTEN").unwrap_or_else(|| "127.0.0.1:8787".into());
        let listen = listen_raw
            .parse()
            .map_err(|_| ConfigError::BadListen(listen_raw.clone()))?;
        let table_prefix = var("VOLIXTA_TABLE_PREFIX").unwrap_or_else(|| "wp_".into());
        if !crate::db::is_valid_prefix(&table_prefix) {
            return Err(ConfigError::BadPrefix(table_prefix));
        }
        let data_key = var("VOLIXTA_DATA_KEY")
            .map(|key| DataKey::parse(&key).ok_or(ConfigError::BadDataKey))
            .transpose()?;
        let outbox_workers = match var("VOLIXTA_OUTBOX_WORKERS") {
            None => 2,
            Some(raw) => raw
                .trim()
                .parse()
                .ok()
                .filter(|n| *n <= 64)
                .ok_or(ConfigError::BadWorkers(raw))?,
        };
        Ok(Self {
            database_url: var("VOLIXTA_DATABASE_URL")
                .unwrap_or_else(|| "mysql://root@127.0.0.1:3306/wordpress".into()),
            table_prefix,
            listen,
            shared_secret: shared_secret.into(),
            wc_webhook_secret: var("VOLIXTA_WC_WEBHOOK_SECRET").map(Into::into),
            wc_url: var("VOLIXTA_WC_URL"),
            wc_consumer_key: var("VOLIXTA_WC_CONSUMER_KEY"),
            wc_consumer_secret: var("VOLIXTA_WC_CONSUMER_SECRET").map(Into::into),
            wc_poll_seconds: var("VOLIXTA_WC_POLL_SECONDS")
                .and_then(|s| s.trim().parse().ok())
                .filter(|s| *s > 0)
                .unwrap_or(60),
            smtp_url: var("VOLIXTA_SMTP_URL").unwrap_or_else(|| "smtp://127.0.0.1:1025".into()),
            mail_from: var("VOLIXTA_MAIL_FROM")
                .unwrap_or_else(|| "Volixta <no-reply@localhost>".into()),
            outbox_workers,
            webhook_allowed_hosts: var("VOLIXTA_WEBHOOK_ALLOWED_HOSTS")
                .map(|v| host_list(&v))
                .unwrap_or_default(),
            template_dir: var("VOLIXTA_TEMPLATE_DIR").map(PathBuf::from),
            data_key,
        })
    }

    /// A configuration for tests and tools that do not read the environment.
    pub fn for_database(database_url: String, table_prefix: &str, shared_secret: &str) -> Self {
        Self {
            database_url,
            table_prefix: table_prefix.into(),
            listen: ([127, 0, 0, 1], 0).into(),
            shared_secret: shared_secret.to_owned().into(),
            wc_webhook_secret: None,
            wc_url: None,
            wc_consumer_key: None,
            wc_consumer_secret: None,
            wc_poll_seconds: 60,
            smtp_url: "smtp://127.0.0.1:1025".into(),
            mail_from: "Volixta <no-reply@localhost>".into(),
            outbox_workers: 2,
            webhook_allowed_hosts: Vec::new(),
            template_dir: None,
            data_key: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DataKey;

    #[test]
    fn a_data_key_is_64_hex_characters() {
        let hex = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";
        let key = DataKey::parse(hex).expect("valid");
        assert_eq!(key.expose()[1], 0x11);
        assert_eq!(key.expose()[31], 0xff);
        assert_eq!(format!("{key:?}"), "DataKey(…)");
        for bad in [
            &hex[..62],
            &format!("{hex}00"),
            &hex.replace('0', "g"),
            "",
            "not a key",
        ] {
            assert!(DataKey::parse(bad).is_none(), "{bad}");
        }
    }
}
