//! Support tickets and the sampled click stream.

use super::calendar::{Clock, days, growing};
use super::catalog::{REFERRERS, ticket_subjects};
use super::generate::{Customer, Product, SEED, Segment, on_sale, signed_up_by};
use super::orders::{Channel, Order, Status};
use super::rng::Rng;
use super::table::Table;

/// Tickets not about a particular order.
const GENERAL_TICKETS: usize = 550;

/// Recorded sessions that did not end in a purchase.
const BROWSING_SESSIONS: usize = 9_500;

/// Share of online orders whose session is recorded.
const PURCHASE_SAMPLE: f64 = 0.1;

const REFUND_TOPICS: &[(&str, f64)] = &[("refund", 55.0), ("product_defect", 45.0)];
const CANCEL_TOPICS: &[(&str, f64)] = &[("billing", 60.0), ("other", 40.0)];
const DELIVERY_TOPICS: &[(&str, f64)] =
    &[("shipping", 55.0), ("product_defect", 20.0), ("billing", 10.0), ("other", 15.0)];
const GENERAL_TOPICS: &[(&str, f64)] = &[("account", 50.0), ("billing", 20.0), ("other", 30.0)];

/// A click-stream event: type, product index, seconds since the start of the window.
type Event = (&'static str, Option<usize>, i64);

#[derive(Debug)]
struct Ticket {
    t: f64,
    customer: usize,
    order: Option<usize>,
    category: &'static str,
}

/// The `support_tickets` table: most refunded orders get one, some other orders too, plus
/// general questions.
pub(crate) fn support_tickets(clock: &Clock, customers: &[Customer], orders: &[Order]) -> Table {
    let mut rng = Rng::stream(SEED, 6);
    let mut tickets = Vec::new();
    for (i, order) in orders.iter().enumerate() {
        let (chance, topics, delay) = match order.status {
            Status::Refunded => (0.85, REFUND_TOPICS, (3.0, 20.0)),
            Status::Cancelled => (0.22, CANCEL_TOPICS, (0.05, 2.0)),
            Status::Delivered | Status::Shipped => {
                (if order.troubled { 0.16 } else { 0.07 }, DELIVERY_TOPICS, (2.0, 15.0))
            }
            Status::Pending | Status::Paid => (0.02, CANCEL_TOPICS, (0.05, 1.0)),
        };
        if !rng.chance(chance) {
            continue;
        }
        let category = rng.pick(topics);
        let t = order.t + days(rng.between(delay.0, delay.1));
        if t < 1.0 {
            tickets.push(Ticket { t, customer: order.customer, order: Some(i), category });
        }
    }
    for _ in 0..GENERAL_TICKETS {
        let t = growing(rng.unit(), 1.0);
        let known = signed_up_by(customers, t);
        if known > 0 {
            let customer = rng.below(known);
            tickets.push(Ticket { t, customer, order: None, category: rng.pick(GENERAL_TOPICS) });
        }
    }
    tickets.sort_by(|a, b| a.t.total_cmp(&b.t));

    let mut table = Table::new(
        "support_tickets",
        &[
            "id",
            "customer_id",
            "order_id",
            "subject",
            "category",
            "priority",
            "opened_at",
            "closed_at",
            "satisfaction",
        ],
    );
    for ticket in tickets {
        let mut priority = rng.pick(priorities(ticket.category));
        if customers[ticket.customer].segment == Segment::Enterprise && priority == "normal" {
            priority = "high";
        }
        let subject = *rng.choose(ticket_subjects(ticket.category));
        let hours = match priority {
            "urgent" => rng.between(1.0, 24.0),
            "high" => rng.between(3.0, 60.0),
            "normal" => rng.between(6.0, 120.0),
            _ => rng.between(12.0, 240.0),
        };
        // Resolution is measured in business time, so a ticket is open exactly when it would
        // be resolved after the end of the window (plus a few forgotten ones).
        let closed_t = ticket.t + days(hours / 24.0);
        let closed = closed_t < 1.0 && !rng.chance(0.012);
        let satisfaction = (closed && rng.chance(0.62)).then(|| score(&mut rng, ticket.category, hours));
        let opened = clock.at(ticket.t);
        let closed_at = closed.then(|| clock.stamp(clock.at(closed_t).max(opened + 120)));
        table.push([
            table.next_id().into(),
            (ticket.customer as i64 + 1).into(),
            ticket.order.map(|o| o as i64 + 1).into(),
            subject.into(),
            ticket.category.into(),
            priority.into(),
            clock.stamp(opened).into(),
            closed_at.into(),
            satisfaction.into(),
        ]);
    }
    table
}

fn priorities(category: &str) -> &'static [(&'static str, f64)] {
    match category {
        "refund" => &[("low", 5.0), ("normal", 45.0), ("high", 40.0), ("urgent", 10.0)],
        "product_defect" => &[("low", 10.0), ("normal", 50.0), ("high", 35.0), ("urgent", 5.0)],
        "shipping" => &[("low", 15.0), ("normal", 55.0), ("high", 25.0), ("urgent", 5.0)],
        "billing" => &[("low", 10.0), ("normal", 50.0), ("high", 30.0), ("urgent", 10.0)],
        "account" => &[("low", 40.0), ("normal", 50.0), ("high", 10.0)],
        _ => &[("low", 50.0), ("normal", 45.0), ("high", 5.0)],
    }
}

