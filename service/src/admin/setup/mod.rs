//! The setup screens of wp-admin: locations, services and their categories, and the site's time
//! rules and settings. They decide nothing themselves: the catalog, bookings' price rules and
//! the settings domain apply their rules as for any other caller.
pub(super) mod fields;
mod locations;
mod services;
mod settings;

use crate::state::AppState;
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
