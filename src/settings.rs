//! Typed settings, loaded once: built-in defaults, then `config/default.toml` (or the file
//! given with `--config`), then `KAIFANG_*` environment variables; `DATABASE_URL` last.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::db::DatabaseUrl;
use crate::db::connection::{DatabaseUrlError, PoolOptions};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub bind: String,
    pub data_dir: PathBuf,
    /// Empty means the SQLite file `kaifang.db` in `data_dir`.
    pub database_url: String,
    /// 0 = one per CPU core.
    pub workers: usize,
    /// On SIGTERM: seconds in-flight requests (downloads) may take to finish.
    pub shutdown_grace_secs: u64,
    pub database: DatabaseSettings,
    pub site: SiteSettings,
    pub catalog: CatalogSettings,
    pub auth: AuthSettings,
    pub uploads: UploadSettings,
    pub search: SearchSettings,
    pub api: ApiSettings,
    pub participation: ParticipationSettings,
    pub log: LogSettings,
}

/// Public participation: data requests.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParticipationSettings {
    /// Working days a department has to answer a data request routed to it.
    pub request_answer_days: u32,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchSettings {
    /// Where the embedded index lives; empty means `search` in `data_dir`. Every process
    /// needs its own (an index is written by one process at a time).
    pub dir: PathBuf,
    /// Meilisearch instead of the embedded index when set (`MEILI_URL`), e.g.
    /// `http://127.0.0.1:7700`; processes may share it.
    pub meili_url: String,
    /// Its API key (`MEILI_KEY`): a key allowed to manage the index, or the master key.
    pub meili_key: String,
    /// The index's name (`MEILI_INDEX`); `<name>_meta` holds the outbox cursor.
    pub meili_index: String,
}

/// Never print the Meilisearch key.
impl std::fmt::Debug for SearchSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchSettings")
            .field("dir", &self.dir)
            .field("meili_url", &self.meili_url)
            .field(
                "meili_key",
                &if self.meili_key.is_empty() {
                    "(none)"
                } else {
                    "(set)"
                },
            )
            .field("meili_index", &self.meili_index)
            .finish()
    }
}

/// Rate limits and operator access for the machine-facing channels.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSettings {
    pub anonymous_per_minute: u32,
    pub registered_per_minute: u32,
    pub partner_per_minute: u32,
    pub search_per_minute: u32,
    pub concurrent_downloads: u32,
    /// Comma-separated addresses or CIDR blocks.
    pub metrics_allow: String,
    /// `metrics_allow`, parsed once when the settings are loaded.
    #[serde(skip)]
    pub metrics_networks: Vec<ipnet::IpNet>,
}

/// A comma-separated list of addresses (`10.0.0.1`) and CIDR blocks (`10.0.0.0/8`).
pub fn parse_networks(list: &str) -> Result<Vec<ipnet::IpNet>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| s.to_owned())
        })
        .collect()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadSettings {
    /// Largest upload accepted, in bytes.
    pub max_bytes: u64,
    /// Ingest jobs running at once.
    pub workers: usize,
    /// Rows per datastore transaction while loading.
    pub batch_rows: usize,
    /// Longest CSV field (cell) accepted, in bytes: a longer one fails the upload with its line.
    #[serde(default = "default_max_field_bytes")]
    pub max_field_bytes: usize,
    /// Longest CSV record (line) accepted, in bytes.
    #[serde(default = "default_max_record_bytes")]
    pub max_record_bytes: usize,
    /// Most columns of a spreadsheet's data sheet.
    #[serde(default = "default_max_columns")]
    pub max_columns: u32,
    /// Most cells of any one sheet of a spreadsheet.
    #[serde(default = "default_max_cells")]
    pub max_cells: u64,
}

fn default_max_field_bytes() -> usize {
    crate::services::ingest::guard::CsvLimits::default().max_field_bytes
}

fn default_max_record_bytes() -> usize {
    crate::services::ingest::guard::CsvLimits::default().max_record_bytes
}

fn default_max_columns() -> u32 {
    crate::services::ingest::xlsx::SheetLimits::default().max_columns
}

