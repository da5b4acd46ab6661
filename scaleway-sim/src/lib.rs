//! An offline, stateful simulator of the Scaleway API, for end-to-end tests, examples and benchmarks.
//!
//! It answers like the real API (same routes, JSON shapes, status codes, error bodies and headers, as
//! recorded in `shared/recorded/`), enforces IAM (API keys, policies, rules, permission sets, groups,
//! conditions, propagation delay) and can inject faults (latency, rate limiting, 5xx, regional outages,
//! a page-size cap, resources created and deleted while they are listed).
//! It does not depend on `scaleway-core`: it is an independent implementation of the API's behaviour.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use scaleway_sim::{Scenario, Sim};
//! let sim = Sim::start(Scenario::demo()).await?;
//! let inventory = sim.credential("inventory").expect("demo has an inventory key");
//! println!("{} {}", sim.api_url(), inventory.access_key);
//! # Ok(()) }
//! ```
//!
//! Served: Account v3 projects; IAM v1alpha1 API keys, applications, users, groups, policies, rules,
//! permission sets; Instance v1 servers and volumes; Block v1alpha1 and v1 volumes and snapshots;
//! Secret Manager v1beta1 secrets and versions; Registry v1 namespaces, images, tags; Kubernetes v1
//! clusters and pools; VPC v2 VPCs and private networks. See `docs/simulator.md`.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, RwLock};
use std::time::Duration;

mod api;
mod authn;
mod churn;
mod error;
mod faults;
mod http;
mod iam;
pub mod locality;
mod model;
pub mod oci;
pub mod s3;
mod scenario;
mod server;
mod state;
mod table;
mod util;

pub use faults::{Churn, ChurnEvent, ChurnEventKind, ChurnMode, Faults, LocalityFault};
pub use model::{Bucket, BucketVersioning};
pub use scenario::{LargeParams, Scenario, SimCredential};
pub use state::{
    NamedResource, NewApiKey, PolicyPrincipal, RuleScopeSpec, RuleSpec, SimState, StateError,
};

/// Errors when starting the simulator.
#[derive(Debug)]
#[non_exhaustive]
pub enum SimError {
    /// Binding or serving failed.
    Io(std::io::Error),
}

impl std::fmt::Display for SimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(_) => f.write_str("the simulator could not listen"),
        }
    }
}

impl std::error::Error for SimError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(e) => Some(e),
        }
    }
}

impl From<std::io::Error> for SimError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

/// Configures and starts a [`Sim`].
#[derive(Debug, Clone)]
pub struct SimBuilder {
    scenario: Scenario,
    seed: u64,
    faults: Faults,
    iam_delay: Duration,
    addr: SocketAddr,
    trust_forwarded_for: bool,
    ports_from: Option<u16>,
}

impl SimBuilder {
    /// Seed of the scenario generator and of the fault injector (default 1).
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Latency added to every request.
    #[must_use]
    pub fn latency(mut self, latency: Duration) -> Self {
        self.faults.latency = latency;
        self
    }

    /// Latency added once per new TCP connection.
    #[must_use]
    pub fn connection_latency(mut self, latency: Duration) -> Self {
        self.faults.connection_latency = latency;
        self
    }

    /// Shared rate limit in requests per second (429 beyond).
    #[must_use]
    pub fn rate_limit(mut self, per_second: u32) -> Self {
        self.faults.rate_limit = Some(per_second);
        self
    }

    /// Fraction of requests answered 503 (seeded).
    #[must_use]
    pub fn error_rate(mut self, rate: f64) -> Self {
        self.faults.error_rate = rate;
        self
    }

    /// All faults at once.
    #[must_use]
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Delay before IAM changes (policies, rules, group membership, API keys) take effect.
    #[must_use]
    pub fn iam_propagation_delay(mut self, delay: Duration) -> Self {
        self.iam_delay = delay;
        self
    }

    /// Address to listen on (default `127.0.0.1:0`, a random port).
    #[must_use]
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Fixed ports for the side listeners, from `first` on (default: random ports): the
    /// registry's token realm on `first`, the registry regions (fr-par, nl-ams, pl-waw) on
    /// the next three, then the S3 regions (fr-par, nl-ams, pl-waw, it-mil) on the four after
    /// that: `first..first + 8`. The JSON API's port is set by [`SimBuilder::addr`].
    #[must_use]
    pub fn ports_from(mut self, first: u16) -> Self {
        self.ports_from = Some(first);
        self
    }

    /// Use the first `X-Forwarded-For` address as `request.ip` for IAM conditions (default off), so
    /// that tests can exercise IP conditions from loopback.
    #[must_use]
    pub fn trust_forwarded_for(mut self, yes: bool) -> Self {
        self.trust_forwarded_for = yes;
        self
    }

