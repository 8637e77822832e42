//! `/datasets` (the catalog with filters, sorting and paging) and `/datasets/{slug}`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{render, render_with_status};
use crate::domain::{OpenClass, Slug};
use crate::services::catalog::{self, CatalogPage, DatasetPage, FacetValue, Sort};
use crate::services::dataset_page::{self, PageLookup, PublicPage, Social};
use crate::web::auth::Viewer;
use crate::web::catalog_params::{self, CatalogParams, Key, Parsed};
use crate::web::layout::{Layout, NAV_CATALOG};
use crate::web::{AppError, AppState};

/// One choice in a filter group.
pub struct FacetOption {
    pub label: String,
    pub count: i64,
    pub href: String,
    pub selected: bool,
}

pub struct FacetGroup {
    pub id: &'static str,
    pub title: String,
    pub options: Vec<FacetOption>,
    /// Link that removes this group's filter, when one is set.
    pub clear: Option<String>,
}

/// A filter in force, with the link that removes it.
pub struct ActiveFilter {
    pub label: String,
    pub remove: String,
}

pub struct SortOption {
    pub label: String,
    pub href: String,
    pub selected: bool,
}

/// A pagination entry; `number == None` is an ellipsis.
pub struct PageLink {
    pub number: Option<u32>,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "datasets/index.html")]
