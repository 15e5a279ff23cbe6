//! Likely duplicates by name: the same name spelled slightly differently ("Jon Smith",
//! "John Smyth", "Zoë"/"Zoe"). Candidates come from sorting normalised names two ways and
//! comparing neighbours, so 100,000 clients need no n² comparison.
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

/// Lowercase, accents and punctuation dropped, spaces collapsed.
pub fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let folded: &str = match c {
            'ß' => "ss",
            'ø' | 'Ø' => "o",
            'æ' | 'Æ' => "ae",
            'œ' | 'Œ' => "oe",
            'ł' | 'Ł' => "l",
            'đ' | 'Đ' => "d",
            'ı' => "i",
            _ => "",
        };
        if !folded.is_empty() {
            out.push_str(folded);
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') && !out.is_empty() {
            out.push(' ');
        }
    }
    out.trim_end().to_owned()
}

/// Edit distance counting a swap of two neighbours as one edit.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

/// "Small spelling differences": one edit in a short name, two in a longer one.
pub fn similar(a: &str, b: &str) -> bool {
    if a == b {
        return !a.is_empty();
    }
    let shorter = a.chars().count().min(b.chars().count());
    let allowed = match shorter {
        0..=5 => return false,
        6..=10 => 1,
        _ => 2,
    };
    a.chars().count().abs_diff(b.chars().count()) <= allowed && distance(a, b) <= allowed
}

const WINDOW: usize = 8;

/// Pairs (lower id first) of clients whose full names are similar.
pub fn similar_name_pairs(people: &[(u64, String, String)]) -> Vec<(u64, u64)> {
    let keyed: Vec<(u64, String, String)> = people
        .iter()
        .map(|(id, first, last)| {
            let (f, l) = (normalise(first), normalise(last));
            (
                *id,
                format!("{f} {l}").trim().to_owned(),
                format!("{l} {f}").trim().to_owned(),
            )
        })
        .filter(|(_, key, _)| !key.is_empty())
        .collect();
    let mut pairs = Vec::new();
    // Identical names pair up however many there are.
    let mut same: HashMap<&str, Vec<u64>> = HashMap::new();
    for (id, key, _) in &keyed {
        same.entry(key.as_str()).or_default().push(*id);
    }
    // Identical names link to the first of them; clustering joins the rest.
    for ids in same.values().filter(|ids| ids.len() > 1) {
        let first = ids[0];
        pairs.extend(ids[1..].iter().map(|&b| (first.min(b), first.max(b))));
    }
    for by_last in [false, true] {
        let mut order: Vec<&(u64, String, String)> = keyed.iter().collect();
        order.sort_by(|x, y| {
            if by_last {
                x.2.cmp(&y.2)
            } else {
                x.1.cmp(&y.1)
            }
        });
        for (i, (a, ka, _)) in order.iter().map(|t| (t.0, &t.1, &t.2)).enumerate() {
            for (b, kb, _) in order[i + 1..]
                .iter()
                .take(WINDOW)
                .map(|t| (t.0, &t.1, &t.2))
            {
                if ka != kb && similar(ka, kb) {
                    pairs.push((a.min(b), a.max(b)));
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Every pair within each group of ids (at most the first 50 of a group).
pub fn pairs_within(groups: &[Vec<u64>]) -> Vec<(u64, u64)> {
    let mut pairs = Vec::new();
    for ids in groups {
        let ids = &ids[..ids.len().min(50)];
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                pairs.push(((*a).min(*b), (*a).max(*b)));
            }
        }
    }
    pairs
}

/// Joins pairs into groups (connected components), each sorted, ordered by their first id.
pub fn cluster(pairs: &[(u64, u64)]) -> Vec<Vec<u64>> {
    let mut parent: HashMap<u64, u64> = HashMap::new();
    fn root(parent: &mut HashMap<u64, u64>, x: u64) -> u64 {
        let mut r = x;
        while let Some(&p) = parent.get(&r) {
            if p == r {
                break;
            }
            r = p;
        }
        parent.insert(x, r);
        r
    }
    for &(a, b) in pairs {
        parent.entry(a).or_insert(a);
        parent.entry(b).or_insert(b);
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            parent.insert(ra.max(rb), ra.min(rb));
        }
    }
    let ids: Vec<u64> = parent.keys().copied().collect();
    let mut groups: HashMap<u64, Vec<u64>> = HashMap::new();
    for id in ids {
        let r = root(&mut parent, id);
        groups.entry(r).or_default().push(id);
    }
    let mut out: Vec<Vec<u64>> = groups
        .into_values()
        .map(|mut g| {
            g.sort_unstable();
            g
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised() {
        assert_eq!(
            normalise("  Zoë  O'Brien-Ångström "),
            "zoe o brien angstrom"
        );
        assert_eq!(normalise("Straße Øre"), "strasse ore");
    }

    #[test]
    fn small_spelling_differences_are_similar() {
        assert!(similar("jon smith", "john smith"));
        assert!(similar("ann smyth", "ann smith"));
        assert!(similar("john smith", "jonh smith"));
        assert!(!similar("ann lee", "bob lee"));
        assert!(
            !similar("al li", "al lu"),
            "short names differ by too much per edit"
        );
        assert!(!similar("jonathan smith", "jon smith"));
        assert_eq!(distance("abcd", "acbd"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn pairs_cluster_into_groups() {
        assert_eq!(
            cluster(&[(1, 2), (5, 9), (2, 3), (9, 7)]),
            [vec![1, 2, 3], vec![5, 7, 9]]
        );
        assert_eq!(pairs_within(&[vec![1, 2, 3]]), [(1, 2), (1, 3), (2, 3)]);
    }

    #[test]
    fn pairs_come_from_either_sort_order() {
        let people = vec![
            (1, "John".into(), "Smith".into()),
            (2, "Jon".into(), "Smith".into()),
            (3, "Zoë".into(), "Adams".into()),
            (4, "Zoe".into(), "Adams".into()),
            (5, "Mary".into(), "Jones".into()),
            (6, "Ann".into(), "Lee".into()),
            (7, "Ann".into(), "Lee".into()),
            (8, "Ann".into(), "Lee".into()),
        ];
        assert_eq!(
            similar_name_pairs(&people),
            [(1, 2), (3, 4), (6, 7), (6, 8)]
        );
    }
}
