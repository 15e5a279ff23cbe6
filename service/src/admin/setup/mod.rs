//! The setup screens of wp-admin: locations, services and their categories, and the site's time
//! rules and settings. They decide nothing themselves: the catalog, bookings' price rules and
//! the settings domain apply their rules as for any other caller.
pub(crate) mod fields;
mod locations;
mod services;
mod settings;

use crate::{
    error::{ApiError, ApiResult},
    state::AppState,
};
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(locations::routes())
        .merge(services::routes())
        .merge(settings::routes())
}

/// Every IANA zone name chrono-tz knows, for the forms' searchable lists.
fn zone_names() -> Vec<&'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect()
}

/// A screen's query: `<key>=<id>` (that record's form), `action=new` (a blank form), or nothing
/// (the list): `Some(Some(id))`, `Some(None)`, `None`.
fn route(raw: Option<&str>, key: &str) -> ApiResult<Option<Option<u64>>> {
    let mut id = None;
    let mut new = false;
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        if k == key {
            id =
                Some(v.parse::<u64>().map_err(|_| {
                    ApiError::invalid("invalid_query", format!("{key} must be an id"))
                })?);
        } else if k == "action" && v == "new" {
            new = true;
        }
    }
    Ok(match (id, new) {
        (Some(id), _) => Some(Some(id)),
        (None, true) => Some(None),
        (None, false) => None,
    })
}
