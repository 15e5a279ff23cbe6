//! wp-admin → Volixta → Credits & Gifts (`?page=volixta-credits`): the gift codes with their
//! redemptions (create, revoke, apply to a client, e-mail to clients) and every wallet movement
//! of the business with filters. Codes change only through the gift codes domain and the
//! wallet only through the wallet's ledger; this screen words what they answer.
//!
//! The screen's state is its query string: `tab=gift-codes|movements`; on gift codes `status`,
//! `before`, `code=<id>` (one code, with `confirm=revoke` before revoking), `action=new` (the
//! create form, whose typed values travel in the query while clients are searched), `search`
//! and `client_ids[]` (the clients chosen so far); on movements `client` (a name, e-mail or
//! phone), `client_id`, `kind`, `from`, `to` (dates on the business's clock), `actor`, `before`.
pub mod http;
mod query;

pub use query::CreditsQuery;

use super::{
    display::{Clock, Formats, Names, Who},
    profile::{Choice, KINDS, Notice},
};
use crate::{
    auth, clients,
    db::Db,
    error::ApiResult,
    gift_codes::{self, CodeStatus, GiftCodeDetails},
    i18n::Locale,
    paging::PageRequest,
    wallet::{self, ActorFilter, HistoryFilter},
};
use chrono::{NaiveDate, Utc};
use serde::Serialize;

/// Rows per page of both tabs.
const ROWS: u16 = 25;
/// Clients a search offers at once.
const FOUND: u16 = 10;

#[derive(Debug, Serialize)]
pub struct RedemptionRow {
    pub client_id: u64,
    pub client: String,
    pub amount: String,
    pub date: String,
    pub by: Who,
}

#[derive(Debug, Serialize)]
pub struct CodeRow {
    pub id: u64,
    pub hint: String,
    pub note: String,
    pub value: String,
    pub status: CodeStatus,
    pub expires: String,
    pub redemptions: u32,
    pub max_redemptions: Option<u32>,
    pub restricted: bool,
    pub created: String,
    pub created_by: Who,
    pub revoked: String,
    pub redeemed: Vec<RedemptionRow>,
}

/// A client offered by a search, or already chosen.
#[derive(Debug, Serialize)]
pub struct ClientChoice {
    pub id: u64,
    pub name: String,
    pub email: String,
    pub chosen: bool,
}

#[derive(Debug, Serialize)]
pub struct SendRow {
    pub client_id: u64,
    pub client: String,
    pub requested: String,
    pub by: Who,
    /// Empty while the request waits for the mail outbox.
    pub sent: String,
}

/// One code with what may be done to it.
#[derive(Debug, Serialize)]
pub struct CodeView {
    pub code: CodeRow,
    /// The clients a restricted code is for.
    pub allowed: Vec<ClientChoice>,
    pub sends: Vec<SendRow>,
    pub confirm_revoke: bool,
    /// The code in clear, once, right after it was created.
    pub revealed: Option<String>,
    /// Why applying or sending was refused, beside its form.
    pub apply_error: Option<String>,
    pub send_error: Option<String>,
}

