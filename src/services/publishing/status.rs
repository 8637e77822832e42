//! Moving a dataset between draft, published and withdrawn, and the fast track that opens and
//! publishes it at once.

use chrono::NaiveDateTime;

use super::{
    Dataset, DatasetStatus, OpenClass, PublishError, Publisher, history, own, public_slug_free,
    race_lost, record, rows,
};
use crate::db::{DbConnection, write_transaction};

/// Publishes, withdraws or re-publishes one of the publisher's datasets.
pub fn set_status(
    conn: &mut DbConnection,
    p: &Publisher,
    slug: &str,
    to: DatasetStatus,
    reason: &str,
    now: NaiveDateTime,
) -> Result<Dataset, PublishError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        let message = match to {
            DatasetStatus::Withdrawn => "撤回数据集需要填写原因（最多 500 字），它会公开记录",
            _ => "发布需要填写发布说明（最多 500 字），它会记入修改记录",
        };
        return Err(PublishError::field("reason", message));
    }
    let changed = write_transaction(conn, |conn| {
        let d = own(conn, p, slug)?;
        let allowed = matches!(
            (d.status, to),
            (DatasetStatus::Draft, DatasetStatus::Published)
                | (DatasetStatus::Published, DatasetStatus::Withdrawn)
                | (DatasetStatus::Withdrawn, DatasetStatus::Published)
        );
        if !allowed {
            return Err(PublishError::Transition(format!(
                "状态为“{}”的数据集不能改为“{}”",
                d.status.label(),
                to.label()
            )));
        }
        if to == DatasetStatus::Published && d.open_class.is_public() {
            public_slug_free(conn, &d.slug, Some(d.id), "请先修改本数据集的标识")?;
        }
        let published_at = d
            .published_at
            .or((to == DatasetStatus::Published).then_some(now));
        let updated = rows::set_status(conn, d.id, to, published_at, now)?;
        let action = if to == DatasetStatus::Published {
            "publish"
        } else {
            "withdraw"
        };
        let details = serde_json::json!({ "status": [d.status.as_str(), to.as_str()] });
        record(conn, p, &updated, action, details, reason, now)?;
        Ok(updated)
    });
    changed.map_err(race_lost)
}

/// Fast track (Art. 36): one of the publisher's datasets opened unconditionally and published
/// at once, whatever its class and status were, without the edit form; the emergency service
/// records it for an administrator's review afterwards. Personal data is not waived: a dataset
/// whose files hold untreated personal data stays as it is. Returns the dataset before and after.
pub fn open_at_once(
    conn: &mut DbConnection,
    p: &Publisher,
    slug: &str,
    reason: &str,
    now: NaiveDateTime,
) -> Result<(Dataset, Dataset), PublishError> {
    write_transaction(conn, |conn| {
        let d = own(conn, p, slug)?;
        if d.open_class == OpenClass::Unconditional && d.status == DatasetStatus::Published {
            return Err(PublishError::Transition(
                "该数据集已经无条件开放，无需快速发布".into(),
            ));
        }
        if history::pending_for(conn, d.id)?.is_some() {
            return Err(PublishError::Transition(
                "该数据集有待审批的开放类型变更，不能快速发布".into(),
            ));
        }
        public_slug_free(conn, &d.slug, Some(d.id), "请先修改本数据集的标识")?;
        let unmasked = crate::services::access::untreated_versions(conn, d.id)?;
        if !unmasked.is_empty() {
            return Err(PublishError::field(
                "dataset",
                format!(
                    "快速发布不豁免个人信息保护。{}",
                    crate::services::access::opening_refused(&unmasked)
                ),
            ));
        }
        rows::set_class(conn, d.id, OpenClass::Unconditional, None, None, now)?;
        let after = rows::set_status(
            conn,
            d.id,
            DatasetStatus::Published,
            d.published_at.or(Some(now)),
            now,
        )?;
        let details = serde_json::json!({
            "open_class": [d.open_class.as_str(), OpenClass::Unconditional.as_str()],
            "status": [d.status.as_str(), DatasetStatus::Published.as_str()],
        });
        record(conn, p, &after, "fast_track", details, reason, now)?;
        Ok((d, after))
    })
    .map_err(race_lost)
}
