//! Shared by the examples: logging as `RUST_LOG` asks; connecting with the user's
//! credentials, or starting the simulator in process when none are configured (the
//! "embedded default"); and output that ends quietly when its reader goes away.
//!
//! # Closed pipes
//!
//! An example declares `#[macro_use] mod common;`: from there on, `println!` and `eprintln!`
//! are this module's, which shadow the standard ones. Where the
//! standard macros panic on a write error ("failed printing to stdout: Broken pipe" under
//! `| head`), these end the process quietly with status [`CLOSED_PIPE`] (141, what a shell
//! reports for a program killed by `SIGPIPE`, as Unix tools are) when the reader went away,
//! and with status 1 and a message on stderr on any other write error. Output written
//! through `std::io::Write` goes through [`stdout`] for the same behaviour.
#![allow(dead_code)]

use std::error::Error;
use std::fmt;
use std::io::{self, Write};

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
    user_config_in(Env::from_process(), profile)
}

/// [`user_config`] reading `env` instead of the process environment.
pub fn user_config_in(env: Env, profile: Option<&str>) -> Result<Config, ConfigError> {
    let mut loader = Config::loader().env(env);
    if let Some(p) = profile {
        loader = loader.profile(p);
    }
    loader.load()
}

/// Whether the user configured a credential: `Ok(true)` with both an access key and a
/// secret key, `Ok(false)` with neither (the examples then run the simulator), and an error
/// naming what is missing and where it was looked for when only one of them is set: a
/// half-configured real credential must never fall back to fake results.
pub fn has_credentials(config: &Config) -> Result<bool, String> {
    match (&config.access_key, &config.secret_key) {
        (Some(_), Some(_)) => Ok(true),
        (None, None) => Ok(false),
        (Some(ak), None) => Err(format!(
            "an access key is configured ({}) but no secret key: {} (with neither set, the examples run the simulator)",
            ak.source,
            config
                .require_secret_key()
                .err()
                .map_or_else(|| "set the secret key".to_owned(), |e| e.to_string())
        )),
        (None, Some(sk)) => Err(format!(
            "a secret key is configured ({}) but no access key: {} (with neither set, the examples run the simulator)",
            sk.source,
            config
                .require_access_key()
                .err()
                .map_or_else(|| "set the access key".to_owned(), |e| e.to_string())
        )),
    }
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
    connect_in(Env::from_process(), profile, sim_credential, app).await
}

/// [`connect`] reading `env` instead of the process environment.
pub async fn connect_in(
    env: Env,
    profile: Option<&str>,
    sim_credential: &str,
    app: &str,
) -> Result<Target, Box<dyn Error>> {
    let config = user_config_in(env, profile)?;
    if has_credentials(&config)? {
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

/// The exit status when stdout's (or stderr's) reader went away: 128 + `SIGPIPE`.
pub const CLOSED_PIPE: u8 = 141;

/// Ends the process after a failed write to `stream` (`stdout` or `stderr`): quietly with
/// [`CLOSED_PIPE`] when the reader went away, else with status 1 and the error on stderr.
pub fn end_after_write_error(error: &io::Error, stream: &str) -> ! {
    if error.kind() != io::ErrorKind::BrokenPipe {
        let _ = writeln!(io::stderr(), "error: cannot write to {stream}: {error}");
        std::process::exit(1);
    }
    std::process::exit(i32::from(CLOSED_PIPE))
}

/// Writes to stdout (what this module's `println!` calls).
pub fn write_stdout(args: fmt::Arguments<'_>) {
    if let Err(e) = io::stdout().lock().write_fmt(args) {
        end_after_write_error(&e, "stdout");
    }
}

/// Writes to stderr (what this module's `eprintln!` calls).
pub fn write_stderr(args: fmt::Arguments<'_>) {
    if let Err(e) = io::stderr().lock().write_fmt(args) {
        end_after_write_error(&e, "stderr");
    }
}

/// Stdout as an [`io::Write`] whose errors end the process like `println!`'s (see the
/// module docs): a write returns `Ok` or does not return. Wrap it in a
/// [`io::BufWriter`] for large outputs.
pub fn stdout() -> QuietStdout {
    QuietStdout(io::stdout())
}

/// See [`stdout`].
#[derive(Debug)]
pub struct QuietStdout(io::Stdout);

impl Write for QuietStdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .write(buf)
            .or_else(|e| end_after_write_error(&e, "stdout"))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0
            .flush()
            .or_else(|e| end_after_write_error(&e, "stdout"))
    }
}

/// `println!` that ends quietly on a closed pipe (see the module docs).
macro_rules! println {
    () => {
        $crate::common::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::common::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!` that ends quietly on a closed pipe (see the module docs).
macro_rules! eprintln {
    () => {
        $crate::common::write_stderr(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::common::write_stderr(format_args!("{}\n", format_args!($($arg)*)))
    };
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    //! Runs with the tests of every example that uses this module.
    use super::*;

    const AK: &str = "SCWXXXXXXXXXXXXXXXXX";
    const SK: &str = "11111111-1111-4111-8111-111111111111";

    /// An environment with no config file (HOME points at an empty directory).
    fn env(dir: &std::path::Path, vars: &[(&str, &str)]) -> Env {
        let mut e = Env::from_pairs(vars.iter().copied());
        e.set("HOME", dir.to_string_lossy());
        e
    }

    fn error_of(r: Result<Target, Box<dyn Error>>) -> String {
        match r {
            Ok(t) => panic!("connected (simulated: {})", t.is_simulated()),
            Err(e) => e.to_string(),
        }
    }

    #[tokio::test]
    async fn a_half_configured_credential_is_an_error_never_the_simulator() {
        let dir = tempfile::tempdir().unwrap();
        let only_access = env(dir.path(), &[("SCW_ACCESS_KEY", AK)]);
        let e = error_of(connect_in(only_access, None, "admin", "test").await);
        assert!(
            e.contains("no secret key")
                && e.contains("SCW_ACCESS_KEY")
                && e.contains("SCW_SECRET_KEY"),
            "{e}"
        );
        let only_secret = env(dir.path(), &[("SCW_SECRET_KEY", SK)]);
        let e = error_of(connect_in(only_secret, None, "admin", "test").await);
        assert!(
            e.contains("no access key") && e.contains("SCW_ACCESS_KEY"),
            "{e}"
        );
        assert!(!e.contains(SK), "the secret is never printed: {e}");
        // Half a credential in the config file is named with the file.
        let file = dir.path().join(".config/scw/config.yaml");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, format!("access_key: {AK}\n")).unwrap();
        let e = error_of(connect_in(env(dir.path(), &[]), None, "admin", "test").await);
        assert!(
            e.contains("no secret key") && e.contains("config.yaml") && e.contains("secret_key"),
            "{e}"
        );
    }

    #[tokio::test]
    async fn no_credential_at_all_runs_the_simulator() {
        let dir = tempfile::tempdir().unwrap();
        let t = connect_in(env(dir.path(), &[]), None, "admin", "test")
            .await
            .unwrap();
        assert!(t.is_simulated());
        let t = connect_in(
            env(
                dir.path(),
                &[("SCW_ACCESS_KEY", AK), ("SCW_SECRET_KEY", SK)],
            ),
            None,
            "admin",
            "test",
        )
        .await
        .unwrap();
        assert!(!t.is_simulated(), "a full credential is used as is");
    }
}
