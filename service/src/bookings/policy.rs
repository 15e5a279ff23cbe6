//! Who may do what to bookings, in one place: who the caller is for bookings (`party`), which
//! bookings it sees, who is bound by the booking rules (working hours, minimum booking notice,
//! booking horizon, minimum change notice), who handles money, and what a party may do to one
//! booking right now (`actions`). Availability offers slots by `bound_by_booking_rules` too, so
//! every caller is offered exactly the notice-bound slots it may book.
use super::{
    BookingError,
    domain::{self, Action, Actions, BookingRow, StaffPermissions, Status},
    repo,
};
use crate::{
    auth::{Actor, Role},
    clients::{self, ClientError, PortalAction},
    db::Db,
    settings::Settings,
};
use chrono::{DateTime, Utc};
use mysql_async::prelude::Queryable;

/// Whether `role` is bound by working hours, the minimum booking notice, the booking horizon and
/// the minimum change notice. Staff (admins, managers, employees) act for the business and are
/// bound by none of them (DOMAIN.md: "managers are never bound by minimum notice"; an employee
/// books on the business's behalf as its role allows); clients are, and guests book as clients.
/// Nobody is spared the physics: no double booking, no slot in the past.
pub fn bound_by_booking_rules(role: Role) -> bool {
    !acts_for_business(role)
}

/// Admins, managers and employees: the people who serve clients.
pub fn acts_for_business(role: Role) -> bool {
    match role {
        Role::Admin | Role::Manager | Role::Employee => true,
        Role::Client | Role::Guest => false,
    }
}

/// Who is acting, as far as bookings are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    Manager,
    /// A staff member acting through its linked WordPress user, with its role's permissions.
    Employee {
        staff_id: u64,
        can_edit: bool,
        can_cancel: bool,
        can_take_payments: bool,
    },
    Client {
        client_id: u64,
    },
}

/// What a new booking puts on the table besides the slot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MoneyAtBooking {
    pub discount: bool,
    pub wallet_credits: bool,
    pub recorded_paid: bool,
}

impl Party {
    fn role(self) -> Role {
        match self {
            Self::Manager => Role::Manager,
            Self::Employee { .. } => Role::Employee,
            Self::Client { .. } => Role::Client,
        }
    }

    pub fn bound_by_rules(self) -> bool {
        bound_by_booking_rules(self.role())
    }

    pub fn is_staff_side(self) -> bool {
        !self.bound_by_rules()
    }

    /// Whether `self` sees `booking` at all; anything else looks absent.
    pub fn sees(self, booking: &BookingRow) -> bool {
        match self {
            Self::Manager => true,
            Self::Employee { staff_id, .. } => booking.staff_id == staff_id,
            Self::Client { client_id } => booking.client_id == client_id,
        }
    }

    /// Placing or moving a booking onto `staff_id`'s time, as far as the role goes: an employee
    /// only onto its own time and when it may edit bookings. A client's own permission level
    /// is the clients domain's to check.
    pub fn may_book_on(self, staff_id: u64) -> bool {
        match self {
            Self::Manager | Self::Client { .. } => true,
            Self::Employee {
                staff_id: own,
                can_edit,
                ..
            } => can_edit && own == staff_id,
        }
    }

    /// Confirming, completing, marking as no-show, putting back to pending.
    pub fn may_change_status(self) -> bool {
        match self {
            Self::Manager => true,
            Self::Employee { can_edit, .. } => can_edit,
            Self::Client { .. } => false,
        }
    }

    /// Cancelling as far as the role goes; a client is held to its permission level and notice.
    pub fn may_cancel(self) -> bool {
        match self {
            Self::Manager | Self::Client { .. } => true,
            Self::Employee { can_cancel, .. } => can_cancel,
        }
    }

    /// Money on a booking (payments recorded as paid, wallet credits spent, discounts) is the
    /// managers' to handle, and an employee's only when its staff member may take payments: a
    /// paid amount comes back to the wallet on cancellation, so whoever records one mints credit.
    pub fn may_take_payments(self) -> bool {
        match self {
            Self::Manager => true,
            Self::Employee {
                can_take_payments, ..
            } => can_take_payments,
            Self::Client { .. } => false,
        }
    }

