//! The console's configuration file, checked before the screen opens: a bad
//! file is reported with its path, the line and the bad value.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::keymap::{Keymap, Layer, Sections};
use super::theme::Theme;
use crate::overlay::OverlaySettings;
use crate::toy::connect::Which;
use crate::toy::outputs::ModelMaps;
use crate::toy::transport::Backend;

pub const EXAMPLE: &str = include_str!("../../config/console.example.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToySettings {
    #[serde(default = "ToySettings::default_cap")]
    pub intensity_cap: u8,
    #[serde(default = "ToySettings::default_stop")]
    pub stop_after_disconnect_ms: u64,
    /// Connect at start through this backend (none: connect from the toy
    /// screen). Implied by `remote` or `intiface` alone.
    #[serde(default)]
    pub backend: Option<Backend>,
    /// Which toy: a Bluetooth name or address, a Lovense Remote toy id or
    /// name, an Intiface device name or index; the first found if absent.
    #[serde(default)]
    pub device: Option<String>,
    /// Lovense Remote's `HOST:PORT` (HTTPS) or URL.
    #[serde(default)]
    pub remote: Option<String>,
    /// Intiface Central's `ws://` URL (`ws://127.0.0.1:12345` if absent).
    #[serde(default)]
    pub intiface: Option<String>,
    /// The virtual toy's model (a code or a name; Lush if absent).
    #[serde(default, rename = "virtual")]
    pub virtual_model: Option<String>,
    /// `[toy.models.<model>]`: which outputs an effect drives and how
    /// strongly, per model name or code (an Intiface device by its name).
    #[serde(default)]
    pub models: ModelMaps,
}

impl ToySettings {
    fn default_cap() -> u8 {
        20
    }

    fn default_stop() -> u64 {
        5000
    }
}

/// `[overlay]`: the stream overlays' pages on loopback.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverlayFile {
    #[serde(default = "OverlayFile::default_enabled")]
    pub enabled: bool,
    #[serde(default = "OverlayFile::default_port")]
    pub port: u16,
}

impl OverlayFile {
    fn default_enabled() -> bool {
        true
    }

    fn default_port() -> u16 {
        crate::overlay::DEFAULT_PORT
    }
}

impl Default for OverlayFile {
    fn default() -> Self {
        OverlayFile {
            enabled: Self::default_enabled(),
            port: Self::default_port(),
        }
    }
}

impl Default for ToySettings {
    fn default() -> Self {
        ToySettings {
            intensity_cap: Self::default_cap(),
            stop_after_disconnect_ms: Self::default_stop(),
            backend: None,
            device: None,
            remote: None,
            intiface: None,
            virtual_model: None,
            models: ModelMaps::new(),
        }
    }
}

impl ToySettings {
    /// The toy to connect to at start, if the file names a backend.
    pub fn which(&self) -> Result<Option<Which>, String> {
        let backend = match (self.backend, &self.remote, &self.intiface) {
            (Some(b), _, _) => b,
            (None, Some(_), None) => Backend::Remote,
            (None, None, Some(_)) => Backend::Intiface,
            (None, None, None) => return Ok(None),
            (None, Some(_), Some(_)) => {
                return Err(
                    "toy.remote and toy.intiface are both set: say which with toy.backend = \"remote\" or \"intiface\"".into(),
                );
            }
        };
        let device = self.device.clone();
        Ok(Some(match backend {
            Backend::Bluetooth => Which::Bluetooth(device),
            Backend::Virtual => match &self.virtual_model {
                Some(m) => Which::VirtualModel(m.clone()),
                None => Which::Virtual,
            },
            Backend::Remote => Which::Remote {
                base: self.remote.clone().ok_or(
                    "toy.backend = \"remote\" needs toy.remote = \"HOST:PORT\" (Lovense Remote for PC: 127-0-0-1.lovense.club:30010; the phone app shows its own in Game Mode)",
                )?,
                toy: device,
            },
            Backend::Intiface => Which::Intiface {
                url: self
                    .intiface
                    .clone()
                    .unwrap_or_else(|| crate::toy::intiface::DEFAULT_URL.to_owned()),
                device,
            },
        }))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleFile {
    pub server: Option<String>,
    pub room: Option<String>,
    pub token: Option<String>,
    pub theme: Option<String>,
    /// `[keys.<section>]` tables over the built-in keymap.
    #[serde(default)]
    pub keys: Sections,
    #[serde(default)]
    pub toy: ToySettings,
    #[serde(default)]
    pub overlay: OverlayFile,
    /// The file's text, to name the line of a bad key.
    #[serde(skip)]
    pub text: String,
}

impl ConsoleFile {
    /// The file at `path`, or the defaults when it does not exist.
    pub fn load(path: &Path) -> Result<ConsoleFile, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Ok(ConsoleFile::default());
            }
            Err(err) => return Err(format!("cannot read {}: {err}", path.display())),
        };
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<ConsoleFile, String> {
        let mut file: ConsoleFile = toml::from_str(text)
            .map_err(|e| format!("{}: {}", path.display(), e.to_string().trim_end()))?;
        file.text = text.to_string();
        if file.toy.intensity_cap > 20 {
            return Err(format!(
                "{}: toy.intensity_cap = {} is outside 0..=20 (the Lovense scale)",
                path.display(),
                file.toy.intensity_cap
            ));
        }
        file.toy
            .which()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(file)
    }

