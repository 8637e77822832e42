//! The showcase (应用展示, Art. 38): applications, research reports and visualisations built on
//! the data. Anyone logged in submits one; it stays hidden until an administrator approves it;
//! approved items show on `/showcase` and on the pages of the datasets they use. Screenshots
//! are looked at only once the form is valid and the budget allows it: header first (a pixel
//! cap), then decoded with limits, two at a time, resized and re-encoded; links are checked.

use std::io::Cursor;
use std::path::Path;

use chrono::{Duration, NaiveDateTime};
use diesel::result::Error as DbError;
use sha2::{Digest, Sha256};

use super::{Actor, audit};
use crate::db::showcase::{self as rows, Item, NewItem};
use crate::db::users::User;
use crate::db::{DbConnection, write_transaction};
use crate::domain::{Role, is_publicly_listed};
use crate::storage::FileStore;

/// Submissions one account may make in a day, and one address.
pub const DAILY_BUDGET: i64 = 3;
pub const ADDRESS_BUDGET: i64 = 10;
/// The largest screenshot accepted, in bytes.
pub const MAX_SCREENSHOT: u64 = 5 * 1024 * 1024;
/// The most pixels a screenshot may have (4096 × 3072: a phone photo), and the most on either
/// side; one decode at a time keeps the peak under 100 MB above idle (benches/hostile.sh). Both are
/// read from the header before any pixel is decoded: a 250 KB PNG may claim 20,000 × 20,000.
pub const MAX_PIXELS: u64 = 4096 * 3072;
pub const MAX_SIDE: u32 = 8000;
/// What one decode may allocate (the second line, should a header lie): the pixel cap at four
/// bytes a pixel, 48 MiB.
const MAX_DECODE_BYTES: u64 = MAX_PIXELS * 4;
/// Screenshots decoded at once in this process; others wait their turn (see [`DECODES`]).
pub const DECODES_AT_ONCE: usize = 1;
/// The turns to decode a screenshot, process-wide: whoever holds a permit may decode one.
pub static DECODES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(DECODES_AT_ONCE);
/// What the form says when no turn came in time.
pub const BUSY: &str = "服务器繁忙，请稍后再试";
/// Screenshots are shown at most this wide.
pub const SHOWN_WIDTH: u32 = 800;

pub const KINDS: &[(&str, &str)] = &[
    ("application", "应用"),
    ("report", "研究报告"),
    ("visualisation", "可视化作品"),
];

pub fn kind_label(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, l)| *l)
        .unwrap_or("作品")
}

