//! wp-admin → Volixta → Staff: the list, and the form of one staff member (contact, the
//! WordPress user it logs in as, services, weekly hours per location, breaks, days off, special
//! days, booking permissions) with a week of its availability as the engine computes it. The
//! screen decides nothing itself: the catalog checks the schedule, bookings keeps the
//! permissions, and the availability engine answers the preview.
pub mod http;

use crate::{
    admin::{
        display::Formats,
        form::uploaded_photo,
        picker::{DateLabel, TimeLabel},
        setup::fields::{Errors, Fields},
    },
    auth::Actor,
    availability::{self, DaysQuery},
    bookings::{self, StaffPermissions},
    catalog::{
        self, CatalogError, DayOffInput, Location, SpecialDayInput, Staff, StaffHoursInput,
        StaffPhoto, StaffRequest, WeeklyHoursInput,
    },
    db::Db,
    error::{ApiError, ApiResult},
    i18n::Locale,
};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

pub const PAGE: &str = "volixta-staff";

/// The numbers `k` of the rows `<prefix><k>_…` sent, in order.
fn row_numbers(f: &Fields, prefix: &str) -> Vec<usize> {
    let mut numbers: Vec<usize> = f
        .names()
        .filter_map(|n| n.strip_prefix(prefix)?.split_once('_'))
        .filter_map(|(k, _)| k.parse().ok())
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

/// One row of a schedule list as typed: `location` and `weekday` are the selects' values,
/// `date`/`until` the date inputs; which ones a list uses depends on the list.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Row {
    pub location: String,
    pub weekday: String,
    pub date: String,
    pub until: String,
    pub start: String,
    pub end: String,
    pub reason: String,
}

impl Row {
    fn is_blank(&self) -> bool {
        self.date.is_empty()
            && self.until.is_empty()
            && self.start.is_empty()
            && self.end.is_empty()
            && self.reason.is_empty()
    }
}

/// The schedule lists of the form: `(form prefix, catalog list name)`.
const LISTS: [(&str, &str); 4] = [
    ("wh", "working_hours"),
    ("br", "breaks"),
    ("off", "days_off"),
    ("sd", "special_days"),
];

#[derive(Debug, Default, Serialize)]
pub struct StaffForm {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub wp_user_id: String,
    pub active: bool,
    pub service_ids: Vec<u64>,
    pub can_edit: bool,
    pub can_cancel: bool,
    pub can_take_payments: bool,
    pub hours: Vec<Row>,
    pub breaks: Vec<Row>,
    pub days_off: Vec<Row>,
    pub special_days: Vec<Row>,
    /// A newly chosen photo as a `data:` URL; never sent back to the page.
    #[serde(skip)]
    pub avatar_image: String,
    pub avatar_remove: bool,
}

impl StaffForm {
    fn blank() -> Self {
        let mut form = Self {
            active: true,
            ..Self::default()
        };
        form.pad();
        form
    }

    fn of(s: &Staff, p: &StaffPermissions) -> Self {
        let mut form = Self {
            first_name: s.first_name.clone(),
            last_name: s.last_name.clone(),
            email: s.email.clone().unwrap_or_default(),
            phone: s.phone.clone().unwrap_or_default(),
            wp_user_id: s.wp_user_id.map(|id| id.to_string()).unwrap_or_default(),
            active: s.active,
            service_ids: s.service_ids.clone(),
            can_edit: p.can_edit_bookings,
            can_cancel: p.can_cancel_bookings,
            can_take_payments: p.can_take_payments,
            hours: s
                .working_hours
                .iter()
                .map(|h| Row {
                    location: h.location_id.to_string(),
                    weekday: h.weekday.to_string(),
                    start: h.start.to_string(),
                    end: h.end.to_string(),
                    ..Row::default()
                })
                .collect(),
            breaks: s
                .breaks
                .iter()
                .map(|b| Row {
                    weekday: b.weekday.to_string(),
                    start: b.start.to_string(),
                    end: b.end.to_string(),
                    ..Row::default()
                })
                .collect(),
            days_off: s
                .days_off
                .iter()
                .map(|d| Row {
                    date: d.date.to_string(),
                    until: if d.until == d.date {
                        String::new()
                    } else {
                        d.until.to_string()
                    },
                    reason: d.reason.clone(),
                    ..Row::default()
                })
                .collect(),
            special_days: s
                .special_days
                .iter()
                .map(|d| Row {
                    location: d.location_id.to_string(),
                    date: d.date.to_string(),
                    start: d.start.to_string(),
                    end: d.end.to_string(),
                    ..Row::default()
                })
                .collect(),
            ..Self::default()
        };
        form.pad();
        form
    }

