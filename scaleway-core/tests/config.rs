#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
//! Configuration: precedence matrix (builder > env > selected profile > root profile >
//! default), legacy names, profile selection, and every bad-input case, against temp dirs
//! and an injected environment (the process environment is never touched).

use std::path::{Path, PathBuf};

use scaleway_core::{
    Config, ConfigError, ConfigKey, Env, ProjectId, Region, SecretKey, ValueSource, Zone,
};

const AK_ROOT: &str = "SCWROOTROOTROOTROOT1";
const AK_PROF: &str = "SCWPROFPROFPROFPROF1";
const AK_ENV: &str = "SCWENVENVENVENVENV12";
const SK_ROOT: &str = "aaaaaaaa-1111-1111-1111-111111111111";
const SK_PROF: &str = "bbbbbbbb-2222-2222-2222-222222222222";
const SK_ENV: &str = "cccccccc-3333-3333-3333-333333333333";
const P_ROOT: &str = "11111111-0000-0000-0000-000000000001";
const P_PROF: &str = "22222222-0000-0000-0000-000000000002";
const P_ENV: &str = "33333333-0000-0000-0000-000000000003";

struct Home {
    _dir: tempfile::TempDir,
    home: PathBuf,
}

impl Home {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_owned();
        Home { _dir: dir, home }
    }

    /// Writes `~/.config/scw/config.yaml` with mode 0600.
    fn write(&self, yaml: &str) -> PathBuf {
        let p = self.home.join(".config/scw/config.yaml");
        write_file(&p, yaml);
        p
    }

    fn env(&self, vars: &[(&str, &str)]) -> Env {
        let mut e = Env::from_pairs(vars.iter().copied());
        e.set("HOME", self.home.to_string_lossy());
        e
    }
}

fn write_file(p: &Path, text: &str) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

fn file_with_profile() -> String {
    format!(
        "access_key: {AK_ROOT}\nsecret_key: {SK_ROOT}\ndefault_project_id: {P_ROOT}\n\
         default_region: fr-par\ndefault_zone: fr-par-2\n\
         profiles:\n  prod:\n    access_key: {AK_PROF}\n    secret_key: {SK_PROF}\n    default_project_id: {P_PROF}\n    default_zone: nl-ams-1\n"
    )
}

fn file_src(path: &Path, profile: &str) -> ValueSource {
    ValueSource::File {
        path: path.to_owned(),
        profile: profile.into(),
    }
}

fn env_src(var: &str) -> ValueSource {
    ValueSource::Env { var: var.into() }
}

#[test]
fn root_profile_only() {
    let h = Home::new();
    let path = h.write(&file_with_profile());
    let c = Config::loader().env(h.env(&[])).load().unwrap();
    assert_eq!(c.profile.value, "default");
    assert_eq!(c.profile.source, ValueSource::Default);
    assert_eq!(c.access_key.as_ref().unwrap().value.as_str(), AK_ROOT);
    assert_eq!(c.access_key.unwrap().source, file_src(&path, "default"));
    assert_eq!(c.zone.unwrap().value, Zone::FrPar2);
    assert_eq!(c.api_url.source, ValueSource::Default);
    assert_eq!(c.api_url.value.as_str(), "https://api.scaleway.com/");
    assert_eq!(c.config_path, path);
}

#[test]
fn named_profile_merges_over_root() {
    let h = Home::new();
    let path = h.write(&file_with_profile());
    let c = Config::loader()
        .env(h.env(&[("SCW_PROFILE", "prod")]))
        .load()
        .unwrap();
    assert_eq!(c.profile.value, "prod");
    assert_eq!(c.profile.source, env_src("SCW_PROFILE"));
    // Set in the profile: the profile wins.
    let z = c.zone.unwrap();
    assert_eq!((z.value, z.source), (Zone::NlAms1, file_src(&path, "prod")));
    let p = c.project_id.unwrap();
    assert_eq!(p.value.as_str(), P_PROF);
    // Not set in the profile: falls back to the root keys.
    let r = c.region.unwrap();
    assert_eq!(
        (r.value, r.source),
        (Region::FrPar, file_src(&path, "default"))
    );
}

