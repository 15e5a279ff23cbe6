//! wp-admin → Volixta → Locations: the list, and the form of one location with its opening hours
//! per weekday (several periods each) and its special days. Rows are added and removed by
//! sending the form back with the button pressed; only "Save" changes anything, through the
//! catalog, whose refusals come back beside the rows that caused them.
use super::fields::{Errors, Fields, Op, PeriodRow, period_rows, remove_at, row_numbers};
use crate::{
    admin::http::page,
    auth::Actor,
    catalog::{
        self, CatalogError, Location, LocationRequest, LocationSpecialDayInput, PeriodInput,
        WeeklyHoursInput,
    },
    error::ApiResult,
    state::AppState,
};
use axum::{
    body::Bytes,
    extract::{RawQuery, State},
    http::HeaderMap,
    response::Html,
};
use serde::Serialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(locations_screen))
        .routes(routes!(save_location))
}

const PAGE: &str = "volixta-locations";

#[derive(Debug, Default, Serialize)]
struct SpecialRow {
    date: String,
    closed: bool,
    periods: Vec<PeriodRow>,
}

/// The form as typed: weekly periods per weekday (Monday first) and special days.
#[derive(Debug, Default, Serialize)]
struct LocationForm {
    name: String,
    address: String,
    timezone: String,
    active: bool,
    week: Vec<Vec<PeriodRow>>,
    special: Vec<SpecialRow>,
}

impl LocationForm {
    fn blank() -> Self {
        Self {
            active: true,
            timezone: "UTC".into(),
            week: vec![Vec::new(); 7],
            ..Self::default()
        }
    }

