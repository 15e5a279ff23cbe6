//! The booking permissions of employees, stored on their staff rows.
use super::SqlResult;
use crate::db::{Db, Tx};
use mysql_async::prelude::Queryable;

/// What an employee may do to bookings, as stored on its staff row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StaffRights {
    pub can_edit: bool,
    pub can_cancel: bool,
    pub can_take_payments: bool,
}

/// The staff member linked to an employee's WordPress user, and its rights.
pub async fn staff_of_wp_user<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    wp_user_id: u64,
) -> SqlResult<Option<(u64, StaffRights)>> {
    let row: Option<(u64, bool, bool, bool)> = conn
        .exec_first(
            db.sql(
                "SELECT id, can_edit_bookings, can_cancel_bookings, can_take_payments \
                 FROM {p}volixta_staff WHERE wp_user_id = ? AND active = 1",
            ),
            (wp_user_id,),
        )
        .await?;
    Ok(row.map(|(id, can_edit, can_cancel, can_take_payments)| {
        (
            id,
            StaffRights {
                can_edit,
                can_cancel,
                can_take_payments,
            },
        )
    }))
}

pub async fn set_staff_permissions(
    tx: &mut Tx,
    db: &Db,
    staff_id: u64,
    rights: StaffRights,
) -> SqlResult<bool> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_staff SET can_edit_bookings = ?, can_cancel_bookings = ?, \
             can_take_payments = ? WHERE id = ?",
        ),
        (
            rights.can_edit,
            rights.can_cancel,
            rights.can_take_payments,
            staff_id,
        ),
    )
    .await?;
    let found: Option<u64> = tx
        .exec_first(
            db.sql("SELECT id FROM {p}volixta_staff WHERE id = ?"),
            (staff_id,),
        )
        .await?;
    Ok(found.is_some())
}

pub async fn staff_permissions<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    staff_id: u64,
) -> SqlResult<Option<StaffRights>> {
    let row: Option<(bool, bool, bool)> = conn
        .exec_first(
            db.sql(
                "SELECT can_edit_bookings, can_cancel_bookings, can_take_payments \
                 FROM {p}volixta_staff WHERE id = ?",
            ),
            (staff_id,),
        )
        .await?;
    Ok(
        row.map(|(can_edit, can_cancel, can_take_payments)| StaffRights {
            can_edit,
            can_cancel,
            can_take_payments,
        }),
    )
}