#[test]
fn active_profile_then_scw_profile_then_builder() {
    let h = Home::new();
    let path = h.write(&format!(
        "active_profile: prod\n{}  other:\n    default_zone: pl-waw-3\n",
        file_with_profile()
    ));
    // active_profile in the file.
    let c = Config::loader().env(h.env(&[])).load().unwrap();
    assert_eq!(c.profile.value, "prod");
    assert_eq!(c.profile.source, file_src(&path, "default"));
    assert_eq!(c.zone.unwrap().value, Zone::NlAms1);
    // SCW_PROFILE beats active_profile.
    let c = Config::loader()
        .env(h.env(&[("SCW_PROFILE", "other")]))
        .load()
        .unwrap();
    assert_eq!(c.zone.unwrap().value, Zone::PlWaw3);
    // The builder beats both; `default` means the root keys.
    let c = Config::loader()
        .env(h.env(&[("SCW_PROFILE", "other")]))
        .profile("default")
        .load()
        .unwrap();
    assert_eq!(c.profile.source, ValueSource::Builder);
    assert_eq!(c.zone.unwrap().value, Zone::FrPar2);
}

#[test]
fn env_beats_file_and_builder_beats_env() {
    let h = Home::new();
    let path = h.write(&file_with_profile());
    let env = h.env(&[
        ("SCW_PROFILE", "prod"),
        ("SCW_ACCESS_KEY", AK_ENV),
        ("SCW_SECRET_KEY", SK_ENV),
        ("SCW_DEFAULT_PROJECT_ID", P_ENV),
        ("SCW_DEFAULT_ZONE", "pl-waw-1"),
    ]);
    let c = Config::loader().env(env.clone()).load().unwrap();
    let ak = c.access_key.unwrap();
    assert_eq!(
        (ak.value.as_str(), ak.source),
        (AK_ENV, env_src("SCW_ACCESS_KEY"))
    );
    assert_eq!(c.secret_key.unwrap().value.expose_secret(), SK_ENV);
    assert_eq!(c.zone.unwrap().value, Zone::PlWaw1);
    // Region is only in the root profile of the file.
    assert_eq!(c.region.unwrap().source, file_src(&path, "default"));

    let c = Config::loader()
        .env(env)
        .project_id(P_ROOT.parse::<ProjectId>().unwrap())
        .secret_key(SK_ROOT.parse::<SecretKey>().unwrap())
        .zone(Zone::ItMil1)
        .load()
        .unwrap();
    let p = c.project_id.unwrap();
    assert_eq!((p.value.as_str(), p.source), (P_ROOT, ValueSource::Builder));
    assert_eq!(c.secret_key.unwrap().value.expose_secret(), SK_ROOT);
    assert_eq!(c.zone.unwrap().value, Zone::ItMil1);
    assert_eq!(c.access_key.unwrap().source, env_src("SCW_ACCESS_KEY"));
}

