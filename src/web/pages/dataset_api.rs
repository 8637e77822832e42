//! `GET /datasets/{slug}/api` (接口文档): how to read this dataset's rows by program — the row
//! API's fields with their types and filters, a filled-in example request in curl, Python and
//! JavaScript with the answer it gets, the quotas, the CKAN equivalent, and for conditionally
//! open data how to apply for API access. Generated from the field dictionary the row API
//! checks queries against (`services::catalog::api_page`).

use actix_web::{HttpRequest, web};
use askama::Template;

use super::render;
use crate::domain::Slug;
use crate::domain::column_type::ColumnType;
use crate::i18n::Lang;
use crate::services::catalog::{self, DatasetApi, EXAMPLE_ROWS};
use crate::settings::ApiSettings;
use crate::web::auth::Viewer;
use crate::web::layout::{Layout, NAV_CATALOG};
use crate::web::{AppError, AppState};

/// The placeholder for a key in every example (on Chinese pages; [`key`] in the page's language).
// i18n: the Chinese page's placeholder; key() gives the page's language
pub const KEY: &str = "kf_你的密钥";

/// The placeholder for a key in the page's language.
pub fn key(lang: Lang) -> String {
    lang.t("public-dev-ph-key")
}

/// One field of the row API.
pub struct FieldDoc {
    pub name: String,
    pub ty: &'static str,
    pub operators: &'static [&'static str],
}

/// One resource's examples.
pub struct ResourceDoc {
    pub id: i32,
    pub name: String,
    pub version: i32,
    /// "(resource 3, version 2)", after the name.
    pub heading: String,
    pub fields: Vec<FieldDoc>,
    pub url: String,
    /// The row API's path, and the first field (for the filter example).
    pub path: String,
    pub first: Option<String>,
    pub curl: String,
    pub python: String,
    pub javascript: String,
    /// The answer, as the API gives it to the example request (open data), or its shape.
    pub answer: String,
    pub ckan: String,
}

#[derive(Template)]
#[template(path = "datasets/api.html")]
pub struct ApiPage {
    pub layout: Layout,
    pub api: DatasetApi,
    pub resources: Vec<ResourceDoc>,
    pub quotas: ApiSettings,
    pub base: String,
}

fn operators(ty: ColumnType) -> &'static [&'static str] {
    match ty {
        ColumnType::Boolean => &["eq", "ne", "contains"],
        _ => &["eq", "ne", "gt", "gte", "lt", "lte", "contains"],
    }
}

fn document(lang: Lang, base: &str, slug: &str, api: &DatasetApi) -> Vec<ResourceDoc> {
    let key = key(lang);
    api.resources
        .iter()
        .map(|r| {
            let path = format!("/api/v1/datasets/{slug}/resources/{}/rows", r.id);
            let url = format!("{base}{path}?limit={EXAMPLE_ROWS}");
            let fields: Vec<FieldDoc> = r
                .columns
                .iter()
                .map(|c| FieldDoc {
                    name: c.name.clone(),
                    ty: c.ty.as_str(),
                    operators: operators(c.ty),
                })
                .collect();
            let answer = match &r.example {
                Some(rows) => {
                    crate::web::rows_json::answer(rows.clone(), EXAMPLE_ROWS, 0, r.version)
                }
                None => serde_json::json!({
                    "total": 0, "limit": EXAMPLE_ROWS, "offset": 0, "version": r.version,
                    "fields": fields.iter()
                        .map(|f| serde_json::json!({"name": f.name, "type": f.ty}))
                        .collect::<Vec<_>>(),
                    "records": [],
                }),
            };
            ResourceDoc {
                id: r.id,
                name: r.name.clone(),
                version: r.version,
                heading: lang.t_args(
                    "public-api-resource",
                    &[
                        ("id", r.id.to_string().into()),
                        ("version", r.version.to_string().into()),
                    ],
                ),
                first: fields.first().map(|f| f.name.clone()),
                curl: format!("curl -H 'Authorization: Bearer {key}' '{url}'"),
                python: format!(
                    "import requests\n\n\
                     r = requests.get(\n    \"{base}{path}\",\n    params={{\"limit\": {EXAMPLE_ROWS}}},\n    \
                     headers={{\"Authorization\": \"Bearer {key}\"}},\n    timeout=30,\n)\n\
                     r.raise_for_status()\nfor record in r.json()[\"records\"]:\n    print(record)"
                ),
                javascript: format!(
                    "const r = await fetch(\"{url}\", {{\n  headers: {{ Authorization: \"Bearer {key}\" }},\n}});\n\
                     if (!r.ok) throw new Error((await r.json()).error.message);\n\
                     const page = await r.json();\nconsole.log(page.total, page.records);"
                ),
                answer: serde_json::to_string_pretty(&answer).unwrap_or_default(),
                ckan: format!(
                    "{base}/api/3/action/datastore_search?resource_id={}&limit={EXAMPLE_ROWS}",
                    r.id
                ),
                url,
                path,
                fields,
            }
        })
        .collect()
}

pub async fn show(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<web::Html, AppError> {
    // A malformed slug cannot name a dataset: it answers exactly like a missing one.
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let api = state
        .db(move |c| Ok(catalog::api_page(c, &slug)?))
        .await?
        .ok_or(AppError::NotFound)?;
    let base = crate::web::machine::base_url(&state, &req);
    let lang = viewer.lang;
    let d = &api.page.dataset;
    let shown = match lang {
        Lang::En => d.title_en.clone().filter(|t| !t.trim().is_empty()),
        Lang::Zh => None,
    };
    let title = lang.t_args(
        "public-api-page-title",
        &[("title", shown.unwrap_or_else(|| d.title.clone()).into())],
    );
    render(&ApiPage {
        layout: Layout::new(&state, &viewer, title, NAV_CATALOG),
        resources: document(lang, &base, &api.page.dataset.slug, &api),
        quotas: state.settings.api.clone(),
        base,
        api,
    })
}