fn default_max_cells() -> u64 {
    crate::services::ingest::xlsx::SheetLimits::default().max_cells
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub secret_key: String,
    pub password_hashing: crate::services::passwords::Cost,
    pub secure_cookies: bool,
    /// Comma-separated addresses or CIDR blocks of the proxies whose `X-Forwarded-For` counts.
    pub trusted_proxies: String,
    /// `trusted_proxies`, parsed once when the settings are loaded (not per request).
    #[serde(skip)]
    pub trusted_networks: Vec<ipnet::IpNet>,
    /// Login attempts for one account from one client address (and from one device cookie).
    pub login_burst_per_account: u32,
    /// Login attempts from one client address, whatever the accounts.
    pub login_burst_per_ip: u32,
    /// Login attempts for one account from all addresses together, counted only for attempts
    /// without a valid device cookie for that account (a distributed guessing attack).
    pub login_burst_per_account_untrusted: u32,
    pub login_refill_secs: u64,
    /// How long the device cookie set after a successful login is honoured.
    pub device_cookie_days: i64,
    pub register_burst_per_ip: u32,
    pub register_refill_secs: u64,
    pub session_idle_days: i64,
    /// Let accounts whose real-name details are not yet verified apply for conditional data.
    pub allow_unverified_applications: bool,
}

