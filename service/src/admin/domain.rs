//! The pure parts of the wp-admin screens: reading a screen's query, the query strings that keep
//! its state in links and actions, and the view models the templates render.
use super::AdminError;
use crate::clients::{Client, Group, ListQuery, Sort, Status};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// Rows per page, as wp-admin's own lists show by default.
pub const PAGE_SIZE: u16 = 20;

/// The filters the Clients screen understands, in the order its links carry them.
const FILTERS: &[&str] = &[
    "view",
    "search",
    "status",
    "group_id",
    "blocked",
    "subscribed",
    "used_category_ids",
    "used_service_ids",
    "unused_category_ids",
    "unused_service_ids",
    "booked_from",
    "booked_to",
    "active_bookings",
    "sort",
    "after",
];

/// The filters of the advanced panel (the others sit in the toolbar).
const ADVANCED: &[&str] = &[
    "group_id",
    "blocked",
    "subscribed",
    "used_category_ids",
    "used_service_ids",
    "unused_category_ids",
    "unused_service_ids",
    "booked_from",
    "booked_to",
    "active_bookings",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum View {
    /// Live clients.
    All,
    /// Deleted clients, which may be restored.
    Deleted,
}

/// The state of the Clients screen, read from its query string. Form fields may repeat (`status`
/// with several values, or `status[]` as PHP names them); they become the list's comma lists.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientsQuery {
    pub view: View,
    /// The wp-admin page (`?page=…`) the screen is shown on, for its plain links.
    pub page: Option<String>,
    /// Filter name → its value, empty values left out.
    values: BTreeMap<&'static str, String>,
}

impl ClientsQuery {
    pub fn parse(raw: Option<&str>) -> Result<Self, AdminError> {
        let mut multi: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        let mut page = None;
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            if key == "page" {
                let plain = (1..=64).contains(&value.len())
                    && value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                page = plain.then(|| value.into_owned());
                continue;
            }
            // `status[]` from a form, `status[0]` as PHP rebuilds a query: one list either way.
            let key = key.split('[').next().unwrap_or("");
            let Some(name) = FILTERS.iter().find(|f| **f == key) else {
                continue; // not a filter of this screen (a cache buster, a bulk field)
            };
            let value = value.trim();
            if !value.is_empty() {
                multi.entry(name).or_default().push(value.to_owned());
            }
        }
        let view = match multi.remove("view").as_deref() {
            None => View::All,
            Some([v]) if v == "all" => View::All,
            Some([v]) if v == "deleted" => View::Deleted,
            Some(_) => return Err(AdminError::Query("view is all or deleted".into())),
        };
        let values = multi.into_iter().map(|(k, v)| (k, v.join(","))).collect();
        Ok(Self { view, page, values })
    }

    pub fn get(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// The values of a comma-separated filter.
    pub fn list(&self, name: &str) -> Vec<&str> {
        self.get(name)
            .split(',')
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// How many filters of the advanced panel are set.
    pub fn advanced_count(&self) -> usize {
        ADVANCED
            .iter()
            .filter(|f| self.values.contains_key(*f))
            .count()
    }

    /// The client list's query for this screen state, one page of it.
    pub fn list_query(&self) -> Result<ListQuery, AdminError> {
        let mut pairs = form_urlencoded::Serializer::new(String::new());
        for (key, value) in &self.values {
            pairs.append_pair(key, value);
        }
        let mut query: ListQuery = serde_urlencoded::from_str(&pairs.finish())
            .map_err(|e| AdminError::Query(e.to_string()))?;
        // People look for a client by name; the list's own default is the order of creation.
        query.sort = Some(query.sort.unwrap_or(Sort::Name));
        query.limit = Some(PAGE_SIZE);
        query.deleted = Some(self.view == View::Deleted);
        Ok(query)
    }

    /// The query string of this state from its first page: what links and actions carry so the
    /// screen comes back as it was.
    pub fn state(&self) -> String {
        self.encode(None)
    }

    /// The query string of the page after `cursor`.
    pub fn after(&self, cursor: &str) -> String {
        self.encode(Some(cursor))
    }

    pub fn is_first_page(&self) -> bool {
        !self.values.contains_key("after")
    }

    fn encode(&self, after: Option<&str>) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if self.view == View::Deleted {
            out.append_pair("view", "deleted");
        }
        for (key, value) in self.values.iter().filter(|(k, _)| **k != "after") {
            out.append_pair(key, value);
        }
        if let Some(after) = after {
            out.append_pair("after", after);
        }
        out.finish()
    }
}

