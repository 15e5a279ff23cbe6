//! The screens of one client: its profile with tabs, and the new / edit form. They read and
//! change the client only through the domains' own functions.
use super::{
    display::{Clock, Formats, Names},
    form::{ClientForm, FormScreen},
    profile::{
        self, ActivityTab, AdjustState, BookingsTab, ClientView, Notice, ProfileQuery,
        ProfileScreen, RewardsTab, TAB_ROWS, Tab, WalletTab,
    },
};
use crate::{
    audit,
    auth::Actor,
    bookings::{self, Party, PaymentStatus, Status as BookingStatus},
    clients::{self, ClientError},
    db::{Db, Tx},
    error::{ApiError, ApiResult},
    gift_codes::{self, CodeStatus},
    i18n::Locale,
    idempotency::Idempotent,
    money::Money,
    paging::PageRequest,
    rewards,
    wallet::{self, Adjustment, HistoryFilter},
};
use axum::http::StatusCode;
use std::collections::BTreeMap;

/// What the wallet tab shows besides its history: the state of its forms after an action.
#[derive(Debug, Default)]
pub struct WalletForms {
    pub adjust: AdjustState,
    pub code_error: Option<String>,
}

/// The profile screen for a query: header, tab strip, and the chosen tab's content.
pub async fn profile_screen(
    db: &Db,
    site: &Locale,
    q: &ProfileQuery,
    notice: Option<Notice>,
    forms: WalletForms,
) -> ApiResult<ProfileScreen> {
    let client = clients::get(db, q.client_id).await?;
    let fmt = Formats::load(db, site).await?;
    let clock = Clock::business(db).await?;
    let mut screen = ProfileScreen {
        page: q.page.clone(),
        client_base: ProfileQuery::new(&q.page, q.client_id, Tab::Profile).base(),
        here: q.first_page(),
        tab: q.tab,
        timezone: clock.name(),
        client: ClientView::new(&client, &fmt, clock),
        notice,
        wallet: None,
        bookings: None,
        rewards: None,
        groups: None,
        packages: None,
        activity: None,
    };
    let tab_page = PageRequest::new(q.before()?, Some(TAB_ROWS));
    match q.tab {
        Tab::Profile => {}
        Tab::Wallet => {
            let filter = HistoryFilter::parse(
                Some(q.get("kind")).filter(|k| !k.is_empty()),
                Some(q.get("from")).filter(|k| !k.is_empty()),
                Some(q.get("to")).filter(|k| !k.is_empty()),
            )?;
            let page = wallet::history_filtered(db, Some(client.id), &filter, tab_page).await?;
            let rows = page.items;
            let codes = if client.is_live() {
                gift_codes::list(
                    db,
                    Some(CodeStatus::Active),
                    PageRequest::new(None, Some(100)),
                )
                .await?
                .items
                .into_iter()
                .filter(|c| !c.gift_code.restricted || c.client_ids.contains(&client.id))
                .map(|c| profile::Choice {
                    value: c.gift_code.id.to_string(),
                    label: format!(
                        "…{} — {}{}",
                        c.gift_code.code_hint,
                        fmt.money(c.gift_code.value),
                        if c.gift_code.note.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", c.gift_code.note)
                        }
                    ),
                    selected: false,
                })
                .collect()
            } else {
                Vec::new()
            };
            screen.wallet = Some(WalletTab {
                balance: fmt.money(client.wallet_balance),
                rows: profile::wallet_rows(
                    &rows,
                    &fmt,
                    clock,
                    &Names::of(db, rows.iter().map(|r| r.actor.as_str())).await?,
                ),
                kinds: profile::kind_choices(q.get("kind")),
                from: q.get("from").to_owned(),
                to: q.get("to").to_owned(),
                next_page: profile::next_before(q, page.next_cursor),
                first_page: q.first_page(),
                is_first_page: q.is_first_page(),
                idempotency_key: uuid::Uuid::new_v4().to_string(),
                adjust: forms.adjust,
                codes,
                code_error: forms.code_error,
            });
        }
        Tab::Bookings => {
            let (filter, page, mode) = profile::bookings_filter(q, clock)?;
            let scope = match q.get("scope") {
                "past" => "past",
                "all" => "all",
                _ => "upcoming",
            };
            let page = bookings::list(db, Party::Manager, filter, page).await?;
            let (list, next) = (page.items, page.next_cursor);
            let (rows, days) = if mode == "calendar" {
                (Vec::new(), bookings::calendar(clock.zone(), &list))
            } else {
                (profile::booking_rows(&list, clock, &fmt), Vec::new())
            };
            screen.bookings = Some(BookingsTab {
                mode,
                scope,
                from: q.get("from").to_owned(),
                to: q.get("to").to_owned(),
                statuses: profile::status_choices(
                    BookingStatus::ALL,
                    BookingStatus::as_str,
                    q.get("status"),
                ),
                payment_statuses: profile::status_choices(
                    PaymentStatus::ALL,
                    PaymentStatus::as_str,
                    q.get("payment_status"),
                ),
                rows,
                days,
                next_page: (mode == "list")
                    .then(|| next.map(|c| q.with("cursor", &c)))
                    .flatten(),
                first_page: q.first_page(),
                is_first_page: q.is_first_page(),
            });
        }
        Tab::Rewards => {
            let search = q.get("search");
            let page = rewards::history(
                db,
                client.id,
                Some(search).filter(|s| !s.is_empty()),
                tab_page,
            )
            .await?;
            let rows = page.items;
            screen.rewards = Some(RewardsTab {
                points: client.reward_points,
                search: search.to_owned(),
                rows: profile::reward_rows(
                    &rows,
                    clock,
                    &Names::of(db, rows.iter().map(|r| r.actor.as_str())).await?,
                ),
                next_page: profile::next_before(q, page.next_cursor),
                first_page: q.first_page(),
                is_first_page: q.is_first_page(),
            });
        }
        Tab::Groups => {
            let groups = clients::list_groups(db).await?;
            screen.groups = Some(profile::group_rows(&groups, &client));
        }
        Tab::Packages => {
            screen.packages = Some(
                super::packages::client_tab(db, client.id, clock, &fmt, None, BTreeMap::new())
                    .await?,
            );
        }
        Tab::Activity => {
            let page = audit::list(db, clients::ENTITY, client.id, tab_page).await?;
            let entries = page.items;
            screen.activity = Some(ActivityTab {
                rows: profile::activity_rows(
                    &entries,
                    clock,
                    &Names::of(db, entries.iter().map(|e| e.actor.as_str())).await?,
                ),
                next_page: profile::next_before(q, page.next_cursor),
                first_page: q.first_page(),
                is_first_page: q.is_first_page(),
            });
        }
    }
    Ok(screen)
}

