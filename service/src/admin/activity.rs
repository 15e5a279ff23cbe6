//! wp-admin → Volixta → Activity: the audit log across the business, newest first, narrowed by
//! client, actor, kind of change and period, paged by entry id; times on the business's clock
//! and actors by name.
use super::{
    display::{Clock, Names, Who},
    profile::{self, ActivityRow},
};
use crate::{
    admin::http::page,
    audit::{self, Search},
    auth::Actor,
    clients::{self, ListQuery},
    db::Db,
    error::{ApiError, ApiResult},
    paging::PageRequest,
    state::AppState,
};
use axum::{
    extract::{RawQuery, State},
    http::HeaderMap,
    response::Html,
};
use chrono::{Duration, NaiveDate, TimeZone};
use serde::Serialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(activity_screen))
}

const PAGE: &str = "volixta-activity";
const PER_PAGE: u16 = 25;

/// The screen's filters as typed (`client`: an id, or part of a name, e-mail or phone).
#[derive(Debug, Default, Serialize)]
struct Filters {
    client: String,
    actor: String,
    kind: String,
    from: String,
    to: String,
    #[serde(skip)]
    before: Option<u64>,
}

impl Filters {
    fn parse(raw: Option<&str>) -> ApiResult<Self> {
        let mut f = Self::default();
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let value = value.trim().to_owned();
            match key.as_ref() {
                "client" => f.client = value,
                "actor" => f.actor = value,
                "kind" => f.kind = value,
                "from" => f.from = value,
                "to" => f.to = value,
                "before" if !value.is_empty() => {
                    f.before = Some(
                        value
                            .parse()
                            .map_err(|_| ApiError::field("before", "an entry id"))?,
                    );
                }
                _ => {}
            }
        }
        Ok(f)
    }

    /// The query string of these filters (without the cursor), for links and paging.
    fn query(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("page", PAGE);
        for (k, v) in [
            ("client", &self.client),
            ("actor", &self.actor),
            ("kind", &self.kind),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        q.finish()
    }
}

fn date(value: &str, field: &str) -> Result<Option<NaiveDate>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("{field}: a date like 2026-12-01"))
}

#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    who: Who,
}

#[derive(Debug, Serialize)]
struct ActivityScreen {
    page: &'static str,
    filters: Filters,
    errors: std::collections::BTreeMap<&'static str, String>,
    actors: Vec<Choice>,
    kinds: Vec<String>,
    rows: Vec<ActivityRow>,
    /// Which client each row is about: (id, name).
    subjects: Vec<(u64, String)>,
    timezone: &'static str,
    next_page: Option<String>,
    first_page: String,
    is_first_page: bool,
}

async fn screen(db: &Db, filters: Filters) -> ApiResult<ActivityScreen> {
    let clock = Clock::business(db).await?;
    let zone = clock.zone();
    let mut errors = std::collections::BTreeMap::new();
    let midnight = |d: NaiveDate| {
        let local = d.and_hms_opt(0, 0, 0).unwrap_or_default();
        zone.from_local_datetime(&local)
            .earliest()
            // A midnight skipped by a clock change: the day starts an hour later.
            .or_else(|| {
                zone.from_local_datetime(&(local + Duration::hours(1)))
                    .earliest()
            })
            .map(|t| t.with_timezone(&chrono::Utc))
    };
    let from = date(&filters.from, "from").unwrap_or_else(|e| {
        errors.insert("from", e);
        None
    });
    let to = date(&filters.to, "to").unwrap_or_else(|e| {
        errors.insert("to", e);
        None
    });
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        errors.insert("to", "to: may not be before from".into());
    }
    let entity_ids = match filters.client.as_str() {
        "" => None,
        typed => match typed.parse::<u64>() {
            Ok(id) => Some(vec![id]),
            Err(_) => {
                let query = ListQuery {
                    search: Some(typed.to_owned()),
                    include_deleted: Some(true),
                    limit: Some(100),
                    ..ListQuery::default()
                };
                Some(
                    clients::list(db, &query)
                        .await?
                        .items
                        .iter()
                        .map(|c| c.id)
                        .collect(),
                )
            }
        },
    };
    let search = Search {
        entity: entity_ids.as_ref().map(|_| clients::ENTITY.to_owned()),
        entity_ids,
        actor: (!filters.actor.is_empty()).then(|| filters.actor.clone()),
        action: (!filters.kind.is_empty()).then(|| filters.kind.clone()),
        from: from.and_then(midnight),
        until: to.and_then(|t| midnight(t + Duration::days(1))),
    };
    let (actor_values, kinds) = audit::choices(db).await?;
    let (entries, next) = if errors.is_empty() {
        let page = audit::search(
            db,
            &search,
            PageRequest::new(filters.before, Some(PER_PAGE)),
        )
        .await?;
        (page.items, page.next_cursor)
    } else {
        (Vec::new(), None)
    };
    let names = Names::of(
        db,
        actor_values
            .iter()
            .map(String::as_str)
            .chain(entries.iter().map(|e| e.actor.as_str())),
    )
    .await?;
    let mut subjects = Vec::with_capacity(entries.len());
    for e in &entries {
        let name = if e.entity == clients::ENTITY {
            clients::get(db, e.entity_id)
                .await
                .map(|c| c.full_name())
                .unwrap_or_default()
        } else {
            String::new()
        };
        subjects.push((e.entity_id, name));
    }
    let base = filters.query();
    Ok(ActivityScreen {
        page: PAGE,
        errors,
        actors: actor_values
            .into_iter()
            .map(|value| Choice {
                who: names.who(&value),
                value,
            })
            .collect(),
        kinds,
        rows: profile::activity_rows(&entries, clock, &names),
        subjects,
        timezone: clock.name(),
        next_page: next.map(|id| format!("{base}&before={id}")),
        is_first_page: filters.before.is_none(),
        first_page: base,
        filters,
    })
}

#[utoipa::path(get, path = "/v1/render/admin/activity", tag = "admin",
    description = "The Activity screen of wp-admin as an HTML fragment: the audit log across the business, newest first, with the filters `client` (a client id, or part of a name, e-mail or phone), `actor` (`role:wp_user_id` or `system`), `kind` (the action: create, update, delete, …), `from` and `to` (dates on the business's clock) and the keyset cursor `before` (an entry id). Managers and admins only.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 422)))]
async fn activity_screen(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let filters = Filters::parse(raw.as_deref())?;
    let view = screen(&state.db, filters).await?;
    page(&state, &headers, "admin/activity.html", &view)
}