    /// The keymap: the default with this file's `[keys.<section>]` over it.
    pub fn keymap(&self, path: &Path) -> Result<Keymap, String> {
        let file = path.display().to_string();
        let layer = Layer {
            file: &file,
            text: &self.text,
            sections: &self.keys,
        };
        Keymap::load(Some(&layer)).map_err(|problems| {
            let list: Vec<String> = problems.iter().map(|p| format!("  - {p}")).collect();
            format!("the keys have problems:\n{}", list.join("\n"))
        })
    }
}

/// Where the console's files live.
pub struct ConsolePaths {
    pub config_file: PathBuf,
    pub themes_dir: PathBuf,
    /// The overlay pages' tokens.
    pub overlay_tokens: PathBuf,
}

impl ConsolePaths {
    pub fn from(paths: &crate::paths::Paths) -> Self {
        ConsolePaths {
            config_file: paths.config_dir.join("config.toml"),
            themes_dir: paths.config_dir.join("themes"),
            overlay_tokens: paths.data_dir.join("overlay-tokens.toml"),
        }
    }
}

/// Everything the console needs, resolved: flags and environment over the
/// file over the defaults.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub server: crate::client::ServerList,
    /// None: watch every room the token may see (moderators, admins).
    pub room: Option<crate::domain::RoomId>,
    pub token: String,
    pub theme: Theme,
    pub keymap: Keymap,
    pub toy: ToySettings,
    /// Attach the in-process virtual toy at start (the demo does).
    pub virtual_toy: bool,
    /// Otherwise connect to this toy at start (the file's `[toy]` backend).
    pub toy_backend: Option<Which>,
    pub overlay: OverlaySettings,
}

/// The overlays as the file says, `--overlay-port` over its port.
fn overlay_settings(
    file: &OverlayFile,
    port: Option<u16>,
    paths: &ConsolePaths,
) -> OverlaySettings {
    OverlaySettings {
        enabled: file.enabled,
        port: port.unwrap_or(file.port),
        tokens_file: paths.overlay_tokens.clone(),
    }
}

pub fn resolve(
    args: &crate::cli::ConsoleArgs,
    paths: &ConsolePaths,
    no_color: bool,
) -> Result<Resolved, String> {
    let file = ConsoleFile::load(&paths.config_file)?;
    let missing = |what: &str, flag: &str, env: &str| {
        format!(
            "no {what}: pass {flag}, set {env}, or put {what} = \"...\" in {}",
            paths.config_file.display()
        )
    };
    let server = args
        .server
        .clone()
        .or(file.server.clone())
        .ok_or_else(|| missing("server", "--server", "CUEDECK_SERVER"))?;
    let server = crate::client::ServerList::parse(&server).map_err(|e| e.to_string())?;
    let room = args.room.clone().or(file.room.clone());
    if let Some(room) = &room
        && let Some(problem) = crate::domain::ids::id_problem(room)
    {
        return Err(format!("room {room:?} {problem}"));
    }
    let token = args
        .token
        .clone()
        .or(file.token.clone())
        .ok_or_else(|| missing("token", "--token", "CUEDECK_TOKEN"))?;
    let theme_name = args
        .theme
        .clone()
        .or(file.theme.clone())
        .unwrap_or_else(|| "default".into());
    let theme = Theme::load(&theme_name, &paths.themes_dir, no_color)?;
    let keymap = file.keymap(&paths.config_file)?;
    Ok(Resolved {
        server,
        room: room.map(|r| r.as_str().into()),
        token,
        theme,
        keymap,
        toy_backend: file.toy.which()?,
        overlay: overlay_settings(&file.overlay, args.overlay_port, paths),
        toy: file.toy,
        virtual_toy: false,
    })
}

