//! `GET /emergencies/{slug}/live`: the emergency page's Server-Sent Events. An `update` event
//! for every update posted to this event, carrying the update as JSON (the shape of the API's
//! `updates`) with `id:` set to its id, so that a reader who reconnects with `Last-Event-ID`
//! gets exactly the updates it missed; a comment every 15 s to keep proxies from closing the
//! stream; and when the portal is stopping (SIGTERM) a short `retry` and the end of the stream,
//! so that browsers reconnect at once to whichever instance serves next instead of holding the
//! old process open until its grace period runs out.
//!
//! What is sent is read from the database after the id last sent, whatever the notification
//! said, so a notification lost to a slow reader (the channel lagged) loses no update.

use std::time::Duration;

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use tokio::sync::broadcast::error::RecvError;

use crate::services::emergencies::{self, LiveUpdate, UpdateView};
use crate::web::{AppError, AppState, emergency_json};

/// What a stopping portal tells its live pages before it ends their streams.
const GOODBYE: &[u8] = b"retry: 1000\nevent: reconnect\ndata: restarting\n\n";

/// One open stream.
struct Stream {
    state: web::Data<AppState>,
    rx: tokio::sync::broadcast::Receiver<LiveUpdate>,
    stopping: tokio::sync::watch::Receiver<bool>,
    slug: String,
    /// The id of the last update sent (or, at the start, the newest one the reader has).
    last: i32,
    done: bool,
}

/// The updates as `update` events.
fn events(slug: &str, updates: &[UpdateView]) -> String {
    updates
        .iter()
        .map(|u| {
            format!(
                "event: update\nid: {}\ndata: {}\n\n",
                u.update.id,
                emergency_json::update(slug, u)
            )
        })
        .collect()
}

/// The `Last-Event-ID` a reconnecting browser sends, when it is an update id.
fn last_event_id(req: &HttpRequest) -> Option<i32> {
    req.headers()
        .get("last-event-id")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|id: &i32| *id >= 0)
}

pub async fn live(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let resume = last_event_id(&req);
    // Listen first, then read: an update posted in between is both read and announced, and
    // sent once (ids after `last` only).
    let rx = state.live.subscribe();
    let known = slug.clone();
    let (last, missed) = state
        .db(move |c| {
            let Some(newest) = emergencies::last_update_id(c, &known)? else {
                return Ok(None);
            };
            let Some(from) = resume else {
                return Ok(Some((newest, Vec::new())));
            };
            // An id from the future (or another event) resumes from now.
            let from = from.min(newest);
            let missed = emergencies::updates_after(c, &known, from)?.unwrap_or_default();
            let last = missed.last().map_or(from, |u| u.update.id);
            Ok(Some((last, missed)))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    let hello = format!("retry: 5000\n: connected\n\n{}", events(&slug, &missed));
    let stream = Stream {
        stopping: state.stopping.clone(),
        state,
        rx,
        slug,
        last,
        done: false,
    };
    let first = futures_util::stream::once(async move { Ok(Bytes::from(hello)) });
    let rest = futures_util::stream::unfold(stream, |mut s| async move {
        let bytes = next(&mut s).await?;
        Some((Ok::<_, actix_web::Error>(bytes), s))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("cache-control", "no-cache"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(futures_util::StreamExt::chain(first, rest)))
}

/// The stream's next chunk, or `None` at its end.
async fn next(s: &mut Stream) -> Option<Bytes> {
    if s.done {
        return None;
    }
    if *s.stopping.borrow() {
        s.done = true;
        return Some(Bytes::from_static(GOODBYE));
    }
    loop {
        let next = tokio::select! {
            _ = s.stopping.changed() => {
                s.done = true;
                return Some(Bytes::from_static(GOODBYE));
            }
            next = tokio::time::timeout(Duration::from_secs(15), s.rx.recv()) => next,
        };
        match next {
            Err(_) => return Some(Bytes::from_static(b": keep-alive\n\n")),
            Ok(Ok(u)) if u.slug != s.slug => continue,
            // An update of this event, or notifications missed: send what is new.
            Ok(Ok(_)) | Ok(Err(RecvError::Lagged(_))) => {}
            Ok(Err(RecvError::Closed)) => return None,
        }
        let (slug, after) = (s.slug.clone(), s.last);
        // A database that fails ends the stream; the browser reconnects with the last id.
        let updates = s
            .state
            .db(move |c| Ok(emergencies::updates_after(c, &slug, after)?))
            .await
            .ok()??;
        if let Some(u) = updates.last() {
            s.last = u.update.id;
            return Some(Bytes::from(events(&s.slug, &updates)));
        }
    }
}
