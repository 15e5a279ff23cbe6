//! Addresses of the site's own pages (the portal, the booking form, the unsubscribe page, a
//! store's return address) that the plugin names and the service turns into links or sends on:
//! one rule for what counts as a plain web address, and one way to add a query to one.

use axum::http::HeaderMap;

/// An `http(s)` address of at most `max_len` bytes, without whitespace or control characters
/// (which could end a header line). Templates escape the rest where it becomes an attribute.
pub fn is_web_address(url: &str, max_len: usize) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= max_len
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The page the plugin names in header `name`, when it is a plain web address.
pub fn named_page(headers: &HeaderMap, name: &str) -> Option<String> {
    let url = headers.get(name)?.to_str().ok()?.trim();
    is_web_address(url, 2048).then(|| url.to_owned())
}

/// `page` with `query` added to whatever query it has; its fragment, if any, is dropped.
pub fn with_query(page: &str, query: &str) -> String {
    let base = page.split('#').next().unwrap_or_default();
    let joiner = if base.contains('?') { '&' } else { '?' };
    format!("{base}{joiner}{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_web_addresses_pass() {
        assert!(is_web_address("https://shop.example/book/?a=1", 100));
        for bad in [
            "javascript:alert(1)",
            "/book/",
            "https://shop.example/ x",
            "https://shop.example/\r\nX: y",
        ] {
            assert!(!is_web_address(bad, 100), "{bad}");
        }
        assert!(!is_web_address("https://shop.example/long", 10));
    }

    #[test]
    fn a_query_joins_the_one_there_and_drops_the_fragment() {
        assert_eq!(
            with_query("https://s.example/p/", "a=1"),
            "https://s.example/p/?a=1"
        );
        assert_eq!(
            with_query("https://s.example/?page_id=4#top", "a=1&b=2"),
            "https://s.example/?page_id=4&a=1&b=2"
        );
    }
}
