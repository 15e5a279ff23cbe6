//! The New booking flow's state: every choice made so far travels in the query string (links,
//! GET forms, the confirm POST), so a reload, a new tab or the back button shows the same step.
use crate::{
    admin::{picker::SlotChoice, profile::plain_page},
    availability::FlowChoices,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// The steps, in order. Service holds the narrowing questions (type → service → people →
/// location → staff); Client comes first only when the flow was opened without one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    Client,
    #[default]
    Service,
    Addons,
    When,
    Payment,
    Review,
}

impl Step {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "client" => Self::Client,
            "service" => Self::Service,
            "addons" => Self::Addons,
            "when" => Self::When,
            "payment" => Self::Payment,
            "review" => Self::Review,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::Service => "service",
            Self::Addons => "addons",
            Self::When => "when",
            Self::Payment => "payment",
            Self::Review => "review",
        }
    }
}

/// Everything chosen so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlowState {
    pub page: String,
    pub client: Option<u64>,
    pub search: String,
    pub category_id: Option<u64>,
    pub service_id: Option<u64>,
    pub people: Option<u32>,
    pub location_id: Option<u64>,
    /// `Some(None)`: anyone free.
    pub staff: Option<Option<u64>>,
    /// `Some` once the add-ons step was answered (possibly with none): (add-on id, quantity).
    pub addons: Option<Vec<(u64, u32)>>,
    pub timezone: Option<String>,
    pub month: Option<String>,
    pub date: Option<NaiveDate>,
    pub slot: Option<SlotChoice>,
    /// After a refusal of the slot: the start that was wanted.
    pub near: Option<DateTime<Utc>>,
    pub method: String,
    pub pay_status: String,
    pub choice: String,
    pub use_wallet: String,
    /// The client package one session of which pays for the service.
    pub package: Option<u64>,
    pub step: Step,
}

fn id(value: &str) -> Option<u64> {
    value.parse().ok().filter(|v| *v > 0)
}

/// Keeps a free-text field to a sane length.
fn short(value: &str) -> String {
    value.chars().take(100).collect()
}

