//! An invoice or credit note as an A4 PDF: who issued it to whom, the number and status, the
//! booking, the itemised lines, tax per rate and the totals, then the deposit, credits, package
//! session, payments, amount paid and balance due.
//!
//! Text is set in DejaVu Sans (Debian's `fonts-dejavu-core`), embedded and subset to the glyphs
//! used: the fonts a PDF reader brings itself cover Windows-1252 only, and a client may be
//! called Łukasz or Ωμέγα. The fonts are read once per process.
use super::domain::{Invoice, Kind, State, method_label, status_label};
use crate::bookings::{PaymentKind, PaymentRowStatus};
use crate::money::{self, Money};
use chrono::{DateTime, Utc};
use printpdf::{
    Color, Line, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rgb, TextItem,
};
use std::sync::OnceLock;

/// Where Debian's `fonts-dejavu-core` puts its faces.
pub const FONT_DIR: &str = "/usr/share/fonts/truetype/dejavu";

#[derive(Debug, thiserror::Error)]
#[error("the invoice font is missing or unreadable ({0}); install fonts-dejavu-core")]
pub struct FontError(String);

struct Fonts {
    regular: ParsedFont,
    bold: ParsedFont,
}

fn fonts() -> Result<&'static Fonts, FontError> {
    static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let load = |file: &str| -> Result<ParsedFont, String> {
                let path = format!("{FONT_DIR}/{file}");
                let bytes = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
                ParsedFont::from_bytes(&bytes, 0, &mut Vec::new())
                    .ok_or_else(|| format!("{path}: not a font"))
            };
            Ok(Fonts {
                regular: load("DejaVuSans.ttf")?,
                bold: load("DejaVuSans-Bold.ttf")?,
            })
        })
        .as_ref()
        .map_err(|e| FontError(e.clone()))
}

/// How amounts and dates are written: the site's locale (`en_US` when none is set).
#[derive(Clone, Debug)]
pub struct Style {
    pub locale: String,
}

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 50.0;
const RIGHT: f32 = PAGE_W - MARGIN;
const BOTTOM: f32 = 60.0;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Face {
    Regular,
    Bold,
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

/// Pages of drawing operations, with a cursor going down the page.
struct Sheet<'a> {
    fonts: &'a Fonts,
    handles: (PdfFontHandle, PdfFontHandle),
    pages: Vec<Vec<Op>>,
    y: f32,
    header: String,
}