#[test]
fn legacy_names_and_their_order() {
    let h = Home::new();
    let report = Config::loader()
        .env(h.env(&[
            ("SCALEWAY_ACCESS_KEY", AK_ENV),
            ("SCW_TOKEN", SK_ENV),
            ("SCALEWAY_TOKEN", SK_ROOT),
            ("SCW_ORGANIZATION", P_ENV),
            ("SCALEWAY_REGION", "nl-ams"),
            ("SCW_TLSVERIFY", "false"),
        ]))
        .report()
        .unwrap();
    let c = report.clone().into_config().unwrap();
    assert_eq!(c.access_key.unwrap().source, env_src("SCALEWAY_ACCESS_KEY"));
    let sk = c.secret_key.unwrap();
    assert_eq!(
        sk.value.expose_secret(),
        SK_ENV,
        "SCW_TOKEN comes before SCALEWAY_TOKEN"
    );
    assert_eq!(sk.source, env_src("SCW_TOKEN"));
    assert_eq!(
        c.organization_id.unwrap().source,
        env_src("SCW_ORGANIZATION")
    );
    assert_eq!(c.region.unwrap().value, Region::NlAms);
    let insecure = c.insecure;
    assert!(insecure.value, "SCW_TLSVERIFY=false means insecure");
    assert_eq!(insecure.source, env_src("SCW_TLSVERIFY"));
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("SCW_TOKEN is a deprecated name; use SCW_SECRET_KEY")),
        "{:?}",
        report.warnings
    );

    // The new name wins over the legacy ones.
    let c = Config::loader()
        .env(h.env(&[
            ("SCW_SECRET_KEY", SK_PROF),
            ("SCW_TOKEN", SK_ENV),
            ("SCW_ACCESS_KEY", AK_ENV),
        ]))
        .load()
        .unwrap();
    assert_eq!(c.secret_key.unwrap().value.expose_secret(), SK_PROF);
    // par1 alias, as the Go SDK rewrites it.
    let c = Config::loader()
        .env(h.env(&[("SCW_DEFAULT_REGION", "par1")]))
        .load()
        .unwrap();
    assert_eq!(c.region.unwrap().value, Region::FrPar);
}

#[test]
fn config_path_resolution() {
    let h = Home::new();
    // XDG_CONFIG_HOME beats HOME.
    let xdg = h.home.join("xdg");
    write_file(&xdg.join("scw/config.yaml"), "default_zone: nl-ams-3\n");
    h.write("default_zone: fr-par-1\n");
    let c = Config::loader()
        .env(h.env(&[("XDG_CONFIG_HOME", xdg.to_str().unwrap())]))
        .load()
        .unwrap();
    assert_eq!(c.zone.unwrap().value, Zone::NlAms3);
    // SCW_CONFIG_PATH beats both.
    let custom = h.home.join("elsewhere.yaml");
    write_file(&custom, "default_zone: pl-waw-2\n");
    let c = Config::loader()
        .env(h.env(&[
            ("XDG_CONFIG_HOME", xdg.to_str().unwrap()),
            ("SCW_CONFIG_PATH", custom.to_str().unwrap()),
        ]))
        .load()
        .unwrap();
    assert_eq!(c.zone.unwrap().value, Zone::PlWaw2);
    assert_eq!(c.config_path, custom);
    // config.yml fallback on the default path.
    let h2 = Home::new();
    write_file(
        &h2.home.join(".config/scw/config.yml"),
        "default_zone: it-mil-1\n",
    );
    let c = Config::loader().env(h2.env(&[])).load().unwrap();
    assert_eq!(c.zone.unwrap().value, Zone::ItMil1);
    // No file at all is fine: env only.
    let h3 = Home::new();
    let c = Config::loader().env(h3.env(&[])).load().unwrap();
    assert!(c.zone.is_none());
}

#[test]
fn bad_values_name_source_and_accepted_values() {
    let h = Home::new();
    let path = h.write("default_region: mars-1\naccess_key: SCW123\n");
    let err = Config::loader()
        .env(h.env(&[
            ("SCW_DEFAULT_ZONE", "paris-1"),
            ("SCW_DEFAULT_PROJECT_ID", "production"),
            ("SCW_INSECURE", "maybe"),
        ]))
        .load()
        .unwrap_err();
    let ConfigError::Invalid { problems } = &err else {
        panic!("{err:?}")
    };
    let text = err.to_string();
    assert!(
        text.contains("SCW_DEFAULT_ZONE=paris-1 (environment): `paris-1` is not a zone: expected a region, a dash and a number, like `fr-par-1` (known: fr-par-1, fr-par-2, fr-par-3, nl-ams-1"),
        "{text}"
    );
    assert!(text.contains("SCW_DEFAULT_PROJECT_ID=production (environment): project ID `production` is not valid: expected a UUID"), "{text}");
    assert!(
        text.contains("SCW_INSECURE=maybe (environment): expected a boolean"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "default_region=mars-1 ({}, profile `default`): `mars-1` is not a region: expected two letters, a dash and 3 to 7 letters, like `fr-par` (known: fr-par, nl-ams, pl-waw, it-mil)",
            path.display()
        )),
        "{text}"
    );
    assert!(text.contains("access key `SCW123` is not valid"), "{text}");
    assert_eq!(problems.len(), 5, "{problems:#?}");
}

