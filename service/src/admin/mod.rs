//! The wp-admin screens: HTML fragments the plugin's admin pages show, rendered from the
//! templates of `shortcodes/admin/`. The screens decide nothing themselves: they read and change
//! clients through the clients domain, which applies its rules as for any other caller.
mod activity;
pub(crate) mod bookings;
mod client;
mod clientdata;
mod credits;
pub mod display;
mod domain;
mod emails;
mod error;
pub(crate) mod form;
pub mod http;
mod invoices;
mod marketing;
mod my_bookings;
pub mod new_booking;
mod packages;
mod payments;
pub mod picker;
pub(crate) mod profile;
pub(crate) mod setup;
mod staff;
mod webhooks;

pub use domain::{Action, BulkForm, ClientsQuery, ClientsScreen, Outcome, View};
pub use error::AdminError;

use crate::{
    auth::Actor,
    catalog,
    clients::{self, ClientError, ClientInput},
    db::Db,
    error::{ApiError, ApiResult},
};
use domain::{Lists, Named};

/// The Clients screen for a query, with the outcome of the action that led to it.
pub async fn clients_screen(
    db: &Db,
    query: &ClientsQuery,
    outcome: Option<Outcome>,
) -> ApiResult<ClientsScreen> {
    let page = clients::list(db, &query.list_query()?).await?;
    let (clients, next) = (page.items, page.next_cursor);
    let statuses = clients::list_statuses(db).await?;
    let groups = clients::list_groups(db).await?;
    let services: Vec<Named> = catalog::services(db)
        .await?
        .into_iter()
        .map(|s| Named {
            id: s.id,
            name: s.name,
        })
        .collect();
    let categories: Vec<Named> = catalog::categories(db)
        .await?
        .into_iter()
        .map(|c| Named {
            id: c.id,
            name: c.name,
        })
        .collect();
    let lists = Lists {
        statuses: &statuses,
        groups: &groups,
        services: &services,
        categories: &categories,
    };
    Ok(ClientsScreen::new(
        query,
        &clients,
        next.as_deref(),
        &lists,
        outcome,
    ))
}

/// Applies a gift code to a client's wallet through the idempotency wrapper, answering the
/// client's new balance, or the refusal (a vanished code, revoked, already redeemed, …) that a
/// screen shows beside its form.
pub(crate) async fn apply_code<C>(
    request: &crate::idempotency::Idempotent<C>,
    db: &Db,
    site: &crate::i18n::Locale,
    code_id: u64,
    client_id: u64,
) -> ApiResult<Result<String, String>> {
    let actor = request.actor;
    let applied = request
        .run(db, axum::http::StatusCode::OK, |mut tx| async move {
            let result = crate::gift_codes::apply(&mut tx, db, actor, code_id, client_id).await;
            (tx, result.map(|credited| credited.transaction))
        })
        .await;
    match applied {
        Ok(_) => {
            let balance = clients::get(db, client_id).await?.wallet_balance;
            Ok(Ok(display::Formats::site_money(db, site, balance).await?))
        }
        Err(ApiError::NotFound) => Ok(Err("gift code not found".into())),
        Err(ApiError::Invalid { message, .. } | ApiError::Conflict { message, .. }) => {
            Ok(Err(message))
        }
        Err(e) => Err(e),
    }
}

/// Applies a row or bulk action to each client, in order; one that fails does not stop the
/// others, except that once the client limit is reached no further client is restored.
pub async fn apply(
    db: &Db,
    actor: Actor,
    view: View,
    action: Option<Action>,
    ids: &[u64],
    group_id: Option<u64>,
) -> ApiResult<Outcome> {
    let Some(action) = action else {
        return Ok(Outcome::refused("no_action"));
    };
    if ids.is_empty() {
        return Ok(Outcome::refused("no_selection"));
    }
    let fits = match action {
        Action::AddToGroup | Action::Export => view == View::All,
        other => other.fits(view),
    };
    if !fits {
        return Ok(Outcome::refused("wrong_view"));
    }
    let mut outcome = Outcome {
        action: Some(action),
        ..Outcome::default()
    };
    match action {
        Action::Export => {
            let found = existing(db, ids, &mut outcome).await?;
            let found: Vec<String> = found.iter().map(u64::to_string).collect();
            outcome.export_ids = (!found.is_empty()).then(|| found.join(","));
        }
        Action::AddToGroup => {
            let Some(group_id) = group_id else {
                return Ok(Outcome::refused("no_group"));
            };
            let found = existing(db, ids, &mut outcome).await?;
            let group = if found.is_empty() {
                clients::get_group(db, group_id).await?
            } else {
                clients::change_members(db, actor, group_id, &found, true)
                    .await?
                    .0
            };
            outcome.group = Some(group.name);
        }
        Action::Block | Action::Unblock | Action::Delete | Action::Restore => {
            for &id in ids {
                let Ok(client) = clients::get(db, id).await else {
                    outcome.failed.push(format!("#{id}"));
                    continue;
                };
                let name = client.full_name();
                if !outcome.over_limit.is_empty() {
                    outcome.over_limit.push(name);
                    continue;
                }
                match one(db, actor, action, id).await {
                    Ok(()) => outcome.done.push(name),
                    Err(ClientError::LimitReached) => outcome.over_limit.push(name),
                    // Refusals of this one client's state; the others go on.
                    Err(
                        ClientError::NotFound
                        | ClientError::NotDeleted
                        | ClientError::NotLive
                        | ClientError::MergeNotLive
                        | ClientError::WpUserTaken
                        | ClientError::Blocked
                        | ClientError::ImportRunning,
                    ) => outcome.failed.push(name),
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    Ok(outcome)
}

async fn one(db: &Db, actor: Actor, action: Action, id: u64) -> Result<(), ClientError> {
    match action {
        Action::Block | Action::Unblock => {
            let input = ClientInput {
                blocked: Some(action == Action::Block),
                ..ClientInput::default()
            };
            clients::update(db, actor, id, input).await?;
        }
        Action::Delete => {
            clients::delete(db, actor, id).await?;
        }
        Action::Restore => {
            clients::restore(db, actor, id).await?;
        }
        Action::AddToGroup | Action::Export => {}
    }
    Ok(())
}

/// The ids that name a live client; their names go to `done`, the others to `failed`.
async fn existing(db: &Db, ids: &[u64], outcome: &mut Outcome) -> ApiResult<Vec<u64>> {
    let mut found = Vec::with_capacity(ids.len());
    for &id in ids {
        match clients::get(db, id).await {
            Ok(client) if client.is_live() => {
                outcome.done.push(client.full_name());
                found.push(id);
            }
            Ok(client) => outcome.failed.push(client.full_name()),
            Err(ClientError::NotFound) => outcome.failed.push(format!("#{id}")),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(found)
}
