//! Pages of a long list (`/admin/people`): `?page=N`, 50 rows each, with previous and next links that
//! keep the rest of the query (search, filter). A page number that is not one is the first page; one
//! past the end shows nothing but the way back.

use super::form::query;
use minijinja::{context, Value};

pub const PAGE_SIZE: i64 = 50;
/// Far beyond any list a page is for; keeps the offset small.
const MAX_PAGE: i64 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: i64,
}

impl Paging {
    pub fn from_query(raw: Option<&str>) -> Self {
        let page = raw
            .and_then(|p| p.trim().parse::<i64>().ok())
            .filter(|p| (1..=MAX_PAGE).contains(p))
            .unwrap_or(1);
        Self { page }
    }

    pub fn limit(self) -> i64 {
        PAGE_SIZE
    }

    pub fn offset(self) -> i64 {
        (self.page - 1) * PAGE_SIZE
    }

    /// What the template shows: the rows' range, and links to the neighbouring pages, each `path?`
    /// + `keep` (already encoded, `&`-joined) + `page=N`.
    pub fn view(self, total: i64, shown: usize, path: &str, keep: &[(&str, &str)]) -> Value {
        let link = |page: i64| {
            let mut params: Vec<String> = keep
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| query(k, v))
                .collect();
            if page > 1 {
                params.push(format!("page={page}"));
            }
            if params.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{}", params.join("&"))
            }
        };
        let first = self.offset() + 1;
        let last = self.offset() + shown as i64;
        context! {
            page => self.page,
            pages => (total + PAGE_SIZE - 1) / PAGE_SIZE,
            first => first,
            last => last,
            previous => (self.page > 1).then(|| link(self.page - 1)),
            next => (last < total && shown > 0).then(|| link(self.page + 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_are_bounded() {
        for raw in [None, Some("0"), Some("-3"), Some("x"), Some("100001")] {
            assert_eq!(Paging::from_query(raw).page, 1, "{raw:?}");
        }
        assert_eq!(Paging::from_query(Some("3")).offset(), 100);
    }
}
