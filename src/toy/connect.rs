//! Connecting to a toy, for hardware mode and the console: one selector
//! ([`Which`]: bluetooth, remote, intiface, virtual) and the one place that
//! builds the transport and starts the driver from it.

use std::time::Duration;

use thiserror::Error;
use tokio::sync::broadcast;

use std::sync::Arc;

use uuid::Uuid;

use super::ble::{self, BleError};
use super::device::{DriverConfig, ToyEvent, ToyHandle, spawn_toy};
use super::gatt::{GattLayout, LISTED_SERVICES, layout_for_service};
use super::identify::{Identity, Source};
use super::intiface::{self, IntifaceError, SCAN_FOR};
use super::intiface_transport::IntifaceTransport;
use super::models::{Model, ModelSpec};
use super::remote::{HttpPoster, Poster, RemoteTransport, find_toy};
use super::remote_api::{self, RemoteError};
use super::transport::{Backend, Transport, TransportError};
use super::virtual_toy::{VirtualControl, VirtualToy};

/// How long to look for a Bluetooth toy before giving up.
pub const FIND_WITHIN: Duration = Duration::from_secs(10);
/// The virtual toy's advertised name.
pub const VIRTUAL_NAME: &str = "LVS-Lush11";
/// `Which::Virtual` plays this model when set (code or name), e.g. for a
/// demo with a multi-motor toy: `CUEDECK_VIRTUAL_TOY=Gravity cuedeck`.
pub const VIRTUAL_MODEL_ENV: &str = "CUEDECK_VIRTUAL_TOY";

/// Which toy to connect to, and through which backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which {
    /// The in-process virtual toy (demo, simulator, tests): a Lush, or the
    /// model `CUEDECK_VIRTUAL_TOY` names.
    Virtual,
    /// The virtual toy as this model (a code such as `EA` or a name).
    VirtualModel(String),
    /// A Bluetooth toy by advertised name or address; the first found if `None`.
    Bluetooth(Option<String>),
    /// A toy of Lovense Remote at `base` (`host:port` or a URL), by id or
    /// name; the first connected one if `None`.
    Remote { base: String, toy: Option<String> },
    /// A device of Intiface Central at `url` (`ws://host:port`), by name or
    /// index; the first one (scanning if there is none yet) if `None`.
    Intiface { url: String, device: Option<String> },
}

impl Which {
    /// From hardware mode's flags (`--device`, `--virtual [MODEL]`,
    /// `--remote HOST:PORT`, `--intiface [URL]`; clap keeps the last three
    /// apart). `--device` names the toy on any backend but the virtual one.
    pub fn from_flags(
        device: Option<String>,
        virtual_model: Option<Option<String>>,
        remote: Option<String>,
        intiface: Option<Option<String>>,
    ) -> Which {
        match (virtual_model, remote, intiface) {
            (_, Some(base), _) => Which::Remote { base, toy: device },
            (_, None, Some(url)) => Which::Intiface {
                url: url.unwrap_or_else(|| intiface::DEFAULT_URL.to_owned()),
                device,
            },
            (Some(None), None, None) => Which::Virtual,
            (Some(Some(model)), None, None) => Which::VirtualModel(model),
            (None, None, None) => Which::Bluetooth(device),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Which::Virtual | Which::VirtualModel(_) => Backend::Virtual,
            Which::Bluetooth(_) => Backend::Bluetooth,
            Which::Remote { .. } => Backend::Remote,
            Which::Intiface { .. } => Backend::Intiface,
        }
    }
}