#[test]
fn empty_values_and_missing_access_key() {
    let h = Home::new();
    let err = Config::loader()
        .env(h.env(&[("SCW_DEFAULT_ZONE", ""), ("SCW_SECRET_KEY", SK_ENV)]))
        .load()
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("SCW_DEFAULT_ZONE= (environment): is set but empty"),
        "{text}"
    );
    assert!(
        text.contains(
            "a secret key is configured but no access key: set SCW_ACCESS_KEY or `access_key` in"
        ),
        "{text}"
    );
}

#[test]
fn broken_yaml_names_file_and_line() {
    let h = Home::new();
    let path = h.write(&format!(
        "access_key: {AK_ROOT}\nsecret_key: {SK_ROOT}\nprofiles:\n  prod:\n    default_zone: [unclosed\n"
    ));
    let err = Config::loader().env(h.env(&[])).load().unwrap_err();
    let ConfigError::Yaml { path: p, line, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(p, &path);
    assert!(line.is_some(), "{err}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("cannot parse {} at line ", path.display())),
        "{text}"
    );
    assert!(!text.contains("aaaaaaaa"), "{text}");

    // Wrong shape: a list where a mapping is expected.
    let path = h.write("profiles: [a, b]\n");
    let err = Config::loader().env(h.env(&[])).load().unwrap_err();
    assert!(matches!(err, ConfigError::Yaml { .. }), "{err}");
    assert!(err.to_string().contains(&path.display().to_string()));
}

#[test]
fn unknown_profile_lists_known_ones() {
    let h = Home::new();
    h.write(&file_with_profile());
    let err = Config::loader()
        .env(h.env(&[("SCW_PROFILE", "staging")]))
        .load()
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("profile `staging` (environment variable SCW_PROFILE) not found in"),
        "{text}"
    );
    assert!(text.ends_with("known profiles: default, prod"), "{text}");
}

#[test]
fn missing_explicit_file_is_an_error() {
    let h = Home::new();
    let err = Config::loader()
        .env(h.env(&[("SCW_CONFIG_PATH", "/nonexistent/scw.yaml")]))
        .load()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "/nonexistent/scw.yaml (environment variable SCW_CONFIG_PATH) names a file that does not exist; create it with `scw init` or unset it"
    );
}

#[test]
fn missing_credentials_name_env_and_file_key() {
    let h = Home::new();
    let c = Config::loader().env(h.env(&[])).load().unwrap();
    let err = c.require_secret_key().unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "no secret key configured: set SCW_SECRET_KEY or `secret_key` in {} (profile `default`)",
            h.home.join(".config/scw/config.yaml").display()
        )
    );
    let err = scaleway_core::Client::builder()
        .config(c)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("SCW_SECRET_KEY"), "{err}");
}

#[test]
fn plain_http_api_url_rules() {
    let h = Home::new();
    let err = Config::loader()
        .env(h.env(&[("SCW_API_URL", "http://api.example.com")]))
        .load()
        .unwrap_err();
    assert!(
        err.to_string().contains(
            "SCW_API_URL=http://api.example.com (environment): plain http is only allowed"
        ),
        "{err}"
    );
    let c = Config::loader()
        .env(h.env(&[
            ("SCW_API_URL", "http://api.example.com"),
            ("SCW_INSECURE", "true"),
        ]))
        .load()
        .unwrap();
    assert_eq!(c.api_url.value.as_str(), "http://api.example.com/");
    let c = Config::loader()
        .env(h.env(&[("SCW_API_URL", "http://127.0.0.1:4567")]))
        .load()
        .unwrap();
    assert_eq!(c.api_url.source, env_src("SCW_API_URL"));
}