    /// Builds the scenario and starts serving.
    ///
    /// # Errors
    /// The address cannot be bound.
    pub async fn start(self) -> Result<Sim, SimError> {
        let (mut state, credentials) = self.scenario.build(self.seed);
        state.iam_delay = self.iam_delay;
        let organization_id = state.organization_id.clone();
        let state = SimState {
            inner: Arc::new(RwLock::new(state)),
        };
        let faults = Arc::new(faults::FaultState::new(self.faults, self.seed));
        let app = Arc::new(http::App {
            state: state.clone(),
            faults: Arc::clone(&faults),
            stats: http::stats_for_routes(),
            seed: self.seed,
            trust_forwarded_for: self.trust_forwarded_for,
        });
        // The OCI distribution endpoint (registry regions) generates the scenario's images
        // and sets the tags' digests before anything is served.
        let registry = oci::start(&app, self.addr.ip(), self.ports_from).await?;
        // The S3 endpoint (Object Storage regions), see [`s3`].
        let s3_ports = self
            .ports_from
            .map(|p| p.saturating_add(1 + oci::REGIONS.len() as u16));
        let object_storage = s3::start(&app, self.addr.ip(), s3_ports).await?;
        let listener = tokio::net::TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let router = http::router(Arc::clone(&app));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let sim_listener = server::SimListener {
            inner: listener,
            faults,
        };
        let task = tokio::spawn(async move {
            let _ = axum::serve(
                sim_listener,
                router.into_make_service_with_connect_info::<server::PeerAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
        });
        let api_url = url::Url::parse(&format!("http://{addr}"))
            .map_err(|e| SimError::Io(std::io::Error::other(e)))?;
        Ok(Sim {
            api_url,
            addr,
            registry,
            object_storage,
            organization_id,
            credentials,
            state,
            app,
            shutdown: Some(tx),
            task: Some(task),
        })
    }
}

/// A running simulator. Stops when dropped (or with [`Sim::shutdown`]).
pub struct Sim {
    api_url: url::Url,
    addr: SocketAddr,
    organization_id: String,
    credentials: Vec<SimCredential>,
    state: SimState,
    app: Arc<http::App>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    /// The registry (OCI distribution) listeners, see [`oci`].
    registry: oci::Registry,
    /// The S3 (Object Storage) listeners, see [`s3`].
    object_storage: s3::ObjectStorage,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("api_url", &self.api_url.as_str())
            .field("organization_id", &self.organization_id)
            .field("credentials", &self.credentials.len())
            .finish_non_exhaustive()
    }
}

impl Sim {
    /// Starts `scenario` on a random port of 127.0.0.1 with no faults.
    ///
    /// # Errors
    /// The port cannot be bound.
    pub async fn start(scenario: Scenario) -> Result<Self, SimError> {
        Self::builder(scenario).start().await
    }

    /// A builder for `scenario`.
    pub fn builder(scenario: Scenario) -> SimBuilder {
        SimBuilder {
            scenario,
            seed: 1,
            faults: Faults::default(),
            iam_delay: Duration::ZERO,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            trust_forwarded_for: false,
            ports_from: None,
        }
    }

    /// The base URL, standing in for `https://api.scaleway.com` (no trailing slash in its string
    /// form's path beyond `/`).
    pub fn api_url(&self) -> &url::Url {
        &self.api_url
    }

    /// The socket address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A credential of the scenario by name.
    pub fn credential(&self, name: &str) -> Option<&SimCredential> {
        self.credentials.iter().find(|c| c.name == name)
    }

    /// Every credential of the scenario.
    pub fn credentials(&self) -> &[SimCredential] {
        &self.credentials
    }

    /// The organization id (also the default project's id).
    pub fn organization_id(&self) -> &str {
        &self.organization_id
    }

    /// The id of the project named `name` (`default`, `production`, …).
    pub fn project_id(&self, name: &str) -> Option<String> {
        self.state.project_id(name)
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.app.faults.get()
    }

    /// Replaces the faults (takes effect for the next request / connection).
    pub fn set_faults(&self, faults: Faults) {
        self.app.faults.set(faults);
    }

    /// Every change the churn fault ([`Faults::churn`]) made so far, in order.
    pub fn churn_log(&self) -> Vec<ChurnEvent> {
        self.app
            .faults
            .churn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .log
            .clone()
    }

    /// A handle on the state.
    pub fn state(&self) -> &SimState {
        &self.state
    }

    /// Total requests received (all routes, including unknown paths and refused requests).
    pub fn request_count(&self) -> u64 {
        self.app.stats.total.load(Ordering::Relaxed)
    }

    /// Requests received per route, as `("GET /instance/v1/zones/{zone}/servers", n)`, routes with
    /// `n > 0` only.
    pub fn route_counts(&self) -> Vec<(String, u64)> {
        http::routes()
            .iter()
            .zip(&self.app.stats.per_route)
            .map(|(r, c)| {
                (
                    format!("{} {}", r.method, r.path),
                    c.load(Ordering::Relaxed),
                )
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// Stops serving and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
