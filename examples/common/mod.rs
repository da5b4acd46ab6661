//! Shared by the examples: logging as `RUST_LOG` asks, and connecting with the user's
//! credentials, or starting the simulator in process when none are configured (the
//! "embedded default").
#![allow(dead_code)]

use std::error::Error;

use scaleway_core::{Client, Config, ConfigError, Env};
use scaleway_sim::{Scenario, Sim, SimCredential};

/// Logs to stderr as `RUST_LOG` asks; nothing when it is unset (the default). With
/// `RUST_LOG=debug`, each API call's `scaleway.request` span (method, route, locality,
/// attempt, status, duration, request id) is printed as it closes, and retries as they
/// happen; `RUST_LOG=scaleway_core=debug` keeps the library's lines only. The secret key
/// never appears, at any level. Call it first thing in `main`.
pub fn init_tracing() {
    let env = Env::from_process();
    let Some(directives) = env.get("RUST_LOG").filter(|d| !d.trim().is_empty()) else {
        return;
    };
    match tracing_subscriber::EnvFilter::try_new(directives) {
        Ok(filter) => {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
                .with_writer(std::io::stderr)
                .try_init();
        }
        Err(e) => eprintln!(
            "RUST_LOG ignored ({e}): expected e.g. RUST_LOG=debug or RUST_LOG=scaleway_core=trace"
        ),
    }
}

/// Where an example runs.
pub struct Target {
    /// The client to use.
    pub client: Client,
    /// The configuration it was built from.
    pub config: Config,
    /// The simulator, when no credentials were configured (kept alive while in scope).
    pub sim: Option<Sim>,
}

impl Target {
    /// Whether this runs against the in-process simulator.
    pub fn is_simulated(&self) -> bool {
        self.sim.is_some()
    }
}

/// The user's configuration (environment and config file, optional profile).
pub fn user_config(profile: Option<&str>) -> Result<Config, ConfigError> {
    let mut loader = Config::loader();
    if let Some(p) = profile {
        loader = loader.profile(p);
    }
    loader.load()
}

/// A configuration for a simulator credential: nothing from the user's environment.
pub fn sim_config(sim: &Sim, cred: &SimCredential) -> Result<Config, Box<dyn Error>> {
    Ok(Config::loader()
        .env(Env::default())
        .access_key(cred.access_key.parse()?)
        .secret_key(cred.secret_key.parse()?)
        .organization_id(cred.organization_id.parse()?)
        .project_id(cred.project_id.parse()?)
        .api_url(sim.api_url().clone())
        .load()?)
}

/// Connects with the user's credentials, or, when none are configured, starts the
/// simulator's `demo` scenario in process, says so on stderr, and uses its credential
/// named `sim_credential`.
pub async fn connect(
    profile: Option<&str>,
    sim_credential: &str,
    app: &str,
) -> Result<Target, Box<dyn Error>> {
    let config = user_config(profile)?;
    if config.has_credentials() {
        let client = Client::builder()
            .config(config.clone())
            .user_agent_suffix(app)
            .build()?;
        return Ok(Target {
            client,
            config,
            sim: None,
        });
    }
    let sim = Sim::start(Scenario::demo()).await?;
    eprintln!(
        "no Scaleway credentials found (SCW_ACCESS_KEY/SCW_SECRET_KEY or {}): running against the in-process simulator (demo scenario) at {}",
        config.config_path.display(),
        sim.api_url()
    );
    let cred = sim
        .credential(sim_credential)
        .ok_or_else(|| format!("the demo scenario has no credential `{sim_credential}`"))?
        .clone();
    let config = sim_config(&sim, &cred)?;
    let client = Client::builder()
        .config(config.clone())
        .user_agent_suffix(app)
        .build()?;
    Ok(Target {
        client,
        config,
        sim: Some(sim),
    })
}