    pub fn read(f: &Fields) -> Self {
        let rows = |prefix: &str| -> Vec<Row> {
            row_numbers(f, prefix)
                .into_iter()
                .map(|k| {
                    let t = |what: &str| f.text(&format!("{prefix}{k}_{what}"));
                    Row {
                        location: t("location"),
                        weekday: t("weekday"),
                        date: t("date"),
                        until: t("until"),
                        start: t("start"),
                        end: t("end"),
                        reason: t("reason"),
                    }
                })
                .collect()
        };
        Self {
            first_name: f.text("first_name"),
            last_name: f.text("last_name"),
            email: f.text("email"),
            phone: f.text("phone"),
            wp_user_id: f.text("wp_user_id"),
            active: f.ticked("active"),
            service_ids: f.ids("service_ids"),
            can_edit: f.ticked("can_edit"),
            can_cancel: f.ticked("can_cancel"),
            can_take_payments: f.ticked("can_take_payments"),
            hours: rows("wh"),
            breaks: rows("br"),
            days_off: rows("off"),
            special_days: rows("sd"),
            avatar_image: f.text("avatar_image"),
            avatar_remove: f.ticked("avatar_remove"),
        }
    }

    /// Every list ends with one empty row to type a new entry into.
    fn pad(&mut self) {
        for rows in [
            &mut self.hours,
            &mut self.breaks,
            &mut self.days_off,
            &mut self.special_days,
        ] {
            if rows.last().is_none_or(|r| !r.is_blank()) {
                rows.push(Row::default());
            }
        }
    }

    /// `more:<list>` adds two empty rows to a list; the name of the first one's first field.
    pub fn more(&mut self, list: &str) -> Option<String> {
        let (rows, prefix, first) = match list {
            "wh" => (&mut self.hours, "wh", "start"),
            "br" => (&mut self.breaks, "br", "start"),
            "off" => (&mut self.days_off, "off", "date"),
            "sd" => (&mut self.special_days, "sd", "date"),
            _ => return None,
        };
        let at = rows.len();
        rows.extend([Row::default(), Row::default()]);
        Some(format!("{prefix}{at}_{first}"))
    }

    fn permissions(&self) -> StaffPermissions {
        StaffPermissions {
            can_edit_bookings: self.can_edit,
            can_cancel_bookings: self.can_cancel,
            can_take_payments: self.can_take_payments,
        }
    }