    fn of(l: &Location) -> Self {
        let mut week = vec![Vec::new(); 7];
        for h in &l.opening_hours {
            week[usize::from(h.weekday - 1)].push(PeriodRow {
                start: h.start.to_string(),
                end: h.end.to_string(),
            });
        }
        Self {
            name: l.name.clone(),
            address: l.address.clone(),
            timezone: l.timezone.clone(),
            active: l.active,
            week,
            special: l
                .special_days
                .iter()
                .map(|d| SpecialRow {
                    date: d.date.to_string(),
                    closed: d.closed,
                    periods: d
                        .periods
                        .iter()
                        .map(|p| PeriodRow {
                            start: p.start.to_string(),
                            end: p.end.to_string(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    fn read(f: &Fields) -> Self {
        let special = row_numbers(f, "s", &["date", "kind"])
            .into_iter()
            .map(|i| SpecialRow {
                date: f.text(&format!("s{i}_date")),
                closed: f.text(&format!("s{i}_kind")) != "hours",
                periods: period_rows(f, &format!("s{i}_")),
            })
            .collect();
        Self {
            name: f.text("name"),
            address: f.text("address"),
            timezone: f.text("timezone"),
            active: f.ticked("active"),
            week: (1..=7).map(|d| period_rows(f, &format!("h{d}_"))).collect(),
            special,
        }
    }

    /// Adds or removes a row; `focus` names the field to put the cursor in afterwards.
    fn edit(&mut self, name: &str, args: &[usize]) -> Option<String> {
        let day = args.first().copied().filter(|d| (1..=7).contains(d));
        match (name, day) {
            ("add_hours", Some(d)) => {
                let rows = &mut self.week[d - 1];
                rows.push(PeriodRow::default());
                return Some(format!("h{d}_{}_start", rows.len() - 1));
            }
            ("remove_hours", Some(d)) => remove_at(&mut self.week[d - 1], args.get(1)),
            ("add_special", _) => {
                self.special.push(SpecialRow {
                    closed: true,
                    ..SpecialRow::default()
                });
                return Some(format!("s{}_date", self.special.len() - 1));
            }
            ("remove_special", _) => remove_at(&mut self.special, args.first()),
            ("add_special_hours", _) => {
                let i = *args.first()?;
                let row = self.special.get_mut(i)?;
                row.closed = false;
                row.periods.push(PeriodRow::default());
                return Some(format!("s{i}_{}_start", row.periods.len() - 1));
            }
            ("remove_special_hours", _) => {
                if let Some(row) = args.first().and_then(|&i| self.special.get_mut(i)) {
                    remove_at(&mut row.periods, args.get(1));
                }
            }
            _ => {}
        }
        None
    }

    /// The catalog's request, and for each entry of its lists the form row it came from (blank
    /// rows are left out), to put the catalog's field errors back beside the right row.
    fn request(&self) -> (LocationRequest, Vec<String>) {
        let mut hours = Vec::new();
        let mut rows = Vec::new();
        for (d, periods) in self.week.iter().enumerate() {
            for (k, p) in periods.iter().enumerate().filter(|(_, p)| !p.is_blank()) {
                hours.push(WeeklyHoursInput {
                    weekday: u8::try_from(d + 1).unwrap_or(7),
                    start: p.start.clone(),
                    end: p.end.clone(),
                });
                rows.push(format!("h{}_{k}", d + 1));
            }
        }
        let special_days = self
            .special
            .iter()
            .map(|s| LocationSpecialDayInput {
                date: s.date.parse().unwrap_or_default(),
                closed: Some(s.closed),
                periods: if s.closed {
                    Vec::new()
                } else {
                    s.periods
                        .iter()
                        .filter(|p| !p.is_blank())
                        .map(|p| PeriodInput {
                            start: p.start.clone(),
                            end: p.end.clone(),
                        })
                        .collect()
                },
            })
            .collect();
        let request = LocationRequest {
            name: Some(self.name.clone()),
            address: Some(self.address.clone()),
            timezone: Some(self.timezone.clone()),
            opening_hours: Some(hours),
            special_days: Some(special_days),
            active: Some(self.active),
        };
        (request, rows)
    }

    /// Dates the browser could not send as dates: the catalog only sees valid ones.
    fn date_errors(&self) -> Errors {
        self.special
            .iter()
            .enumerate()
            .filter(|(_, s)| s.date.parse::<chrono::NaiveDate>().is_err())
            .map(|(i, _)| (format!("s{i}_date"), "a date like 2026-12-24".to_owned()))
            .collect()
    }
}

/// A catalog field path (`opening_hours[2].end`, `special_days[0].periods[1]`) as the form's
/// field name (`h3_1_end`, `s0_1`); `rows` maps the opening-hours entries to their rows.
fn form_field(path: &str, rows: &[String]) -> String {
    if let Some(rest) = path.strip_prefix("opening_hours[") {
        let (i, tail) = rest.split_once(']').unwrap_or((rest, ""));
        let row = i
            .parse::<usize>()
            .ok()
            .and_then(|i| rows.get(i))
            .cloned()
            .unwrap_or_default();
        return format!("{row}{}", tail.replace('.', "_"));
    }
    if let Some(rest) = path.strip_prefix("special_days[") {
        let (i, tail) = rest.split_once(']').unwrap_or((rest, ""));
        let tail = tail
            .replace(".periods[", "_")
            .replace(']', "")
            .replace('.', "_");
        return format!("s{i}{tail}");
    }
    path.to_owned()
}

#[derive(Serialize)]
struct Row {
    id: u64,
    name: String,
    address: String,
    timezone: String,
    active: bool,
    /// Opening hours per weekday (1 = Monday), as `09:00–12:00, 14:00–18:00`.
    hours: Vec<(u8, String)>,
    special_days: usize,
}

#[derive(Serialize)]
struct ListScreen {
    page: &'static str,
    rows: Vec<Row>,
    saved: Option<String>,
}

#[derive(Serialize)]
struct FormScreen {
    page: &'static str,
    location_id: Option<u64>,
    form: LocationForm,
    errors: Errors,
    zones: Vec<&'static str>,
    focus: Option<String>,
}

async fn list_screen(state: &AppState, saved: Option<String>) -> ApiResult<ListScreen> {
    let rows = catalog::locations(&state.db)
        .await?
        .into_iter()
        .map(|l| {
            let mut hours: Vec<(u8, String)> = Vec::new();
            for h in &l.opening_hours {
                let text = format!("{}–{}", h.start, h.end);
                match hours.last_mut() {
                    Some((d, all)) if *d == h.weekday => {
                        all.push_str(", ");
                        all.push_str(&text);
                    }
                    _ => hours.push((h.weekday, text)),
                }
            }
            Row {
                id: l.id,
                name: l.name,
                address: l.address,
                timezone: l.timezone,
                active: l.active,
                hours,
                special_days: l.special_days.len(),
            }
        })
        .collect();
    Ok(ListScreen {
        page: PAGE,
        rows,
        saved,
    })
}

fn form_screen(
    location_id: Option<u64>,
    form: LocationForm,
    errors: Errors,
    focus: Option<String>,
) -> FormScreen {
    FormScreen {
        page: PAGE,
        location_id,
        form,
        errors,
        zones: super::zone_names(),
        focus,
    }
}

#[utoipa::path(get, path = "/v1/render/admin/locations", tag = "admin",
    description = "The Locations screen of wp-admin as an HTML fragment: the list; with `action=new` the form of a new location, with `location=<id>` the form of that one (opening hours per weekday, special days, time zone). Managers and admins.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn locations_screen(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    match super::route(raw.as_deref(), "location")? {
        None => page(
            &state,
            &headers,
            "admin/locations.html",
            &list_screen(&state, None).await?,
        ),
        Some(None) => page(
            &state,
            &headers,
            "admin/location_form.html",
            &form_screen(None, LocationForm::blank(), Errors::new(), None),
        ),
        Some(Some(id)) => {
            let location = catalog::location(&state.db, id).await?;
            page(
                &state,
                &headers,
                "admin/location_form.html",
                &form_screen(Some(id), LocationForm::of(&location), Errors::new(), None),
            )
        }
    }
}

#[utoipa::path(post, path = "/v1/render/admin/locations/save", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "The location form's fields as strings: `name`, `address`, `timezone`, `active`, `h<weekday>_<n>_start|end`, `s<n>_date`, `s<n>_kind` (closed|hours), `s<n>_<k>_start|end`; `op` is the button: `save`, or `add_hours:<weekday>`, `remove_hours:<weekday>:<n>`, `add_special`, `remove_special:<n>`, `add_special_hours:<n>`, `remove_special_hours:<n>:<k>`, which answer the form with the row added or removed and save nothing"),
    params(("location" = Option<u64>, Query, description = "the location being edited; absent for a new one")),
    description = "Saves the location form through the catalog and answers the list with what was saved, or the form again with the catalog's reasons beside the fields (nothing saved).",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn save_location(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let id = super::route(raw.as_deref(), "location")?.flatten();
    let fields = Fields::parse(&body)?;
    let mut form = LocationForm::read(&fields);
    let template = "admin/location_form.html";
    if let Op::Edit { name, args } = fields.op() {
        let focus = form.edit(&name, &args);
        return page(
            &state,
            &headers,
            template,
            &form_screen(id, form, Errors::new(), focus),
        );
    }
    let errors = form.date_errors();
    if !errors.is_empty() {
        return page(
            &state,
            &headers,
            template,
            &form_screen(id, form, errors, None),
        );
    }
    let (request, rows) = form.request();
    let saved = match id {
        Some(id) => catalog::update_location(&state.db, id, &request).await,
        None => catalog::create_location(&state.db, &request).await,
    };
    match saved {
        Ok(location) => page(
            &state,
            &headers,
            "admin/locations.html",
            &list_screen(&state, Some(location.name)).await?,
        ),
        Err(CatalogError::Field { field, message }) => {
            let errors = Errors::from([(form_field(&field, &rows), message)]);
            page(
                &state,
                &headers,
                template,
                &form_screen(id, form, errors, None),
            )
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_paths_become_form_fields() {
        let rows = vec!["h1_0".to_owned(), "h3_2".to_owned()];
        assert_eq!(form_field("opening_hours[1].end", &rows), "h3_2_end");
        assert_eq!(form_field("opening_hours[1]", &rows), "h3_2");
        assert_eq!(form_field("special_days[0].date", &rows), "s0_date");
        assert_eq!(
            form_field("special_days[2].periods[1].start", &rows),
            "s2_1_start"
        );
        assert_eq!(form_field("special_days[2].periods[1]", &rows), "s2_1");
        assert_eq!(form_field("special_days[2].periods", &rows), "s2_periods");
        assert_eq!(form_field("timezone", &rows), "timezone");
    }
}
