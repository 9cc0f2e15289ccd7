//! Team stores on PostgreSQL: the store URL, the password, and connecting to a project's
//! schema.
//!
//! `store = "postgres://user@host:port/db?project=NAME"` in `ambit.toml` names a database
//! and, in it, the project's schema `ambit_NAME` (several projects share a database, one
//! schema each; without `project=` the schema is `ambit_main`). Every connection sets its
//! `search_path` to that schema, so the store's SQL names tables as it does on SQLite.
//!
//! The password is never part of what Ambit writes: it comes from the URL (when a person
//! wrote one there), `PGPASSWORD`, the project's `password_command` (its first line of
//! output), or the libpq password file (`PGPASSFILE`, else `~/.pgpass`), in that order.

use std::cell::RefCell;
use std::path::PathBuf;
use std::time::Duration;

use crate::db::{Db, Pg};
use crate::error::{server_error, Error, Result};

/// A parsed team-store URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreUrl {
    /// What the `postgres` client gets: the URL without Ambit's own `project=`.
    client_url: String,
    /// The URL as shown in messages: without its password.
    shown: String,
    /// The project's name on the server.
    project: String,
    /// Whether the URL itself holds a password.
    has_password: bool,
}

/// The project name when the URL gives none.
const DEFAULT_PROJECT: &str = "main";

impl StoreUrl {
    /// Parses `postgres://…` (or `postgresql://…`); other text is not a server URL.
    pub fn parse(url: &str) -> Result<StoreUrl> {
        let bad = |problem: &str| Error::BadStoreUrl {
            url: redact(url),
            problem: problem.to_string(),
        };
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .ok_or_else(|| bad("a team store URL starts with postgres:// (postgres://user@host/database?project=NAME)"))?;
        let (main, query) = match rest.split_once('?') {
            Some((m, q)) => (m, Some(q)),
            None => (rest, None),
        };
        let authority = main.split('/').next().unwrap_or_default();
        let has_password = authority
            .rsplit_once('@')
            .is_some_and(|(userinfo, _)| userinfo.contains(':'));
        if main.split_once('/').is_none_or(|(_, db)| db.is_empty()) {
            return Err(bad(
                "name the database after the host: postgres://user@host/database",
            ));
        }
        let mut project = DEFAULT_PROJECT.to_string();
        let mut kept = Vec::new();
        for pair in query
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty())
        {
            match pair.split_once('=') {
                Some(("project", name)) => project = name.to_string(),
                _ => kept.push(pair),
            }
        }
        if project.is_empty()
            || project.len() > 48
            || !project
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(bad(&format!(
                "the project name {project:?} must be 1 to 48 lower-case letters, digits or _ (project=my_study)"
            )));
        }
        let mut client_url = format!("postgres://{main}");
        if !kept.is_empty() {
            client_url.push('?');
            client_url.push_str(&kept.join("&"));
        }
        client_url
            .parse::<postgres::Config>()
            .map_err(|e| bad(&format!("{e}")))?;
        Ok(StoreUrl {
            client_url,
            shown: redact(url),
            project,
            has_password,
        })
    }

    /// Whether `text` names a server store (rather than an SQLite file).
    pub fn is_server(text: &str) -> bool {
        text.starts_with("postgres://") || text.starts_with("postgresql://")
    }

    /// The URL without its password, for messages.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The project's name on the server.
    pub fn project(&self) -> &str {
        &self.project
    }

    /// The PostgreSQL schema holding the project: `ambit_<project>`.
    pub fn schema(&self) -> String {
        format!("ambit_{}", self.project)
    }

    /// Whether the URL holds a password (which `ambit init` refuses to write).
    pub fn has_password(&self) -> bool {
        self.has_password
    }

    /// The same server and database with another project.
    pub fn with_project(&self, project: &str) -> Result<StoreUrl> {
        let base = self.shown.split('?').next().unwrap_or_default();
        let mut query: Vec<&str> = self
            .shown
            .split_once('?')
            .map(|(_, q)| {
                q.split('&')
                    .filter(|p| !p.starts_with("project="))
                    .collect()
            })
            .unwrap_or_default();
        let p = format!("project={project}");
        query.push(&p);
        let mut next = StoreUrl::parse(&format!("{base}?{}", query.join("&")))?;
        // Keep a password the original URL carried.
        if self.has_password {
            let (_, q) = next
                .client_url
                .split_once('?')
                .unwrap_or((&next.client_url, ""));
            let main = self.client_url.split('?').next().unwrap_or_default();
            next.client_url = if q.is_empty() {
                main.to_string()
            } else {
                format!("{main}?{q}")
            };
            next.has_password = true;
        }
        Ok(next)
    }

    /// The URL to write into `ambit.toml`: always with its `project=`.
    pub fn to_config(&self) -> String {
        if self.shown.contains("project=") {
            self.shown.clone()
        } else if self.shown.contains('?') {
            format!("{}&project={}", self.shown, self.project)
        } else {
            format!("{}?project={}", self.shown, self.project)
        }
    }

    /// The client configuration with the password found for it.
    fn config(&self, password_command: Option<&str>) -> Result<postgres::Config> {
        let mut config: postgres::Config =
            self.client_url.parse().map_err(|e| Error::BadStoreUrl {
                url: self.shown.clone(),
                problem: format!("{e}"),
            })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("ambit");
        }
        if config.get_password().is_none() {
            if let Some(p) = self.password(&config, password_command)? {
                config.password(p);
            }
        }
        Ok(config)
    }

    fn password(
        &self,
        config: &postgres::Config,
        password_command: Option<&str>,
    ) -> Result<Option<String>> {
        if let Ok(p) = std::env::var("PGPASSWORD") {
            return Ok(Some(p));
        }
        if let Some(cmd) = password_command {
            return run_password_command(cmd, &self.shown).map(Some);
        }
        let file = match std::env::var_os("PGPASSFILE") {
            Some(f) => PathBuf::from(f),
            None => match std::env::var_os("HOME") {
                Some(home) => PathBuf::from(home).join(".pgpass"),
                None => return Ok(None),
            },
        };
        let Ok(text) = std::fs::read_to_string(&file) else {
            return Ok(None);
        };
        let host = config
            .get_hosts()
            .first()
            .map(|h| match h {
                postgres::config::Host::Tcp(name) => name.clone(),
                #[cfg(unix)]
                postgres::config::Host::Unix(_) => "localhost".to_string(),
            })
            .unwrap_or_else(|| "localhost".into());
        let port = config
            .get_ports()
            .first()
            .copied()
            .unwrap_or(5432)
            .to_string();
        let db = config.get_dbname().unwrap_or_default();
        let user = config.get_user().unwrap_or_default();
        Ok(pgpass_lookup(&text, &host, &port, db, user))
    }
}

