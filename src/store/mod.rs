//! Durable store: lands next.