/// The new client form (`client_id` none) or the edit form of a client.
pub async fn form_screen(db: &Db, page: &str, client_id: Option<u64>) -> ApiResult<FormScreen> {
    let statuses = clients::list_statuses(db).await?;
    Ok(match client_id {
        None => FormScreen::new(page, None, ClientForm::blank(), &statuses),
        Some(id) => {
            let client = clients::get(db, id).await?;
            FormScreen::new(page, Some(&client), ClientForm::of(&client), &statuses)
        }
    })
}

/// What saving the form led to.
pub enum Saved {
    /// Saved: the client's profile.
    Profile(Box<ProfileScreen>),
    /// Saved, and a blank form for the next client; or not saved, and the form with why.
    Form(Box<FormScreen>),
}

/// Creates a client from the form, with its preloaded credits in the same transaction, under
/// the form's idempotency key (a form sent twice creates one client and credits it once); then
/// stores its photo. A refusal comes back as the form with the message beside its field.
pub async fn create_client(
    db: &Db,
    site: &Locale,
    request: &Idempotent<ClientForm>,
    page: &str,
) -> ApiResult<(Saved, Option<u64>)> {
    let form = &request.command;
    let actor = request.actor;
    let checked = form
        .input()
        .and_then(|_| form.credits())
        .and_then(|credits| form.photo().map(|photo| (credits, photo)));
    let result = match checked {
        Err((field, message)) => Err(ApiError::field(field, message)),
        Ok((credits, photo)) => {
            let created = request
                .run(db, StatusCode::CREATED, |mut tx| async move {
                    let result = create_with_credits(&mut tx, db, actor, form, credits).await;
                    (tx, result)
                })
                .await;
            match created {
                Ok(response) => {
                    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                        .await
                        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored answer: {e}")))?;
                    let id = serde_json::from_slice::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|v| v["id"].as_u64())
                        .ok_or_else(|| {
                            ApiError::Internal(anyhow::anyhow!("stored answer without id"))
                        })?;
                    match photo {
                        Some(image) => clients::upload_avatar(db, actor, id, &image)
                            .await
                            .map_err(ApiError::from),
                        None => clients::get(db, id).await.map_err(ApiError::from),
                    }
                }
                Err(e) => Err(e),
            }
        }
    };
    let id = result.as_ref().ok().map(|c| c.id);
    Ok((
        answer(db, site, page, None, form.clone(), result).await?,
        id,
    ))
}

