//! Connecting to a toy, for hardware mode and the console's toy screen:
//! pick the transport, start the driver, hand back the handle.

use std::time::Duration;

use thiserror::Error;
use tokio::sync::broadcast;

use super::ble::{self, BleError};
use super::device::{DriverConfig, ToyEvent, ToyHandle, spawn_toy};
use super::transport::{Transport, TransportError};
use super::virtual_toy::{VirtualControl, VirtualToy};

/// How long to look for a Bluetooth toy before giving up.
pub const FIND_WITHIN: Duration = Duration::from_secs(10);
/// The virtual toy's advertised name.
pub const VIRTUAL_NAME: &str = "LVS-Lush11";

/// Which toy to connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which {
    /// The in-process virtual toy (demo, simulator, tests).
    Virtual,
    /// A Bluetooth toy by advertised name or address; the first found if `None`.
    Bluetooth(Option<String>),
}

#[derive(Debug, Error)]
pub enum ConnectError {
    #[error(transparent)]
    Ble(#[from] BleError),
    #[error(transparent)]
    Transport(#[from] TransportError),
}

impl ConnectError {
    /// No Bluetooth service or no adapter: hardware mode exits with code 2.
    pub fn is_missing_bluetooth(&self) -> bool {
        matches!(
            self,
            ConnectError::Ble(BleError::NoBluetoothService(_) | BleError::NoAdapter)
        )
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
}

pub async fn connect(which: &Which, config: DriverConfig) -> Result<Connected, ConnectError> {
    let (transport, description, virtual_control): (Box<dyn Transport>, String, _) = match which {
        Which::Virtual => {
            let (toy, control) = VirtualToy::lush(VIRTUAL_NAME);
            (
                Box::new(toy),
                format!("{VIRTUAL_NAME} (virtual)"),
                Some(control),
            )
        }
        Which::Bluetooth(wanted) => {
            let adapter = ble::first_adapter().await?;
            let found = ble::find(&adapter, wanted.as_deref(), FIND_WITHIN).await?;
            let description = format!("{} ({})", found.name, found.address);
            (
                Box::new(ble::connect(&adapter, &found).await?),
                description,
                None,
            )
        }
    };
    let (toy, events) = spawn_toy(transport, config)?;
    Ok(Connected {
        toy,
        events,
        description,
        virtual_control,
    })
}