/// The first line `password_command` prints.
fn run_password_command(cmd: &str, url: &str) -> Result<String> {
    let fail = |detail: String| Error::ServerUnreachable {
        url: url.to_string(),
        detail,
        hint: "fix `password_command` in ambit.toml (it must print the password on its first line)"
            .into(),
    };
    #[cfg(unix)]
    let out = std::process::Command::new("sh").arg("-c").arg(cmd).output();
    #[cfg(not(unix))]
    let out = std::process::Command::new("cmd")
        .arg("/C")
        .arg(cmd)
        .output();
    let out = out.map_err(|e| fail(format!("password_command could not run: {e}")))?;
    if !out.status.success() {
        return Err(fail(format!("password_command exited with {}", out.status)));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text.lines().next().unwrap_or_default().to_string())
}

/// The password for `host:port:db:user` in a libpq password file: the first matching line,
/// `*` matching anything, `\:` and `\\` escaped, `#` lines comments.
pub(crate) fn pgpass_lookup(
    text: &str,
    host: &str,
    port: &str,
    db: &str,
    user: &str,
) -> Option<String> {
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        cur.push(n);
                    }
                }
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut cur)),
                c => cur.push(c),
            }
        }
        fields.push(cur);
        if fields.len() != 5 {
            continue;
        }
        let want = [host, port, db, user];
        if fields[..4]
            .iter()
            .zip(want)
            .all(|(f, w)| f == "*" || f == w)
        {
            return fields.pop();
        }
    }
    None
}

