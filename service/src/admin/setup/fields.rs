//! A setup form as the plugin forwards it (every field a string, a checkbox present only when
//! ticked, a list of ticked boxes as an array), the button that sent it, and the field errors a
//! domain refusal puts beside the form's own fields.
use crate::error::{ApiError, ApiResult};
use axum::body::Bytes;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct Fields(BTreeMap<String, Value>);

impl Fields {
    pub fn parse(body: &Bytes) -> ApiResult<Self> {
        // The plugin sends no body when the form had no field to send.
        if body.trim_ascii().is_empty() {
            return Ok(Self::default());
        }
        serde_json::from_slice(body)
            .map(Self)
            .map_err(|e| ApiError::invalid("invalid_body", e.to_string()))
    }

    /// A field's text, trimmed; numbers and booleans as they print.
    pub fn text(&self, name: &str) -> String {
        match self.0.get(name) {
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Bool(b)) => b.to_string(),
            _ => String::new(),
        }
    }

    pub fn ticked(&self, name: &str) -> bool {
        match self.0.get(name) {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => !matches!(self.text(name).as_str(), "" | "0" | "false"),
        }
    }

    /// The values of a group of checkboxes (`name[]`), or of one field.
    pub fn list(&self, name: &str) -> Vec<String> {
        let values: Vec<&Value> = match self.0.get(name) {
            Some(Value::Array(items)) => items.iter().collect(),
            // PHP turns `name[0]`, `name[1]` … into an object when the indexes have gaps.
            Some(Value::Object(items)) => items.values().collect(),
            Some(v) => vec![v],
            None => Vec::new(),
        };
        values
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect()
    }

    pub fn ids(&self, name: &str) -> Vec<u64> {
        self.list(name)
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect()
    }

    /// The names of the fields sent, for forms whose rows are numbered.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// The button that sent the form: `op=save` (or none) saves; others change the form only.
    pub fn op(&self) -> Op {
        let raw = self.text("op");
        let mut parts = raw.split(':');
        let name = parts.next().unwrap_or_default().to_owned();
        let args = parts.filter_map(|p| p.parse().ok()).collect();
        if name.is_empty() || name == "save" {
            Op::Save
        } else {
            Op::Edit { name, args }
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Op {
    Save,
    /// Add or remove a row: `add_hours:3`, `remove_hours:3:1` …
    Edit {
        name: String,
        args: Vec<usize>,
    },
}

/// Field errors of a form, by the form's own field names.
pub type Errors = BTreeMap<String, String>;

/// A number typed into a form: empty is `None`, anything else must parse.
pub fn number<T: std::str::FromStr>(
    errors: &mut Errors,
    field: &str,
    raw: &str,
    message: &str,
) -> Option<T> {
    if raw.is_empty() {
        return None;
    }
    let parsed = raw.parse().ok();
    if parsed.is_none() {
        errors.insert(field.to_owned(), message.to_owned());
    }
    parsed
}

/// A wall-clock period typed into a form row.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct PeriodRow {
    pub start: String,
    pub end: String,
}

impl PeriodRow {
    pub fn is_blank(&self) -> bool {
        self.start.is_empty() && self.end.is_empty()
    }
}

/// The row numbers `k` of the fields `prefix<k>_<part>` sent, `part` one of `parts`, in order.
pub fn row_numbers(fields: &Fields, prefix: &str, parts: &[&str]) -> Vec<usize> {
    let mut numbers: Vec<usize> = fields
        .names()
        .filter_map(|n| n.strip_prefix(prefix))
        .filter_map(|rest| {
            let (k, what) = rest.split_once('_')?;
            parts.contains(&what).then(|| k.parse().ok())?
        })
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

/// The rows `prefix<k>_start` / `prefix<k>_end` of a form, in order of `k`.
pub fn period_rows(fields: &Fields, prefix: &str) -> Vec<PeriodRow> {
    row_numbers(fields, prefix, &["start", "end"])
        .into_iter()
        .map(|k| PeriodRow {
            start: fields.text(&format!("{prefix}{k}_start")),
            end: fields.text(&format!("{prefix}{k}_end")),
        })
        .collect()
}

/// Removes row `k` of `rows` when it exists.
pub fn remove_at<T>(rows: &mut Vec<T>, k: Option<&usize>) {
    if let Some(&k) = k
        && k < rows.len()
    {
        rows.remove(k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(json: &str) -> Fields {
        Fields::parse(&Bytes::from(json.to_owned())).expect("json")
    }

    #[test]
    fn rows_ops_and_lists() {
        let f = fields(
            r#"{"h1_10_start":"13:00","h1_10_end":"17:00","h1_2_start":"09:00","h1_2_end":"12:00",
                "op":"remove_hours:1:0","ids":["3","x","4"],"one":"7","box":"1","off":"0"}"#,
        );
        let rows = period_rows(&f, "h1_");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].start, "09:00");
        assert_eq!(
            f.op(),
            Op::Edit {
                name: "remove_hours".into(),
                args: vec![1, 0]
            }
        );
        assert_eq!(f.ids("ids"), vec![3, 4]);
        assert_eq!(f.ids("one"), vec![7]);
        assert!(f.ticked("box") && !f.ticked("off") && !f.ticked("none"));
        assert_eq!(fields("{}").op(), Op::Save);
    }
}
