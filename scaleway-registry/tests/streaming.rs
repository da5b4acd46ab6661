//! How blobs are downloaded, observed from the server side of a minimal registry written
//! for these tests (wiremock cannot pause in the middle of a body): at most `concurrency`
//! blob downloads in flight, and layers written to disk as they arrive (a blob paused half
//! way already has its first bytes in `.partial/`). Nothing depends on how fast the
//! machine is: the server holds answers until the events the tests are about happen.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use scaleway_core::{Client, Config, Env, Region, RetryPolicy};
use scaleway_registry::{ImageReference, RegistryApi, RegistryHosts};
use sha2::Digest as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

fn digest(bytes: &[u8]) -> String {
    let h = sha2::Sha256::digest(bytes);
    format!(
        "sha256:{}",
        h.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// Deterministic, incompressible-looking bytes.
fn bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// Pauses the body of one blob after `after` bytes until `release` fires.
struct Gate {
    digest: String,
    after: usize,
    release: oneshot::Receiver<()>,
}

/// Keeps the newest blob request waiting until the next one arrives (then lets it go), and
/// lets the last one go at once: whenever the client allows two downloads at a time, two
/// are in flight together, whatever the timing, and the client can always make progress.
struct Relay {
    total: usize,
    state: Mutex<RelayState>,
}

#[derive(Default)]
struct RelayState {
    arrived: usize,
    held: Option<oneshot::Sender<()>>,
}

impl Relay {
    fn new(total: usize) -> Self {
        Self {
            total,
            state: Mutex::default(),
        }
    }

    async fn enter(&self) {
        let wait = {
            let mut s = self.state.lock().unwrap();
            s.arrived += 1;
            if let Some(previous) = s.held.take() {
                let _ = previous.send(());
            }
            if s.arrived >= self.total {
                None
            } else {
                let (tx, rx) = oneshot::channel();
                s.held = Some(tx);
                Some(rx)
            }
        };
        if let Some(rx) = wait {
            let _ = rx.await;
        }
    }
}

/// A registry without authentication serving one image at `acme-prod/api:v1`.
struct Fake {
    manifest: Vec<u8>,
    blobs: HashMap<String, Vec<u8>>,
    /// Blob requests are relayed (see [`Relay`]) when set.
    relay: Option<Relay>,
    gate: Mutex<Option<Gate>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    blob_requests: AtomicUsize,
}

impl Fake {
    fn new(config: Vec<u8>, layers: Vec<Vec<u8>>, relayed: bool) -> Arc<Self> {
        let manifest = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(&config), "size": config.len()},
            "layers": layers.iter().map(|l| serde_json::json!({
                "mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest(l), "size": l.len()
            })).collect::<Vec<_>>(),
        }))
        .unwrap();
        let blobs: HashMap<String, Vec<u8>> = std::iter::once(config)
            .chain(layers)
            .map(|b| (digest(&b), b))
            .collect();
        let relay = relayed.then(|| Relay::new(blobs.len()));
        Arc::new(Self {
            manifest,
            blobs,
            relay,
            gate: Mutex::new(None),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            blob_requests: AtomicUsize::new(0),
        })
    }

    /// Serves on a loopback port; returns `host:port`.
    async fn start(self: &Arc<Self>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let fake = Arc::clone(self);
        tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let fake = Arc::clone(&fake);
                tokio::spawn(async move { fake.handle(conn).await });
            }
        });
        addr
    }

    async fn handle(&self, mut conn: TcpStream) {
        // One request per connection (`Connection: close`); requests have no body.
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match conn.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        let target = head.split_whitespace().nth(1).unwrap_or("").to_owned();
        if target == "/v2/" {
            return respond(&mut conn, "application/json", None, b"{}").await;
        }
        if target == "/v2/acme-prod/api/manifests/v1" {
            let d = digest(&self.manifest);
            return respond(&mut conn, OCI_MANIFEST, Some(&d), &self.manifest).await;
        }
        let Some(blob) = target
            .strip_prefix("/v2/acme-prod/api/blobs/")
            .and_then(|d| self.blobs.get(d).map(|b| (d.to_owned(), b)))
        else {
            let _ = conn
                .write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await;
            return;
        };
        self.blob_requests.fetch_add(1, Ordering::SeqCst);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        if let Some(r) = &self.relay {
            r.enter().await;
        }
        let (d, body) = blob;
        let gate = {
            let mut g = self.gate.lock().unwrap();
            if g.as_ref().is_some_and(|g| g.digest == d) {
                g.take()
            } else {
                None
            }
        };
        let header = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nDocker-Content-Digest: {d}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = conn.write_all(header.as_bytes()).await;
        match gate {
            Some(g) => {
                let _ = conn.write_all(&body[..g.after]).await;
                let _ = conn.flush().await;
                let _ = g.release.await;
                let _ = conn.write_all(&body[g.after..]).await;
            }
            None => {
                let _ = conn.write_all(body).await;
            }
        }
        let _ = conn.shutdown().await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn respond(conn: &mut TcpStream, content_type: &str, digest: Option<&str>, body: &[u8]) {
    let mut header = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if let Some(d) = digest {
        header.push_str(&format!("Docker-Content-Digest: {d}\r\n"));
    }
    header.push_str("\r\n");
    let _ = conn.write_all(header.as_bytes()).await;
    let _ = conn.write_all(body).await;
    let _ = conn.shutdown().await;
}

fn api(host: String) -> RegistryApi {
    let config = Config::loader()
        .env(Env::default())
        .access_key("SCWXXXXXXXXXXXXXXXXX".parse().unwrap())
        .secret_key("11111111-2222-3333-4444-555555555555".parse().unwrap())
        .api_url("http://127.0.0.1:9".parse().unwrap())
        .load()
        .unwrap();
    let client = Client::builder()
        .config(config)
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let hosts = RegistryHosts::new()
        .with_override(Region::FrPar, host)
        .unwrap();
    RegistryApi::new(&client).with_hosts(hosts)
}

fn reference() -> ImageReference {
    "rg.fr-par.scw.cloud/acme-prod/api:v1".parse().unwrap()
}

#[tokio::test]
async fn blob_downloads_stay_within_the_concurrency_bound() {
    // Seven blobs, each held by the server until the next one is asked for: with a bound
    // of 2, two are in flight at once, never more.
    let layers = (0..6).map(|i| bytes(64 * 1024, i)).collect();
    let fake = Fake::new(
        br#"{"architecture":"amd64","os":"linux"}"#.to_vec(),
        layers,
        true,
    );
    let api = api(fake.start().await);
    let dir = tempfile::tempdir().unwrap();
    let pull = api.pull(&reference(), dir.path()).concurrency(2).send();
    // A watchdog, not a measurement: a client that never has two downloads in flight
    // leaves the first one waiting forever.
    let report = tokio::time::timeout(Duration::from_secs(120), pull)
        .await
        .expect("a second blob download never started")
        .unwrap();
    assert_eq!(report.layers.len(), 6);
    assert_eq!(fake.blob_requests.load(Ordering::SeqCst), 7);
    assert_eq!(
        fake.max_in_flight.load(Ordering::SeqCst),
        2,
        "blob requests in flight at once"
    );
}

#[tokio::test]
async fn layers_are_written_to_disk_as_they_arrive() {
    // A 3 MiB layer (three times the write buffer) paused after 2 MiB: its partial file
    // must already hold bytes, so the layer is not collected in memory first.
    let layer = bytes(3 << 20, 7);
    let layer_digest = digest(&layer);
    let fake = Fake::new(
        br#"{"architecture":"amd64","os":"linux"}"#.to_vec(),
        vec![layer.clone()],
        false,
    );
    let (release, gate) = oneshot::channel();
    *fake.gate.lock().unwrap() = Some(Gate {
        digest: layer_digest.clone(),
        after: 2 << 20,
        release: gate,
    });
    let api = api(fake.start().await);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_owned();
    let pull = tokio::spawn(async move { api.pull(&reference(), &out).send().await });
    let partial = dir
        .path()
        .join(".partial")
        .join(format!("sha256-{}", &layer_digest["sha256:".len()..]));
    let mut seen = 0;
    for _ in 0..1000 {
        seen = std::fs::metadata(&partial).map_or(0, |m| m.len());
        if seen >= 1 << 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = release.send(());
    let report = pull.await.unwrap().unwrap();
    assert!(
        ((1 << 20)..=(2 << 20)).contains(&seen),
        "while the layer was paused after 2 MiB, its partial file held {seen} bytes"
    );
    let written = dir
        .path()
        .join("blobs/sha256")
        .join(&layer_digest["sha256:".len()..]);
    assert_eq!(std::fs::read(written).unwrap(), layer);
    assert_eq!(report.layers[0].digest, layer_digest);
}
