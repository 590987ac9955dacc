//! Where cuedeck keeps its files, per platform (via `directories`).

use std::path::PathBuf;

/// Config, data and log directories.
#[derive(Debug, Clone)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
}

impl Paths {
    /// The platform's directories, or `./.cuedeck` when there is no home.
    pub fn discover() -> Self {
        match directories::ProjectDirs::from("", "", "cuedeck") {
            Some(dirs) => Paths {
                config_dir: dirs.config_dir().to_path_buf(),
                data_dir: dirs.data_dir().to_path_buf(),
                log_dir: dirs.data_dir().join("logs"),
            },
            None => {
                let base = PathBuf::from(".cuedeck");
                Paths {
                    config_dir: base.join("config"),
                    data_dir: base.join("data"),
                    log_dir: base.join("logs"),
                }
            }
        }
    }

    /// The server's database when none is given.
    pub fn default_db(&self) -> PathBuf {
        self.data_dir.join("cuedeck.db")
    }
}