/// Never print the secret key.
impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSettings")
            .field(
                "secret_key",
                &if self.secret_key.is_empty() {
                    "(file)"
                } else {
                    "(set)"
                },
            )
            .field("password_hashing", &self.password_hashing)
            .field("secure_cookies", &self.secure_cookies)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub pool_size: u32,
    pub connect_timeout_secs: u64,
    pub busy_timeout_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSettings {
    pub name: String,
    pub name_en: String,
    /// The portal's public address (e.g. `https://data.example.gov.cn`) for absolute links in
    /// the API, the CKAN API and the exports; empty: taken from the request's `Host`.
    pub public_url: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogSettings {
    pub per_page: u32,
    pub home_list_len: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    pub level: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// The defaults, identical to the shipped `config/default.toml`.
const DEFAULTS: &str = include_str!("../config/default.toml");

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read settings: {0}")]
    Load(#[from] config::ConfigError),
    #[error(transparent)]
    DatabaseUrl(#[from] DatabaseUrlError),
    #[error("catalog.per_page must be between 1 and 100")]
    PerPage,
    #[error("auth.trusted_proxies: \"{0}\" is neither an address nor a CIDR block")]
    TrustedProxies(String),
    #[error("api.metrics_allow: \"{0}\" is neither an address nor a CIDR block")]
    MetricsAllow(String),
}

impl Settings {
    /// Loads settings from the defaults, the file (`config_file`, or `config/default.toml` in
    /// the working directory when present) and the process environment.
    pub fn load(config_file: Option<&Path>) -> Result<Self, SettingsError> {
        Self::load_from(config_file, std::env::vars())
    }

    /// As [`Settings::load`], with the environment given explicitly (for tests).
    pub fn load_from(
        config_file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, SettingsError> {
        let mut builder = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml));
        builder = match config_file {
            Some(path) => builder.add_source(config::File::from(path).required(true)),
            None => builder
                .add_source(config::File::from(Path::new("config/default.toml")).required(false)),
        };
        // Unknown keys are refused (a misspelt key would otherwise be silently ignored), but
        // only below the sections settings have: other `KAIFANG_*` variables (the test suite's
        // `KAIFANG_TEST_PG`, …) are not settings.
        let sections: std::collections::HashSet<String> = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml))
            .build()?
            .try_deserialize::<std::collections::HashMap<String, config::Value>>()?
            .into_keys()
            .collect();
        let env: std::collections::HashMap<String, String> = env
            .into_iter()
            .filter(|(k, _)| match k.strip_prefix("KAIFANG_") {
                Some(rest) => {
                    let top = rest.split("__").next().unwrap_or_default();
                    sections.contains(&top.to_lowercase())
                }
                None => true,
            })
            .collect();
        let database_url = env.get("DATABASE_URL").cloned();
        let meili: Vec<(&str, String)> = [
            ("MEILI_URL", "search.meili_url"),
            ("MEILI_KEY", "search.meili_key"),
            ("MEILI_INDEX", "search.meili_index"),
        ]
        .into_iter()
        .filter_map(|(var, key)| env.get(var).map(|v| (key, v.clone())))
        .collect();
        builder = builder.add_source(
            config::Environment::with_prefix("KAIFANG")
                .prefix_separator("_")
                .separator("__")
                .source(Some(env.into_iter().collect())),
        );
        if let Some(url) = database_url {
            builder = builder.set_override("database_url", url)?;
        }
        for (key, value) in meili {
            builder = builder.set_override(key, value)?;
        }
        let mut settings: Settings = builder.build()?.try_deserialize()?;
        settings.database_url()?;
        if !(1..=100).contains(&settings.catalog.per_page) {
            return Err(SettingsError::PerPage);
        }
        settings.auth.trusted_networks = parse_networks(&settings.auth.trusted_proxies)
            .map_err(SettingsError::TrustedProxies)?;
        settings.api.metrics_networks =
            parse_networks(&settings.api.metrics_allow).map_err(SettingsError::MetricsAllow)?;
        Ok(settings)
    }

    /// The database to use: `database_url`, or `data_dir/kaifang.db`.
    pub fn database_url(&self) -> Result<DatabaseUrl, DatabaseUrlError> {
        if self.database_url.trim().is_empty() {
            Ok(DatabaseUrl::sqlite_file(&self.data_dir.join("kaifang.db")))
        } else {
            DatabaseUrl::parse(self.database_url.trim())
        }
    }

    pub fn files_dir(&self) -> PathBuf {
        self.data_dir.join("files")
    }

    /// Generated downloads (JSON, XLSX, CSV with a byte-order mark), rebuilt when missing.
    pub fn cache_dir(&self) -> PathBuf {
        self.data_dir.join("cache")
    }

    /// Where the embedded search index lives.
    pub fn search_dir(&self) -> PathBuf {
        if self.search.dir.as_os_str().is_empty() {
            self.data_dir.join("search")
        } else {
            self.search.dir.clone()
        }
    }

    pub fn pool_options(&self) -> PoolOptions {
        PoolOptions {
            max_size: self.database.pool_size.max(1),
            connect_timeout: Duration::from_secs(self.database.connect_timeout_secs.max(1)),
            busy_timeout: Duration::from_millis(self.database.busy_timeout_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::BackendKind;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn unknown_keys_are_refused_with_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("k.toml");
        std::fs::write(&file, "[site]\npublicurl = \"https://data.ah.gov.cn\"\n").unwrap();
        let e = Settings::load_from(Some(&file), env(&[])).unwrap_err();
        assert!(e.to_string().contains("publicurl"), "{e}");
        std::fs::write(&file, "bnid = \"0.0.0.0:80\"\n").unwrap();
        let e = Settings::load_from(Some(&file), env(&[])).unwrap_err();
        assert!(e.to_string().contains("bnid"), "{e}");
        let e = Settings::load_from(None, env(&[("KAIFANG_SITE__PUBLICURL", "x")])).unwrap_err();
        assert!(e.to_string().contains("publicurl"), "{e}");
        // Variables outside the settings' sections are someone else's.
        Settings::load_from(None, env(&[("KAIFANG_TEST_PG", "postgres://x")])).unwrap();
    }

    #[test]
    fn defaults_use_sqlite_in_the_data_directory() {
        let s = Settings::load_from(None, env(&[])).unwrap();
        assert_eq!(s.bind, "127.0.0.1:8080");
        let url = s.database_url().unwrap();
        assert_eq!(url.kind(), BackendKind::Sqlite);
        assert_eq!(url.sqlite_path().unwrap(), Path::new("./data/kaifang.db"));
    }

    #[test]
    fn environment_overrides_file_and_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("k.toml");
        std::fs::write(&file, "bind = \"0.0.0.0:9000\"\n[catalog]\nper_page = 50\n").unwrap();
        let s = Settings::load_from(
            Some(&file),
            env(&[
                ("KAIFANG_DATA_DIR", "/srv/kaifang"),
                ("KAIFANG_DATABASE__POOL_SIZE", "3"),
                ("DATABASE_URL", "postgres://k@localhost/k"),
            ]),
        )
        .unwrap();
        assert_eq!(s.bind, "0.0.0.0:9000");
        assert_eq!(s.catalog.per_page, 50);
        assert_eq!(s.data_dir, Path::new("/srv/kaifang"));
        assert_eq!(s.database.pool_size, 3);
        assert_eq!(s.database_url().unwrap().kind(), BackendKind::Postgres);
        let shown = format!(
            "{:?}",
            Settings::load_from(None, env(&[("KAIFANG_AUTH__SECRET_KEY", "abcdef")])).unwrap()
        );
        assert!(!shown.contains("abcdef"), "{shown}");
    }

    #[test]
    fn rejects_bad_values_with_a_message() {
        assert!(Settings::load_from(None, env(&[("DATABASE_URL", "mysql://x")])).is_err());
        assert!(Settings::load_from(None, env(&[("KAIFANG_CATALOG__PER_PAGE", "0")])).is_err());
        assert!(Settings::load_from(None, env(&[("KAIFANG_WORKERS", "many")])).is_err());
        let missing = Path::new("/nonexistent/kaifang.toml");
        assert!(Settings::load_from(Some(missing), env(&[])).is_err());
    }
}
