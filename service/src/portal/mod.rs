//! The client portal of `[volixta_customer_profile]`: HTML fragments rendered from the
//! minijinja templates of `shortcodes/`, which a site owner may override file by file.
mod domain;
mod error;
pub mod http;
mod repo;

pub use error::PortalError;
pub use repo::Templates;

use crate::{auth::Actor, clients, error::ApiResult, settings, state::AppState, wallet};

const HISTORY_ROWS: u16 = 10;

pub async fn customer_profile(state: &AppState, actor: Actor) -> ApiResult<String> {
    let client_id = clients::own_client_id(&state.db, actor).await?;
    let client = clients::get(&state.db, client_id).await?;
    let currency = settings::load(&state.db).await?.currency;
    let history = wallet::history(&state.db, client_id, None, HISTORY_ROWS).await?;
    let view = domain::profile_view(&client, &history, &currency);
    Ok(state.templates.render("customer_profile.html", &view)?)
}
