//! Prices (DOMAIN.md "Money"): lines, discounts, tax, deposits.
use super::{LineKind, PaymentChoice};
use crate::bookings::BookingError;
use crate::money::Money;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A discount: an amount off, or a percentage off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Discount {
    Amount(Money),
    #[schema(value_type = String)]
    Percent(Money),
}

impl Discount {
    pub fn validate(self, field: &str) -> Result<Self, BookingError> {
        let ok = match self {
            Self::Amount(a) => !a.is_negative(),
            Self::Percent(p) => !p.is_negative() && p.amount() <= Decimal::ONE_HUNDRED,
        };
        if ok {
            Ok(self)
        } else {
            Err(BookingError::field(
                field,
                "an amount ≥ 0 or a percentage between 0 and 100",
            ))
        }
    }
}

/// A deposit rule: never more than the total.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Deposit {
    #[default]
    None,
    Fixed(Money),
    #[schema(value_type = String)]
    Percent(Money),
}

impl Deposit {
    pub fn validate(self) -> Result<Self, BookingError> {
        let ok = match self {
            Self::None => true,
            Self::Fixed(a) => !a.is_negative(),
            Self::Percent(p) => !p.is_negative() && p.amount() <= Decimal::ONE_HUNDRED,
        };
        if ok {
            Ok(self)
        } else {
            Err(BookingError::field(
                "deposit",
                "a fixed amount ≥ 0 or a percentage between 0 and 100",
            ))
        }
    }

    pub fn of(self, total: Money) -> Option<Money> {
        match self {
            Self::None => None,
            Self::Fixed(a) => Some(a.min(total)),
            Self::Percent(p) => {
                Some(Money::round(total.amount() * p.amount() / Decimal::ONE_HUNDRED).min(total))
            }
        }
    }
}

/// One thing being priced: the service for its people, or an add-on for its quantity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineInput {
    pub kind: LineKind,
    pub item_id: u64,
    pub name: String,
    pub unit_price: Money,
    pub quantity: u32,
    pub duration_minutes: u32,
}