/// `url` without the password in its user part.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}{tail}")
        }
        None => url.to_string(),
    }
}

/// FNV-1a of the schema: the advisory-lock key the project's writers queue on.
fn lock_key(schema: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in b"ambit-write:".iter().chain(schema.as_bytes()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h as i64
}

/// How long a write waits for another command's write to the same project.
const LOCK_WAIT: &str = "120s";

/// What [`connect`] should find on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// The project exists: open it.
    Existing,
    /// The project must not exist yet: make its schema.
    New,
}

/// Connects to the project's schema and brings it up to date.
pub(crate) fn connect(url: &StoreUrl, password_command: Option<&str>, want: Want) -> Result<Db> {
    let config = url.config(password_command)?;
    let fail = |e: postgres::Error| server_error(url.shown(), &e);
    let client = config.connect(postgres::NoTls).map_err(fail)?;
    let schema = url.schema();
    let db = Db::Pg(Box::new(RefCell::new(Pg::new(client, lock_key(&schema)))));
    let on_server = |e: Error| match e {
        Error::Postgres(e) => server_error(url.shown(), &e),
        e => e,
    };
    (|| -> Result<()> {
        // The identifier is checked by `StoreUrl::parse` (lower-case letters, digits, _).
        db.batch(&format!(
            "SET search_path TO {schema}; SET lock_timeout = '{LOCK_WAIT}'; SET client_min_messages = WARNING"
        ))?;
        let exists = db.query_row(
            "SELECT to_regclass(?1) IS NOT NULL",
            crate::db::params![format!("{schema}.meta")],
            |r| r.get::<bool>(0),
        )?;
        match (want, exists) {
            (Want::Existing, false) => Err(Error::NoServerProject {
                url: url.shown().to_string(),
                project: url.project().to_string(),
                schema: schema.clone(),
            }),
            (Want::New, true) => Err(Error::ServerProjectExists {
                url: url.shown().to_string(),
                project: url.project().to_string(),
            }),
            (Want::New, false) => {
                db.batch(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))?;
                crate::schema::migrate(&db)
            }
            (Want::Existing, true) => crate::schema::migrate(&db),
        }
    })()
    .map_err(on_server)?;
    Ok(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_a_project_and_hide_the_password() {
        let u = StoreUrl::parse("postgres://ann@db.example/research?project=kaleva").unwrap();
        assert_eq!(u.schema(), "ambit_kaleva");
        assert_eq!(
            u.shown(),
            "postgres://ann@db.example/research?project=kaleva"
        );
        assert!(!u.has_password());
        let u = StoreUrl::parse("postgresql://ann:s3cret@db.example:5433/research").unwrap();
        assert_eq!(u.project(), "main");
        assert!(u.has_password());
        assert_eq!(u.shown(), "postgresql://ann@db.example:5433/research");
        assert!(!u.to_config().contains("s3cret"));
        assert_eq!(
            u.to_config(),
            "postgresql://ann@db.example:5433/research?project=main"
        );
        let other = u.with_project("two").unwrap();
        assert_eq!(other.schema(), "ambit_two");
        assert!(other.has_password());
        for bad in [
            "mysql://x/y",
            "postgres://ann@host",
            "postgres://ann@host/db?project=Bad-Name",
        ] {
            let e = StoreUrl::parse(bad).unwrap_err().to_string();
            assert!(e.contains("is not usable"), "{e}");
        }
    }

    #[test]
    fn pgpass_lines_match_with_wildcards_and_escapes() {
        let file =
            "# comment\nother:5432:*:ann:no\ndb.example:*:research:ann:pa\\:ss\n*:*:*:*:any\n";
        let check = |host, port, db, user, want: &str| {
            assert_eq!(
                pgpass_lookup(file, host, port, db, user).as_deref(),
                Some(want)
            );
        };
        check("db.example", "5432", "research", "ann", "pa:ss");
        check("other", "5432", "x", "ann", "no");
        check("elsewhere", "1", "x", "bob", "any");
        assert_eq!(pgpass_lookup("a:b:c:d:e\n", "x", "b", "c", "d"), None);
    }
}
