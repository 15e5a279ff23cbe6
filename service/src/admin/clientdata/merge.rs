//! Likely duplicates and the merge of two profiles: the screens read the clients domain's list of
//! duplicates and merge through its own function, as the JSON API does.
use super::super::{
    display::{Clock, Formats},
    profile::{ClientView, Notice},
};
use crate::{
    bookings,
    clients::{self, Client, DuplicateReason, ListQuery, Sort},
    db::Db,
    error::ApiResult,
    i18n::Locale,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// Groups shown at once; the rest come once these are merged or dismissed.
const GROUPS_SHOWN: usize = 50;
/// Candidates a merge search offers.
const CANDIDATES: u16 = 10;

/// A client in a list of this screen.
#[derive(Debug, Serialize)]
pub struct Person {
    pub id: u64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub status: String,
    pub created: String,
}

impl Person {
    fn of(c: &Client, clock: Clock) -> Self {
        Self {
            id: c.id,
            name: c.full_name(),
            email: c.email.clone().unwrap_or_default(),
            phone: c.phone.clone().unwrap_or_default(),
            status: c.status.clone(),
            created: clock.when(c.created_at),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DuplicateView {
    /// `email`, `phone` or `name`: what the profiles share.
    pub reason: DuplicateReason,
    /// The oldest profile, which the others are compared with.
    pub first: Person,
    pub others: Vec<Person>,
}

#[derive(Debug, Serialize)]
pub struct DuplicatesScreen {
    pub page: String,
    /// The zone the times are in.
    pub timezone: &'static str,
    pub groups: Vec<DuplicateView>,
    /// More groups exist than are shown.
    pub truncated: bool,
    pub notice: Option<Notice>,
}

pub async fn duplicates_screen(
    db: &Db,
    page: &str,
    notice: Option<Notice>,
) -> ApiResult<DuplicatesScreen> {
    let (groups, truncated) = clients::find_duplicates(db, GROUPS_SHOWN).await?;
    let clock = Clock::business(db).await?;
    let groups = groups
        .into_iter()
        .filter_map(|g| {
            let mut people = g.clients.iter().map(|c| Person::of(c, clock));
            let first = people.next()?;
            Some(DuplicateView {
                reason: g.reason,
                first,
                others: people.collect(),
            })
        })
        .collect();
    Ok(DuplicatesScreen {
        page: page.to_owned(),
        timezone: clock.name(),
        groups,
        truncated,
        notice,
    })
}

/// One profile of the comparison, with what moves when it is merged into the other.
#[derive(Debug, Serialize)]
pub struct Side {
    pub c: ClientView,
    pub bookings: u64,
    pub groups: Vec<String>,
}

async fn side(
    db: &Db,
    client: &Client,
    fmt: &Formats,
    clock: Clock,
    names: &BTreeMap<u64, String>,
) -> ApiResult<Side> {
    Ok(Side {
        c: ClientView::new(client, fmt, clock),
        bookings: bookings::count_for_client(db, client.id).await?,
        groups: client
            .groups
            .iter()
            .filter_map(|g| names.get(g).cloned())
            .collect(),
    })
}

#[derive(Debug, Serialize)]
pub struct MergeScreen {
    pub page: String,
    /// The zone the times are in.
    pub timezone: &'static str,
    /// The profile the screen was opened for.
    pub client: Side,
    /// The profile it is compared with, once chosen.
    pub other: Option<Side>,
    /// Which one to keep: the client's id unless the form said otherwise.
    pub keep: u64,
    pub search: String,
    /// Live clients matching `search`, to compare with.
    pub candidates: Vec<Person>,
    pub idempotency_key: String,
    pub notice: Option<Notice>,
}

pub struct MergeQuery<'a> {
    pub page: &'a str,
    pub client_id: u64,
    pub with: Option<u64>,
    pub search: &'a str,
    pub keep: Option<u64>,
}

pub async fn merge_screen(
    db: &Db,
    site: &Locale,
    q: &MergeQuery<'_>,
    notice: Option<Notice>,
) -> ApiResult<MergeScreen> {
    let client = clients::get(db, q.client_id).await?;
    let fmt = Formats::load(db, site).await?;
    let clock = Clock::business(db).await?;
    let names: BTreeMap<u64, String> = clients::list_groups(db)
        .await?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect();
    let other = match q.with {
        Some(id) if id != client.id => {
            let other = clients::get(db, id).await?;
            Some(side(db, &other, &fmt, clock, &names).await?)
        }
        _ => None,
    };
    let search = q.search.trim();
    let candidates = if other.is_none() && !search.is_empty() {
        let query = ListQuery {
            search: Some(search.to_owned()),
            sort: Some(Sort::Name),
            limit: Some(CANDIDATES + 1),
            ..ListQuery::default()
        };
        clients::list(db, &query)
            .await?
            .items
            .iter()
            .filter(|c| c.id != client.id)
            .take(usize::from(CANDIDATES))
            .map(|c| Person::of(c, clock))
            .collect()
    } else {
        Vec::new()
    };
    let keep = match (q.keep, &other) {
        (Some(k), Some(o)) if k == o.c.id => k,
        _ => client.id,
    };
    Ok(MergeScreen {
        page: q.page.to_owned(),
        timezone: clock.name(),
        client: side(db, &client, &fmt, clock, &names).await?,
        other,
        keep,
        search: search.to_owned(),
        candidates,
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        notice,
    })
}
