//! Lovense toy control (codec, transports, effect scheduler): lands with its own issue.