    /// Whether placing a booking with `money` on it is this party's to do. A client spends its
    /// own credits but never records a payment as paid or discounts its own booking.
    pub fn may_place_with(self, money: MoneyAtBooking) -> bool {
        let MoneyAtBooking {
            discount,
            wallet_credits,
            recorded_paid,
        } = money;
        match self {
            Self::Client { .. } => !discount && !recorded_paid,
            Self::Manager | Self::Employee { .. } => {
                !(discount || wallet_credits || recorded_paid) || self.may_take_payments()
            }
        }
    }
}

pub async fn party(db: &Db, actor: Actor) -> Result<Party, BookingError> {
    match actor.role {
        Role::Admin | Role::Manager => Ok(Party::Manager),
        Role::Employee => {
            let mut conn = db.pool.get_conn().await?;
            let (staff_id, rights) = repo::staff_of_wp_user(&mut conn, db, actor.wp_user_id)
                .await?
                .ok_or(BookingError::Forbidden)?;
            Ok(Party::Employee {
                staff_id,
                can_edit: rights.can_edit,
                can_cancel: rights.can_cancel,
                can_take_payments: rights.can_take_payments,
            })
        }
        Role::Client => Ok(Party::Client {
            client_id: clients::live_client_of(db, actor.wp_user_id)
                .await?
                .ok_or(ClientError::NotFound)?,
        }),
        Role::Guest => Err(BookingError::Forbidden),
    }
}

pub(super) async fn load_visible(
    db: &Db,
    party: Party,
    id: u64,
) -> Result<BookingRow, BookingError> {
    let mut conn = db.pool.get_conn().await?;
    match repo::find(&mut conn, db, id).await? {
        Some(b) if party.sees(&b) => Ok(b),
        _ => Err(BookingError::NotFound),
    }
}

/// A client's own permission level and block, for what it does online.
pub(super) async fn client_may<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    client_id: u64,
    action: PortalAction,
) -> Result<(), BookingError> {
    clients::portal_rights(conn, db, client_id)
        .await?
        .ok_or(ClientError::NotFound)?
        .allow(action)?;
    Ok(())
}

/// For availability's "slots if this booking moved": whoever sees the booking may ask. Managers
/// ask about any booking id without it being looked up.
pub async fn may_look_past(db: &Db, actor: Actor, booking_id: u64) -> Result<(), BookingError> {
    if actor.is_manager() {
        return Ok(());
    }
    let party = party(db, actor).await?;
    load_visible(db, party, booking_id).await.map(drop)
}

pub(super) fn change_notice(settings: &Settings, offering: &repo::Offering) -> u32 {
    offering
        .min_change_notice_minutes
        .unwrap_or(settings.min_change_notice_minutes)
}

/// The minimum change notice of `b`: its service's, else the site's.
pub(super) async fn change_notice_of<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    settings: &Settings,
    b: &BookingRow,
) -> Result<u32, BookingError> {
    let offering = repo::offering(
        conn,
        db,
        b.service_id,
        b.location_id,
        b.staff_id,
        b.client_id,
    )
    .await?;
    Ok(offering.map_or(settings.min_change_notice_minutes, |o| {
        change_notice(settings, &o)
    }))
}