impl FlowState {
    /// Reads a query string; a value no form of the flow produces is left out rather than
    /// refused, so an edited address still shows the flow at the step it can.
    pub fn parse(raw: Option<&str>) -> Self {
        let mut s = Self {
            page: "volixta-new-booking".into(),
            ..Self::default()
        };
        let mut addons: Option<Vec<(u64, u32)>> = None;
        let mut step = None;
        let mut at = None;
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let value = value.trim();
            match key.as_ref() {
                "page" => s.page = plain_page(value).unwrap_or(s.page),
                "client" => s.client = id(value),
                "search" => s.search = short(value),
                "category_id" => s.category_id = id(value),
                "service_id" => s.service_id = id(value),
                "people" => s.people = value.parse().ok().filter(|p| *p > 0),
                "location_id" => s.location_id = id(value),
                "staff_id" if value == "any" => s.staff = Some(None),
                "staff_id" => s.staff = id(value).map(Some),
                "addons" => {
                    let list = addons.get_or_insert_with(Vec::new);
                    list.extend(crate::availability::parse_addons(Some(value)).unwrap_or_default());
                }
                "timezone" => s.timezone = Some(short(value)).filter(|v| !v.is_empty()),
                "month" => s.month = Some(short(value)).filter(|v| !v.is_empty()),
                "date" => s.date = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok(),
                "slot" => s.slot = SlotChoice::parse(value),
                "near" => {
                    s.near = DateTime::parse_from_rfc3339(value)
                        .ok()
                        .map(|t| t.with_timezone(&Utc));
                }
                "method" => s.method = short(value),
                "pay_status" => s.pay_status = short(value),
                "choice" => s.choice = short(value),
                "use_wallet" => s.use_wallet = short(value),
                "package" => s.package = id(value),
                "step" => step = Step::parse(value).or(step),
                // A step's form names itself, for when it is sent without a button (a change).
                "at" => at = Step::parse(value),
                key => {
                    // The add-ons step posts one quantity field per add-on.
                    if let Some(addon) = key.strip_prefix("addon_").and_then(id) {
                        let list = addons.get_or_insert_with(Vec::new);
                        if let Ok(qty) = value.parse::<u32>()
                            && qty > 0
                        {
                            list.retain(|(a, _)| *a != addon);
                            list.push((addon, qty));
                        }
                    }
                }
            }
        }
        if let Some(list) = &mut addons {
            list.sort_unstable();
            list.dedup_by_key(|(a, _)| *a);
        }
        s.addons = addons;
        s.step = step.or(at).unwrap_or_default();
        s
    }

    pub fn choices(&self) -> FlowChoices {
        FlowChoices {
            category_id: self.category_id,
            service_id: self.service_id,
            people: self.people,
            location_id: self.location_id,
            staff_id: self.staff.flatten(),
            addons: self.addons.clone(),
        }
    }

    /// Forgets `field` and every choice that depends on it, as if it was never made.
    pub fn forget_from(&mut self, field: &str) {
        let order = [
            "category_id",
            "service_id",
            "people",
            "location_id",
            "staff_id",
            "addons",
        ];
        let from = order.iter().position(|f| *f == field).unwrap_or(0);
        for f in &order[from..] {
            match *f {
                "category_id" => self.category_id = None,
                "service_id" => self.service_id = None,
                "people" => self.people = None,
                "location_id" => self.location_id = None,
                "staff_id" => self.staff = None,
                _ => self.addons = None,
            }
        }
        self.slot = None;
        self.near = None;
    }

    pub fn addons_text(&self) -> Option<String> {
        self.addons.as_ref().map(|list| {
            list.iter()
                .map(|(a, q)| format!("{a}:{q}"))
                .collect::<Vec<_>>()
                .join(",")
        })
    }

    /// The state as `(key, value)` pairs, without the step, the keys in `except`, or empty ones.
    pub fn pairs(&self, except: &[&str]) -> Vec<(&'static str, String)> {
        let opt = |v: Option<u64>| v.map(|v| v.to_string());
        let all: Vec<(&'static str, Option<String>)> = vec![
            ("page", Some(self.page.clone())),
            ("client", opt(self.client)),
            ("category_id", opt(self.category_id)),
            ("service_id", opt(self.service_id)),
            ("people", self.people.map(|p| p.to_string())),
            ("location_id", opt(self.location_id)),
            (
                "staff_id",
                self.staff
                    .map(|s| s.map_or_else(|| "any".to_owned(), |id| id.to_string())),
            ),
            ("addons", self.addons_text()),
            ("timezone", self.timezone.clone()),
            ("month", self.month.clone()),
            ("date", self.date.map(|d| d.format("%Y-%m-%d").to_string())),
            ("slot", self.slot.map(|s| s.value())),
            ("method", Some(self.method.clone())),
            ("pay_status", Some(self.pay_status.clone())),
            ("choice", Some(self.choice.clone())),
            ("use_wallet", Some(self.use_wallet.clone())),
            ("package", opt(self.package)),
        ];
        all.into_iter()
            .filter(|(k, _)| !except.contains(k))
            .filter_map(|(k, v)| v.filter(|v| !v.is_empty() || k == "addons").map(|v| (k, v)))
            .collect()
    }

    /// The query string of this state at `step`.
    pub fn query(&self, step: Step) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.pairs(&[]) {
            out.append_pair(k, &v);
        }
        out.append_pair("step", step.as_str());
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_survives_its_own_query_string() {
        let s = FlowState::parse(Some(
            "page=volixta-new-booking&client=4&service_id=2&people=3&location_id=5&staff_id=any\
             &addon_7=2&addon_9=0&slot=2026-12-01T09%3A00%3A00Z_3&use_wallet=20&step=payment",
        ));
        assert_eq!(s.client, Some(4));
        assert_eq!(s.staff, Some(None));
        assert_eq!(s.addons, Some(vec![(7, 2)]));
        assert_eq!(s.step, Step::Payment);
        let again = FlowState::parse(Some(&s.query(Step::Payment)));
        assert_eq!(again, s);
    }

    #[test]
    fn forgetting_a_choice_forgets_what_depends_on_it() {
        let mut s = FlowState::parse(Some(
            "category_id=1&service_id=2&location_id=5&staff_id=3&addons=7:1&slot=2026-12-01T09:00:00Z_3",
        ));
        s.forget_from("location_id");
        assert_eq!((s.category_id, s.service_id), (Some(1), Some(2)));
        assert_eq!(
            (s.location_id, s.staff, s.addons.clone(), s.slot),
            (None, None, None, None)
        );
        let odd = FlowState::parse(Some("client=x&step=nowhere&people=0&page=../x"));
        assert_eq!(
            (odd.client, odd.step, odd.people),
            (None, Step::Service, None)
        );
        assert_eq!(odd.page, "volixta-new-booking");
    }
}
