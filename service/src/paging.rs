//! Keyset paging, the same for every list: a caller asks for the rows after a cursor (the
//! `next_cursor` of the page before) with a limit, 50 unless it says and never more than 500.
//! The service reads one row more than the limit, so a page names a `next_cursor` exactly when
//! another page follows, and the last page says `None`.
//!
//! A repository reads `request.rows_to_read()` rows from `request.after`; the domain turns
//! them into a `Page` with `Page::from_rows`; each endpoint answers its items under its own
//! name (`transactions`, `items`, …) beside `next_cursor`.

pub const DEFAULT_LIMIT: u16 = 50;
pub const MAX_LIMIT: u16 = 500;

/// Which page a caller asks for: after which cursor (none: the first page), and how many rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest<C = u64> {
    pub after: Option<C>,
    pub limit: u16,
}

impl<C> PageRequest<C> {
    /// The caller's limit, within the shared bounds.
    pub fn new(after: Option<C>, limit: Option<u16>) -> Self {
        Self {
            after,
            limit: limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT),
        }
    }

    /// One more than the page: the extra row only tells that another page follows.
    pub fn rows_to_read(&self) -> u32 {
        u32::from(self.limit) + 1
    }

    /// The same page size from another cursor type (a list whose cursor is decoded later).
    pub fn with_after<D>(&self, after: Option<D>) -> PageRequest<D> {
        PageRequest {
            after,
            limit: self.limit,
        }
    }
}

/// One page of a list, and where the next one starts (`None` on the last page).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T, C = u64> {
    pub items: Vec<T>,
    pub next_cursor: Option<C>,
}

impl<T, C> Page<T, C> {
    /// From the rows read for a request of `limit` (at most `rows_to_read()` of them): the
    /// next page starts after the last row kept, if a row beyond the limit came back.
    pub fn from_rows(mut rows: Vec<T>, limit: u16, cursor_of: impl Fn(&T) -> C) -> Self {
        let more = rows.len() > usize::from(limit);
        rows.truncate(usize::from(limit));
        let next_cursor = if more {
            rows.last().map(cursor_of)
        } else {
            None
        };
        Self {
            items: rows,
            next_cursor,
        }
    }

    /// The same page with each item turned into another.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U, C> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_shared() {
        assert_eq!(PageRequest::<u64>::new(None, None).limit, DEFAULT_LIMIT);
        assert_eq!(PageRequest::<u64>::new(None, Some(0)).limit, 1);
        assert_eq!(PageRequest::<u64>::new(None, Some(9999)).limit, MAX_LIMIT);
        assert_eq!(PageRequest::new(Some(7_u64), Some(20)).rows_to_read(), 21);
    }

    #[test]
    fn a_next_cursor_only_when_another_page_follows() {
        let more = Page::from_rows(vec![9_u64, 7, 4, 2], 3, |id| *id);
        assert_eq!(more.items, vec![9, 7, 4]);
        assert_eq!(more.next_cursor, Some(4));
        let exactly_full = Page::from_rows(vec![9_u64, 7, 4], 3, |id| *id);
        assert_eq!(exactly_full.next_cursor, None);
        assert_eq!(
            Page::from_rows(Vec::<u64>::new(), 3, |id| *id).next_cursor,
            None
        );
        let named = Page::from_rows(vec![1_u64, 2], 1, |id| format!("c{id}"));
        assert_eq!(
            named.map(|id| id * 10),
            Page {
                items: vec![10],
                next_cursor: Some("c1".to_owned())
            }
        );
    }
}