/// What a row action does to one client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Block,
    Unblock,
    Delete,
    Restore,
    AddToGroup,
    Export,
}

impl Action {
    /// Row actions name themselves in the path.
    pub fn from_path(segment: &str) -> Option<Self> {
        match segment {
            "block" => Some(Self::Block),
            "unblock" => Some(Self::Unblock),
            "delete" => Some(Self::Delete),
            "restore" => Some(Self::Restore),
            _ => None,
        }
    }

    /// Whether the action belongs to the view: deleted clients may only be restored.
    pub fn fits(self, view: View) -> bool {
        (view == View::Deleted) == (self == Self::Restore)
    }
}

/// The bulk form as the plugin forwards it: form fields become JSON strings, and checkbox lists
/// (`ids[]`) arrays of strings.
#[derive(Debug, Default, Deserialize)]
pub struct BulkForm {
    #[serde(default, deserialize_with = "blank_is_none")]
    pub bulk_action: Option<Action>,
    #[serde(default, deserialize_with = "id_list")]
    pub ids: Vec<u64>,
    #[serde(default, deserialize_with = "optional_id")]
    pub bulk_group_id: Option<u64>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Number(u64),
    Text(String),
}

impl Scalar {
    fn id<E: serde::de::Error>(self) -> Result<Option<u64>, E> {
        match self {
            Self::Number(n) => Ok(Some(n)),
            Self::Text(s) if s.trim().is_empty() => Ok(None),
            Self::Text(s) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| E::custom(format!("{s:?} is not an id"))),
        }
    }
}

fn blank_is_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Action>, D::Error> {
    match Option::<String>::deserialize(d)?.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => {
            Action::deserialize(serde::de::value::StrDeserializer::<D::Error>::new(s)).map(Some)
        }
    }
}

fn optional_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Option::<Scalar>::deserialize(d)? {
        Some(s) => s.id(),
        None => Ok(None),
    }
}

pub(crate) fn id_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<Scalar>),
        One(Scalar),
    }
    let items = match Option::<OneOrMany>::deserialize(d)? {
        None => Vec::new(),
        Some(OneOrMany::One(s)) => vec![s],
        Some(OneOrMany::Many(v)) => v,
    };
    let mut ids = Vec::with_capacity(items.len());
    for item in items {
        if let Some(id) = item.id()?
            && !ids.contains(&id)
        {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// The outcome of an action, for the notice above the list; the template words it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub action: Option<Action>,
    /// Clients the action applied to.
    pub done: Vec<String>,
    /// Clients it could not apply to because the client limit is reached.
    pub over_limit: Vec<String>,
    /// Clients it could not apply to for another reason (deleted meanwhile, not found).
    pub failed: Vec<String>,
    /// The group clients were added to.
    pub group: Option<String>,
    /// For an export: the selected ids, comma-separated.
    pub export_ids: Option<String>,
    /// Why nothing was done: `no_selection`, `no_action`, `no_group`, `wrong_view`.
    pub refused: Option<&'static str>,
}

impl Outcome {
    pub fn refused(reason: &'static str) -> Self {
        Self {
            refused: Some(reason),
            ..Self::default()
        }
    }
}

/// One option of a filter's choice list.
#[derive(Debug, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    /// Clients it applies to, when known.
    pub count: Option<u64>,
    pub selected: bool,
}

#[derive(Debug, Serialize)]
pub struct Row {
    pub id: u64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub status: String,
    pub groups: Vec<String>,
    pub blocked: bool,
}

