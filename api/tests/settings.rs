//! `ctxi serve`'s layered settings: defaults < file < environment < flags, and clear errors.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use api::settings::{load_from, LogFormat, Overrides, Secret, ServeSettings, SettingsError};

/// A TOML file in a fresh temporary folder, removed on drop.
struct ConfigFile(PathBuf);

impl ConfigFile {
    fn new(contents: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("ctxi-settings-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ctxi.toml");
        std::fs::write(&path, contents).unwrap();
        Self(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ConfigFile {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn env(vars: &[(&str, &str)]) -> Vec<(String, String)> {
    vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn invalid(result: Result<ServeSettings, SettingsError>) -> String {
    match result {
        Err(e @ SettingsError::Invalid(_)) => e.to_string(),
        other => panic!("expected an invalid setting, got {other:?}"),
    }
}

#[test]
fn defaults_apply_without_file_environment_or_flags() {
    let settings = load_from(None, env(&[("HOME", "/root"), ("CTXI_UNRELATED", "x")]), &Overrides::default()).unwrap();
    assert_eq!(settings, ServeSettings::default());
    assert_eq!(settings.listen, "127.0.0.1:8080".parse::<SocketAddr>().unwrap());
    assert_eq!(settings.data_dir, PathBuf::from("data"));
    assert_eq!(settings.web_dir, PathBuf::from("web-yew/dist"));
    assert_eq!((settings.session_ttl_hours, settings.request_timeout_secs, settings.index_idle_minutes), (168, 30, 30));
    assert_eq!(settings.consistency_wait_ms, 5_000);
    assert_eq!(settings.log_format, LogFormat::Json);
    assert!(settings.database_url.is_none() && settings.kek.is_none() && settings.public_url.is_none());
    assert!(!settings.secure_cookies());
}

#[test]
fn every_setting_can_come_from_the_environment() {
    let vars = env(&[
        ("CTXI_LISTEN", "0.0.0.0:9000"),
        ("DATABASE_URL", "postgres://app:hunter2@db/ctxi"),
        ("CTXI_DATA_DIR", "/var/lib/ctxi"),
        ("CTXI_KEK", "a2V5"),
        ("CTXI_WEB_DIR", "/srv/web"),
        ("CTXI_PUBLIC_URL", "https://ctxi.example.com"),
        ("CTXI_SESSION_TTL_HOURS", "12"),
        ("CTXI_LOG_FORMAT", "text"),
        ("CTXI_REQUEST_TIMEOUT_SECS", "5"),
        ("CTXI_INDEX_IDLE_MINUTES", "90"),
        ("CTXI_CONSISTENCY_WAIT_MS", "750"),
    ]);
    let settings = load_from(None, vars, &Overrides::default()).unwrap();
    assert_eq!(
        settings,
        ServeSettings {
            listen: "0.0.0.0:9000".parse().unwrap(),
            database_url: Some(Secret::new("postgres://app:hunter2@db/ctxi")),
            data_dir: "/var/lib/ctxi".into(),
            kek: Some(Secret::new("a2V5")),
            web_dir: "/srv/web".into(),
            public_url: Some("https://ctxi.example.com".into()),
            session_ttl_hours: 12,
            log_format: LogFormat::Text,
            request_timeout_secs: 5,
            index_idle_minutes: 90,
            consistency_wait_ms: 750,
        }
    );
    assert!(settings.secure_cookies());
}

#[test]
fn numbers_in_the_environment_stay_text_where_text_is_expected() {
    let settings =
        load_from(None, env(&[("CTXI_DATA_DIR", "2024"), ("CTXI_KEK", "1234")]), &Overrides::default()).unwrap();
    assert_eq!(settings.data_dir, PathBuf::from("2024"));
    assert_eq!(settings.kek.unwrap().expose(), "1234");
}

#[test]
fn empty_environment_variables_count_as_unset() {
    let settings = load_from(None, env(&[("CTXI_LISTEN", ""), ("DATABASE_URL", "")]), &Overrides::default()).unwrap();
    assert_eq!(settings, ServeSettings::default());
}

#[test]
fn later_layers_win_default_file_environment_flag() {
    let file = ConfigFile::new(
        r#"
        listen = "127.0.0.1:1001"
        data_dir = "from-file"
        web_dir = "from-file"
        session_ttl_hours = 1
        "#,
    );
    let vars = env(&[("CTXI_LISTEN", "127.0.0.1:1002"), ("CTXI_DATA_DIR", "from-env")]);
    let flags = Overrides { listen: Some("127.0.0.1:1003".parse().unwrap()), ..Overrides::default() };
    let settings = load_from(Some(file.path()), vars, &flags).unwrap();
    assert_eq!(settings.listen, "127.0.0.1:1003".parse::<SocketAddr>().unwrap(), "flag over environment");
    assert_eq!(settings.data_dir, PathBuf::from("from-env"), "environment over file");
    assert_eq!(settings.web_dir, PathBuf::from("from-file"), "file over default");
    assert_eq!(settings.session_ttl_hours, 1, "file over default");
    assert_eq!(settings.request_timeout_secs, 30, "default");
}

#[test]
fn every_flag_overrides_the_environment() {
    let vars = env(&[("DATABASE_URL", "postgres://env"), ("CTXI_KEK", "ZW52"), ("CTXI_LOG_FORMAT", "json")]);
    let flags = Overrides {
        listen: Some("[::1]:7000".parse().unwrap()),
        database_url: Some(Secret::new("postgres://flag")),
        data_dir: Some("flag-data".into()),
        kek: Some(Secret::new("ZmxhZw==")),
        web_dir: Some("flag-web".into()),
        public_url: Some("http://localhost:7000".into()),
        session_ttl_hours: Some(2),
        log_format: Some(LogFormat::Text),
        request_timeout_secs: Some(3),
        index_idle_minutes: Some(4),
        consistency_wait_ms: Some(5),
    };
    let settings = load_from(None, vars, &flags).unwrap();
    assert_eq!(
        settings,
        ServeSettings {
            listen: "[::1]:7000".parse().unwrap(),
            database_url: Some(Secret::new("postgres://flag")),
            data_dir: "flag-data".into(),
            kek: Some(Secret::new("ZmxhZw==")),
            web_dir: "flag-web".into(),
            public_url: Some("http://localhost:7000".into()),
            session_ttl_hours: 2,
            log_format: LogFormat::Text,
            request_timeout_secs: 3,
            index_idle_minutes: 4,
            consistency_wait_ms: 5,
        }
    );
    assert!(!settings.secure_cookies(), "plain HTTP");
}

#[test]
fn the_file_can_be_named_by_ctxi_config_and_the_flag_wins() {
    let named_by_env = ConfigFile::new("data_dir = \"env-file\"");
    let named_by_flag = ConfigFile::new("data_dir = \"flag-file\"");
    let vars = || env(&[("CTXI_CONFIG", named_by_env.path().to_str().unwrap())]);
    let settings = load_from(None, vars(), &Overrides::default()).unwrap();
    assert_eq!(settings.data_dir, PathBuf::from("env-file"));
    let settings = load_from(Some(named_by_flag.path()), vars(), &Overrides::default()).unwrap();
    assert_eq!(settings.data_dir, PathBuf::from("flag-file"));
}

#[test]
fn a_bad_environment_value_names_the_key_and_the_variable() {
    let message = invalid(load_from(None, env(&[("CTXI_LISTEN", "nonsense")]), &Overrides::default()));
    assert_eq!(
        message,
        "invalid configuration: `listen` from environment variable CTXI_LISTEN: invalid socket address syntax"
    );

    let message = invalid(load_from(None, env(&[("CTXI_SESSION_TTL_HOURS", "a week")]), &Overrides::default()));
    assert!(message.contains("`session_ttl_hours`") && message.contains("CTXI_SESSION_TTL_HOURS"), "{message}");

    let message = invalid(load_from(None, env(&[("CTXI_LOG_FORMAT", "xml")]), &Overrides::default()));
    assert!(
        message.ends_with("`log_format` from environment variable CTXI_LOG_FORMAT: `xml` is not `json` or `text`"),
        "{message}"
    );
}

#[test]
fn a_flag_hides_a_bad_environment_value() {
    let flags = Overrides { listen: Some("127.0.0.1:1".parse().unwrap()), ..Overrides::default() };
    let settings = load_from(None, env(&[("CTXI_LISTEN", "nonsense")]), &flags).unwrap();
    assert_eq!(settings.listen, "127.0.0.1:1".parse::<SocketAddr>().unwrap());
}

#[test]
fn a_bad_file_value_names_the_key_and_the_file() {
    let file = ConfigFile::new("request_timeout_secs = \"soon\"\n");
    let message = invalid(load_from(Some(file.path()), env(&[]), &Overrides::default()));
    assert!(message.contains("`request_timeout_secs`") && message.contains(file.path().to_str().unwrap()), "{message}");

    let file = ConfigFile::new("listen = 8080\n");
    let message = invalid(load_from(Some(file.path()), env(&[]), &Overrides::default()));
    assert!(message.contains("`listen`") && message.contains("TOML file"), "{message}");
}

#[test]
fn unknown_keys_and_syntax_errors_in_the_file_are_reported() {
    let file = ConfigFile::new("listne = \"127.0.0.1:1\"\n");
    let message = invalid(load_from(Some(file.path()), env(&[]), &Overrides::default()));
    let expected = format!(
        "`listne` from TOML file {}: no such setting; the settings are one of `listen`,",
        file.path().display()
    );
    assert!(message.contains(&expected), "{message}");

    let file = ConfigFile::new("listen = \n");
    let message = invalid(load_from(Some(file.path()), env(&[]), &Overrides::default()));
    assert!(message.contains(file.path().to_str().unwrap()), "{message}");
}

#[test]
fn a_named_file_that_does_not_exist_is_an_error() {
    let missing = std::env::temp_dir().join("ctxi-settings-missing/ctxi.toml");
    match load_from(Some(&missing), env(&[]), &Overrides::default()) {
        Err(e @ SettingsError::MissingFile(_)) => assert!(e.to_string().contains(missing.to_str().unwrap()), "{e}"),
        other => panic!("{other:?}"),
    }
    let vars = env(&[("CTXI_CONFIG", missing.to_str().unwrap())]);
    assert!(matches!(load_from(None, vars, &Overrides::default()), Err(SettingsError::MissingFile(_))));
    // `load` reads the process's environment, but the flag names the file.
    assert!(matches!(api::settings::load(Some(&missing), &Overrides::default()), Err(SettingsError::MissingFile(_))));
}

#[test]
fn secrets_are_never_printed() {
    let vars = env(&[("DATABASE_URL", "postgres://app:hunter2@db/ctxi"), ("CTXI_KEK", "c2VjcmV0LWtleQ==")]);
    let flags = Overrides { kek: Some(Secret::new("ZmxhZy1rZXk=")), ..Overrides::default() };
    let settings = load_from(None, vars, &flags).unwrap();
    let printed = format!("{settings:?} {flags:?} {}", settings.kek.as_ref().unwrap());
    for secret in ["hunter2", "c2VjcmV0LWtleQ", "ZmxhZy1rZXk"] {
        assert!(!printed.contains(secret), "{printed}");
    }
    assert!(printed.contains("[redacted]"), "{printed}");
    assert_eq!(settings.database_url.unwrap().expose(), "postgres://app:hunter2@db/ctxi");
    assert_eq!(settings.kek.unwrap().expose(), "ZmxhZy1rZXk=");
}

#[test]
fn cookies_are_secure_behind_https_only() {
    let with_url = |url: &str| ServeSettings { public_url: Some(url.to_owned()), ..ServeSettings::default() };
    assert!(with_url("https://ctxi.example.com").secure_cookies());
    assert!(with_url("HTTPS://ctxi.example.com").secure_cookies());
    assert!(!with_url("http://ctxi.example.com").secure_cookies());
    assert!(!with_url("https").secure_cookies());
}
