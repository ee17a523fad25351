//! Orders, order lines and payments.

use super::calendar::{Clock, days};
use super::catalog::COUNTRIES;
use super::generate::{Customer, LAUNCH, Product, SEED, Segment, on_sale};
use super::rng::{Rng, cents};
use super::table::Table;

/// Fulfilment state of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Pending,
    Paid,
    Shipped,
    Delivered,
    Cancelled,
    Refunded,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Shipped => "shipped",
            Self::Delivered => "delivered",
            Self::Cancelled => "cancelled",
            Self::Refunded => "refunded",
        }
    }
}

/// Where an order was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Channel {
    Web,
    Mobile,
    Store,
}

impl Channel {
    fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Mobile => "mobile",
            Self::Store => "store",
        }
    }
}

/// An order as the ticket and click-stream generators see it; its id is its index + 1.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    /// Index into the customers.
    pub(crate) customer: usize,
    /// Business time of placement.
    pub(crate) t: f64,
    /// Seconds since the start of the window (`ordered_at`).
    pub(crate) secs: i64,
    pub(crate) status: Status,
    pub(crate) channel: Channel,
    /// Product indexes of the order lines.
    pub(crate) products: Vec<usize>,
    /// Contains a defect-prone product.
    pub(crate) troubled: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Card,
    PayPal,
    BankTransfer,
    GiftCard,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Self::Card => "card",
            Self::PayPal => "paypal",
            Self::BankTransfer => "bank_transfer",
            Self::GiftCard => "gift_card",
        }
    }
}

/// The `orders`, `order_items` and `payments` tables, plus the orders for later generators.
pub(crate) fn generate(
    clock: &Clock,
    products: &[Product],
    customers: &[Customer],
) -> (Vec<Order>, [Table; 3]) {
    let mut rng = Rng::stream(SEED, 4);
    let country_weights: Vec<f64> = COUNTRIES.iter().map(|c| c.weight).collect();
    let mut table = Table::new(
        "orders",
        &["id", "customer_id", "ordered_at", "status", "channel", "shipping_country", "discount_code"],
    );
    let mut items = Table::new("order_items", &["id", "order_id", "product_id", "quantity", "unit_price"]);
    let mut orders = Vec::new();
    let mut totals = Vec::new();
    for (t, c, first) in placements(customers) {
        let customer = &customers[c];
        let order_id = table.next_id();
        let channel = channel(&mut rng, customer.segment, t);
        let shipping = if channel != Channel::Store && rng.chance(0.03) {
            rng.weighted(&country_weights)
        } else {
            customer.country
        };
        let code = discount_code(&mut rng, customer, first);
        let lines = lines(&mut rng, products, customer.segment, t, code.map_or(0.0, |(_, off)| off));
        let mut total = 0.0;
        for &(product, quantity, unit_price) in &lines {
            total += quantity as f64 * unit_price;
            items.push([
                items.next_id().into(),
                order_id.into(),
                (product as i64 + 1).into(),
                quantity.into(),
                unit_price.into(),
            ]);
        }
        let troubled = lines.iter().any(|&(p, ..)| products[p].troubled);
        let status = status(&mut rng, t, troubled);
        let secs = clock.at(t);
        table.push([
            order_id.into(),
            (c as i64 + 1).into(),
            clock.stamp(secs).into(),
            status.as_str().into(),
            channel.as_str().into(),
            COUNTRIES[shipping].code.into(),
            code.map(|(name, _)| name).into(),
        ]);
        let bought = lines.iter().map(|&(p, ..)| p).collect();
        orders.push(Order { customer: c, t, secs, status, channel, products: bought, troubled });
        totals.push(cents(total));
    }
    let payments = payments(clock, customers, &orders, &totals);
    (orders, [table, items, payments])
}

