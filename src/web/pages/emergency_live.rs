//! `GET /emergencies/{slug}/live`: the emergency page's Server-Sent Events. An `update` event
//! whenever an update is posted to this event, a comment every 15 s to keep proxies from
//! closing the stream, and when the portal is stopping (SIGTERM) a short `retry` and the end of
//! the stream, so that browsers reconnect at once to whichever instance serves next instead of
//! holding the old process open until its grace period runs out.

use std::time::Duration;

use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};

use crate::web::{AppError, AppState};

/// Where a stream is.
enum Phase {
    Hello,
    Live,
    Done,
}

/// What a stopping portal tells its live pages before it ends their streams.
const GOODBYE: &[u8] = b"retry: 1000\nevent: reconnect\ndata: restarting\n\n";

pub async fn live(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let known = slug.clone();
    if !state
        .db(move |c| Ok(crate::services::emergencies::exists(c, &known)?))
        .await?
    {
        return Err(AppError::NotFound);
    }
    let rx = state.live.subscribe();
    let stopping = state.stopping.clone();
    let stream = futures_util::stream::unfold(
        (rx, stopping, slug, Phase::Hello),
        |(mut rx, mut stopping, slug, phase)| async move {
            use tokio::sync::broadcast::error::RecvError;
            let item = |bytes: Bytes| Ok::<_, actix_web::Error>(bytes);
            match phase {
                Phase::Done => return None,
                Phase::Hello => {
                    let hello = Bytes::from_static(b"retry: 5000\n: connected\n\n");
                    return Some((item(hello), (rx, stopping, slug, Phase::Live)));
                }
                Phase::Live => {}
            }
            if *stopping.borrow() {
                let bye = Bytes::from_static(GOODBYE);
                return Some((item(bye), (rx, stopping, slug, Phase::Done)));
            }
            loop {
                let next = tokio::select! {
                    _ = stopping.changed() => {
                        let bye = Bytes::from_static(GOODBYE);
                        return Some((item(bye), (rx, stopping, slug, Phase::Done)));
                    }
                    next = tokio::time::timeout(Duration::from_secs(15), rx.recv()) => next,
                };
                let bytes = match next {
                    Err(_) => Bytes::from_static(b": keep-alive\n\n"),
                    Ok(Ok(u)) if u.slug == slug => Bytes::from(format!(
                        "event: update\nid: {}\ndata: {}\n\n",
                        u.update_id, u.update_id
                    )),
                    Ok(Ok(_)) => continue,
                    // Missed some: tell the page to refresh anyway.
                    Ok(Err(RecvError::Lagged(_))) => {
                        Bytes::from_static(b"event: update\ndata: lagged\n\n")
                    }
                    Ok(Err(RecvError::Closed)) => return None,
                };
                return Some((item(bytes), (rx, stopping, slug, Phase::Live)));
            }
        },
    );
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("cache-control", "no-cache"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(stream))
}