    /// The catalog's request, and for each catalog list the form rows its entries came from
    /// (blank rows are left out), to put the catalog's refusals beside the right row. A value
    /// the form cannot even read is refused here, beside its field.
    fn request(&self) -> Result<(StaffRequest, BTreeMap<&'static str, Vec<usize>>), Errors> {
        let mut errors = Errors::new();
        let mut origin: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();
        let mut kept = |list: &'static str, rows: &[Row]| -> Vec<(usize, Row)> {
            let kept: Vec<(usize, Row)> = rows
                .iter()
                .cloned()
                .enumerate()
                .filter(|(_, r)| !r.is_blank())
                .collect();
            origin.insert(list, kept.iter().map(|(k, _)| *k).collect());
            kept
        };
        let id = |errors: &mut Errors, key: String, raw: &str, what: &str| -> u64 {
            raw.parse().unwrap_or_else(|_| {
                errors.insert(key, what.to_owned());
                0
            })
        };
        let date = |errors: &mut Errors, key: String, raw: &str| -> NaiveDate {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d").unwrap_or_else(|_| {
                errors.insert(key, "Enter a date.".to_owned());
                NaiveDate::default()
            })
        };
        let hours = kept("working_hours", &self.hours)
            .into_iter()
            .map(|(k, r)| StaffHoursInput {
                location_id: id(
                    &mut errors,
                    format!("wh{k}_location"),
                    &r.location,
                    "Choose a location.",
                ),
                weekday: r.weekday.parse().unwrap_or(0),
                start: r.start,
                end: r.end,
            })
            .collect();
        let breaks = kept("breaks", &self.breaks)
            .into_iter()
            .map(|(_, r)| WeeklyHoursInput {
                weekday: r.weekday.parse().unwrap_or(0),
                start: r.start,
                end: r.end,
            })
            .collect();
        let days_off = kept("days_off", &self.days_off)
            .into_iter()
            .map(|(k, r)| DayOffInput {
                date: date(&mut errors, format!("off{k}_date"), &r.date),
                until: (!r.until.is_empty())
                    .then(|| date(&mut errors, format!("off{k}_until"), &r.until)),
                reason: Some(r.reason),
            })
            .collect();
        let special_days = kept("special_days", &self.special_days)
            .into_iter()
            .map(|(k, r)| SpecialDayInput {
                date: date(&mut errors, format!("sd{k}_date"), &r.date),
                location_id: id(
                    &mut errors,
                    format!("sd{k}_location"),
                    &r.location,
                    "Choose a location.",
                ),
                start: r.start,
                end: r.end,
            })
            .collect();
        let wp_user_id = match self.wp_user_id.as_str() {
            "" => Some(0),
            raw => match raw.parse::<u64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.insert(
                        "wp_user_id".into(),
                        "Enter the number of a WordPress user, or leave it empty.".into(),
                    );
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let request = StaffRequest {
            first_name: Some(self.first_name.clone()),
            last_name: Some(self.last_name.clone()),
            email: Some(self.email.clone()),
            phone: Some(self.phone.clone()),
            wp_user_id,
            service_ids: Some(self.service_ids.clone()),
            working_hours: Some(hours),
            breaks: Some(breaks),
            days_off: Some(days_off),
            special_days: Some(special_days),
            active: Some(self.active),
        };
        Ok((request, origin))
    }
}

/// The form field a catalog refusal belongs beside: `working_hours[2].end` → `wh<row>_end`, an
/// overlap (`working_hours[2]`) → `wh<row>`; the message in the words of the form.
fn form_error(
    field: &str,
    message: &str,
    origin: &BTreeMap<&'static str, Vec<usize>>,
) -> (String, String) {
    for (prefix, list) in LISTS {
        let Some(rest) = field.strip_prefix(list) else {
            continue;
        };
        let Some((i, sub)) = rest.strip_prefix('[').and_then(|r| r.split_once(']')) else {
            // A whole list refused (an id that no longer exists).
            return (format!("{prefix}_list"), message.to_owned());
        };
        let row = i
            .parse::<usize>()
            .ok()
            .and_then(|i| origin.get(list)?.get(i).copied())
            .unwrap_or_default();
        let sub = sub.trim_start_matches('.');
        let key = if sub.is_empty() {
            format!("{prefix}{row}")
        } else {
            format!("{prefix}{row}_{sub}")
        };
        let text = if message.starts_with("overlaps") {
            "This period overlaps another one of the same day."
        } else if message == "must be after start" || message == "may not be before date" {
            "The end must be after the start."
        } else if message.starts_with("a time like") {
            "Enter a time like 09:00."
        } else if sub == "weekday" {
            "Choose a weekday."
        } else {
            message
        };
        return (key, text.to_owned());
    }
    (field.to_owned(), message.to_owned())
}