/// When customers order: `(business time, customer index, first order?)`, sorted by time.
/// Each customer orders soon after signing up, then again at random gaps until they churn,
/// so cohorts decay the way real ones do.
fn placements(customers: &[Customer]) -> Vec<(f64, usize, bool)> {
    let mut rng = Rng::stream(SEED, 3);
    let mut placed = Vec::new();
    for (c, customer) in customers.iter().enumerate() {
        let (p_first, p_again, mean_gap) = match customer.segment {
            Segment::Consumer => (0.86, 0.88, 0.055),
            Segment::SmallBusiness => (0.92, 0.91, 0.04),
            Segment::Enterprise => (0.97, 0.95, 0.02),
        };
        if !rng.chance(p_first) {
            continue;
        }
        let delay = if customer.signup < LAUNCH {
            rng.exponential(0.03)
        } else if rng.chance(0.25) {
            rng.between(0.0, days(0.5))
        } else {
            rng.exponential(days(4.0))
        };
        let mut t = customer.signup + delay;
        let mut first = true;
        while t < 1.0 {
            placed.push((t, c, first));
            first = false;
            if !rng.chance(p_again) {
                break;
            }
            t += rng.exponential(mean_gap / customer.activity);
        }
    }
    placed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    placed
}

/// Web and app grow, the mobile app fastest; businesses rarely visit the store.
fn channel(rng: &mut Rng, segment: Segment, t: f64) -> Channel {
    let store = match segment {
        Segment::Consumer => 0.12,
        Segment::SmallBusiness => 0.06,
        Segment::Enterprise => 0.02,
    };
    let mobile = (1.0 - store) * (0.18 + 0.24 * t);
    let r = rng.unit();
    if r < store {
        Channel::Store
    } else if r < store + mobile {
        Channel::Mobile
    } else {
        Channel::Web
    }
}

/// Promotion code and the discount it gives on every line.
fn discount_code(rng: &mut Rng, customer: &Customer, first: bool) -> Option<(&'static str, f64)> {
    if first && rng.chance(if customer.opt_in { 0.45 } else { 0.2 }) {
        return Some(("WELCOME10", 0.10));
    }
    if customer.segment == Segment::Enterprise && rng.chance(0.5) {
        return Some(("B2B15", 0.15));
    }
    if customer.opt_in && rng.chance(0.08) {
        return Some(("NEWSLETTER5", 0.05));
    }
    if rng.chance(0.05) {
        return Some(*rng.choose(&[("SPRING15", 0.15), ("FREESHIP", 0.0), ("FRIENDS20", 0.20)]));
    }
    None
}

/// Order lines `(product index, quantity, unit price)` with distinct products.
fn lines(
    rng: &mut Rng,
    products: &[Product],
    segment: Segment,
    t: f64,
    code_discount: f64,
) -> Vec<(usize, i64, f64)> {
    let (available, weights) = on_sale(products, t);
    let wanted: usize = match segment {
        Segment::Consumer => rng.pick(&[(1, 45.0), (2, 27.0), (3, 14.0), (4, 8.0), (5, 4.0), (6, 2.0)]),
        Segment::SmallBusiness => {
            rng.pick(&[(1, 20.0), (2, 25.0), (3, 22.0), (4, 15.0), (5, 10.0), (6, 8.0)])
        }
        Segment::Enterprise => {
            rng.pick(&[(2, 15.0), (3, 20.0), (4, 20.0), (5, 15.0), (6, 12.0), (8, 10.0), (10, 8.0)])
        }
    };
    let wanted = wanted.min(available.len());
    let mut lines: Vec<(usize, i64, f64)> = Vec::with_capacity(wanted);
    let mut attempts = 0;
    while lines.len() < wanted && attempts < 100 {
        attempts += 1;
        let product = available[rng.weighted(&weights)];
        if lines.iter().any(|&(p, ..)| p == product) {
            continue;
        }
        let quantity: i64 = match segment {
            Segment::Consumer => rng.pick(&[(1, 80.0), (2, 14.0), (3, 4.0), (4, 1.5), (5, 0.5)]),
            Segment::SmallBusiness => rng.pick(&[(1, 55.0), (2, 22.0), (3, 10.0), (5, 9.0), (10, 4.0)]),
            Segment::Enterprise => {
                rng.pick(&[(1, 35.0), (2, 25.0), (3, 15.0), (5, 15.0), (10, 8.0), (25, 2.0)])
            }
        };
        let mut price = products[product].price * (1.0 - code_discount);
        if rng.chance(0.08) {
            price *= 1.0 - *rng.choose(&[0.10, 0.15, 0.20, 0.25]);
        }
        lines.push((product, quantity, cents(price)));
    }
    lines
}