/// What the template of the Clients screen shows.
#[derive(Debug, Serialize)]
pub struct ClientsScreen {
    pub view: View,
    pub page: Option<String>,
    /// The query string of the current state (first page): actions carry it back.
    pub state: String,
    /// The query string of the next page, when there is one.
    pub next_page: Option<String>,
    pub first_page: bool,
    pub search: String,
    pub statuses: Vec<Choice>,
    pub groups: Vec<Choice>,
    pub sort: Vec<Choice>,
    pub blocked: String,
    pub subscribed: String,
    pub active_bookings: String,
    pub booked_from: String,
    pub booked_to: String,
    pub used_services: Vec<Choice>,
    pub unused_services: Vec<Choice>,
    pub used_categories: Vec<Choice>,
    pub unused_categories: Vec<Choice>,
    pub advanced_count: usize,
    pub filtered: bool,
    pub rows: Vec<Row>,
    pub outcome: Option<Outcome>,
}

/// A catalog entry a filter may name (a service or a category).
pub struct Named {
    pub id: u64,
    pub name: String,
}

pub struct Lists<'a> {
    pub statuses: &'a [Status],
    pub groups: &'a [Group],
    pub services: &'a [Named],
    pub categories: &'a [Named],
}

fn choices(named: &[Named], selected: &[&str]) -> Vec<Choice> {
    named
        .iter()
        .map(|n| Choice {
            value: n.id.to_string(),
            label: n.name.clone(),
            count: None,
            selected: selected.contains(&n.id.to_string().as_str()),
        })
        .collect()
}

