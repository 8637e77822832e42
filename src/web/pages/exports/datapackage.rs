//! `GET /datasets/{slug}/datapackage.json`: the Frictionless Data Package v2 of a dataset.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::public_page;
use crate::domain::OpenClass;
use crate::domain::license_id;
use crate::services::preview;
use crate::web::AppState;
use crate::web::api_error::ApiError;
use crate::web::format::iso;
use crate::web::machine::{base_url, download_urls, tagged_json};

/// The Table Schema type of a column.
fn table_type(ty: crate::domain::column_type::ColumnType) -> &'static str {
    use crate::domain::column_type::ColumnType as T;
    match ty {
        T::Integer => "integer",
        T::Decimal => "number",
        T::Date => "date",
        _ => "string",
    }
}

/// `GET /datasets/{slug}/datapackage.json`: a Data Package v2 for unconditionally open data,
/// each resource the CSV download with a Table Schema from the field dictionary. Conditional
/// data has no package (its files are served only inside a grant): 403.
pub async fn datapackage(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let page = public_page(&state, slug.into_inner()).await?;
    let d = &page.dataset;
    if d.open_class != OpenClass::Unconditional {
        return Err(ApiError::forbidden(format!(
            "“{}”为有条件开放数据，没有公开的数据包；请在 /datasets/{}/apply 申请",
            d.title, d.slug
        )));
    }
    let base = base_url(&state, &req);
    let resources: Vec<Value> = page
        .resources
        .iter()
        .filter_map(|r| {
            let v = r
                .versions
                .iter()
                .find(|v| Some(v.id) == r.resource.current_version_id)?;
            let fields: Vec<Value> = preview::columns(v)
                .iter()
                .map(|c| {
                    let described = page.fields.iter().find(|f| f.name == c.name);
                    let mut f = json!({ "name": c.name, "type": table_type(c.ty) });
                    if let Some(x) = described {
                        f["description"] = json!(x.description);
                        if let Some(u) = &x.unit {
                            f["unit"] = json!(u);
                        }
                    }
                    f
                })
                .collect();
            Some(json!({
                "name": format!("resource-{}", r.resource.id),
                "title": r.resource.name,
                "path": download_urls(&base, &d.slug, r.resource.id)["csv"],
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": { "fields": fields },
            }))
        })
        .collect();
    if resources.is_empty() {
        return Err(ApiError::not_found());
    }
    let license_id = license_id(&d.license);
    Ok(tagged_json(
        &req,
        &json!({
            "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
            "name": d.slug,
            "id": format!("{base}/datasets/{}", d.slug),
            "title": d.title,
            "description": d.summary,
            "homepage": format!("{base}/datasets/{}", d.slug),
            "created": iso(&d.published_at.unwrap_or(d.created_at)),
            "keywords": page.keywords.as_slice(),
            "licenses": [{ "name": license_id, "title": d.license }],
            "contributors": [{ "title": page.department.name, "roles": ["publisher"] }],
            "resources": resources,
        }),
    ))
}