/// Recent orders are still in flight; older ones are delivered, cancelled or refunded, and
/// orders with a defect-prone product are refunded far more often.
fn status(rng: &mut Rng, t: f64, troubled: bool) -> Status {
    let age = 1.0 - t;
    let r = rng.unit();
    if age < days(1.5) {
        return if r < 0.04 {
            Status::Cancelled
        } else if r < 0.45 {
            Status::Pending
        } else {
            Status::Paid
        };
    }
    if age < days(6.0) {
        return if r < 0.05 {
            Status::Cancelled
        } else if r < 0.15 {
            Status::Paid
        } else {
            Status::Shipped
        };
    }
    let refund = if troubled { 0.12 } else { 0.02 };
    if r < 0.045 {
        Status::Cancelled
    } else if r < 0.045 + refund {
        Status::Refunded
    } else if r < 0.05 + refund {
        Status::Pending
    } else {
        Status::Delivered
    }
}

/// One or two payment attempts per order that got past `pending`.
fn payments(clock: &Clock, customers: &[Customer], orders: &[Order], totals: &[f64]) -> Table {
    let mut rng = Rng::stream(SEED, 5);
    let mut table = Table::new("payments", &["id", "order_id", "method", "amount", "paid_at", "status"]);
    let mut pay = |order: usize, method: Method, amount: f64, secs: i64, outcome: &'static str| {
        table.push([
            table.next_id().into(),
            (order as i64 + 1).into(),
            method.as_str().into(),
            amount.into(),
            clock.stamp(secs).into(),
            outcome.into(),
        ]);
    };
    for (i, (order, &total)) in orders.iter().zip(totals).enumerate() {
        if order.status == Status::Pending || total <= 0.0 {
            continue;
        }
        let mut method = primary_method(&mut rng, customers[order.customer].segment, order.channel);
        if method == Method::GiftCard && total > 150.0 {
            method = Method::Card;
        }
        let outcome = match order.status {
            Status::Refunded => "refunded",
            Status::Cancelled if rng.chance(0.55) => "failed",
            Status::Cancelled => "refunded",
            _ => "succeeded",
        };
        let mut secs = order.secs + rng.range(20, 240);
        if outcome == "failed" {
            pay(i, method, total, secs, outcome);
            continue;
        }
        if order.channel != Channel::Store
            && method != Method::BankTransfer
            && total > 40.0
            && rng.chance(0.05)
        {
            // Part paid with a gift card, the rest with the usual method.
            let gift = f64::min(*rng.choose(&[25.0, 50.0, 100.0]), cents(total - 5.0));
            pay(i, Method::GiftCard, gift, secs, outcome);
            pay(i, method, cents(total - gift), secs + rng.range(5, 60), outcome);
            continue;
        }
        if outcome == "succeeded" && method == Method::Card && rng.chance(0.07) {
            // Declined card, then a successful retry.
            pay(i, method, total, secs, "failed");
            secs += rng.range(60, 900);
            let retry = if rng.chance(0.4) { Method::PayPal } else { Method::Card };
            pay(i, retry, total, secs, outcome);
            continue;
        }
        if method == Method::BankTransfer {
            secs += rng.range(6 * 3_600, 3 * 86_400);
        }
        pay(i, method, total, secs, outcome);
    }
    table
}

fn primary_method(rng: &mut Rng, segment: Segment, channel: Channel) -> Method {
    if channel == Channel::Store {
        return rng.pick(&[(Method::Card, 90.0), (Method::GiftCard, 10.0)]);
    }
    match segment {
        Segment::Consumer => rng.pick(&[
            (Method::Card, 60.0),
            (Method::PayPal, 34.0),
            (Method::GiftCard, 3.0),
            (Method::BankTransfer, 3.0),
        ]),
        Segment::SmallBusiness => {
            rng.pick(&[(Method::Card, 55.0), (Method::PayPal, 15.0), (Method::BankTransfer, 30.0)])
        }
        Segment::Enterprise => rng.pick(&[(Method::Card, 40.0), (Method::BankTransfer, 60.0)]),
    }
}
