//! Bookings: placed by a manager for any client or by a client for itself, priced by the
//! service, paid (wallet credits and other methods), rescheduled and cancelled — never two on
//! one staff member's time. Every write for a staff member's time takes that staff member's row
//! lock first, then reads the bookings around it and decides with `availability::slot_is_free`,
//! the same rule the availability engine offers slots by; so the decision holds across replicas.
//!
//! By use case: `place` (a new booking), `change` (reschedule, cancel, status), `options`
//! (add-ons changed after booking), `payments`
//! (payments after booking, the service's price rules), `online` (a balance paid online), `read` (details, lists). Who may do what
//! is `policy` alone, which availability reads too; `slot` takes a staff member's time.
mod change;
mod domain;
mod error;
pub mod http;
mod online;
mod options;
mod payments;
mod place;
mod policy;
mod read;
mod repo;
mod slot;

pub use change::{
    CancelRequest, Cancellation, Move, RescheduleRequest, StatusRequest, cancel, change_status,
    move_booking, prepare_cancel, prepare_reschedule, prepare_status, reschedule, set_status,
};
pub use domain::{
    Action, Actions, Booking, BookingRow, CalendarDay, CalendarItem, Cursor, Deposit, Details,
    Discount, HistoryEntry, Line, LineKind, ListFilter, ListQuery, Payment, PaymentChoice,
    PaymentKind, PaymentMethod, PaymentRowStatus, PaymentStatus, Price, PriceRules, ServicePricing,
    StaffPermissions, Status, calendar, due_now, midnight, payment_status, price,
};
pub use error::BookingError;
pub use online::{
    OnlineDue, Settlement, attach_online_order, authorize_online_payment, open_online_payment,
    release_online_payment, settle_online_payment,
};
pub use options::{OptionsChange, OptionsRequest, change_options, prepare_options, set_options};
pub use payments::{
    PaymentInput, RecordPayment, prepare_payment, pricing, record_payment, set_pricing,
    set_pricing_in,
};
pub use place::{
    AddonChoice, CreateRequest, PaymentRequest, Placement, lock_time, place, place_for, prepare,
    prepare_for_newcomer,
};
pub use policy::{
    Party, acts_for_business, bound_by_booking_rules, may_look_past, party, set_staff_permissions,
    staff_permissions,
};
pub use read::{allowed_actions, count_for_client, details, list};

/// Moves the bookings of a merged client profile (`from`) to the kept one (`to`).
pub async fn reassign_client(
    tx: &mut crate::db::Tx,
    db: &crate::db::Db,
    from: u64,
    to: u64,
) -> Result<u64, crate::db::DbError> {
    repo::reassign_client(tx, db, from, to).await
}
