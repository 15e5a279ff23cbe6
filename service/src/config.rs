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
    pub smtp_url: String,
    pub mail_from: String,
    /// A folder whose templates replace the built-in ones of `shortcodes/`, file by file.
    pub template_dir: Option<PathBuf>,
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
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
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
            smtp_url: var("VOLIXTA_SMTP_URL").unwrap_or_else(|| "smtp://127.0.0.1:1025".into()),
            mail_from: var("VOLIXTA_MAIL_FROM")
                .unwrap_or_else(|| "Volixta <no-reply@localhost>".into()),
            template_dir: var("VOLIXTA_TEMPLATE_DIR").map(PathBuf::from),
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
            smtp_url: "smtp://127.0.0.1:1025".into(),
            mail_from: "Volixta <no-reply@localhost>".into(),
            template_dir: None,
        }
    }
}