impl<'a> Sheet<'a> {
    fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        let font = match face {
            Face::Regular => &self.fonts.regular,
            Face::Bold => &self.fonts.bold,
        };
        let upm = f32::from(font.font_metrics.units_per_em.max(1));
        let units: u32 = text
            .chars()
            .map(|c| {
                let gid = font.lookup_glyph_index(u32::from(c)).unwrap_or(0);
                u32::from(font.get_horizontal_advance(gid))
            })
            .sum();
        #[allow(clippy::cast_precision_loss)]
        let units = units as f32;
        units * size / upm
    }

    /// Cuts `text` to `max` points wide, with an ellipsis when it had to.
    fn fit(&self, face: Face, size: f32, text: &str, max: f32) -> String {
        if self.width(face, size, text) <= max {
            return text.to_owned();
        }
        let mut out: String = text.to_owned();
        while !out.is_empty() && self.width(face, size, &format!("{out}…")) > max {
            out.pop();
        }
        format!("{}…", out.trim_end())
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn text(&mut self, face: Face, size: f32, x: f32, align: Align, text: &str) {
        if text.is_empty() {
            return;
        }
        let x = match align {
            Align::Left => x,
            Align::Right => x - self.width(face, size, text),
        };
        let font = match face {
            Face::Regular => self.handles.0.clone(),
            Face::Bold => self.handles.1.clone(),
        };
        let y = self.y;
        self.ops().extend([
            Op::StartTextSection,
            Op::SetFont {
                font,
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point { x: Pt(x), y: Pt(y) },
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
            Op::EndTextSection,
        ]);
    }

    fn rule(&mut self, from: f32, to: f32, grey: f32) {
        let y = self.y;
        let point = |x: f32| LinePoint {
            p: Point { x: Pt(x), y: Pt(y) },
            bezier: false,
        };
        self.ops().extend([
            Op::SetOutlineColor {
                col: Color::Rgb(Rgb {
                    r: grey,
                    g: grey,
                    b: grey,
                    icc_profile: None,
                }),
            },
            Op::SetOutlineThickness { pt: Pt(0.6) },
            Op::DrawLine {
                line: Line {
                    points: vec![point(from), point(to)],
                    is_closed: false,
                },
            },
        ]);
    }

    /// Moves down by `by`, onto a new page (with the number repeated) when this one is full.
    fn down(&mut self, by: f32) {
        self.y -= by;
        if self.y < BOTTOM {
            self.pages.push(Vec::new());
            self.y = PAGE_H - MARGIN;
            let header = self.header.clone();
            self.text(Face::Regular, 9.0, RIGHT, Align::Right, &header);
            self.y -= 24.0;
        }
    }
}

fn when(t: DateTime<Utc>, zone: &str) -> String {
    match zone.parse::<chrono_tz::Tz>() {
        Ok(z) => t.with_timezone(&z).format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

fn day(t: DateTime<Utc>, zone: &str) -> String {
    match zone.parse::<chrono_tz::Tz>() {
        Ok(z) => t.with_timezone(&z).format("%Y-%m-%d").to_string(),
        Err(_) => t.format("%Y-%m-%d").to_string(),
    }
}

/// The PDF of `inv`.
pub fn render(inv: &Invoice, style: &Style) -> Result<Vec<u8>, FontError> {
    let fonts = fonts()?;
    let mut doc = PdfDocument::new(&inv.number);
    let regular = PdfFontHandle::External(doc.add_font(&fonts.regular));
    let bold = PdfFontHandle::External(doc.add_font(&fonts.bold));
    let m = |a: Money| money::format_for_locale(a, &inv.currency, &style.locale);
    let zone = inv.booking.timezone.as_str();
    let title = match inv.kind {
        Kind::Invoice => "Invoice",
        Kind::CreditNote => "Credit note",
    };
    let mut s = Sheet {
        fonts,
        handles: (regular, bold),
        pages: vec![Vec::new()],
        y: PAGE_H - MARGIN - 10.0,
        header: format!("{title} {}", inv.number),
    };
    use Align::{Left, Right};
    use Face::{Bold, Regular};

    // Heading: the issuer on the left, the document on the right.
    let seller = if inv.parties.seller_name.is_empty() {
        inv.booking.location.clone()
    } else {
        inv.parties.seller_name.clone()
    };
    s.text(Bold, 20.0, RIGHT, Right, title);
    s.text(Bold, 13.0, MARGIN, Left, &s.fit(Bold, 13.0, &seller, 280.0));
    s.down(18.0);
    s.text(Bold, 11.0, RIGHT, Right, &inv.number);
    let mut left = Vec::new();
    left.extend(
        inv.parties
            .seller_address
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned),
    );
    if !inv.parties.seller_tax_number.is_empty() {
        left.push(format!("Tax number: {}", inv.parties.seller_tax_number));
    }
    let status = match (inv.kind, inv.state) {
        (Kind::CreditNote, _) => "Credit note".to_owned(),
        (Kind::Invoice, State::Credited) => "Credited".to_owned(),
        (Kind::Invoice, State::Open) => status_label(inv.payment_status).to_owned(),
    };
    let mut right = vec![
        format!("Issued: {}", day(inv.issued_at, zone)),
        format!("Status: {status}"),
    ];
    if let Some(related) = &inv.related_number {
        right.push(match inv.kind {
            Kind::CreditNote => format!("Credits invoice {related}"),
            Kind::Invoice => format!("Replaces invoice {related}"),
        });
    }
    for i in 0..left.len().max(right.len()) {
        s.down(13.0);
        if let Some(l) = left.get(i) {
            let l = s.fit(Regular, 9.5, l, 280.0);
            s.text(Regular, 9.5, MARGIN, Left, &l);
        }
        if let Some(r) = right.get(i) {
            s.text(Regular, 9.5, RIGHT, Right, r);
        }
    }

    // Who it is for, and the booking.
    s.down(28.0);
    s.text(Bold, 9.0, MARGIN, Left, "BILL TO");
    s.text(Bold, 9.0, 320.0, Left, "BOOKING");
    let mut buyer = vec![inv.parties.buyer_name.clone()];
    buyer.extend(
        inv.parties
            .buyer_address
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned),
    );
    if !inv.parties.buyer_email.is_empty() {
        buyer.push(inv.parties.buyer_email.clone());
    }
    let b = &inv.booking;
    let mut booking = vec![
        format!("#{} · {}", b.id, b.service),
        format!("{} ({})", when(b.start, zone), zone),
    ];
    if !b.staff.is_empty() {
        booking.push(format!("With {}", b.staff));
    }
    if !b.location.is_empty() {
        booking.push(b.location.clone());
    }
    if !b.location_address.is_empty() {
        booking.push(b.location_address.clone());
    }
    for i in 0..buyer.len().max(booking.len()) {
        s.down(13.0);
        if let Some(l) = buyer.get(i) {
            let face = if i == 0 { Bold } else { Regular };
            let l = s.fit(face, 9.5, l, 250.0);
            s.text(face, 9.5, MARGIN, Left, &l);
        }
        if let Some(r) = booking.get(i) {
            let r = s.fit(Regular, 9.5, r, RIGHT - 320.0);
            s.text(Regular, 9.5, 320.0, Left, &r);
        }
    }

    // The lines.
    let cols = [
        (MARGIN, Left, "Description"),
        (330.0, Right, "Qty"),
        (395.0, Right, "Unit price"),
        (445.0, Right, "Discount"),
        (495.0, Right, "Tax"),
        (RIGHT, Right, "Total"),
    ];
    s.down(30.0);
    for (x, align, label) in cols {
        s.text(Bold, 9.0, x, align, label);
    }
    s.down(6.0);
    s.rule(MARGIN, RIGHT, 0.3);
    for l in &inv.lines {
        s.down(15.0);
        let description = s.fit(Regular, 9.5, &l.description, 250.0);
        s.text(Regular, 9.5, MARGIN, Left, &description);
        s.text(Regular, 9.5, 330.0, Right, &l.quantity.to_string());
        s.text(Regular, 9.5, 395.0, Right, &m(l.unit_price));
        let discount = if l.discount.is_zero() {
            "–".to_owned()
        } else {
            m(l.discount)
        };
        s.text(Regular, 9.5, 445.0, Right, &discount);
        s.text(Regular, 9.5, 495.0, Right, &format!("{}%", l.tax_rate));
        s.text(Regular, 9.5, RIGHT, Right, &m(l.total));
    }
    s.down(8.0);
    s.rule(MARGIN, RIGHT, 0.6);

    // Totals, right-aligned under the lines.
    let label_x = 440.0;
    let total_row = |s: &mut Sheet, face: Face, label: &str, value: String| {
        s.down(15.0);
        s.text(face, 9.5, label_x, Right, label);
        s.text(face, 9.5, RIGHT, Right, &value);
    };
    total_row(&mut s, Regular, "Subtotal", m(inv.subtotal));
    if !inv.discount_total.is_zero() {
        total_row(&mut s, Regular, "Discount", m(-inv.discount_total));
    }
    for t in &inv.taxes {
        total_row(
            &mut s,
            Regular,
            &format!("Tax {}% on {}", t.rate, m(t.base)),
            m(t.tax),
        );
    }
    if inv.taxes.is_empty() {
        total_row(&mut s, Regular, "Tax", m(inv.tax_total));
    }
    s.down(5.0);
    s.rule(300.0, RIGHT, 0.3);
    total_row(&mut s, Bold, "Total", m(inv.total));
    if inv.prices_include_tax && !inv.tax_total.is_zero() {
        s.down(12.0);
        s.text(Regular, 8.0, RIGHT, Right, "Prices include tax.");
    }

    // Money towards it.
    if inv.kind == Kind::Invoice {
        s.down(10.0);
        if let Some(deposit) = inv.deposit {
            total_row(&mut s, Regular, "Deposit", m(deposit));
        }
        if !inv.credits_used.is_zero() {
            total_row(&mut s, Regular, "Credits used", m(inv.credits_used));
        }
        if let Some(p) = &inv.package_session {
            s.down(15.0);
            let p = s.fit(Regular, 9.5, p, RIGHT - 250.0);
            s.text(Regular, 9.5, RIGHT, Right, &p);
        }
    }
    if !inv.payments.is_empty() {
        s.down(26.0);
        s.text(
            Bold,
            9.0,
            MARGIN,
            Left,
            if inv.kind == Kind::Invoice {
                "PAYMENTS"
            } else {
                "REFUNDS"
            },
        );
        for p in &inv.payments {
            s.down(14.0);
            let what = match (p.kind, p.status) {
                (PaymentKind::Refund, _) => format!("Refund · {}", method_label(p.method)),
                (_, PaymentRowStatus::Pending) => {
                    format!("{} (awaiting confirmation)", method_label(p.method))
                }
                _ => method_label(p.method).to_owned(),
            };
            s.text(Regular, 9.5, MARGIN, Left, &day(p.at, zone));
            s.text(Regular, 9.5, 130.0, Left, &what);
            let amount = if p.kind == PaymentKind::Refund {
                m(-p.amount)
            } else {
                m(p.amount)
            };
            s.text(Regular, 9.5, RIGHT, Right, &amount);
        }
    }
    if inv.kind == Kind::Invoice {
        s.down(12.0);
        total_row(&mut s, Regular, "Amount paid", m(inv.amount_paid));
        total_row(&mut s, Bold, "Balance due", m(inv.balance_due));
        total_row(&mut s, Regular, "Payment status", status.clone());
    }

    let pages = s
        .pages
        .into_iter()
        .map(|ops| PdfPage::new(Mm(210.0), Mm(297.0), ops))
        .collect();
    let mut warnings = Vec::new();
    Ok(doc
        .with_pages(pages)
        .save(&PdfSaveOptions::default(), &mut warnings))
}