/// The create form as typed, with the service's reasons beside its fields.
#[derive(Debug, Default, Serialize)]
pub struct NewCodeForm {
    pub value: String,
    pub expires: String,
    pub max_redemptions: String,
    pub code: String,
    pub note: String,
    pub errors: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub struct CodesTab {
    pub statuses: Vec<Choice>,
    pub rows: Vec<CodeRow>,
    pub next_page: Option<String>,
    pub first_page: String,
    pub is_first_page: bool,
    pub code: Option<CodeView>,
    pub form: Option<NewCodeForm>,
}

#[derive(Debug, Serialize)]
pub struct MovementRow {
    pub date: String,
    pub client_id: u64,
    pub client: String,
    pub kind: &'static str,
    pub amount: String,
    pub credit: bool,
    pub balance_after: String,
    pub reason: String,
    pub by: Who,
}

#[derive(Debug, Serialize)]
pub struct MovementsTab {
    pub client: String,
    pub client_id: Option<u64>,
    pub kinds: Vec<Choice>,
    pub from: String,
    pub to: String,
    pub actors: Vec<Choice>,
    pub rows: Vec<MovementRow>,
    /// The search matched no client: nothing to list.
    pub no_client: bool,
    pub next_page: Option<String>,
    pub first_page: String,
    pub is_first_page: bool,
}

#[derive(Debug, Serialize)]
pub struct CreditsScreen {
    pub page: String,
    /// `gift-codes` or `movements`.
    pub tab: &'static str,
    pub timezone: &'static str,
    /// This state from its first page: where forms answer to.
    pub here: String,
    pub notice: Option<Notice>,
    /// The client search of the code forms: what was typed and what it found.
    pub search: String,
    pub found: Vec<ClientChoice>,
    pub chosen: Vec<ClientChoice>,
    /// A fresh key per rendered form: a resent form changes money once.
    pub idempotency_key: String,
    pub codes: Option<CodesTab>,
    pub movements: Option<MovementsTab>,
}

/// What a form post led to, for the screen it answers with.
#[derive(Debug, Default)]
pub struct Outcome {
    pub notice: Option<Notice>,
    pub revealed: Option<String>,
    pub form: Option<NewCodeForm>,
    pub apply_error: Option<String>,
    pub send_error: Option<String>,
}

fn code_row(d: &GiftCodeDetails, fmt: &Formats, clock: Clock, names: &Names) -> CodeRow {
    let c = &d.gift_code;
    CodeRow {
        id: c.id,
        hint: c.code_hint.clone(),
        note: c.note.clone(),
        value: fmt.money(c.value),
        status: d.status,
        expires: c.expires_at.map(|e| clock.when(e)).unwrap_or_default(),
        redemptions: c.redemptions_count,
        max_redemptions: c.max_redemptions,
        restricted: c.restricted,
        created: clock.when(c.created_at),
        created_by: names.who(&c.created_by),
        revoked: c.revoked_at.map(|e| clock.when(e)).unwrap_or_default(),
        redeemed: d
            .redemptions
            .iter()
            .map(|r| RedemptionRow {
                client_id: r.client_id,
                client: r.client_name.clone(),
                amount: fmt.money(r.amount),
                date: clock.when(r.created_at),
                by: names.who(&r.actor),
            })
            .collect(),
    }
}

fn actors_of(codes: &[GiftCodeDetails]) -> Vec<&str> {
    let mut actors = Vec::new();
    for d in codes {
        actors.push(d.gift_code.created_by.as_str());
        actors.extend(d.redemptions.iter().map(|r| r.actor.as_str()));
        if let Some(sends) = &d.sends {
            actors.extend(sends.iter().map(|s| s.requested_by.as_str()));
        }
    }
    actors
}

async fn client_choices(db: &Db, ids: &[u64], chosen: bool) -> ApiResult<Vec<ClientChoice>> {
    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        if let Ok(c) = clients::get(db, id).await {
            out.push(ClientChoice {
                id,
                name: c.full_name(),
                email: c.email.clone().unwrap_or_default(),
                chosen,
            });
        }
    }
    Ok(out)
}

/// Live clients matching a name, e-mail or phone.
async fn search_clients(db: &Db, search: &str, limit: u16) -> ApiResult<Vec<clients::Client>> {
    if search.trim().is_empty() {
        return Ok(Vec::new());
    }
    let query = clients::ListQuery {
        search: Some(search.trim().to_owned()),
        limit: Some(limit),
        ..clients::ListQuery::default()
    };
    Ok(clients::list(db, &query).await?.items)
}

/// The screen for a query, with the outcome of the form that led to it.
pub async fn screen(
    db: &Db,
    site: &Locale,
    q: &CreditsQuery,
    outcome: Outcome,
) -> ApiResult<CreditsScreen> {
    let clock = Clock::business(db).await?;
    let fmt = Formats::load(db, site).await?;
    let chosen = client_choices(db, &q.chosen, true).await?;
    let found = search_clients(db, q.get("search"), FOUND)
        .await?
        .into_iter()
        .filter(|c| !q.chosen.contains(&c.id))
        .map(|c| ClientChoice {
            id: c.id,
            name: c.full_name(),
            email: c.email.clone().unwrap_or_default(),
            chosen: false,
        })
        .collect();
    let mut screen = CreditsScreen {
        page: q.page.clone(),
        tab: if q.movements {
            "movements"
        } else {
            "gift-codes"
        },
        timezone: clock.name(),
        here: q.first_page(),
        notice: outcome.notice,
        search: q.get("search").to_owned(),
        found,
        chosen,
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        codes: None,
        movements: None,
    };
    if q.movements {
        screen.movements = Some(movements(db, q, clock, &fmt).await?);
        return Ok(screen);
    }
    let status = q.status()?;
    let page = gift_codes::list(db, status, PageRequest::new(q.before()?, Some(ROWS))).await?;
    let code = match q.code()? {
        None => None,
        Some(id) => Some(gift_codes::details(db, id).await?),
    };
    let mut actors = actors_of(&page.items);
    if let Some(d) = &code {
        actors.extend(actors_of(std::slice::from_ref(d)));
    }
    let names = Names::of(db, actors).await?;
    let code = match code {
        None => None,
        Some(d) => {
            let sends = d.sends.as_deref().unwrap_or_default();
            let send_ids: Vec<u64> = sends.iter().map(|s| s.client_id).collect();
            let send_names = client_choices(db, &send_ids, false).await?;
            Some(CodeView {
                code: code_row(&d, &fmt, clock, &names),
                allowed: client_choices(db, &d.client_ids, false).await?,
                sends: sends
                    .iter()
                    .map(|s| SendRow {
                        client_id: s.client_id,
                        client: send_names
                            .iter()
                            .find(|c| c.id == s.client_id)
                            .map_or_else(|| format!("#{}", s.client_id), |c| c.name.clone()),
                        requested: clock.when(s.requested_at),
                        by: names.who(&s.requested_by),
                        sent: s.sent_at.map(|t| clock.when(t)).unwrap_or_default(),
                    })
                    .collect(),
                confirm_revoke: q.get("confirm") == "revoke",
                revealed: outcome.revealed,
                apply_error: outcome.apply_error,
                send_error: outcome.send_error,
            })
        }
    };
    let form = outcome
        .form
        .or_else(|| q.creating().then(|| q.typed_form()));
    screen.codes = Some(CodesTab {
        statuses: ["active", "expired", "used_up", "revoked"]
            .iter()
            .map(|s| Choice {
                value: (*s).to_owned(),
                label: (*s).to_owned(),
                selected: q.get("status") == *s,
            })
            .collect(),
        rows: page
            .items
            .iter()
            .map(|d| code_row(d, &fmt, clock, &names))
            .collect(),
        next_page: page.next_cursor.map(|c| q.with_before(c)),
        first_page: q.first_page(),
        is_first_page: q.get("before").is_empty(),
        code,
        form,
    });
    Ok(screen)
}