#[test]
fn warnings_for_unknown_keys_mode_and_zone_region_mismatch() {
    let h = Home::new();
    let path = h.write("secret_ke: typo\ndefault_region: fr-par\ndefault_zone: nl-ams-1\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let r = Config::loader().env(h.env(&[])).report().unwrap();
    let w = r.warnings.join("\n");
    assert!(w.contains("unknown key `secret_ke` ignored"), "{w}");
    assert!(w.contains("default zone nl-ams-1"), "{w}");
    #[cfg(unix)]
    assert!(w.contains("chmod 600"), "{w}");
    assert!(r.problems.is_empty());
}

#[test]
fn unknown_but_well_formed_zones_and_regions_are_warnings() {
    // New zones and regions appear: the Go SDK warns and goes on (core.md §3).
    let h = Home::new();
    let path = h.write("default_region: xx-newcity\nprofiles:\n  p:\n    default_zone: fr-par-4\n");
    let report = Config::loader()
        .env(h.env(&[("SCW_PROFILE", "p")]))
        .report()
        .unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let w = report.warnings.join("\n");
    assert!(
        w.contains(&format!(
            "default region xx-newcity ({}, profile `default`) is not a region this version knows (known: fr-par, nl-ams, pl-waw, it-mil); it is used as given",
            path.display()
        )),
        "{w}"
    );
    assert!(
        w.contains(&format!(
            "default zone fr-par-4 ({}, profile `p`) is not a zone this version knows (known: fr-par-1,",
            path.display()
        )),
        "{w}"
    );
    // Both checks still apply together: fr-par-4 is not in xx-newcity.
    assert!(w.contains("default zone fr-par-4"), "{w}");
    assert!(w.contains("is not in default region xx-newcity"), "{w}");
    let zone = report
        .settings
        .iter()
        .find(|s| s.key == ConfigKey::Zone)
        .unwrap();
    assert_eq!(zone.problem, None);
    let c = report.into_config().unwrap();
    assert_eq!(
        c.zone.as_ref().unwrap().value,
        Zone::Other("fr-par-4".into())
    );
    assert_eq!(c.zone.unwrap().value.region(), Region::FrPar);
    assert_eq!(c.region.unwrap().value, Region::Other("xx-newcity".into()));

    // From the environment, with its region: one warning, naming the variable.
    let report = Config::loader()
        .env(Env::from_pairs([
            ("SCW_DEFAULT_ZONE", "fr-par-4"),
            ("SCW_DEFAULT_REGION", "fr-par"),
        ]))
        .report()
        .unwrap();
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(
        report.warnings[0].starts_with(
            "default zone fr-par-4 (environment variable SCW_DEFAULT_ZONE) is not a zone this version knows"
        ),
        "{:?}",
        report.warnings
    );

    // Known values and the legacy aliases: no warning.
    let report = Config::loader()
        .env(Env::from_pairs([
            ("SCW_DEFAULT_ZONE", "par1"),
            ("SCW_DEFAULT_REGION", "fr-par"),
        ]))
        .report()
        .unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);

    // Malformed values stay errors, naming the value and where it came from.
    for (value, expect) in [
        ("FR-PAR-1", "`FR-PAR-1` is not a zone"),
        ("fr-par-100", "`fr-par-100` is not a zone"),
        ("fr-par", "`fr-par` is not a zone"),
        (" fr-par-1", "` fr-par-1` is not a zone"),
    ] {
        let err = Config::loader()
            .env(Env::from_pairs([("SCW_DEFAULT_ZONE", value)]))
            .load()
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(&format!("SCW_DEFAULT_ZONE={value} (environment): {expect}")),
            "{text}"
        );
    }
    let path = h.write("default_region: fr_par\n");
    let err = Config::loader().env(h.env(&[])).load().unwrap_err();
    assert!(
        err.to_string().contains(&format!(
            "default_region=fr_par ({}, profile `default`): `fr_par` is not a region",
            path.display()
        )),
        "{err}"
    );
}