async fn create_with_credits(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    form: &ClientForm,
    credits: Option<Money>,
) -> Result<clients::Client, ClientError> {
    let input = form
        .input()
        .map_err(|(field, message)| ClientError::Invalid { field, message })?;
    let client = clients::create_in(tx, db, actor, input).await?;
    let Some(amount) = credits else {
        return Ok(client);
    };
    let adjustment = Adjustment::new(
        client.id,
        amount,
        Some("Credits given with the new profile"),
    )?;
    wallet::adjust(tx, db, actor, &adjustment).await?;
    // Its balance is read again once committed; the stored answer only names the client.
    Ok(client)
}

/// Updates a client from the edit form, then stores a photo chosen with it.
pub async fn update_client(
    db: &Db,
    site: &Locale,
    actor: Actor,
    page: &str,
    client_id: u64,
    form: ClientForm,
) -> ApiResult<(Saved, Option<u64>)> {
    let checked = form
        .input()
        .and_then(|input| form.photo().map(|photo| (input, photo)));
    let result = match checked {
        Err((field, message)) => Err(ApiError::field(field, message)),
        Ok((input, photo)) => match clients::update(db, actor, client_id, input).await {
            Ok(client) => match photo {
                Some(image) => clients::upload_avatar(db, actor, client.id, &image)
                    .await
                    .map_err(ApiError::from),
                None => Ok(client),
            },
            Err(e) => Err(e.into()),
        },
    };
    let saved = result.is_ok().then_some(client_id);
    Ok((
        answer(db, site, page, Some(client_id), form, result).await?,
        saved,
    ))
}

/// The screen after a save: the profile, a blank form for the next client, or the form again
/// with the clients domain's refusal beside the field it names.
async fn answer(
    db: &Db,
    site: &Locale,
    page: &str,
    client_id: Option<u64>,
    form: ClientForm,
    result: ApiResult<clients::Client>,
) -> ApiResult<Saved> {
    let refusal = match result {
        Ok(client) if form.adds_another() && client_id.is_none() => {
            let mut next = form_screen(db, page, None).await?;
            next.notice = Some(Notice::done("added", client.full_name(), ""));
            next.saved_id = Some(client.id);
            return Ok(Saved::Form(Box::new(next)));
        }
        Ok(client) => {
            let q = ProfileQuery::new(page, client.id, Tab::Profile);
            let saved = Notice::done("saved", client.full_name(), "");
            let screen = profile_screen(db, site, &q, Some(saved), WalletForms::default()).await?;
            return Ok(Saved::Profile(Box::new(screen)));
        }
        Err(e) => e,
    };
    let (errors, notice) = match refusal {
        ApiError::Invalid { fields, .. } if !fields.is_empty() => (fields, None),
        ApiError::Invalid { message, .. } | ApiError::Conflict { message, .. } => {
            (BTreeMap::new(), Some(Notice::refused(message)))
        }
        other => return Err(other),
    };
    let statuses = clients::list_statuses(db).await?;
    let client = match client_id {
        Some(id) => Some(clients::get(db, id).await?),
        None => None,
    };
    let mut screen = FormScreen::new(page, client.as_ref(), form, &statuses);
    screen.errors = errors;
    screen.notice = notice;
    Ok(Saved::Form(Box::new(screen)))
}

/// Adds the client to a group or takes it out, answering the Groups tab.
pub async fn change_group(
    db: &Db,
    site: &Locale,
    actor: Actor,
    q: &ProfileQuery,
    group_id: u64,
    add: bool,
) -> ApiResult<ProfileScreen> {
    clients::get(db, q.client_id).await?;
    let changed = clients::change_members(db, actor, group_id, &[q.client_id], add)
        .await
        .map_err(ApiError::from);
    let notice = match changed {
        Ok((group, _)) => Notice::done(if add { "joined" } else { "left" }, group.name, ""),
        Err(ApiError::NotFound) => Notice::refused("group not found"),
        Err(ApiError::Invalid { message, .. } | ApiError::Conflict { message, .. }) => {
            Notice::refused(message)
        }
        Err(e) => return Err(e),
    };
    profile_screen(db, site, q, Some(notice), WalletForms::default()).await
}
