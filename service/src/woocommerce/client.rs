//! The WooCommerce REST API (v3), as the service calls it: OAuth 1.0a in the query string over
//! plain HTTP, HTTP Basic over HTTPS (WooCommerce accepts each only there).
use super::{domain::Order, oauth};
use crate::config::Config;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Clone)]
pub struct WcClient {
    base: String,
    key: String,
    secret: SecretString,
    http: reqwest::Client,
}

#[derive(Debug, thiserror::Error)]
pub enum WcError {
    #[error("WooCommerce could not be reached: {0}")]
    Unreachable(String),
    /// 401/403: the keys are wrong, revoked or read-only.
    #[error("WooCommerce refused the REST API keys ({status}): {message}")]
    Refused { status: u16, message: String },
    #[error("WooCommerce has no such order")]
    NotFound,
    #[error("WooCommerce answered {status}: {message}")]
    Failed { status: u16, message: String },
}

/// A webhook as `GET /wp-json/wc/v3/webhooks` lists it.
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Webhook {
    pub id: u64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub delivery_url: String,
}

impl WcClient {
    /// `None` unless the store's URL and both keys are configured.
    pub fn from_config(config: &Config) -> Option<Self> {
        let base = config.wc_url.as_deref()?.trim_end_matches('/').to_owned();
        Some(Self {
            base,
            key: config.wc_consumer_key.clone()?,
            secret: config.wc_consumer_secret.clone()?,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .ok()?,
        })
    }

    pub fn store_url(&self) -> &str {
        &self.base
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let url = format!("{}{path}", self.base);
        if self.base.starts_with("https://") {
            return self
                .http
                .request(method, url)
                .basic_auth(&self.key, Some(self.secret.expose_secret()));
        }
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let query = oauth::signed_query(
            method.as_str(),
            &url,
            &[],
            &self.key,
            self.secret.expose_secret(),
            chrono::Utc::now().timestamp(),
            &nonce,
        );
        self.http.request(method, format!("{url}?{query}"))
    }

    async fn send<T: for<'de> Deserialize<'de>>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<T, WcError> {
        let res = req
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| WcError::Unreachable(e.to_string()))?;
        let status = res.status().as_u16();
        let text = res
            .text()
            .await
            .map_err(|e| WcError::Unreachable(e.to_string()))?;
        if (200..300).contains(&status) {
            return serde_json::from_str(&text).map_err(|e| WcError::Failed {
                status,
                message: format!("unreadable answer: {e}"),
            });
        }
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| text.chars().take(200).collect());
        Err(match status {
            401 | 403 => WcError::Refused { status, message },
            404 => WcError::NotFound,
            _ => WcError::Failed { status, message },
        })
    }

    pub async fn create_order(&self, body: &serde_json::Value) -> Result<Order, WcError> {
        self.send(
            self.request(reqwest::Method::POST, "/wp-json/wc/v3/orders")
                .json(body),
        )
        .await
    }

    pub async fn order(&self, id: u64) -> Result<Order, WcError> {
        self.send(self.request(reqwest::Method::GET, &format!("/wp-json/wc/v3/orders/{id}")))
            .await
    }

    pub async fn webhooks(&self) -> Result<Vec<Webhook>, WcError> {
        self.send(self.request(reqwest::Method::GET, "/wp-json/wc/v3/webhooks"))
            .await
    }
}
