#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
//! A client for a customer's key alone: a platform's own `SCW_*` settings (environment and
//! config file) never leak into it. The injected-environment tests run in process; the
//! process-environment test re-runs this test binary as a child whose real environment
//! is full of `SCW_*` values (the test process's own environment is never modified).

use std::path::Path;
use std::process::Command;

use scaleway_core::{
    AccessKey, Client, Config, ConfigError, Env, Error, ErrorKind, ProjectId, Region, SecretKey,
    ValueSource,
};

const CUSTOMER_AK: &str = "SCWCUSTOMERCUSTOMER1";
const CUSTOMER_SK: &str = "c0c0c0c0-1111-4111-8111-111111111111";
const CUSTOMER_PROJECT: &str = "c0c0c0c0-2222-4222-8222-222222222222";

const PLATFORM_AK: &str = "SCWPLATFORMPLATFORM1";
const PLATFORM_SK: &str = "99999999-1111-4111-8111-999999999999";
const PLATFORM_ORG: &str = "99999999-0000-4000-8000-000000000001";
const PLATFORM_PROJECT: &str = "99999999-0000-4000-8000-000000000002";

/// Every setting the platform could have in its environment, legacy names included.
fn platform_vars(config_path: &Path) -> Vec<(String, String)> {
    [
        ("SCW_ACCESS_KEY", PLATFORM_AK),
        ("SCW_SECRET_KEY", PLATFORM_SK),
        ("SCW_DEFAULT_ORGANIZATION_ID", PLATFORM_ORG),
        ("SCW_ORGANIZATION", PLATFORM_ORG),
        ("SCALEWAY_ORGANIZATION", PLATFORM_ORG),
        ("SCW_DEFAULT_PROJECT_ID", PLATFORM_PROJECT),
        ("SCW_DEFAULT_REGION", "nl-ams"),
        ("SCW_DEFAULT_ZONE", "nl-ams-1"),
        ("SCW_API_URL", "https://platform-proxy.example.com"),
        ("SCW_INSECURE", "true"),
        ("SCW_S3_ENDPOINT", "https://s3.platform.example.com"),
        ("SCW_S3_USE_PATH_STYLE", "true"),
        ("SCW_USER_AGENT", "platform-agent/1.0"),
        ("SCW_PROFILE", "platform"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .chain([(
        "SCW_CONFIG_PATH".to_owned(),
        config_path.to_string_lossy().into_owned(),
    )])
    .collect()
}

/// A config file with a `platform` profile holding the platform's Organization.
fn platform_file(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("config.yaml");
    std::fs::write(
        &p,
        format!(
            "default_organization_id: {PLATFORM_ORG}\nprofiles:\n  platform:\n    default_organization_id: {PLATFORM_ORG}\n    default_region: pl-waw\n"
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    p
}

fn customer() -> (AccessKey, SecretKey, ProjectId) {
    (
        CUSTOMER_AK.parse().unwrap(),
        CUSTOMER_SK.parse().unwrap(),
        CUSTOMER_PROJECT.parse().unwrap(),
    )
}

/// The assertions shared by the in-process and the child-process tests: only the
/// customer's key, its project and the built-in defaults.
fn assert_nothing_leaked(config: &Config) -> Result<(), String> {
    let check = |ok: bool, what: &str| if ok { Ok(()) } else { Err(what.to_owned()) };
    check(config.is_isolated(), "not marked isolated")?;
    check(
        config.access_key.as_ref().map(|a| a.value.as_str()) == Some(CUSTOMER_AK),
        "access key",
    )?;
    check(
        config.secret_key.as_ref().map(|s| s.value.expose_secret()) == Some(CUSTOMER_SK),
        "secret key",
    )?;
    check(
        config
            .project_id
            .as_ref()
            .map(|p| p.value.to_string())
            .as_deref()
            == Some(CUSTOMER_PROJECT),
        "project",
    )?;
    check(config.organization_id.is_none(), "organization leaked")?;
    check(config.region.is_none(), "region leaked")?;
    check(config.zone.is_none(), "zone leaked")?;
    check(
        config.api_url.value.as_str() == "https://api.scaleway.com/"
            && config.api_url.source == ValueSource::Default,
        "api_url leaked",
    )?;
    check(!config.insecure.value, "insecure leaked")?;
    check(config.s3_endpoint.is_none(), "s3 endpoint leaked")?;
    check(!config.s3_use_path_style.value, "path style leaked")?;
    check(config.user_agent.is_none(), "user agent leaked")?;
    check(config.profile.value == "default", "profile leaked")?;
    Ok(())
}

#[test]
fn for_key_holds_the_key_alone() {
    let (ak, sk, p) = customer();
    let config = Config::for_key(ak, sk, p);
    assert_nothing_leaked(&config).unwrap();
    // A missing default names the loader method, not a variable the platform may have set.
    let e = config.require_organization_id().unwrap_err().to_string();
    assert!(
        e.contains("ConfigLoader::organization_id") && !e.contains("SCW_DEFAULT_ORGANIZATION_ID"),
        "{e}"
    );
}

#[test]
fn an_isolated_loader_ignores_an_injected_environment_and_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = platform_file(dir.path());
    let env = Env::from_pairs(platform_vars(&file));
    // Sanity: the same environment, not isolated, does carry the platform's values.
    let leaky = Config::loader().env(env.clone()).load().unwrap();
    assert_eq!(
        leaky.organization_id.unwrap().value.to_string(),
        PLATFORM_ORG
    );
    let (ak, sk, p) = customer();
    let config = Config::loader()
        .env(env)
        .config_path(&file)
        .profile("platform")
        .isolated()
        .access_key(ak)
        .secret_key(sk)
        .project_id(p)
        .load()
        .unwrap();
    assert_nothing_leaked(&config).unwrap();
    // Values set in code still apply.
    let config = Config::loader()
        .isolated()
        .region(Region::PlWaw)
        .load()
        .unwrap();
    assert_eq!(config.region.unwrap().value, Region::PlWaw);
    // A half-given key is an error naming the loader method.
    let e = Config::loader()
        .isolated()
        .secret_key(CUSTOMER_SK.parse().unwrap())
        .load()
        .unwrap_err();
    assert!(matches!(e, ConfigError::Invalid { .. }));
    assert!(e.to_string().contains("ConfigLoader::access_key"), "{e}");
}

#[test]
fn client_for_key_has_no_default_organization() {
    let (ak, sk, p) = customer();
    let client = Client::for_key(ak, sk, p).unwrap();
    let e: Error = client.default_organization_id().unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Config(_)), "{e:?}");
    assert_eq!(
        client.default_project_id().unwrap().to_string(),
        CUSTOMER_PROJECT
    );
    assert_eq!(client.api_url().as_str(), "https://api.scaleway.com/");
    assert!(!format!("{client:?}").contains(CUSTOMER_SK));
}

/// The child half of [`the_process_environment_never_leaks`]: runs only when that test
/// starts it, with the platform's values in its real environment.
#[test]
fn child_builds_a_client_for_a_key_alone() {
    let process = Env::from_process();
    if process.get("KEY_ALONE_CHILD").is_none() {
        return;
    }
    // The child's real environment is the platform's.
    assert_eq!(
        process.get("SCW_DEFAULT_ORGANIZATION_ID"),
        Some(PLATFORM_ORG)
    );
    let from_env = Config::from_env().unwrap();
    assert_eq!(
        from_env.organization_id.unwrap().value.to_string(),
        PLATFORM_ORG,
        "the platform's own configuration is visible to the child"
    );
    let (ak, sk, p) = customer();
    let client = Client::for_key(ak.clone(), sk.clone(), p.clone()).unwrap();
    assert_nothing_leaked(client.config()).unwrap();
    assert!(client.default_organization_id().is_err());
    assert!(!client.user_agent().contains("platform-agent"));
    let loaded = Config::loader()
        .isolated()
        .access_key(ak)
        .secret_key(sk)
        .project_id(p)
        .load()
        .unwrap();
    assert_nothing_leaked(&loaded).unwrap();
}

#[test]
fn the_process_environment_never_leaks() {
    if Env::from_process().get("KEY_ALONE_CHILD").is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = platform_file(dir.path());
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_builds_a_client_for_a_key_alone",
            "--nocapture",
            "--test-threads=1",
        ])
        .env_clear()
        .envs(platform_vars(&file))
        .env("HOME", dir.path())
        .env("KEY_ALONE_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 passed"),
        "the child test did not run:\n{stdout}"
    );
}
