//! The sitemap (sitemaps.org protocol 0.9): the home page, the catalog, departments, themes and
//! every public dataset page. A file may hold at most 50,000 URLs, so a larger portal's
//! `/sitemap.xml` is a sitemap index naming `/sitemaps/{n}.xml`, each with its share of the
//! same list in the same order; every public dataset is in exactly one file.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::db::{DbConnection, catalog, departments, themes};

/// The protocol's limit of URLs in one file.
pub const URLS_PER_FILE: i64 = 50_000;

/// One URL: a path below the portal's address, with when it last changed when that is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub modified: Option<NaiveDateTime>,
}

/// What `/sitemap.xml` is: the URLs themselves, or an index of `files` sitemaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sitemap {
    Urls(Vec<Entry>),
    Index { files: i64 },
}

/// The pages before the datasets: home, catalog, departments, themes.
fn fixed(conn: &mut DbConnection) -> QueryResult<Vec<Entry>> {
    let mut out: Vec<Entry> = ["/", "/datasets", "/departments"]
        .into_iter()
        .map(|p| Entry {
            path: p.to_owned(),
            modified: None,
        })
        .collect();
    for d in departments::all(conn)? {
        out.push(Entry {
            path: format!("/departments/{}", d.slug),
            modified: None,
        });
    }
    for t in themes::all(conn)? {
        out.push(Entry {
            path: format!("/themes/{}", t.slug),
            modified: None,
        });
    }
    Ok(out)
}

/// Entries `start..start + len` of the whole list (fixed pages, then datasets by slug).
fn slice(
    conn: &mut DbConnection,
    mut fixed: Vec<Entry>,
    start: i64,
    len: i64,
) -> QueryResult<Vec<Entry>> {
    let n_fixed = fixed.len() as i64;
    let mut out: Vec<Entry> = if start < n_fixed {
        fixed
            .drain(start as usize..n_fixed.min(start + len) as usize)
            .collect()
    } else {
        Vec::new()
    };
    let offset = (start - n_fixed).max(0);
    let limit = len - out.len() as i64;
    if limit > 0 {
        for (slug, modified) in catalog::public_slugs_page(conn, offset, limit)? {
            out.push(Entry {
                path: format!("/datasets/{slug}"),
                modified: Some(modified),
            });
        }
    }
    Ok(out)
}

/// `/sitemap.xml`.
pub fn root(conn: &mut DbConnection) -> QueryResult<Sitemap> {
    let fixed = fixed(conn)?;
    let total = fixed.len() as i64 + catalog::public_count(conn)?;
    if total <= URLS_PER_FILE {
        return Ok(Sitemap::Urls(slice(conn, fixed, 0, URLS_PER_FILE)?));
    }
    Ok(Sitemap::Index {
        files: (total + URLS_PER_FILE - 1) / URLS_PER_FILE,
    })
}

/// `/sitemaps/{n}.xml` (from 1), or `None` when the index names no such file.
pub fn part(conn: &mut DbConnection, n: i64) -> QueryResult<Option<Vec<Entry>>> {
    let files = match root(conn)? {
        Sitemap::Index { files } => files,
        Sitemap::Urls(_) => return Ok(None),
    };
    if !(1..=files).contains(&n) {
        return Ok(None);
    }
    let fixed = fixed(conn)?;
    slice(conn, fixed, (n - 1) * URLS_PER_FILE, URLS_PER_FILE).map(Some)
}
