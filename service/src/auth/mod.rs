//! Who is calling: the plugin signs every `/v1/` request (CONTRACT.md) and names the actor;
//! the service trusts the actor only once the signature, the clock and the nonce check out.
mod domain;
mod error;
pub mod http;
mod repo;

pub use domain::{
    Actor, Credentials, Role, SignedRequest, actor_name, canonical, check_headers, check_signature,
    client_address, sign, verify,
};
pub use error::AuthError;

/// The visitor's address as the plugin saw it (`REMOTE_ADDR`, or what the trusted proxies
/// forwarded), for the limits per address (wrong gift codes, the booking form). It is not part
/// of the signature; only the plugin can reach the service.
pub const CLIENT_IP_HEADER: &str = "x-volixta-client-ip";

/// The visitor's address of a request, in canonical form, when the plugin sent one.
pub fn visitor_address(headers: &axum::http::HeaderMap) -> Option<String> {
    client_address(headers.get(CLIENT_IP_HEADER).and_then(|v| v.to_str().ok()))
}
pub use repo::purge_expired_nonces;

use crate::db::{Db, DbError};
use std::collections::HashMap;

/// The display names WordPress gave these actors (`manager:2` → "Maria Manager"), for those
/// the plugin has named in a change; others are left out.
pub async fn display_names(db: &Db, actors: &[&str]) -> Result<HashMap<String, String>, DbError> {
    Ok(repo::names_of(db, actors).await?.into_iter().collect())
}

impl Actor {
    /// Admin and manager: the back office.
    pub fn require_manager(&self) -> Result<(), AuthError> {
        if self.is_manager() {
            Ok(())
        } else {
            Err(AuthError::Forbidden)
        }
    }

    /// Admin, manager or employee: the people who serve clients.
    pub fn require_staff(&self) -> Result<(), AuthError> {
        if self.is_manager() || self.role == Role::Employee {
            Ok(())
        } else {
            Err(AuthError::Forbidden)
        }
    }

    /// Admin, manager or a client: for resources a client may see when they are its own (the
    /// caller checks ownership). Checked before any lookup, so that the other roles get the same
    /// 403 whether the resource exists or not.
    pub fn require_manager_or_client(&self) -> Result<(), AuthError> {
        if self.is_manager() || self.role == Role::Client {
            Ok(())
        } else {
            Err(AuthError::Forbidden)
        }
    }

    pub fn require_admin(&self) -> Result<(), AuthError> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(AuthError::Forbidden)
        }
    }
}

/// The actors the plugin has named, ordered by name (`(actor, name)`), for a filter to offer.
pub async fn named_actors(db: &Db, limit: u32) -> Result<Vec<(String, String)>, DbError> {
    repo::all_names(db, limit).await
}