/// Survey score 1 to 5: refunds and slow answers make customers unhappy.
fn score(rng: &mut Rng, category: &str, hours: f64) -> i64 {
    let base = match category {
        "refund" => 2.6,
        "product_defect" => 3.0,
        "shipping" => 3.4,
        "billing" => 3.5,
        "account" => 4.1,
        _ => 3.8,
    };
    let slow = if hours > 72.0 { 0.6 } else { 0.0 };
    (base - slow + 0.9 * rng.normal()).round().clamp(1.0, 5.0) as i64
}

#[derive(Debug)]
struct Session {
    t: f64,
    customer: Option<usize>,
    order: Option<usize>,
}

/// The `web_events` table: a sample of the sessions that ended in an online order, plus
/// browsing sessions that did not, most of them anonymous.
pub(crate) fn web_events(
    clock: &Clock,
    products: &[Product],
    customers: &[Customer],
    orders: &[Order],
) -> Table {
    let mut rng = Rng::stream(SEED, 7);
    let mut sessions = Vec::new();
    for (i, order) in orders.iter().enumerate() {
        if order.channel != Channel::Store && rng.chance(PURCHASE_SAMPLE) {
            sessions.push(Session { t: order.t, customer: Some(order.customer), order: Some(i) });
        }
    }
    for _ in 0..BROWSING_SESSIONS {
        let t = growing(rng.unit(), 0.8);
        let known = signed_up_by(customers, t);
        let customer = (known > 0 && rng.chance(0.42)).then(|| rng.below(known));
        sessions.push(Session { t, customer, order: None });
    }
    sessions.sort_by(|a, b| a.t.total_cmp(&b.t));

    let mut table = Table::new(
        "web_events",
        &["id", "session_id", "customer_id", "event_type", "product_id", "occurred_at", "device", "referrer"],
    );
    for session in &sessions {
        let session_id = format!("{:016x}", rng.next_u64());
        let referrer = rng.pick(&REFERRERS);
        let order = session.order.map(|i| &orders[i]);
        let device = match order.map(|o| o.channel) {
            Some(Channel::Mobile) => "mobile",
            Some(_) => rng.pick(&[("desktop", 70.0), ("mobile", 20.0), ("tablet", 10.0)]),
            None => {
                let mobile = 0.35 + 0.2 * session.t;
                rng.pick(&[("desktop", 0.92 - mobile), ("mobile", mobile), ("tablet", 0.08)])
            }
        };
        let events = match order {
            Some(order) => purchase_events(&mut rng, products, order),
            None => browsing_events(&mut rng, clock, products, session.t),
        };
        for (kind, product, secs) in events {
            table.push([
                table.next_id().into(),
                session_id.as_str().into(),
                session.customer.map(|c| c as i64 + 1).into(),
                kind.into(),
                product.map(|p| p as i64 + 1).into(),
                clock.stamp(secs).into(),
                device.into(),
                referrer.into(),
            ]);
        }
    }
    table
}

/// Landing pages, a look around, every ordered product viewed and carted, checkout, and the
/// purchase at the exact moment the order was placed.
fn purchase_events(rng: &mut Rng, products: &[Product], order: &Order) -> Vec<Event> {
    let mut steps = Vec::new();
    steps.extend(std::iter::repeat_n(("page_view", None), rng.below(3) + 1));
    let (available, weights) = on_sale(products, order.t);
    if !available.is_empty() {
        for _ in 0..rng.range(0, 2) {
            steps.push(("product_view", Some(available[rng.weighted(&weights)])));
        }
    }
    for &product in &order.products {
        steps.push(("product_view", Some(product)));
        steps.push(("add_to_cart", Some(product)));
    }
    steps.push(("checkout", None));
    steps.push(("purchase", None));
    let mut secs = order.secs;
    let mut events: Vec<Event> = Vec::with_capacity(steps.len());
    for (kind, product) in steps.into_iter().rev() {
        events.push((kind, product, secs));
        secs -= rng.range(8, 150);
    }
    events.reverse();
    events
}

/// A session that leaves before buying: pages, maybe products, maybe a cart, rarely checkout.
fn browsing_events(rng: &mut Rng, clock: &Clock, products: &[Product], t: f64) -> Vec<Event> {
    let mut steps = Vec::new();
    let pages: usize = rng.pick(&[(1, 35.0), (2, 30.0), (3, 20.0), (4, 15.0)]);
    steps.extend(std::iter::repeat_n(("page_view", None), pages));
    let (available, weights) = on_sale(products, t);
    if !available.is_empty() && rng.chance(0.62) {
        let viewed: Vec<usize> = (0..rng.range(1, 4)).map(|_| available[rng.weighted(&weights)]).collect();
        for &product in &viewed {
            steps.push(("product_view", Some(product)));
        }
        if rng.chance(0.28) {
            for &product in viewed.iter().take(rng.below(2) + 1) {
                steps.push(("add_to_cart", Some(product)));
            }
            if rng.chance(0.35) {
                steps.push(("checkout", None));
            }
        }
    }
    let mut secs = clock.at(t);
    let mut events: Vec<Event> = Vec::with_capacity(steps.len());
    for (kind, product) in steps {
        events.push((kind, product, secs));
        secs += rng.range(10, 180);
    }
    events
}