/// A date typed in a filter, as the instant its day starts on the business's clock.
fn day_start(clock: Clock, date: NaiveDate) -> chrono::DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    midnight
        .and_local_timezone(clock.zone())
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

async fn movements(
    db: &Db,
    q: &CreditsQuery,
    clock: Clock,
    fmt: &Formats,
) -> ApiResult<MovementsTab> {
    let mut filter = HistoryFilter::parse(Some(q.get("kind")), None, None)?;
    let from = q.date("from")?;
    let to = q.date("to")?;
    filter.from = from.map(|d| day_start(clock, d));
    filter.to = to.map(|d| day_start(clock, d.succ_opt().unwrap_or(d)));
    filter.actor = ActorFilter::parse(q.get("actor"));
    let client_id = q.client_id()?;
    let mut no_client = false;
    if let Some(id) = client_id {
        filter.client_ids = vec![id];
    } else if !q.get("client").is_empty() {
        filter.client_ids = search_clients(db, q.get("client"), 100)
            .await?
            .iter()
            .map(|c| c.id)
            .collect();
        no_client = filter.client_ids.is_empty();
    }
    let (rows, next) = if no_client {
        (Vec::new(), None)
    } else {
        let page =
            wallet::history_filtered(db, None, &filter, PageRequest::new(q.before()?, Some(ROWS)))
                .await?;
        (page.items, page.next_cursor)
    };
    let names = Names::of(db, rows.iter().map(|r| r.actor.as_str())).await?;
    let mut ids: Vec<u64> = rows.iter().map(|r| r.client_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let holders = client_choices(db, &ids, false).await?;
    let client_name = |id: u64| {
        holders
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| format!("#{id}"), |c| c.name.clone())
    };
    let mut actors = vec![
        Choice {
            value: "system".into(),
            label: "system".into(),
            selected: q.get("actor") == "system",
        },
        Choice {
            value: "client".into(),
            label: "client".into(),
            selected: q.get("actor") == "client",
        },
    ];
    actors.extend(
        auth::named_actors(db, 200)
            .await?
            .into_iter()
            .filter(|(actor, _)| !actor.starts_with("client:"))
            .map(|(actor, name)| Choice {
                selected: q.get("actor") == actor,
                value: actor,
                label: name,
            }),
    );
    Ok(MovementsTab {
        client: q.get("client").to_owned(),
        client_id,
        kinds: KINDS
            .iter()
            .map(|k| Choice {
                value: k.as_str().to_owned(),
                label: k.as_str().to_owned(),
                selected: q.get("kind") == k.as_str(),
            })
            .collect(),
        from: q.get("from").to_owned(),
        to: q.get("to").to_owned(),
        actors,
        rows: rows
            .iter()
            .map(|r| MovementRow {
                date: clock.when(r.created_at),
                client_id: r.client_id,
                client: client_name(r.client_id),
                kind: r.kind.as_str(),
                amount: fmt.money(r.amount.abs()),
                credit: !r.amount.is_negative(),
                balance_after: fmt.money(r.balance_after),
                reason: r.reason.clone(),
                by: names.who(&r.actor),
            })
            .collect(),
        no_client,
        next_page: next.map(|c| q.with_before(c)),
        first_page: q.first_page(),
        is_first_page: q.get("before").is_empty(),
    })
}