#[derive(Debug, Serialize)]
pub struct Option_ {
    pub id: u64,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct FormScreen {
    pub page: &'static str,
    pub staff_id: Option<u64>,
    pub form: StaffForm,
    pub errors: Errors,
    /// A refusal that belongs to no single field.
    pub refused: Option<String>,
    pub saved: bool,
    pub focus: Option<String>,
    pub services: Vec<Option_>,
    pub locations: Vec<Option_>,
    pub preview: Option<Preview>,
    /// The staff member has a photo, which the form may keep or remove.
    pub has_photo: bool,
    /// The largest photo the form uploads, in bytes.
    pub max_photo_bytes: usize,
}

async fn options(db: &Db) -> ApiResult<(Vec<Option_>, Vec<Option_>)> {
    let services = catalog::services(db)
        .await?
        .into_iter()
        .map(|s| Option_ {
            id: s.id,
            name: s.name,
        })
        .collect();
    let locations = catalog::locations(db)
        .await?
        .into_iter()
        .map(|l| Option_ {
            id: l.id,
            name: l.name,
        })
        .collect();
    Ok((services, locations))
}

async fn permissions(db: &Db, id: u64) -> ApiResult<StaffPermissions> {
    Ok(bookings::staff_permissions(db, id).await?)
}

/// The form of a new staff member, or of staff member `id` with its week preview.
pub async fn form_screen(
    db: &Db,
    actor: Actor,
    locale: &Locale,
    id: Option<u64>,
    preview: &PreviewQuery,
) -> ApiResult<FormScreen> {
    let (services, locations) = options(db).await?;
    let has_photo = match id {
        Some(id) => catalog::has_staff_avatar(db, id).await?,
        None => false,
    };
    let (form, preview) = match id {
        None => (StaffForm::blank(), None),
        Some(id) => {
            let staff = catalog::staff_member(db, id).await?;
            let p = permissions(db, id).await?;
            let view = preview_of(db, actor, locale, &staff, preview).await?;
            (StaffForm::of(&staff, &p), Some(view))
        }
    };
    Ok(FormScreen {
        page: PAGE,
        staff_id: id,
        form,
        errors: Errors::new(),
        refused: None,
        saved: false,
        focus: None,
        services,
        locations,
        preview,
        has_photo,
        max_photo_bytes: crate::clients::MAX_AVATAR_BYTES,
    })
}

/// Saves the form through the catalog (schedule) and bookings (permissions); any refusal
/// answers the form as typed with the reasons beside the fields, and nothing is changed.
pub async fn save(
    db: &Db,
    actor: Actor,
    locale: &Locale,
    id: Option<u64>,
    mut form: StaffForm,
    more: Option<&str>,
) -> ApiResult<FormScreen> {
    let (services, locations) = options(db).await?;
    let mut screen = FormScreen {
        page: PAGE,
        staff_id: id,
        form: StaffForm::default(),
        errors: Errors::new(),
        refused: None,
        saved: false,
        focus: None,
        services,
        locations,
        preview: None,
        has_photo: match id {
            Some(id) => catalog::has_staff_avatar(db, id).await?,
            None => false,
        },
        max_photo_bytes: crate::clients::MAX_AVATAR_BYTES,
    };
    if let Some(list) = more {
        screen.focus = form.more(list);
        screen.form = form;
        return Ok(screen);
    }
    let (request, origin) = match form.request() {
        Ok(ok) => ok,
        Err(errors) => {
            screen.errors = errors;
            form.pad();
            screen.form = form;
            return Ok(screen);
        }
    };
    let image = match uploaded_photo(&form.avatar_image) {
        Ok(image) => image,
        Err((key, text)) => {
            screen.errors.insert(key.into(), text);
            form.pad();
            screen.form = form;
            return Ok(screen);
        }
    };
    let photo = match (&image, form.avatar_remove) {
        (Some(image), _) => StaffPhoto::Set(image),
        (None, true) => StaffPhoto::Remove,
        (None, false) => StaffPhoto::Keep,
    };
    let permissions = form.permissions();
    // Permissions are stored once the catalog accepted the schedule: a refusal changes nothing.
    let saved = catalog::save_staff(db, id, &request, photo).await;
    match saved {
        Ok(staff) => {
            screen.has_photo = catalog::has_staff_avatar(db, staff.id).await?;
            let p = bookings::set_staff_permissions(db, staff.id, &permissions).await?;
            screen.staff_id = Some(staff.id);
            screen.form = StaffForm::of(&staff, &p);
            screen.saved = true;
            screen.preview =
                Some(preview_of(db, actor, locale, &staff, &PreviewQuery::default()).await?);
        }
        Err(CatalogError::Field { field, message }) => {
            let (key, text) = form_error(&field, &message, &origin);
            screen.errors.insert(key, text);
            form.pad();
            screen.form = form;
        }
        Err(CatalogError::WpUserTaken) => {
            screen.errors.insert(
                "wp_user_id".into(),
                "This WordPress user is already linked to another staff member.".into(),
            );
            form.pad();
            screen.form = form;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(screen)
}

#[derive(Debug, Serialize)]
pub struct ListRow {
    pub id: u64,
    pub name: String,
    pub email: String,
    pub wp_user_id: Option<u64>,
    pub active: bool,
    pub services: Vec<String>,
    pub locations: Vec<String>,
    /// (weekday 1–7, "09:00–12:00, 13:00–17:00")
    pub hours: Vec<(u8, String)>,
    pub days_off: usize,
    pub permissions: StaffPermissions,
}

#[derive(Debug, Serialize)]
pub struct ListScreen {
    pub page: &'static str,
    pub rows: Vec<ListRow>,
}

pub async fn list_screen(db: &Db) -> ApiResult<ListScreen> {
    let (services, locations) = options(db).await?;
    let name_of = |list: &[Option_], id: u64| {
        list.iter()
            .find(|o| o.id == id)
            .map(|o| o.name.clone())
            .unwrap_or_else(|| format!("#{id}"))
    };
    let mut rows = Vec::new();
    for s in catalog::staff(db).await? {
        let mut hours: Vec<(u8, String)> = Vec::new();
        for h in &s.working_hours {
            let period = format!("{}–{}", h.start, h.end);
            match hours.last_mut() {
                Some((d, text)) if *d == h.weekday => {
                    text.push_str(", ");
                    text.push_str(&period);
                }
                _ => hours.push((h.weekday, period)),
            }
        }
        rows.push(ListRow {
            id: s.id,
            name: full_name(&s),
            email: s.email.clone().unwrap_or_default(),
            wp_user_id: s.wp_user_id,
            active: s.active,
            services: s
                .service_ids
                .iter()
                .map(|&id| name_of(&services, id))
                .collect(),
            locations: s
                .location_ids()
                .into_iter()
                .map(|id| name_of(&locations, id))
                .collect(),
            hours,
            days_off: s.days_off.len(),
            permissions: permissions(db, s.id).await?,
        });
    }
    Ok(ListScreen { page: PAGE, rows })
}

pub fn full_name(s: &Staff) -> String {
    format!("{} {}", s.first_name, s.last_name)
        .trim()
        .to_owned()
}

// ---------------------------------------------------------------- the week preview

/// What the preview is asked for; each absent part falls back to the staff member's first
/// service, its first location and the current week.
#[derive(Clone, Debug, Default)]
pub struct PreviewQuery {
    pub service_id: Option<u64>,
    pub location_id: Option<u64>,
    pub week: Option<NaiveDate>,
}

impl PreviewQuery {
    pub fn parse(raw: Option<&str>) -> ApiResult<Self> {
        let mut q = Self::default();
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key.as_ref() {
                "preview_service" => {
                    q.service_id =
                        Some(value.parse().map_err(|_| {
                            ApiError::field("preview_service", "the id of a service")
                        })?);
                }
                "preview_location" => {
                    q.location_id = Some(value.parse().map_err(|_| {
                        ApiError::field("preview_location", "the id of a location")
                    })?);
                }
                "week" => {
                    q.week = Some(
                        NaiveDate::parse_from_str(value, "%Y-%m-%d")
                            .map_err(|_| ApiError::field("week", "a date like 2026-12-01"))?,
                    );
                }
                _ => {}
            }
        }
        Ok(q)
    }
}

#[derive(Debug, Serialize)]
pub struct PreviewDay {
    pub date: DateLabel,
    pub day_off: bool,
    pub times: Vec<TimeLabel>,
}

#[derive(Debug, Serialize)]
pub struct Preview {
    pub staff_id: u64,
    pub services: Vec<Option_>,
    pub locations: Vec<Option_>,
    pub service_id: Option<u64>,
    pub location_id: Option<u64>,
    pub timezone: String,
    pub week: String,
    pub prev_week: String,
    pub next_week: String,
    pub days: Vec<PreviewDay>,
    /// Why there is nothing to show (no service, no location, not offered there).
    pub missing: Option<&'static str>,
}

/// A week (Monday to Sunday) of the slots the engine offers for one of the staff member's
/// services at one of its locations, in that location's time zone.
pub async fn preview_of(
    db: &Db,
    actor: Actor,
    locale: &Locale,
    staff: &Staff,
    q: &PreviewQuery,
) -> ApiResult<Preview> {
    let all_services = catalog::services(db).await?;
    let all_locations = catalog::locations(db).await?;
    let services: Vec<Option_> = all_services
        .iter()
        .filter(|s| staff.service_ids.contains(&s.id))
        .map(|s| Option_ {
            id: s.id,
            name: s.name.clone(),
        })
        .collect();
    let staff_locations = staff.location_ids();
    let locations: Vec<&Location> = all_locations
        .iter()
        .filter(|l| staff_locations.contains(&l.id))
        .collect();
    let service_id = q
        .service_id
        .filter(|id| services.iter().any(|s| s.id == *id))
        .or_else(|| services.first().map(|s| s.id));
    let location = q
        .location_id
        .and_then(|id| locations.iter().find(|l| l.id == id))
        .or_else(|| locations.first())
        .copied();
    let zone = catalog::parse_timezone(location.map_or("UTC", |l| l.timezone.as_str()))?;
    let today = Utc::now().with_timezone(&zone).date_naive();
    let any_day = q.week.unwrap_or(today);
    let monday = any_day - Duration::days(i64::from(any_day.weekday().num_days_from_monday()));
    let sunday = monday + Duration::days(6);
    let mut preview = Preview {
        staff_id: staff.id,
        services,
        locations: locations
            .iter()
            .map(|l| Option_ {
                id: l.id,
                name: l.name.clone(),
            })
            .collect(),
        service_id,
        location_id: location.map(|l| l.id),
        timezone: zone.name().to_owned(),
        week: monday.to_string(),
        prev_week: (monday - Duration::days(7)).to_string(),
        next_week: (monday + Duration::days(7)).to_string(),
        days: Vec::new(),
        missing: None,
    };
    let (Some(service_id), Some(location)) = (service_id, location) else {
        preview.missing = Some(if preview.service_id.is_none() {
            "no_service"
        } else {
            "no_location"
        });
        return Ok(preview);
    };
    let ask = DaysQuery {
        service_id,
        location_id: location.id,
        staff_id: Some(staff.id),
        ..DaysQuery::default()
    };
    let by_day = match availability::slots_by_day(db, actor, zone, (monday, sunday), &ask).await {
        Ok(days) => days,
        // An inactive service or location offers nothing; say so rather than fail the screen.
        Err(
            availability::AvailabilityError::ServiceNotFound
            | availability::AvailabilityError::LocationNotFound,
        ) => {
            preview.missing = Some("inactive");
            return Ok(preview);
        }
        Err(e) => return Err(e.into()),
    };
    let twelve = Formats::load(db, locale).await?.twelve;
    let mut date = monday;
    while date <= sunday {
        let times = by_day
            .iter()
            .find(|d| d.date == date)
            .map(|d| {
                d.slots
                    .iter()
                    .map(|s| TimeLabel::of(s.start, zone, twelve))
                    .collect()
            })
            .unwrap_or_default();
        preview.days.push(PreviewDay {
            date: DateLabel::of(date),
            day_off: staff
                .days_off
                .iter()
                .any(|d| (d.date..=d.until).contains(&date)),
            times,
        });
        date += Duration::days(1);
    }
    Ok(preview)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_refusals_land_beside_the_row_they_came_from() {
        let origin = BTreeMap::from([("working_hours", vec![0, 2, 3]), ("breaks", vec![1])]);
        assert_eq!(
            form_error("working_hours[1].end", "must be after start", &origin),
            ("wh2_end".into(), "The end must be after the start.".into())
        );
        assert_eq!(
            form_error(
                "breaks[0]",
                "overlaps breaks[0]: the same weekday twice",
                &origin
            )
            .0,
            "br1"
        );
        assert_eq!(form_error("email", "bad", &origin).0, "email");
    }

    #[test]
    fn blank_rows_are_left_out_and_unreadable_values_refused_here() {
        let posted = Fields::parse(&axum::body::Bytes::from_static(
            br#"{"first_name":"Bo","wh0_location":"1","wh0_weekday":"1","wh0_start":"09:00","wh0_end":"17:00",
                "wh1_location":"1","wh1_weekday":"2","wh1_start":"","wh1_end":"",
                "off0_date":"soon","service_ids":["3","4"],"can_cancel":"1"}"#,
        ))
        .expect("json");
        let form = StaffForm::read(&posted);
        assert_eq!(form.service_ids, vec![3, 4]);
        assert!(form.can_cancel && !form.can_edit);
        let errors = form.request().expect_err("bad date");
        assert!(errors.contains_key("off0_date"), "{errors:?}");
    }
}