/// What this party may do to this booking right now, and why not.
pub(super) async fn actions(
    db: &Db,
    party: Party,
    b: &BookingRow,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<Actions, BookingError> {
    let closed = !b.status.holds_slot();
    let refuse = |reason: &str| Action {
        allowed: false,
        reason: Some(reason.to_owned()),
    };
    let allow = Action {
        allowed: true,
        reason: None,
    };
    let mut out = Actions {
        reschedule: allow.clone(),
        cancel: allow.clone(),
        statuses: Vec::new(),
        record_payment: party.may_take_payments() && !closed,
        change_options: party.is_staff_side() && party.may_book_on(b.staff_id) && !closed,
    };
    if !party.may_book_on(b.staff_id) {
        out.reschedule = refuse("not_permitted");
    }
    if !party.may_cancel() {
        out.cancel = refuse("not_permitted");
    }
    if let Party::Client { client_id } = party {
        let mut conn = db.pool.get_conn().await?;
        for (action, slot) in [
            (PortalAction::Reschedule, &mut out.reschedule),
            (PortalAction::Cancel, &mut out.cancel),
        ] {
            match client_may(&mut conn, db, client_id, action).await {
                Ok(()) => {}
                Err(BookingError::Client(ClientError::Blocked)) => {
                    *slot = refuse("client_blocked");
                }
                Err(BookingError::Client(_)) => *slot = refuse("not_permitted"),
                Err(e) => return Err(e),
            }
        }
    }
    if party.bound_by_rules() {
        let mut conn = db.pool.get_conn().await?;
        let notice = change_notice_of(&mut conn, db, settings, b).await?;
        if !domain::outside_change_notice(b.start, notice, now) {
            for slot in [&mut out.reschedule, &mut out.cancel] {
                if slot.allowed {
                    *slot = refuse("notice_too_short");
                }
            }
        }
    }
    if closed {
        out.reschedule = refuse("booking_closed");
        out.cancel = refuse("booking_closed");
    }
    if party.may_change_status() {
        out.statuses = [
            Status::Pending,
            Status::Confirmed,
            Status::Completed,
            Status::NoShow,
        ]
        .into_iter()
        .filter(|s| b.status.may_become(*s))
        .collect();
    }
    Ok(out)
}

pub async fn staff_permissions(db: &Db, staff_id: u64) -> Result<StaffPermissions, BookingError> {
    let mut conn = db.pool.get_conn().await?;
    let rights = repo::staff_permissions(&mut conn, db, staff_id)
        .await?
        .ok_or(BookingError::NotFound)?;
    Ok(StaffPermissions {
        can_edit_bookings: rights.can_edit,
        can_cancel_bookings: rights.can_cancel,
        can_take_payments: rights.can_take_payments,
    })
}

pub async fn set_staff_permissions(
    db: &Db,
    staff_id: u64,
    p: &StaffPermissions,
) -> Result<StaffPermissions, BookingError> {
    let rights = repo::StaffRights {
        can_edit: p.can_edit_bookings,
        can_cancel: p.can_cancel_bookings,
        can_take_payments: p.can_take_payments,
    };
    let found = db
        .transaction(|mut tx| async move {
            let result = repo::set_staff_permissions(&mut tx, db, staff_id, rights).await;
            (tx, result.map_err(BookingError::from))
        })
        .await?;
    if !found {
        return Err(BookingError::NotFound);
    }
    Ok(p.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPLOYEE: Party = employee(true, false);

    const fn employee(can_edit: bool, can_take_payments: bool) -> Party {
        Party::Employee {
            staff_id: 7,
            can_edit,
            can_cancel: false,
            can_take_payments,
        }
    }

    #[test]
    fn staff_act_for_the_business_and_clients_are_bound() {
        for role in [Role::Admin, Role::Manager, Role::Employee] {
            assert!(!bound_by_booking_rules(role), "{role:?}");
        }
        for role in [Role::Client, Role::Guest] {
            assert!(bound_by_booking_rules(role), "{role:?}");
        }
        assert!(!EMPLOYEE.bound_by_rules());
        assert!(Party::Client { client_id: 1 }.bound_by_rules());
    }

    #[test]
    fn money_at_booking_needs_the_right_to_take_payments() {
        let none = MoneyAtBooking::default();
        let each = [
            MoneyAtBooking {
                discount: true,
                ..none
            },
            MoneyAtBooking {
                wallet_credits: true,
                ..none
            },
            MoneyAtBooking {
                recorded_paid: true,
                ..none
            },
        ];
        let trusted = employee(true, true);
        assert!(EMPLOYEE.may_place_with(none));
        for money in each {
            assert!(!EMPLOYEE.may_place_with(money), "{money:?}");
            assert!(trusted.may_place_with(money), "{money:?}");
            assert!(Party::Manager.may_place_with(money), "{money:?}");
        }
        let client = Party::Client { client_id: 1 };
        assert!(client.may_place_with(each[1]));
        assert!(!client.may_place_with(each[0]));
        assert!(!client.may_place_with(each[2]));
    }

    #[test]
    fn an_employee_books_only_its_own_time() {
        assert!(EMPLOYEE.may_book_on(7));
        assert!(!EMPLOYEE.may_book_on(8));
        let read_only = employee(false, false);
        assert!(!read_only.may_book_on(7));
        assert!(!read_only.may_change_status());
        assert!(!EMPLOYEE.may_cancel());
    }
}