#[test]
fn report_lists_every_setting_with_source() {
    let h = Home::new();
    h.write(&file_with_profile());
    let r = Config::loader()
        .env(h.env(&[("SCW_DEFAULT_ZONE", "bogus")]))
        .report()
        .unwrap();
    assert_eq!(r.settings.len(), ConfigKey::ALL.len());
    let zone = r
        .settings
        .iter()
        .find(|s| s.key == ConfigKey::Zone)
        .unwrap();
    assert_eq!(zone.value.as_deref(), Some("bogus"));
    assert!(zone.problem.as_deref().unwrap().contains("is not a zone"));
    let secret = r
        .settings
        .iter()
        .find(|s| s.key == ConfigKey::SecretKey)
        .unwrap();
    assert_eq!(secret.value.as_deref(), Some("[redacted]"));
    assert!(r.config_file_found);
    assert!(r.into_config().is_err());
}

#[test]
fn empty_scw_profile_is_ignored_like_the_go_sdk() {
    let h = Home::new();
    h.write(&format!("active_profile: prod\n{}", file_with_profile()));
    let c = Config::loader()
        .env(h.env(&[("SCW_PROFILE", "")]))
        .load()
        .unwrap();
    assert_eq!(c.profile.value, "prod", "falls back to active_profile");
}

#[test]
fn no_home_means_no_config_file() {
    // Neither HOME nor XDG_CONFIG_HOME: nothing is read (never ./.config relative to the
    // working directory).
    for env in [Env::default(), Env::from_pairs([("HOME", "")])] {
        let r = Config::loader().env(env).report().unwrap();
        assert!(!r.config_file_found);
        assert_eq!(r.config_path, PathBuf::new());
    }
}

#[test]
fn more_legacy_names_and_tlsverify() {
    let h = Home::new();
    let c = Config::loader()
        .env(h.env(&[
            ("SCW_REGION", "pl-waw"),
            ("SCALEWAY_ORGANIZATION", P_ENV),
            ("SCALEWAY_ACCESS_KEY", SK_ENV),
            ("SCW_ACCESS_KEY", AK_ENV),
            ("SCW_TLSVERIFY", "true"),
        ]))
        .s3_use_path_style(true)
        .load()
        .unwrap();
    let r = c.region.unwrap();
    assert_eq!((r.value, r.source), (Region::PlWaw, env_src("SCW_REGION")));
    assert_eq!(
        c.organization_id.unwrap().source,
        env_src("SCALEWAY_ORGANIZATION")
    );
    // SCALEWAY_ACCESS_KEY holding a UUID is the legacy secret key.
    let sk = c.secret_key.unwrap();
    assert_eq!(sk.value.expose_secret(), SK_ENV);
    assert_eq!(sk.source, env_src("SCALEWAY_ACCESS_KEY"));
    assert_eq!(c.access_key.unwrap().source, env_src("SCW_ACCESS_KEY"));
    assert!(!c.insecure.value, "SCW_TLSVERIFY=true means verify");
    assert!(c.s3_use_path_style.value);
    assert_eq!(c.s3_use_path_style.source, ValueSource::Builder);
}

#[test]
fn a_secret_in_the_wrong_setting_is_refused_and_never_printed() {
    let h = Home::new();
    let err = Config::loader()
        .env(h.env(&[
            ("SCW_SECRET_KEY", SK_ENV),
            ("SCW_ACCESS_KEY", SK_ENV),
            ("SCW_DEFAULT_PROJECT_ID", SK_ENV),
        ]))
        .load()
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains("cccccccc"), "{text}");
    assert!(
        text.contains("SCW_ACCESS_KEY=[redacted] (environment): this is the secret key"),
        "{text}"
    );
    assert!(
        text.contains("SCW_DEFAULT_PROJECT_ID=[redacted] (environment): this is the secret key"),
        "{text}"
    );
    // A UUID as access key without a secret key configured: still redacted.
    let r = Config::loader()
        .env(h.env(&[("SCW_ACCESS_KEY", SK_PROF)]))
        .report()
        .unwrap();
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains("bbbbbbbb"), "{json}");
    assert!(json.contains("looks like a secret key"), "{json}");
}
