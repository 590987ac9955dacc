//! One test body, two databases: `on_both_backends!(name, ...)` makes
//! `name::sqlite` and `name::postgres` tests of `fn name(backend: Backend)`.
//! PostgreSQL is a fresh database of the harness's throwaway cluster.

use std::path::PathBuf;

use cuedeck::store::Database;
use cuedeck::store::sql::Conn;

use super::postgres;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An empty database of one backend, removed when dropped (SQLite) or with
/// the cluster (PostgreSQL).
pub struct TestDb {
    _dir: Option<tempfile::TempDir>,
    location: String,
}

impl TestDb {
    pub fn new(backend: Backend, hint: &str) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let location = dir.path().join(format!("{hint}.db"));
                TestDb {
                    location: location.display().to_string(),
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => TestDb {
                location: postgres::shared().fresh_url(hint),
                _dir: None,
            },
        }
    }

    /// The database to open (a new pool each time for PostgreSQL, as a
    /// restarted process would have).
    pub fn database(&self) -> Database {
        Database::parse(&self.location).expect("a test database location parses")
    }

    /// A read-write connection beside the store, to tamper with its rows.
    pub fn conn(&self) -> Box<dyn Conn + Send> {
        self.database()
            .conn()
            .expect("a connection to the test database")
    }

    /// The SQLite file (only for the SQLite backend).
    pub fn path(&self) -> PathBuf {
        PathBuf::from(&self.location)
    }

    pub fn location(&self) -> &str {
        &self.location
    }
}

impl From<&TestDb> for Database {
    fn from(db: &TestDb) -> Database {
        db.database()
    }
}

/// `name::sqlite` and `name::postgres` tests for each `fn name(Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name($crate::backend::Backend::Sqlite)
            }

            #[test]
            fn postgres() {
                super::$name($crate::backend::Backend::Postgres)
            }
        }
    )+};
}