pub struct CatalogView {
    pub layout: Layout,
    pub typed_text: String,
    pub hidden: Vec<(&'static str, String)>,
    pub problems: Vec<String>,
    pub result: CatalogPage,
    pub groups: Vec<FacetGroup>,
    pub active: Vec<ActiveFilter>,
    pub sorts: Vec<SortOption>,
    pub pages: Vec<PageLink>,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub clear_all: String,
    /// The requested page lies beyond the last one.
    pub past_end: bool,
    pub first_page: String,
}

pub async fn index(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let mut parsed = catalog_params::parse(req.query_string()).map_err(AppError::BadRequest)?;
    let per_page = state.settings.catalog.per_page;
    let query = parsed.query.clone();
    let index = state.search.clone();
    let result = state
        .db(move |c| Ok(catalog::search(c, &query, per_page, &*index)?))
        .await?;
    catalog_params::report_unknown(&mut parsed, &result.unknown);
    let status_bad = !parsed.problems.is_empty();
    let view = catalog_view(&state, &viewer, parsed, result);
    let status = if status_bad {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    render_with_status(status, &view)
}

fn catalog_view(
    state: &AppState,
    viewer: &Viewer,
    parsed: Parsed,
    result: CatalogPage,
) -> CatalogView {
    let Parsed {
        params,
        typed_text,
        problems,
        ..
    } = parsed;
    let lang = viewer.lang;
    // Open classes and frequencies are the portal's words, in the page's language; themes,
    // departments and formats are names.
    let label = |key: Key, v: &FacetValue| match key {
        Key::Open => lang.t(&format!("class-{}", v.value)),
        Key::Freq => lang.t(&format!("freq-{}", v.value)),
        _ => v.label.clone(),
    };
    let group = |id: &'static str, key: Key, values: &[FacetValue]| {
        let current = params.get(key);
        FacetGroup {
            id,
            title: lang.t(&format!("facet-{id}")),
            options: values
                .iter()
                .map(|v| {
                    let selected = current == Some(v.value.as_str());
                    FacetOption {
                        label: label(key, v),
                        count: v.count,
                        href: params.with(key, (!selected).then_some(v.value.as_str())),
                        selected,
                    }
                })
                .collect(),
            clear: current.map(|_| params.with(key, None)),
        }
    };
    let f = &result.facets;
    let groups = vec![
        group("theme", Key::Theme, &f.theme),
        group("dept", Key::Dept, &f.department),
        group("open", Key::Open, &f.open_class),
        group("format", Key::Format, &f.format),
        group("freq", Key::Freq, &f.frequency),
    ];
    let active = active_filters(lang, &params, &groups, &result);
    let current_sort = params.sort.as_deref().unwrap_or(Sort::default().as_str());
    let sorts = Sort::ALL
        .into_iter()
        .map(|s| SortOption {
            label: lang.t(&format!("sort-{}", s.as_str())),
            href: params.with(Key::Sort, (s != Sort::default()).then_some(s.as_str())),
            selected: s.as_str() == current_sort,
        })
        .collect();
    let last = result.page_count();
    let page = result.page;
    let pages = page_links(&params, page, last);
    let title = if params.q.is_empty() {
        lang.t("nav-catalog")
    } else {
        lang.t_args("search-results-for", &[("q", params.q.clone().into())])
    };
    CatalogView {
        layout: Layout::new(state, viewer, title, NAV_CATALOG),
        typed_text,
        hidden: params.hidden(),
        problems,
        groups,
        active,
        sorts,
        pages,
        prev: (page > 1 && page <= last).then(|| params.href(Some(page - 1))),
        next: (page < last).then(|| params.href(Some(page + 1))),
        clear_all: "/datasets".to_owned(),
        past_end: result.total > 0 && page > last,
        first_page: params.href(None),
        result,
    }
}

fn active_filters(
    lang: crate::i18n::Lang,
    params: &CatalogParams,
    groups: &[FacetGroup],
    result: &CatalogPage,
) -> Vec<ActiveFilter> {
    let mut out = Vec::new();
    if !params.q.is_empty() {
        let mut without = params.clone();
        without.q.clear();
        out.push(ActiveFilter {
            label: lang.t_args("filter-keyword", &[("q", params.q.clone().into())]),
            remove: without.href(None),
        });
    }
    let keys = [Key::Theme, Key::Dept, Key::Open, Key::Format, Key::Freq];
    for (group, key) in groups.iter().zip(keys) {
        if let Some(value) = params.get(key) {
            let known = match key {
                Key::Theme => result.theme_name.clone(),
                Key::Dept => result.department_name.clone(),
                _ => None,
            };
            let label = group
                .options
                .iter()
                .find(|o| o.selected)
                .map(|o| o.label.clone())
                .or(known)
                .or_else(|| {
                    value
                        .parse::<OpenClass>()
                        .ok()
                        .map(|c| lang.t(&format!("class-{}", c.as_str())))
                })
                .or_else(|| {
                    value
                        .parse::<crate::domain::UpdateFrequency>()
                        .ok()
                        .map(|f| lang.t(&format!("freq-{}", f.as_str())))
                })
                .unwrap_or_else(|| value.to_owned());
            out.push(ActiveFilter {
                label: lang.t_args(
                    "filter-named",
                    &[
                        ("name", group.title.clone().into()),
                        ("value", label.into()),
                    ],
                ),
                remove: params.with(key, None),
            });
        }
    }
    out
}

/// 1 … p-2 p-1 p p+1 p+2 … last
fn page_links(params: &CatalogParams, page: u32, last: u32) -> Vec<PageLink> {
    let mut numbers: Vec<u32> = vec![1, last];
    numbers.extend(page.saturating_sub(2).max(1)..=page.saturating_add(2).min(last));
    numbers.retain(|n| *n >= 1 && *n <= last);
    numbers.sort_unstable();
    numbers.dedup();
    let mut out = Vec::new();
    let mut prev = 0;
    for n in numbers {
        if n > prev + 1 {
            out.push(PageLink {
                number: None,
                href: String::new(),
                current: false,
            });
        }
        out.push(PageLink {
            number: Some(n),
            href: params.href(Some(n)),
            current: n == page,
        });
        prev = n;
    }
    if last <= 1 { Vec::new() } else { out }
}

#[derive(Template)]
#[template(path = "datasets/show.html")]
pub struct DatasetView {
    pub layout: Layout,
    pub page: DatasetPage,
    /// schema.org `Dataset` JSON-LD (escaped for a `<script>` element).
    pub schema_org: String,
    /// Error reports still open, and whether each is late.
    pub reviews: Vec<(crate::services::reviews::ErrorReview, bool)>,
    pub social: Social,
}

impl DatasetView {
    pub fn is_conditional(&self) -> bool {
        self.page.dataset.open_class == OpenClass::Conditional
    }
}

pub async fn show(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<web::Html, AppError> {
    // A malformed slug cannot name a dataset: it answers exactly like a missing one.
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    // HEAD requests (link checkers, monitors) are not views.
    let count_view = req.method() == actix_web::http::Method::GET;
    let today = state.clock.today();
    let user = viewer.user.as_ref().map(|u| u.user.clone());
    let found = state
        .db(move |c| {
            Ok(dataset_page::public_page(
                c,
                &slug,
                count_view,
                user.as_ref(),
                today,
            )?)
        })
        .await?;
    let PublicPage {
        page,
        reviews,
        social,
    } = match found {
        PageLookup::Found(shown) => *shown,
        PageLookup::Withdrawn { title } => return Err(AppError::Gone { title }),
        PageLookup::NotFound => return Err(AppError::NotFound),
    };
    render(&DatasetView {
        layout: Layout::new(
            &state,
            &viewer,
            match (viewer.lang, &page.dataset.title_en) {
                (crate::i18n::Lang::En, Some(t)) if !t.trim().is_empty() => t.clone(),
                _ => page.dataset.title.clone(),
            },
            NAV_CATALOG,
        ),
        schema_org: super::exports::schema_org(&crate::web::machine::base_url(&state, &req), &page),
        page,
        reviews,
        social,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_elide_the_middle() {
        let p = CatalogParams::default();
        let shown = |page, last| -> Vec<Option<u32>> {
            page_links(&p, page, last)
                .iter()
                .map(|l| l.number)
                .collect()
        };
        assert!(shown(1, 1).is_empty());
        assert_eq!(shown(1, 3), [Some(1), Some(2), Some(3)]);
        assert_eq!(
            shown(10, 20),
            [
                Some(1),
                None,
                Some(8),
                Some(9),
                Some(10),
                Some(11),
                Some(12),
                None,
                Some(20)
            ]
        );
        assert_eq!(shown(99999, 17), [Some(1), None, Some(17)]);
    }
}
