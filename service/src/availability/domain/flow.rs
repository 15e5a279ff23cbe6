//! The narrowing choices of the 5-step booking flow.
use crate::{
    availability::AvailabilityError,
    catalog::{Addon, Category, Location, Service, Staff, StaffCard},
};
use serde::Serialize;
use utoipa::ToSchema;

/// What was chosen so far in the 5-step booking flow.
#[derive(Clone, Debug, Default)]
pub struct FlowChoices {
    pub category_id: Option<u64>,
    pub service_id: Option<u64>,
    pub people: Option<u32>,
    pub location_id: Option<u64>,
    pub staff_id: Option<u64>,
    /// `Some` once the add-ons step was answered (possibly with none).
    pub addons: Option<Vec<(u64, u32)>>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ServiceCard {
    pub id: u64,
    pub category_id: Option<u64>,
    pub name: String,
    pub description: String,
    pub duration_minutes: u16,
    pub price: crate::money::Money,
    pub capacity: u16,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LocationCard {
    pub id: u64,
    pub name: String,
    pub address: String,
    pub timezone: String,
}

#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct PeopleRange {
    pub min: u32,
    pub max: u32,
}

/// The options of every step, each narrowed by the choices before it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BookingFlow {
    /// Categories with at least one bookable service.
    pub categories: Vec<Category>,
    /// Bookable services, of the chosen category if any.
    pub services: Vec<ServiceCard>,
    /// Present for a group service: how many people may come.
    pub people: Option<PeopleRange>,
    /// Locations offering the chosen service with someone working there.
    pub locations: Vec<LocationCard>,
    /// Staff performing the chosen service, at the chosen location if any.
    pub staff: Vec<StaffCard>,
    /// Add-ons of the chosen service; empty means the step is skipped.
    pub addons: Vec<Addon>,
    /// Minutes the booking lasts with the chosen add-ons, once a service is chosen.
    pub duration_minutes: Option<u32>,
    /// The first step still to answer: category, service, people, location, staff, addons, date.
    pub next_step: &'static str,
}

/// Narrows each step of the booking flow by the earlier choices; a choice that is not among its
/// step's options is refused, naming its field.
pub fn booking_flow(
    categories: &[Category],
    services: &[Service],
    locations: &[Location],
    staff: &[Staff],
    c: &FlowChoices,
) -> Result<BookingFlow, AvailabilityError> {
    let staff: Vec<&Staff> = staff.iter().filter(|s| s.active).collect();
    let locations: Vec<&Location> = locations.iter().filter(|l| l.active).collect();
    let works = |st: &Staff, service: &Service, location_id: u64| {
        st.service_ids.contains(&service.id) && st.location_ids().contains(&location_id)
    };
    let bookable_at = |service: &Service, location: &Location| {
        service.active
            && (service.location_ids.is_empty() || service.location_ids.contains(&location.id))
            && staff.iter().any(|st| works(st, service, location.id))
    };
    let bookable: Vec<&Service> = services
        .iter()
        .filter(|s| locations.iter().any(|l| bookable_at(s, l)))
        .collect();
    let categories: Vec<Category> = categories
        .iter()
        .filter(|cat| bookable.iter().any(|s| s.category_id == Some(cat.id)))
        .cloned()
        .collect();
    if let Some(id) = c.category_id
        && !categories.iter().any(|cat| cat.id == id)
    {
        return Err(AvailabilityError::field(
            "category_id",
            "no bookable service in this category",
        ));
    }
    let in_category: Vec<&Service> = bookable
        .iter()
        .copied()
        .filter(|s| c.category_id.is_none_or(|id| s.category_id == Some(id)))
        .collect();
    let service = match c.service_id {
        Some(id) => Some(*in_category.iter().find(|s| s.id == id).ok_or_else(|| {
            AvailabilityError::field("service_id", "not bookable in this choice")
        })?),
        None => None,
    };
    let people = service.filter(|s| s.capacity > 1).map(|s| PeopleRange {
        min: 1,
        max: u32::from(s.capacity),
    });
    if let (Some(n), Some(s)) = (c.people, service)
        && !(1..=u32::from(s.capacity)).contains(&n)
    {
        return Err(AvailabilityError::field(
            "people",
            format!("between 1 and {}", s.capacity),
        ));
    }
    let offering: Vec<&Location> = service
        .map(|s| {
            locations
                .iter()
                .copied()
                .filter(|l| bookable_at(s, l))
                .collect()
        })
        .unwrap_or_default();
    if let Some(id) = c.location_id
        && service.is_some()
        && !offering.iter().any(|l| l.id == id)
    {
        return Err(AvailabilityError::field(
            "location_id",
            "this location does not offer the service",
        ));
    }
    let staff_options: Vec<StaffCard> = match service {
        Some(s) => staff
            .iter()
            .filter(|st| match c.location_id {
                Some(l) => works(st, s, l),
                None => offering.iter().any(|l| works(st, s, l.id)),
            })
            .map(|st| StaffCard::from(*st))
            .collect(),
        None => Vec::new(),
    };
    if let Some(id) = c.staff_id
        && service.is_some()
        && !staff_options.iter().any(|st| st.id == id)
    {
        return Err(AvailabilityError::field(
            "staff_id",
            "does not perform this service here",
        ));
    }
    let addons = service.map(|s| s.addons.clone()).unwrap_or_default();
    let duration_minutes = match service {
        Some(s) => Some(crate::availability::booked_minutes(
            s,
            c.addons.as_deref().unwrap_or_default(),
        )?),
        None => None,
    };
    let next_step = if c.category_id.is_none() && c.service_id.is_none() {
        "category"
    } else if service.is_none() {
        "service"
    } else if people.is_some() && c.people.is_none() {
        "people"
    } else if c.location_id.is_none() {
        "location"
    } else if c.staff_id.is_none() {
        "staff"
    } else if !addons.is_empty() && c.addons.is_none() {
        "addons"
    } else {
        "date"
    };
    Ok(BookingFlow {
        categories,
        services: in_category
            .iter()
            .map(|s| ServiceCard {
                id: s.id,
                category_id: s.category_id,
                name: s.name.clone(),
                description: s.description.clone(),
                duration_minutes: s.duration_minutes,
                price: s.price,
                capacity: s.capacity,
            })
            .collect(),
        people,
        locations: offering
            .iter()
            .map(|l| LocationCard {
                id: l.id,
                name: l.name.clone(),
                address: l.address.clone(),
                timezone: l.timezone.clone(),
            })
            .collect(),
        staff: staff_options,
        addons,
        duration_minutes,
        next_step,
    })
}
