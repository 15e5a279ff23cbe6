//! The setup screens of wp-admin: locations, services and their categories, and the site's time
//! rules and settings. They decide nothing themselves: the catalog, bookings' price rules and
//! the settings domain apply their rules as for any other caller.
pub(super) mod fields;
mod locations;
mod services;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(locations::routes())
        .merge(services::routes())
}
