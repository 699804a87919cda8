//! The load generator: a fixed number of keep-alive HTTP/1.1 connections, each sending its next request
//! as soon as the previous answer is read, until the round's time is up. Every answer must be 200; any
//! other is counted as an error and the first one kept to report.

use crate::keys::KeySpace;
use crate::seed::{user_email, PASSWORD};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// How a request proves who is calling.
#[derive(Clone)]
pub enum Credential {
    None,
    SessionHeader(KeySpace),
    SessionCookie(KeySpace),
    ApiKey(Arc<Vec<String>>),
    AccessToken(KeySpace),
}

/// What each connection sends, request after request.
#[derive(Clone)]
pub enum Workload {
    Get {
        path: &'static str,
        credential: Credential,
    },
    /// `POST /api/session` as a random seeded person.
    Login { users: u64 },
    /// `PATCH /users/login`, each connection rotating its own chain: slot `i` holds connection `i`'s
    /// current token between rounds.
    Refresh { chains: Arc<Mutex<Vec<String>>> },
}

/// What one round measured.
#[derive(Debug, Default)]
pub struct RoundStats {
    pub requests: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    /// From the first request to the last answer.
    pub elapsed: Duration,
    /// Microseconds per answered request.
    pub latencies_us: Vec<u32>,
}

impl RoundStats {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

type Body = Full<Bytes>;

async fn connect(addr: SocketAddr) -> Result<SendRequest<Body>, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    let _ = stream.set_nodelay(true);
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(conn);
    Ok(sender)
}

fn request(method: Method, path: &str, headers: &[(&str, &str)], body: Bytes) -> Request<Body> {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "127.0.0.1");
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    if !body.is_empty() {
        req = req.header("content-type", "application/json");
    }
    req.body(Full::new(body)).expect("a well-formed request")
}

