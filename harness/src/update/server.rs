//! The update server hilt plays for a unit that pulls its images: plain HTTP on the rig's
//! `serve_from` address, answering only the unit, serving whatever image the battery offers and
//! reporting each fetch (or a transfer it stopped on purpose, for the power cut).

use crate::evidence::EvidenceLog;
use hyper::body::{Body, Bytes, Frame};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::sync::mpsc;

const CHUNK: usize = 16 * 1024;
/// A unit fetching an image needs a connection or two; more at once is a unit misbehaving.
const MAX_CONNECTIONS: usize = 8;
/// A request's head must arrive within this; a unit dribbling it holds nothing for long.
const HEADER_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);
/// No connection outlives this, however slowly the unit reads (or a held transfer stalls).
const CONNECTION_WITHIN: std::time::Duration = std::time::Duration::from_secs(15 * 60);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    /// The whole image went out.
    Complete { bytes: usize },
    /// The transfer ended early (the unit closed the connection, or power went).
    BrokenOff { bytes: usize },
    /// The offer's cut point was reached; the rest is held back.
    HeldAt { bytes: usize },
}

#[derive(Clone, Default)]
struct Offer {
    path: String,
    image: Arc<Vec<u8>>,
    cut_after: Option<usize>,
}

pub struct UpdateServer {
    addr: SocketAddr,
    offer: Arc<Mutex<Offer>>,
    fetches: mpsc::UnboundedReceiver<Fetch>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for UpdateServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl UpdateServer {
    pub async fn start(
        bind: IpAddr,
        unit: crate::transport::target::Target,
        log: EvidenceLog,
    ) -> Result<UpdateServer, super::error::Error> {
        let unit = unit.ip();
        let listener = tokio::net::TcpListener::bind((bind, 0))
            .await
            .map_err(|e| super::error::Error::Bench(format!("update server on {bind}: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| super::error::Error::Bench(e.to_string()))?;
        let offer = Arc::new(Mutex::new(Offer::default()));
        let (tx, fetches) = mpsc::unbounded_channel();
        let task = tokio::spawn(serve(listener, unit, offer.clone(), tx, log));
        Ok(UpdateServer {
            addr,
            offer,
            fetches,
            task,
        })
    }

    /// Serves `image` from now on at a fresh URL, which is returned; with `cut_after`, only that
    /// many bytes go out and the transfer then stalls.
    pub fn offer(&mut self, image: &[u8], cut_after: Option<usize>) -> String {
        while self.fetches.try_recv().is_ok() {}
        let path = format!("/update/{}.bin", crate::util::token::fresh());
        *self.offer.lock().unwrap() = Offer {
            path: path.clone(),
            image: Arc::new(image.to_vec()),
            cut_after,
        };
        format!("http://{}{path}", self.addr)
    }

    /// The next fetch of the current offer, if one happens within `within`.
    pub async fn fetched(&mut self, within: std::time::Duration) -> Option<Fetch> {
        crate::transport::device_time::timeout(within, self.fetches.recv())
            .await
            .ok()
            .flatten()
    }
}

async fn serve(
    listener: tokio::net::TcpListener,
    unit: IpAddr,
    offer: Arc<Mutex<Offer>>,
    events: mpsc::UnboundedSender<Fetch>,
    log: EvidenceLog,
) {
    // Owned here, so every connection ends when the server (aborted with the battery) does.
    let mut connections = tokio::task::JoinSet::new();
    while let Ok((stream, peer)) = listener.accept().await {
        while connections.try_join_next().is_some() {}
        if peer.ip() != unit {
            log.line(
                "#",
                &format!("update server: connection from {peer} refused, it is not the unit"),
            );
            continue;
        }
        if connections.len() >= MAX_CONNECTIONS {
            log.line(
                "#",
                &format!("update server: connection from {peer} closed, {MAX_CONNECTIONS} are open already"),
            );
            continue;
        }
        let (offer, events, log) = (offer.clone(), events.clone(), log.clone());
        connections.spawn(async move {
            let conn_log = log.clone();
            let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let current = offer.lock().unwrap().clone();
                let log = log.clone();
                let events = events.clone();
                async move {
                    log.line(
                        "<",
                        &format!(
                            "update server: {} {} from {peer}",
                            req.method(),
                            crate::evidence::printable(req.uri().path().as_bytes())
                        ),
                    );
                    if req.uri().path() != current.path || current.path.is_empty() {
                        let mut r = Response::new(ImageBody::empty());
                        *r.status_mut() = StatusCode::NOT_FOUND;
                        return Ok::<_, std::convert::Infallible>(r);
                    }
                    log.line(
                        ">",
                        &format!(
                            "update server: 200, {}",
                            crate::transport::http::describe_bytes(&current.image)
                        ),
                    );
                    Ok(Response::new(ImageBody::new(current, events)))
                }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_WITHIN)
                .serve_connection(TokioIo::new(stream), service);
            if crate::transport::device_time::timeout(CONNECTION_WITHIN, connection)
                .await
                .is_err()
            {
                conn_log.line(
                    "#",
                    &format!(
                        "update server: connection from {peer} closed after {} min",
                        CONNECTION_WITHIN.as_secs() / 60
                    ),
                );
            }
        });
    }
}

/// The image as a response body: sent in chunks, held back at the cut point, and reporting how
/// far it got when it finishes or is dropped.
struct ImageBody {
    offer: Offer,
    sent: usize,
    events: Option<mpsc::UnboundedSender<Fetch>>,
    held: bool,
}

impl ImageBody {
    fn new(offer: Offer, events: mpsc::UnboundedSender<Fetch>) -> ImageBody {
        ImageBody {
            offer,
            sent: 0,
            events: Some(events),
            held: false,
        }
    }

    fn empty() -> ImageBody {
        ImageBody {
            offer: Offer::default(),
            sent: 0,
            events: None,
            held: false,
        }
    }

    fn report(&mut self, fetch: Fetch) {
        if let Some(events) = &self.events {
            let _ = events.send(fetch);
        }
    }
}

impl Body for ImageBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let len = self.offer.image.len();
        let limit = self.offer.cut_after.unwrap_or(len).min(len);
        if self.sent < limit {
            let end = (self.sent + CHUNK).min(limit);
            let chunk = Bytes::copy_from_slice(&self.offer.image[self.sent..end]);
            self.sent = end;
            if end == len {
                // hyper may stop polling once Content-Length bytes are out.
                self.report(Fetch::Complete { bytes: end });
                self.events = None;
            }
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        if self.sent >= len {
            let bytes = self.sent;
            self.report(Fetch::Complete { bytes });
            self.events = None;
            return Poll::Ready(None);
        }
        if !self.held {
            self.held = true;
            let bytes = self.sent;
            self.report(Fetch::HeldAt { bytes });
        }
        // Held back for good: the connection ends when the unit loses power.
        Poll::Pending
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        hyper::body::SizeHint::with_exact(self.offer.image.len() as u64)
    }
}

impl Drop for ImageBody {
    fn drop(&mut self) {
        let bytes = self.sent;
        self.report(Fetch::BrokenOff { bytes });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::target::Target;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn server() -> (UpdateServer, crate::evidence::ScratchDir) {
        let (evidence, dir) = crate::evidence::scratch("updserver");
        let log = evidence.log("update.log");
        let server = UpdateServer::start([127, 0, 0, 1].into(), Target::loopback(), log)
            .await
            .unwrap();
        (server, dir)
    }

    /// A unit that opens connection after connection gets a few; the rest are closed at once.
    #[tokio::test]
    async fn connections_past_the_cap_are_closed_at_once() {
        let (server, _dir) = server().await;
        let mut open = Vec::new();
        for _ in 0..MAX_CONNECTIONS {
            open.push(tokio::net::TcpStream::connect(server.addr).await.unwrap());
        }
        crate::transport::device_time::sleep(std::time::Duration::from_millis(200)).await;
        let mut extra = tokio::net::TcpStream::connect(server.addr).await.unwrap();
        let mut buf = [0u8; 16];
        let read = crate::transport::device_time::timeout(
            std::time::Duration::from_secs(2),
            extra.read(&mut buf),
        )
        .await;
        assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "closed: {read:?}");
        drop(open);
    }

    /// A request head dribbled a byte at a time is cut off at the header deadline.
    #[tokio::test]
    async fn a_dribbled_request_head_is_cut_off() {
        let (server, _dir) = server().await;
        let mut slow = tokio::net::TcpStream::connect(server.addr).await.unwrap();
        slow.write_all(b"GET /update/x.bin HTTP/1.1\r\nHost: u\r\n")
            .await
            .unwrap();
        let started = std::time::Instant::now();
        let mut buf = [0u8; 256];
        let read = crate::transport::device_time::timeout(HEADER_WITHIN * 2, async {
            loop {
                match slow.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        })
        .await;
        assert!(read.is_ok(), "the connection was closed");
        assert!(started.elapsed() < HEADER_WITHIN + std::time::Duration::from_secs(3));
    }
}