impl ClientsScreen {
    pub fn new(
        query: &ClientsQuery,
        clients: &[Client],
        next_cursor: Option<&str>,
        lists: &Lists<'_>,
        outcome: Option<Outcome>,
    ) -> Self {
        let group_names: BTreeMap<u64, &str> = lists
            .groups
            .iter()
            .map(|g| (g.id, g.name.as_str()))
            .collect();
        let statuses = query.list("status");
        let sort = query.get("sort");
        Self {
            view: query.view,
            page: query.page.clone(),
            state: query.state(),
            next_page: next_cursor.map(|c| query.after(c)),
            first_page: query.is_first_page(),
            search: query.get("search").to_owned(),
            statuses: lists
                .statuses
                .iter()
                .map(|s| Choice {
                    value: s.name.clone(),
                    label: s.name.clone(),
                    count: Some(s.clients),
                    selected: statuses.iter().any(|v| v.eq_ignore_ascii_case(&s.name)),
                })
                .collect(),
            groups: lists
                .groups
                .iter()
                .map(|g| Choice {
                    value: g.id.to_string(),
                    label: g.name.clone(),
                    count: Some(g.clients),
                    selected: query.get("group_id") == g.id.to_string(),
                })
                .collect(),
            sort: ["name", "-name", "-id", "id"]
                .into_iter()
                .map(|v| Choice {
                    value: v.to_owned(),
                    label: v.to_owned(),
                    count: None,
                    selected: sort == v || (sort.is_empty() && v == "name"),
                })
                .collect(),
            blocked: query.get("blocked").to_owned(),
            subscribed: query.get("subscribed").to_owned(),
            active_bookings: query.get("active_bookings").to_owned(),
            booked_from: query.get("booked_from").to_owned(),
            booked_to: query.get("booked_to").to_owned(),
            used_services: choices(lists.services, &query.list("used_service_ids")),
            unused_services: choices(lists.services, &query.list("unused_service_ids")),
            used_categories: choices(lists.categories, &query.list("used_category_ids")),
            unused_categories: choices(lists.categories, &query.list("unused_category_ids")),
            advanced_count: query.advanced_count(),
            filtered: query.advanced_count() > 0
                || !query.get("search").is_empty()
                || !statuses.is_empty(),
            rows: clients
                .iter()
                .map(|c| Row {
                    id: c.id,
                    name: c.full_name(),
                    email: c.email.clone().unwrap_or_default(),
                    phone: c.phone.clone().unwrap_or_default(),
                    status: c.status.clone(),
                    groups: c
                        .groups
                        .iter()
                        .filter_map(|g| group_names.get(g).map(|n| (*n).to_owned()))
                        .collect(),
                    blocked: c.blocked,
                })
                .collect(),
            outcome,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_keep_filters_and_drop_the_rest() {
        let q = ClientsQuery::parse(Some(
            "search=ann+lee&status[]=VIP&status[1]=New&used_service_ids=3&used_service_ids=4\
             &booked_from=&rest_route=/x&org.htmx.cache-buster=1&after=12",
        ))
        .expect("parses");
        assert_eq!(q.view, View::All);
        assert_eq!(q.get("status"), "VIP,New");
        assert_eq!(q.list("used_service_ids"), vec!["3", "4"]);
        assert_eq!(q.advanced_count(), 1);
        assert!(!q.is_first_page());
        assert_eq!(
            q.state(),
            "search=ann+lee&status=VIP%2CNew&used_service_ids=3%2C4"
        );
        assert_eq!(q.after("40").rsplit('&').next(), Some("after=40"));
        let list = q.list_query().expect("a list query");
        assert_eq!(list.search.as_deref(), Some("ann lee"));
        assert_eq!(list.status.as_deref(), Some("VIP,New"));
        assert_eq!(list.after.as_deref(), Some("12"));
        assert_eq!((list.limit, list.deleted), (Some(PAGE_SIZE), Some(false)));
        assert_eq!(list.sort, Some(Sort::Name));
        assert_eq!(
            ClientsQuery::parse(Some(&q.state()))
                .expect("again")
                .state(),
            q.state()
        );
    }

    #[test]
    fn the_deleted_view_and_bad_values() {
        let q = ClientsQuery::parse(Some("page=volixta-clients&view=deleted&sort=-id"))
            .expect("parses");
        assert_eq!(q.view, View::Deleted);
        assert_eq!(q.page.as_deref(), Some("volixta-clients"));
        assert_eq!(
            ClientsQuery::parse(Some("page=a\"b")).expect("parses").page,
            None
        );
        assert_eq!(q.state(), "view=deleted&sort=-id");
        assert_eq!(q.list_query().expect("query").deleted, Some(true));
        assert!(ClientsQuery::parse(Some("view=everything")).is_err());
        let bad = ClientsQuery::parse(Some("booked_from=yesterday")).expect("parses");
        assert!(bad.list_query().is_err());
        assert_eq!(ClientsQuery::parse(None).expect("empty").state(), "");
    }

    #[test]
    fn bulk_forms_as_the_plugin_sends_them() {
        let form: BulkForm = serde_json::from_str(
            r#"{"bulk_action":"add_to_group","ids":["3","4","3",""],"bulk_group_id":"2"}"#,
        )
        .expect("parses");
        assert_eq!(form.bulk_action, Some(Action::AddToGroup));
        assert_eq!(form.ids, vec![3, 4]);
        assert_eq!(form.bulk_group_id, Some(2));
        let one: BulkForm =
            serde_json::from_str(r#"{"bulk_action":"","ids":"7","bulk_group_id":""}"#)
                .expect("parses");
        assert_eq!(
            (one.bulk_action, one.ids, one.bulk_group_id),
            (None, vec![7], None)
        );
        assert!(serde_json::from_str::<BulkForm>(r#"{"ids":["x"]}"#).is_err());
        assert!(serde_json::from_str::<BulkForm>(r#"{"bulk_action":"drop"}"#).is_err());
    }

    #[test]
    fn actions_fit_their_view() {
        assert!(Action::Restore.fits(View::Deleted));
        assert!(!Action::Delete.fits(View::Deleted));
        assert!(Action::Block.fits(View::All));
        assert!(!Action::Restore.fits(View::All));
        assert_eq!(Action::from_path("unblock"), Some(Action::Unblock));
        assert_eq!(Action::from_path("export"), None);
    }
}