/// The rules a price is computed by. A booking keeps those it was priced by, so that its
/// options can be priced the same way later.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceRules {
    /// Percent, e.g. 20 for 20 %.
    pub tax_rate_percent: Decimal,
    /// Prices entered with tax: the tax is extracted, not added.
    pub prices_include_tax: bool,
    /// The service's standing discount, on the service line.
    pub service_discount: Option<Discount>,
    /// A manager's discount for this booking, over every line.
    pub booking_discount: Option<Discount>,
    pub deposit: Deposit,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Line {
    pub kind: LineKind,
    pub item_id: u64,
    pub name: String,
    pub unit_price: Money,
    pub quantity: u32,
    #[serde(skip_serializing_if = "is_zero")]
    pub duration_minutes: u32,
    /// unit price × quantity.
    pub amount: Money,
    pub discount: Money,
    #[schema(value_type = String)]
    pub tax_rate_percent: Decimal,
    pub tax: Money,
    /// What the client pays for this line, tax included.
    pub total: Money,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(v: &u32) -> bool {
    *v == 0
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Price {
    pub lines: Vec<Line>,
    /// Sum of the lines' amounts.
    pub subtotal: Money,
    pub discount_total: Money,
    pub tax_total: Money,
    /// Sum of the lines' totals.
    pub total: Money,
    /// The deposit the payer may choose instead of the total; absent when the service has none.
    pub deposit: Option<Money>,
}

fn percent_of(amount: Money, percent: Money) -> Money {
    Money::round(amount.amount() * percent.amount() / Decimal::ONE_HUNDRED)
}

/// DOMAIN.md "Money": each line is unit price × quantity, less its discount, then tax at the
/// line's rate (extracted when prices include tax, added otherwise); each figure rounded half
/// away from zero when computed; totals are sums of the rounded lines.
pub fn price(inputs: &[LineInput], rules: &PriceRules) -> Price {
    let rate = rules.tax_rate_percent;
    let mut amount_off_left = match rules.booking_discount {
        Some(Discount::Amount(a)) => a,
        _ => Money::ZERO,
    };
    let mut lines = Vec::with_capacity(inputs.len());
    for input in inputs {
        let amount = Money::round(input.unit_price.amount() * Decimal::from(input.quantity));
        let mut discount = Money::ZERO;
        if input.kind == LineKind::Service {
            discount = discount
                + match rules.service_discount {
                    Some(Discount::Amount(a)) => a.min(amount),
                    Some(Discount::Percent(p)) => percent_of(amount, p),
                    None => Money::ZERO,
                };
        }
        let left = amount - discount;
        let booking_off = match rules.booking_discount {
            Some(Discount::Percent(p)) => percent_of(left, p),
            // An amount off is taken from the lines in order, each down to zero at most.
            Some(Discount::Amount(_)) => {
                let take = amount_off_left.min(left);
                amount_off_left = amount_off_left - take;
                take
            }
            None => Money::ZERO,
        };
        discount = discount + booking_off;
        let net = amount - discount;
        let (tax, total) = if rules.prices_include_tax {
            let tax = Money::round(net.amount() * rate / (Decimal::ONE_HUNDRED + rate));
            (tax, net)
        } else {
            let tax = Money::round(net.amount() * rate / Decimal::ONE_HUNDRED);
            (tax, net + tax)
        };
        lines.push(Line {
            kind: input.kind,
            item_id: input.item_id,
            name: input.name.clone(),
            unit_price: input.unit_price,
            quantity: input.quantity,
            duration_minutes: input.duration_minutes,
            amount,
            discount,
            tax_rate_percent: rate,
            tax,
            total,
        });
    }
    let subtotal = lines.iter().map(|l| l.amount).sum();
    let discount_total = lines.iter().map(|l| l.discount).sum();
    let tax_total = lines.iter().map(|l| l.tax).sum();
    let total: Money = lines.iter().map(|l| l.total).sum();
    Price {
        deposit: rules.deposit.of(total),
        lines,
        subtotal,
        discount_total,
        tax_total,
        total,
    }
}

/// What is due at booking: the total, or the deposit when the payer chose it.
pub fn due_now(price: &Price, choice: PaymentChoice) -> Result<Money, BookingError> {
    match (choice, price.deposit) {
        (PaymentChoice::Full, _) => Ok(price.total),
        (PaymentChoice::Deposit, Some(deposit)) => Ok(deposit),
        (PaymentChoice::Deposit, None) => Err(BookingError::field(
            "payment.choice",
            "this service takes no deposit",
        )),
    }
}

/// A service's booking price rules (`PUT /v1/services/{id}/pricing`).
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePricing {
    /// `{"type": "none"}`, `{"type": "fixed", "value": "20.00"}` or `{"type": "percent", "value": "30"}`.
    #[serde(default)]
    pub deposit: Deposit,
    /// A standing discount on the service line: `{"type": "amount" | "percent", "value": …}`.
    pub discount: Option<Discount>,
    /// This service's tax rate; `null` uses the site's.
    pub tax_rate_percent: Option<Money>,
}

impl ServicePricing {
    /// The rules checked, with the field that breaks one.
    pub fn validate(&self) -> Result<(Deposit, Option<Discount>), BookingError> {
        let deposit = self.deposit.validate()?;
        let discount = self.discount.map(|d| d.validate("discount")).transpose()?;
        if let Some(rate) = self.tax_rate_percent
            && (rate.is_negative() || rate.amount() > Decimal::ONE_HUNDRED)
        {
            return Err(BookingError::field("tax_rate_percent", "between 0 and 100"));
        }
        Ok((deposit, discount))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn m(s: &str) -> Money {
        Money::from_str(s).expect("money")
    }

    fn service(price: &str, people: u32) -> LineInput {
        LineInput {
            kind: LineKind::Service,
            item_id: 1,
            name: "Massage".into(),
            unit_price: m(price),
            quantity: people,
            duration_minutes: 0,
        }
    }

    fn addon(price: &str, qty: u32) -> LineInput {
        LineInput {
            kind: LineKind::Addon,
            item_id: 9,
            name: "Oil".into(),
            unit_price: m(price),
            quantity: qty,
            duration_minutes: 10,
        }
    }

    #[test]
    fn service_times_people_plus_addons_times_quantity() {
        let p = price(
            &[service("45.00", 2), addon("7.50", 3)],
            &PriceRules::default(),
        );
        assert_eq!(p.subtotal, m("112.50"));
        assert_eq!(p.total, m("112.50"));
        assert_eq!(p.tax_total, Money::ZERO);
        assert_eq!(p.deposit, None);
    }

    #[test]
    fn tax_added_per_line_then_summed() {
        // 3 × 0.35 = 1.05 at 20 % = 0.21; 10.01 at 20 % = 2.002 → 2.00.
        let rules = PriceRules {
            tax_rate_percent: Decimal::from(20),
            prices_include_tax: false,
            ..PriceRules::default()
        };
        let p = price(&[service("10.01", 1), addon("0.35", 3)], &rules);
        assert_eq!(p.lines[0].tax, m("2.00"));
        assert_eq!(p.lines[1].tax, m("0.21"));
        assert_eq!(p.tax_total, m("2.21"));
        assert_eq!(p.total, m("13.27"));
        assert_eq!(p.total, p.lines.iter().map(|l| l.total).sum());
    }

    #[test]
    fn tax_included_is_extracted_not_added() {
        let rules = PriceRules {
            tax_rate_percent: Decimal::from(20),
            prices_include_tax: true,
            ..PriceRules::default()
        };
        let p = price(&[service("50.00", 1)], &rules);
        // 50 × 20 / 120 = 8.333… → 8.33
        assert_eq!(p.tax_total, m("8.33"));
        assert_eq!(p.total, m("50.00"));
    }

    #[test]
    fn half_cent_rounds_away_from_zero() {
        let rules = PriceRules {
            tax_rate_percent: Decimal::from(10),
            prices_include_tax: false,
            ..PriceRules::default()
        };
        // 0.05 × 10 % = 0.005 → 0.01
        let p = price(&[service("0.05", 1)], &rules);
        assert_eq!(p.tax_total, m("0.01"));
        assert_eq!(p.total, m("0.06"));
    }

    #[test]
    fn discounts_service_then_booking_before_tax() {
        let rules = PriceRules {
            tax_rate_percent: Decimal::from(10),
            prices_include_tax: false,
            service_discount: Some(Discount::Percent(m("10"))),
            booking_discount: Some(Discount::Amount(m("50.00"))),
            deposit: Deposit::None,
        };
        // service 100 - 10 % = 90, booking discount takes 50 → 40; add-on 20 untouched (none left).
        let p = price(&[service("100.00", 1), addon("10.00", 2)], &rules);
        assert_eq!(p.lines[0].discount, m("60.00"));
        assert_eq!(p.lines[1].discount, Money::ZERO);
        assert_eq!(p.lines[0].total, m("44.00"));
        assert_eq!(p.lines[1].total, m("22.00"));
        assert_eq!(p.total, m("66.00"));
        assert_eq!(p.discount_total, m("60.00"));
    }

    #[test]
    fn amount_discount_never_makes_a_line_negative() {
        let rules = PriceRules {
            booking_discount: Some(Discount::Amount(m("500.00"))),
            ..PriceRules::default()
        };
        let p = price(&[service("30.00", 1), addon("5.00", 1)], &rules);
        assert_eq!(p.total, Money::ZERO);
        assert!(p.lines.iter().all(|l| !l.total.is_negative()));
    }

    #[test]
    fn deposits_fixed_or_percent_never_above_total() {
        let lines = [service("80.00", 1)];
        let with = |deposit| {
            price(
                &lines,
                &PriceRules {
                    deposit,
                    ..PriceRules::default()
                },
            )
        };
        assert_eq!(with(Deposit::Fixed(m("20.00"))).deposit, Some(m("20.00")));
        assert_eq!(with(Deposit::Fixed(m("200.00"))).deposit, Some(m("80.00")));
        assert_eq!(with(Deposit::Percent(m("33.33"))).deposit, Some(m("26.66")));
        let p = with(Deposit::Percent(m("25")));
        assert_eq!(due_now(&p, PaymentChoice::Deposit).ok(), Some(m("20.00")));
        assert_eq!(due_now(&p, PaymentChoice::Full).ok(), Some(m("80.00")));
        assert!(due_now(&with(Deposit::None), PaymentChoice::Deposit).is_err());
    }
}