/// The console for an embedded server (the demo): the user's theme, keys
/// and toy settings (its backend too) from their file, the connection
/// given here.
pub fn for_embedded(
    server: crate::client::ServerUrl,
    room: crate::domain::RoomId,
    token: String,
    paths: &ConsolePaths,
    no_color: bool,
    overlay_port: Option<u16>,
) -> Result<Resolved, String> {
    let file = ConsoleFile::load(&paths.config_file)?;
    let theme_name = file.theme.clone().unwrap_or_else(|| "default".into());
    Ok(Resolved {
        server: server.into(),
        room: Some(room),
        token,
        theme: Theme::load(&theme_name, &paths.themes_dir, no_color)?,
        keymap: file.keymap(&paths.config_file)?,
        // The demo's toy is the virtual one unless the file names a backend.
        virtual_toy: file.toy.which()?.is_none(),
        toy_backend: file.toy.which()?,
        overlay: overlay_settings(&file.overlay, overlay_port, paths),
        toy: file.toy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_file_parses_and_its_keys_are_valid() {
        let path = Path::new("config.toml");
        let file = ConsoleFile::parse(EXAMPLE, path).unwrap();
        file.keymap(path).unwrap();
        assert_eq!(file.toy.intensity_cap, 20);
        assert!(file.overlay.enabled);
        assert_eq!(file.overlay.port, crate::overlay::DEFAULT_PORT);
        let off = ConsoleFile::parse("[overlay]\nenabled = false\n", path).unwrap();
        assert!(!off.overlay.enabled);
        assert_eq!(file.toy.which(), Ok(None));
    }

    #[test]
    fn the_toy_section_names_a_backend_and_per_model_maps() {
        let path = Path::new("config.toml");
        let text = "[toy]\nremote = \"127-0-0-1.lovense.club:30010\"\n\
                    [toy.models.Nora]\noutputs = [\"vibrate\"]\n";
        let file = ConsoleFile::parse(text, path).unwrap();
        assert_eq!(
            file.toy.which(),
            Ok(Some(Which::Remote {
                base: "127-0-0-1.lovense.club:30010".into(),
                toy: None
            }))
        );
        let nora = &file.toy.models["Nora"];
        assert_eq!(nora.outputs.as_deref(), Some(&["vibrate".to_owned()][..]));
        let text = "[toy]\nbackend = \"intiface\"\ndevice = \"Test Wand\"\n";
        let file = ConsoleFile::parse(text, path).unwrap();
        assert_eq!(
            file.toy.which(),
            Ok(Some(Which::Intiface {
                url: "ws://127.0.0.1:12345".into(),
                device: Some("Test Wand".into())
            }))
        );
        let file =
            ConsoleFile::parse("[toy]\nbackend = \"virtual\"\nvirtual = \"EA\"\n", path).unwrap();
        assert_eq!(file.toy.which(), Ok(Some(Which::VirtualModel("EA".into()))));
    }

    #[test]
    fn a_bad_file_names_the_path_line_and_value() {
        let path = Path::new("/home/me/.config/cuedeck/config.toml");
        let err = ConsoleFile::parse("room = \"r1\"\ntheme = 7\n", path).unwrap_err();
        assert!(
            err.contains("config.toml") && err.contains("line 2") && err.contains('7'),
            "{err}"
        );
        let err = ConsoleFile::parse("colour = \"red\"\n", path).unwrap_err();
        assert!(err.contains("colour"), "{err}");
        let err = ConsoleFile::parse("[toy]\nintensity_cap = 40\n", path).unwrap_err();
        assert!(err.contains("40"), "{err}");
        let file =
            ConsoleFile::parse("theme = \"light\"\n[keys.queue]\nstart = [\"f\"]\n", path).unwrap();
        let err = file.keymap(path).unwrap_err();
        assert!(
            err.contains("config.toml:3: `f` is bound to both start and finish"),
            "{err}"
        );
        let err = ConsoleFile::parse("[toy]\nbackend = \"remote\"\n", path).unwrap_err();
        assert!(err.contains("toy.remote") && err.contains("30010"), "{err}");
        let err = ConsoleFile::parse("[toy]\nbackend = \"usb\"\n", path).unwrap_err();
        assert!(err.contains("usb") && err.contains("line 2"), "{err}");
        // The old flat [keys] table is refused with its line.
        let err = ConsoleFile::parse("[keys]\nstart = [\"s\"]\n", path).unwrap_err();
        assert!(err.contains("line 2"), "{err}");
    }
}