#[derive(Debug, Error)]
pub enum ConnectError {
    #[error(transparent)]
    Ble(#[from] BleError),
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(
        "{0:?} is no model of the Lovense tables (a code such as EA or a name such as Gravity)"
    )]
    UnknownModel(String),
    #[error(transparent)]
    Remote(#[from] RemoteError),
    #[error(transparent)]
    Intiface(#[from] IntifaceError),
}

impl ConnectError {
    /// No Bluetooth service or no adapter: hardware mode exits with code 2.
    /// Also "not reachable" for Lovense Remote.
    pub fn is_missing_bluetooth(&self) -> bool {
        matches!(
            self,
            ConnectError::Ble(BleError::NoBluetoothService(_) | BleError::NoAdapter)
                | ConnectError::Remote(RemoteError::Unreachable(_) | RemoteError::Timeout)
        ) || matches!(self, ConnectError::Intiface(e) if e.is_unreachable())
    }
}

pub struct Connected {
    pub toy: ToyHandle,
    /// Every event from the first write on.
    pub events: broadcast::Receiver<ToyEvent>,
    /// Name and address (or "virtual"), for display.
    pub description: String,
    /// Fault injection and inspection, for the virtual toy only.
    pub virtual_control: Option<VirtualControl>,
    /// The GATT service in use (for the virtual toy, the one its model
    /// advertises).
    pub layout: Option<GattLayout>,
    /// Who the toy is: its `DeviceType` reply, else its name or service.
    pub identity: Identity,
}

/// `DeviceType;` is asked this often, this far apart, before the name is used.
pub const IDENTIFY_TRIES: u32 = 3;
pub const IDENTIFY_EVERY: Duration = Duration::from_millis(500);

/// The service a model's third-generation toys advertise: the listed one
/// spelling its code, else the code in the `XY300001-0023` shape.
pub fn advertised_layout(spec: &ModelSpec) -> Option<GattLayout> {
    let code = spec.wire_code().to_ascii_uppercase();
    let bytes = code.as_bytes();
    let (a, b) = match bytes {
        [a] => (*a, b'0'),
        [a, b] => (*a, *b),
        _ => return None,
    };
    let prefix = format!("{a:02x}{b:02x}");
    let listed = LISTED_SERVICES
        .iter()
        .find(|s| s.starts_with(&prefix) && s.contains("-0023-"))
        .copied();
    let text = listed.map_or_else(
        || format!("{prefix}0001-0023-4bd4-bbd5-a6920e4c5653"),
        str::to_owned,
    );
    Uuid::parse_str(&text).ok().and_then(layout_for_service)
}

fn virtual_model(wanted: &str) -> Result<&'static ModelSpec, ConnectError> {
    ModelSpec::lookup(wanted)
        .filter(|m| m.model != Model::Unknown)
        .ok_or_else(|| ConnectError::UnknownModel(wanted.to_owned()))
}

pub async fn connect(which: &Which, config: DriverConfig) -> Result<Connected, ConnectError> {
    let model = match which {
        Which::Virtual => std::env::var(VIRTUAL_MODEL_ENV)
            .ok()
            .filter(|m| !m.trim().is_empty()),
        Which::VirtualModel(m) => Some(m.clone()),
        Which::Bluetooth(_) | Which::Remote { .. } | Which::Intiface { .. } => None,
    };
    // Intiface's devices are known from its device list, not `DeviceType;`.
    let mut known: Option<Identity> = None;
    let (transport, description, virtual_control, layout): (Box<dyn Transport>, String, _, _) =
        match (which, model) {
            (Which::Bluetooth(wanted), _) => {
                let adapter = ble::first_adapter().await?;
                let found = ble::find(&adapter, wanted.as_deref(), FIND_WITHIN).await?;
                let description = format!("{} ({})", found.name, found.address);
                let transport = ble::connect(&adapter, &found).await?;
                let layout = Some(transport.layout());
                (Box::new(transport), description, None, layout)
            }
            (Which::Remote { base, toy }, _) => {
                let poster: Arc<dyn Poster> = Arc::new(HttpPoster::new(base)?);
                let found = find_toy(poster.as_ref(), toy.as_deref()).await?;
                let mut description = format!(
                    "{} {} via Lovense Remote at {base}",
                    found.spec().name,
                    found.id
                );
                description.push_str(&remote_api::motors_note(found.spec(), &found.functions()));
                (
                    Box::new(RemoteTransport::new(poster, &found)),
                    description,
                    None,
                    None,
                )
            }
            (Which::Intiface { url, device }, _) => {
                let session = intiface::connect(url).await?;
                let found = session.find(device.as_deref(), SCAN_FOR).await?;
                known = Some(Identity {
                    model: found.spec().model,
                    firmware: None,
                    source: Source::DeviceList,
                });
                let description = format!(
                    "{} (#{}) via Intiface Central at {}",
                    found.name, found.index, session.url
                );
                (
                    Box::new(IntifaceTransport::new(session, &found)),
                    description,
                    None,
                    None,
                )
            }
            (_, None) => {
                let (toy, control) = VirtualToy::lush(VIRTUAL_NAME);
                let layout = advertised_layout(control.spec());
                let description = format!("{VIRTUAL_NAME} (virtual)");
                (Box::new(toy), description, Some(control), layout)
            }
            (_, Some(wanted)) => {
                let spec = virtual_model(&wanted)?;
                let name = format!("LVS-{}11", spec.name.replace(' ', ""));
                let (toy, control) = VirtualToy::model(&name, spec);
                let description = format!("{name} (virtual {})", spec.name);
                (
                    Box::new(toy),
                    description,
                    Some(control),
                    advertised_layout(spec),
                )
            }
        };
    let (toy, events) = spawn_toy(transport, config)?;
    // Identified before anyone drives it, so every output gets its command.
    let services: Vec<Uuid> = layout.iter().map(|l| l.service).collect();
    let identity = match known {
        Some(identity) => {
            toy.set_identity(identity.clone());
            identity
        }
        None => {
            toy.identify_advertised(toy.label(), &services, IDENTIFY_TRIES, IDENTIFY_EVERY)
                .await
        }
    };
    Ok(Connected {
        toy,
        events,
        description,
        virtual_control,
        layout,
        identity,
    })
}