#[derive(Debug, thiserror::Error)]
pub enum ShowcaseError {
    #[error("不存在")]
    NotFound,
    #[error("提交的内容有误")]
    Invalid(Vec<(String, String)>),
    #[error("{0}")]
    Conflict(String),
    #[error("今天提交的作品已达上限，请明天再试")]
    OverBudget,
    #[error(transparent)]
    Database(#[from] DbError),
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ShowcaseForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub link: String,
    #[serde(default)]
    pub kind: String,
    /// Dataset addresses or slugs, one per line (or separated by commas or spaces).
    #[serde(default)]
    pub datasets: String,
}

/// A link people may follow: http or https, a host, no spaces, at most 500 characters.
pub fn valid_link(link: &str) -> bool {
    let Some(rest) = link
        .strip_prefix("https://")
        .or_else(|| link.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    link.chars().count() <= 500
        && !host.is_empty()
        && !link
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
}

/// What is wrong with a link, said to the person who typed it: the portal links (and later
/// checks) only addresses on the public internet, on the standard ports (services::outbound).
pub fn link_error(link: &str) -> Option<&'static str> {
    use crate::services::outbound::{Refusal, vet_url};
    if !valid_link(link) {
        return Some("请填写以 http:// 或 https:// 开头的完整链接");
    }
    match vet_url(link).err()? {
        Refusal::Address { .. } | Refusal::LocalName(_) => {
            Some("链接指向本机或内网地址，请填写公网上可以访问的链接")
        }
        Refusal::Port(_) => {
            Some("链接只能使用标准端口（http 为 80，https 为 443），请去掉其中的端口号")
        }
        Refusal::Userinfo => Some("链接中不能包含用户名或密码"),
        Refusal::Scheme(_) | Refusal::Unparsable(_) | Refusal::NoHost => {
            Some("请填写以 http:// 或 https:// 开头的完整链接")
        }
    }
}

/// Checks a submission: the ids of the public datasets it names.
pub fn check(conn: &mut DbConnection, form: &ShowcaseForm) -> Result<Vec<i32>, ShowcaseError> {
    let mut errors = Vec::new();
    let title = form.title.trim();
    if title.chars().count() < 2 || title.chars().count() > 100 {
        errors.push(("title".into(), "请填写名称（2 至 100 字）".into()));
    }
    let description = form.description.trim();
    if description.chars().count() < 10 || description.chars().count() > 2000 {
        errors.push(("description".into(), "请介绍作品（10 至 2000 字）".into()));
    }
    if let Some(wrong) = link_error(form.link.trim()) {
        errors.push(("link".into(), wrong.into()));
    }
    if !KINDS.iter().any(|(k, _)| *k == form.kind) {
        errors.push(("kind".into(), "请选择作品类型".into()));
    }
    let mut ids = Vec::new();
    for raw in form
        .datasets
        .split([',', '，', ' ', '\n', '\r'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        // A dataset's address or its slug.
        let slug = raw
            .split("/datasets/")
            .nth(1)
            .unwrap_or(raw)
            .split(['/', '?', '#'])
            .next()
            .unwrap_or("");
        match crate::db::catalog::public_by_slug(conn, slug)? {
            Some(d) if !ids.contains(&d.id) => ids.push(d.id),
            Some(_) => {}
            None => errors.push(("datasets".into(), format!("没有公开的数据集“{raw}”"))),
        }
    }
    if ids.is_empty() && !errors.iter().any(|(f, _)| f == "datasets") {
        errors.push((
            "datasets".into(),
            "请至少填写一个用到的数据集（地址或标识）".into(),
        ));
    }
    if ids.len() > 20 {
        errors.push(("datasets".into(), "最多关联 20 个数据集".into()));
    }
    if errors.is_empty() {
        Ok(ids)
    } else {
        Err(ShowcaseError::Invalid(errors))
    }
}

/// Whether an upload's first bytes are those of a PNG or JPEG image (nothing else is read:
/// this is all that is looked at before the rest of the form is known to be valid).
pub fn looks_like_screenshot(head: &[u8]) -> bool {
    matches!(
        image::guess_format(head),
        Ok(image::ImageFormat::Png | image::ImageFormat::Jpeg)
    )
}

fn open_screenshot(
    path: &Path,
) -> Result<image::ImageReader<std::io::BufReader<std::fs::File>>, String> {
    let reader = image::ImageReader::open(path)
        .map_err(|e| e.to_string())?
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    if !matches!(
        reader.format(),
        Some(image::ImageFormat::Png | image::ImageFormat::Jpeg)
    ) {
        return Err("截图必须是 PNG 或 JPEG 图片".into());
    }
    Ok(reader)
}

fn too_many_pixels(width: u32, height: u32) -> String {
    format!(
        "截图最大 {} 万像素（如 4096×3072），每边不超过 {MAX_SIDE} 像素；这张是 {width}×{height} 像素，请缩小后再上传",
        MAX_PIXELS / 10_000
    )
}

/// A screenshot's size as its header tells it, refused over [`MAX_PIXELS`] or [`MAX_SIDE`]:
/// only the header is read, no pixel is allocated.
pub fn screenshot_size(path: &Path) -> Result<(u32, u32), String> {
    let mut reader = open_screenshot(path)?;
    // No limit on the sides here (they are checked below, with a message that says so); what
    // the decoder may allocate for the chunks before the pixels stays bounded.
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let (width, height) = reader
        .into_dimensions()
        .map_err(|_| "截图无法读取：图片已损坏".to_owned())?;
    if width == 0 || height == 0 {
        return Err("截图无法读取：图片已损坏".into());
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(too_many_pixels(width, height));
    }
    Ok((width, height))
}

/// Decodes a screenshot (PNG or JPEG only, within [`MAX_PIXELS`], told from the header first),
/// shrinks it to at most [`SHOWN_WIDTH`] wide and re-encodes it as JPEG: whatever else the file
/// carried (EXIF, a location, trailing bytes) is gone. Blocking and memory-hungry (up to about
/// 64 MiB for the pixels, as much again to resize): callers hold one of the [`DECODES`].
pub fn thumbnail(path: &Path) -> Result<Vec<u8>, String> {
    screenshot_size(path)?;
    let mut reader = open_screenshot(path)?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let img = reader.decode().map_err(|_| {
        format!(
            "截图无法读取：图片已损坏或过大（最大 {} 万像素）",
            MAX_PIXELS / 10_000
        )
    })?;
    let img = if img.width() > SHOWN_WIDTH {
        // `thumbnail` shrinks with integer arithmetic and no full-size intermediate buffer
        // (`resize` would allocate another f32 copy as large as the decoded image).
        img.thumbnail(SHOWN_WIDTH, MAX_SIDE)
    } else {
        img
    };
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img.to_rgb8())
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

fn over_budget(
    conn: &mut DbConnection,
    user: &User,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<bool, DbError> {
    Ok(
        rows::filed_since(conn, user.id, now - Duration::days(1))? >= DAILY_BUDGET
            || audit::over_address_budget(conn, actor, "showcase.submit", ADDRESS_BUDGET, now)?,
    )
}

/// Whether this account and this address may submit another item now: the rule [`submit`]
/// applies in its transaction, read-only, so that the web layer asks before it decodes a
/// screenshot or writes anything.
pub fn within_budget(
    conn: &mut DbConnection,
    user: &User,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<(), ShowcaseError> {
    if over_budget(conn, user, now, actor)? {
        return Err(ShowcaseError::OverBudget);
    }
    Ok(())
}

/// Puts a shrunk screenshot in the file store: its key, and whether this put added the file.
/// The store is content-addressed, so the same bytes may already be there for something else;
/// only a file this put added may be forgotten again (see [`forget_screenshot`]).
pub fn keep_screenshot(store: &FileStore, bytes: &[u8]) -> std::io::Result<(String, bool)> {
    let sha256 = hex::encode(Sha256::digest(bytes));
    let existed = super::emergencies::already_stored(store, &sha256);
    let stored = store.put(bytes)?;
    Ok((stored.key, !existed))
}

/// After a submission that failed (budget spent meanwhile, invalid): removes the screenshot
/// [`keep_screenshot`] added for it, unless an item refers to it by now.
pub fn forget_screenshot(
    conn: &mut DbConnection,
    store: &FileStore,
    key: &str,
) -> Result<(), DbError> {
    use crate::db::schema::showcase_items::dsl::{screenshot_key, showcase_items};
    use diesel::prelude::*;
    let used: i64 = showcase_items
        .filter(screenshot_key.eq(key))
        .count()
        .get_result(conn)?;
    if used == 0
        && let Err(e) = store.remove(key)
    {
        tracing::warn!(key, error = %e, "could not remove a refused screenshot");
    }
    Ok(())
}

/// Makes concurrent submissions count one after the other, so that the budget holds when many
/// arrive at once: SQLite's write transactions are serial already (`BEGIN IMMEDIATE`); on
/// PostgreSQL, read committed, two transactions would both count two items and both add a
/// third, so submissions take a transaction-level advisory lock (they are few).
fn serialise_submissions(conn: &mut DbConnection) -> Result<(), DbError> {
    if let DbConnection::Pg(_) = conn {
        use diesel::RunQueryDsl;
        /// "kaifang showcase" — any constant no other lock uses.
        const LOCK: i64 = 0x6b61_6966_0053_4843;
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(LOCK)
            .execute(conn)?;
    }
    Ok(())
}

pub fn submit(
    conn: &mut DbConnection,
    user: &User,
    form: &ShowcaseForm,
    screenshot_key: Option<&str>,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<Item, ShowcaseError> {
    let ids = check(conn, form)?;
    write_transaction(conn, |conn| {
        serialise_submissions(conn)?;
        within_budget(conn, user, now, actor)?;
        let item = rows::insert(
            conn,
            &NewItem {
                title: form.title.trim(),
                description: form.description.trim(),
                link: form.link.trim(),
                kind: &form.kind,
                screenshot_key,
                submitted_by: user.id,
                status: "pending",
                link_status: "unchecked",
                created_at: now,
            },
            &ids,
        )?;
        audit::record(
            conn,
            actor,
            now,
            "showcase.submit",
            &format!("showcase:{}", item.id),
            serde_json::json!({ "title": item.title, "datasets": ids.len() }),
        )?;
        Ok(item)
    })
}

/// An administrator approves or rejects (with a reason) a pending item.
pub fn decide(
    conn: &mut DbConnection,
    admin: &User,
    id: i32,
    decision: &str,
    reason: &str,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<Item, ShowcaseError> {
    let reason = reason.trim();
    let (status, reason) = match decision {
        "approve" => ("approved", None),
        "reject" if reason.chars().count() >= 2 && reason.chars().count() <= 500 => {
            ("rejected", Some(reason))
        }
        "reject" => {
            return Err(ShowcaseError::Invalid(vec![(
                "reason".into(),
                "不予展示须说明理由（2 至 500 字），会告知提交人".into(),
            )]));
        }
        _ => {
            return Err(ShowcaseError::Invalid(vec![(
                "decision".into(),
                "请选择通过或不予展示".into(),
            )]));
        }
    };
    write_transaction(conn, |conn| {
        let item = rows::by_id(conn, id)?.ok_or(ShowcaseError::NotFound)?;
        if !rows::decide(conn, item.id, status, reason, admin.id, now)? {
            return Err(ShowcaseError::Conflict("该作品已审核".into()));
        }
        audit::record(
            conn,
            actor,
            now,
            &format!(
                "showcase.{}",
                if status == "approved" {
                    "approve"
                } else {
                    "reject"
                }
            ),
            &format!("showcase:{}", item.id),
            serde_json::json!({ "reason": reason }),
        )?;
        use crate::services::notices::{Letter, Notice, text};
        let subject = if status == "approved" {
            "public-mail-showcase-approved-subject"
        } else {
            "public-mail-showcase-rejected-subject"
        };
        let (body, reason) = match reason {
            Some(r) => ("public-mail-showcase-reason-body", r),
            None => ("public-mail-showcase-shown-body", ""),
        };
        let args = [("title", item.title.as_str()), ("reason", reason)];
        Notice::to_another(|lang| Letter {
            subject: text(lang, subject, &args),
            body: text(lang, body, &args),
        })
        .send(conn, item.submitted_by, "/showcase", now)?;
        rows::by_id(conn, item.id)?.ok_or(ShowcaseError::NotFound)
    })
}

/// An item with its datasets (slug, title) that the public may see.
#[derive(Debug, Clone)]
pub struct ItemView {
    pub item: Item,
    pub datasets: Vec<(String, String)>,
}

impl ItemView {
    pub fn kind_label(&self) -> &'static str {
        kind_label(&self.item.kind)
    }
    pub fn dead(&self) -> bool {
        self.item.link_status == "dead"
    }
}

fn view(conn: &mut DbConnection, item: Item) -> Result<ItemView, DbError> {
    let mut datasets = Vec::new();
    for id in rows::dataset_ids(conn, item.id)? {
        let d = crate::db::datasets::by_id(conn, id)?;
        if is_publicly_listed(d.status, d.open_class) {
            datasets.push((d.slug, d.title));
        }
    }
    Ok(ItemView { item, datasets })
}

pub fn in_status(conn: &mut DbConnection, status: &str) -> Result<Vec<ItemView>, DbError> {
    rows::in_status(conn, status)?
        .into_iter()
        .map(|i| view(conn, i))
        .collect()
}

pub fn for_dataset(conn: &mut DbConnection, dataset_id: i32) -> Result<Vec<ItemView>, DbError> {
    rows::approved_for_dataset(conn, dataset_id)?
        .into_iter()
        .map(|i| view(conn, i))
        .collect()
}

/// Checks the links of approved items: a 2xx or 3xx answer (to HEAD, or a one-byte GET when
/// HEAD is not allowed) within ten seconds is alive; anything else marks the link dead until a
/// later check finds it again, and so does a link the checker refuses to follow (an internal
/// address, another port: services::outbound), so that the public result says nothing about
/// the portal's own network. Only approved items are checked: an administrator has read every
/// link.
pub fn check_links(
    conn: &mut DbConnection,
    outbound: &crate::services::outbound::Outbound,
    now: NaiveDateTime,
) -> Result<(usize, usize), DbError> {
    use crate::services::outbound::Outcome;
    let (mut alive, mut dead) = (0, 0);
    for item in rows::in_status(conn, "approved")? {
        let ok = match outbound.check_link(&item.link) {
            Outcome::Ok => true,
            Outcome::Dead(_) => false,
            Outcome::Refused(why) => {
                tracing::warn!(item = item.id, %why, "showcase link refused by the link checker");
                false
            }
        };
        rows::set_link_status(conn, item.id, if ok { "ok" } else { "dead" }, now)?;
        if ok {
            alive += 1;
        } else {
            dead += 1;
        }
    }
    Ok((alive, dead))
}

/// The file-store key of an item's screenshot when `viewer` may see it: anyone once the item
/// is approved, before that its submitter and administrators.
pub fn screenshot_key(
    conn: &mut DbConnection,
    id: i32,
    viewer: Option<&User>,
) -> Result<Option<String>, DbError> {
    let Some(item) = rows::by_id(conn, id)? else {
        return Ok(None);
    };
    let may = item.status == "approved"
        || viewer.is_some_and(|u| u.id == item.submitted_by || u.role == Role::Admin);
    Ok(item.screenshot_key.filter(|_| may))
}
