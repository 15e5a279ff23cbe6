//! The availability engine: pure code, no SQL, no HTTP. It turns wall-clock working hours of a
//! location's zone into UTC slots, and keeps the slots no existing booking is in the way of.
mod flow;
mod holds;
mod slots;

pub use flow::*;
pub use holds::{BusyInterval, booking_window, slot_is_free};
pub use slots::*;

#[cfg(test)]
mod tests;