/// Sends one request on a fresh connection: for readiness checks and set-up calls.
pub async fn send_once(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<(u16, Bytes), String> {
    let mut sender = connect(addr).await?;
    let req = request(
        method,
        path,
        headers,
        Bytes::copy_from_slice(body.as_bytes()),
    );
    let res = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    let body = res.into_body().collect().await.map_err(|e| e.to_string())?;
    Ok((status, body.to_bytes()))
}

pub async fn get_once(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<(u16, Bytes), String> {
    send_once(addr, Method::GET, path, headers, "").await
}

/// One connection's state between its requests.
struct Conn {
    index: usize,
    rng: StdRng,
    token: Option<String>,
    /// While priming: the next key index this connection sends, and how far it steps.
    sweep: Option<(u64, u64)>,
}

impl Conn {
    /// A random key index, or the next one of the sweep (`None` once it is done).
    fn pick(&mut self, count: u64) -> Option<u64> {
        match &mut self.sweep {
            None => Some(self.rng.gen_range(0..count)),
            Some((next, step)) => {
                let i = *next;
                *next += *step;
                (i < count).then_some(i)
            }
        }
    }
}

impl Workload {
    /// The next request, `None` when a priming sweep is done (or the workload has nothing to prime).
    fn next(&self, conn: &mut Conn) -> Option<Request<Body>> {
        if conn.sweep.is_some() && !matches!(self, Self::Get { .. }) {
            return None;
        }
        Some(match self {
            Self::Get { path, credential } => {
                let value;
                let header = match credential {
                    Credential::None if conn.sweep.is_some() => return None,
                    Credential::None => None,
                    Credential::SessionHeader(keys) => {
                        value = keys.session_key(conn.pick(keys.count)?);
                        Some(("x-metabase-session", value))
                    }
                    Credential::SessionCookie(keys) => {
                        let key = keys.session_key(conn.pick(keys.count)?);
                        value = format!("metabase.SESSION={key}");
                        Some(("cookie", value))
                    }
                    Credential::ApiKey(keys) => {
                        value = keys[conn.pick(keys.len() as u64)? as usize].clone();
                        Some(("x-api-key", value))
                    }
                    Credential::AccessToken(keys) => {
                        value = keys.access_token(conn.pick(keys.count)?);
                        Some(("x-access-token", value))
                    }
                };
                let headers: Vec<(&str, &str)> =
                    header.iter().map(|(n, v)| (*n, v.as_str())).collect();
                request(Method::GET, path, &headers, Bytes::new())
            }
            Self::Login { users } => {
                let email = user_email(conn.rng.gen_range(0..*users));
                let body = serde_json::json!({"username": email, "password": PASSWORD});
                request(Method::POST, "/api/session", &[], body.to_string().into())
            }
            Self::Refresh { .. } => {
                let body = serde_json::json!({"token": conn.token.as_deref().unwrap_or("")});
                request(Method::PATCH, "/users/login", &[], body.to_string().into())
            }
        })
    }

    /// A refreshed token replaces the connection's own (the bare server sends none back).
    fn answered(&self, conn: &mut Conn, body: &[u8]) {
        if let Self::Refresh { .. } = self {
            if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
                if let Some(t) = v.get("token").and_then(|t| t.as_str()) {
                    conn.token = Some(t.to_string());
                }
            }
        }
    }
}

/// Drives `workload` on `connections` connections to `addr` for `duration`, then lets the requests in
/// flight finish (they count: the rate is answers over the time to the last answer).
pub async fn run_round(
    addr: SocketAddr,
    workload: &Workload,
    connections: usize,
    duration: Duration,
) -> RoundStats {
    run_connections(addr, workload, connections, duration, false).await
}

/// Sends every key of `workload` once, spread over `connections`: what a server that has been
/// running for a while has already seen. Workloads without keys send nothing.
pub async fn prime(addr: SocketAddr, workload: &Workload, connections: usize) -> RoundStats {
    run_connections(addr, workload, connections, Duration::from_secs(600), true).await
}

async fn run_connections(
    addr: SocketAddr,
    workload: &Workload,
    connections: usize,
    duration: Duration,
    sweep: bool,
) -> RoundStats {
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = (0..connections)
        .map(|index| {
            let workload = workload.clone();
            let sweep = sweep.then_some((index as u64, connections as u64));
            tokio::spawn(async move { drive(addr, workload, index, sweep, deadline).await })
        })
        .collect();
    let mut total = RoundStats::default();
    let mut last = start;
    for task in tasks {
        let (stats, ended) = task.await.expect("a load task panicked");
        last = last.max(ended);
        total.requests += stats.requests;
        total.errors += stats.errors;
        total.first_error = total.first_error.or(stats.first_error);
        total.latencies_us.extend(stats.latencies_us);
    }
    total.elapsed = last - start;
    total
}

async fn drive(
    addr: SocketAddr,
    workload: Workload,
    index: usize,
    sweep: Option<(u64, u64)>,
    deadline: Instant,
) -> (RoundStats, Instant) {
    let mut stats = RoundStats::default();
    let mut conn = Conn {
        index,
        rng: StdRng::from_entropy(),
        token: None,
        sweep,
    };
    if let Workload::Refresh { chains } = &workload {
        conn.token = chains.lock().unwrap().get(index).cloned();
    }
    let fail = |stats: &mut RoundStats, why: String| {
        stats.errors += 1;
        stats.first_error.get_or_insert(why);
    };
    let mut sender = None;
    let mut ended = Instant::now();
    while Instant::now() < deadline {
        let s = match &mut sender {
            Some(s) => s,
            None => match connect(addr).await {
                Ok(s) => sender.insert(s),
                Err(e) => {
                    fail(&mut stats, e);
                    break;
                }
            },
        };
        let Some(req) = workload.next(&mut conn) else {
            break;
        };
        let sent = Instant::now();
        let answer = async {
            s.ready().await.map_err(|e| e.to_string())?;
            let res = s.send_request(req).await.map_err(|e| e.to_string())?;
            let status = res.status().as_u16();
            let body = res.into_body().collect().await.map_err(|e| e.to_string())?;
            Ok::<_, String>((status, body.to_bytes()))
        }
        .await;
        ended = Instant::now();
        match answer {
            Ok((200, body)) => {
                stats.requests += 1;
                stats
                    .latencies_us
                    .push((ended - sent).as_micros().min(u32::MAX as u128) as u32);
                workload.answered(&mut conn, &body);
            }
            Ok((status, body)) => {
                let text = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
                fail(&mut stats, format!("HTTP {status}: {text}"));
            }
            Err(e) => {
                fail(&mut stats, format!("request failed: {e}"));
                sender = None;
            }
        }
    }
    if let (Workload::Refresh { chains }, Some(token)) = (&workload, conn.token) {
        if let Some(slot) = chains.lock().unwrap().get_mut(conn.index) {
            *slot = token;
        }
    }
    (stats, ended)
}
