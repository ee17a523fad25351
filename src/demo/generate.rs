//! Generates all rows of the demo shop. Pure: the output depends on the end date only through
//! [`Clock`], which turns business time into dates.

use std::collections::HashSet;

use super::calendar::{Clock, growing};
use super::catalog::{
    BRANDS, CATEGORIES, COMPANY_KINDS, COMPANY_WORDS, COUNTRIES, FIRST_NAMES, LAST_NAMES, MAIL_DOMAINS,
    VARIANTS, slug, words,
};
use super::rng::{Rng, cents};
use super::table::Table;
use super::{activity, orders};

/// Fixed seed of the whole data set ("PICOVIS!").
pub(crate) const SEED: u64 = 0x5049_434F_5649_5321;

/// Number of customer accounts.
const CUSTOMERS: usize = 3_000;

/// Business time of the launch campaign at the start of the data (about a month): the shop
/// opened then, and the customers who signed up during it take their time with a first order.
pub(crate) const LAUNCH: f64 = 0.04;

/// A product as the order generator sees it.
#[derive(Debug, Clone)]
pub(crate) struct Product {
    pub(crate) price: f64,
    /// Business time from which it is sold (negative: before the window).
    pub(crate) sold_from: f64,
    /// Business time from which it is no longer sold (above 1: still sold).
    pub(crate) sold_until: f64,
    /// Relative chance of being picked.
    pub(crate) popularity: f64,
    /// Prone to defects: more refunds and tickets.
    pub(crate) troubled: bool,
}

/// Customer segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Segment {
    Consumer,
    SmallBusiness,
    Enterprise,
}

impl Segment {
    fn as_str(self) -> &'static str {
        match self {
            Self::Consumer => "consumer",
            Self::SmallBusiness => "small_business",
            Self::Enterprise => "enterprise",
        }
    }
}

/// A customer as the order generator sees it.
#[derive(Debug, Clone)]
pub(crate) struct Customer {
    /// Business time of the sign-up; customers are sorted by it.
    pub(crate) signup: f64,
    pub(crate) segment: Segment,
    /// Index into `COUNTRIES`.
    pub(crate) country: usize,
    pub(crate) opt_in: bool,
    /// Order frequency multiplier, around 1.
    pub(crate) activity: f64,
}

/// Number of customers who signed up at or before business time `t` (a prefix of `customers`).
pub(crate) fn signed_up_by(customers: &[Customer], t: f64) -> usize {
    customers.partition_point(|c| c.signup <= t)
}

/// Products on sale at business time `t` and their popularity weights.
pub(crate) fn on_sale(products: &[Product], t: f64) -> (Vec<usize>, Vec<f64>) {
    products
        .iter()
        .enumerate()
        .filter(|(_, p)| (p.sold_from..p.sold_until).contains(&t))
        .map(|(i, p)| (i, p.popularity))
        .unzip()
}

/// All tables of the demo shop, parents before children.
pub(crate) fn generate(clock: &Clock) -> Vec<Table> {
    let (products, products_table) = products(clock);
    let (customers, customers_table) = customers(clock);
    let (orders, [orders_table, items_table, payments_table]) =
        orders::generate(clock, &products, &customers);
    vec![
        categories(),
        products_table,
        customers_table,
        orders_table,
        items_table,
        payments_table,
        activity::support_tickets(clock, &customers, &orders),
        activity::web_events(clock, &products, &customers, &orders),
    ]
}

fn categories() -> Table {
    let mut table = Table::new("categories", &["id", "name", "description"]);
    for spec in &CATEGORIES {
        table.push([table.next_id().into(), spec.name.into(), spec.description.into()]);
    }
    table
}

fn products(clock: &Clock) -> (Vec<Product>, Table) {
    let mut rng = Rng::stream(SEED, 1);
    let brands = words(BRANDS);
    let mut products = Vec::new();
    let mut table = Table::new(
        "products",
        &["id", "category_id", "sku", "name", "list_price", "unit_cost", "launched_on", "discontinued"],
    );
    for (category, spec) in CATEGORIES.iter().enumerate() {
        for j in 0..spec.products {
            let noun = spec.nouns[j % spec.nouns.len()];
            let (variant, factor) = VARIANTS[(j / spec.nouns.len()) % VARIANTS.len()];
            let brand = brands[(category * 5 + j * 7) % brands.len()];
            let u = rng.unit();
            let price = shelf_price((spec.price.0 + (spec.price.1 - spec.price.0) * u * u) * factor);
            let cost = cents(price * rng.between(0.38, 0.68));
            let (sold_from, launched_on) = if rng.chance(0.68) {
                (-1.0, clock.date_offset(-rng.range(20, 1_400)))
            } else {
                let t = rng.between(0.03, 0.9);
                (t, clock.date_at(clock.at(t)))
            };
            let discontinued = sold_from < 0.0 && rng.chance(0.09);
            let sold_until = if discontinued { rng.between(0.35, 0.95) } else { 2.0 };
            table.push([
                table.next_id().into(),
                (category as i64 + 1).into(),
                format!("{}-{:03}", spec.sku, j + 1).into(),
                format!("{brand} {noun}{variant}").into(),
                price.into(),
                cost.into(),
                launched_on.into(),
                discontinued.into(),
            ]);
            products.push(Product { price, sold_from, sold_until, popularity: 0.0, troubled: false });
        }
    }
    // Zipf-like popularity over a random ranking, damped for expensive items: a handful of
    // products carries much of the revenue.
    let mut ranking: Vec<usize> = (0..products.len()).collect();
    rng.shuffle(&mut ranking);
    for (rank, &index) in ranking.iter().enumerate() {
        let x = rank as f64 + 8.0;
        let product = &mut products[index];
        product.popularity = 1.0 / (x * x.sqrt()) / (1.0 + product.price / 50.0).sqrt();
    }
    for _ in 0..3 {
        let index = ranking[rng.below(25) + 3];
        products[index].troubled = true;
    }
    (products, table)
}

/// Turns a raw price into a shop price: 4.99 minimum, .99 endings, 9.99 steps above 200.
fn shelf_price(raw: f64) -> f64 {
    if raw >= 200.0 {
        cents((raw / 10.0).round() * 10.0 - 0.01)
    } else if raw >= 10.0 {
        cents(raw.floor() + 0.99)
    } else {
        cents(raw).max(4.99)
    }
}

fn customers(clock: &Clock) -> (Vec<Customer>, Table) {
    let mut rng = Rng::stream(SEED, 2);
    let first_names = words(FIRST_NAMES);
    let last_names = words(LAST_NAMES);
    let company_words = words(COMPANY_WORDS);
    let company_kinds = words(COMPANY_KINDS);
    let country_weights: Vec<f64> = COUNTRIES.iter().map(|c| c.weight).collect();
    // Sign-ups grow over time, after a burst during the launch campaign.
    let mut signups: Vec<f64> = (0..CUSTOMERS)
        .map(|_| if rng.chance(0.06) { rng.between(0.0, LAUNCH) } else { growing(rng.unit(), 0.8) })
        .collect();
    signups.sort_by(f64::total_cmp);

    let mut table = Table::new(
        "customers",
        &["id", "name", "email", "company", "segment", "country", "city", "signed_up_on", "marketing_opt_in"],
    );
    let mut customers = Vec::with_capacity(CUSTOMERS);
    let mut emails = HashSet::new();
    for signup in signups {
        let segment = rng.pick(&[
            (Segment::Consumer, 0.82),
            (Segment::SmallBusiness, 0.14),
            (Segment::Enterprise, 0.04),
        ]);
        let first = *rng.choose(&first_names);
        let last = *rng.choose(&last_names);
        let company = if segment == Segment::Consumer {
            None
        } else {
            Some(format!("{} {}", rng.choose(&company_words), rng.choose(&company_kinds)))
        };
        let email = unique_email(&mut rng, &mut emails, first, last, company.as_deref());
        let country = rng.weighted(&country_weights);
        let city = if rng.chance(0.03) { None } else { Some(rng.pick(COUNTRIES[country].cities)) };
        let opt_in = rng.chance(if segment == Segment::Consumer { 0.42 } else { 0.58 });
        let activity = rng.between(0.5, 1.5);
        table.push([
            table.next_id().into(),
            format!("{first} {last}").into(),
            email.into(),
            company.into(),
            segment.as_str().into(),
            COUNTRIES[country].code.into(),
            city.into(),
            clock.date_at(clock.at(signup)).into(),
            opt_in.into(),
        ]);
        customers.push(Customer { signup, segment, country, opt_in, activity });
    }
    (customers, table)
}

/// `first.last@domain`, `flast@domain` or the company domain, with a number added on collisions.
fn unique_email(
    rng: &mut Rng,
    seen: &mut HashSet<String>,
    first: &str,
    last: &str,
    company: Option<&str>,
) -> String {
    let domain = match company {
        Some(company) => format!("{}.example", slug(company)),
        None => (*rng.choose(&MAIL_DOMAINS)).to_owned(),
    };
    let (first, last) = (slug(first), slug(last));
    let local = if rng.chance(0.25) {
        format!("{}{last}", first.chars().next().unwrap_or('x'))
    } else {
        format!("{first}.{last}")
    };
    let mut email = format!("{local}@{domain}");
    let mut n = 2;
    while !seen.insert(email.clone()) {
        email = format!("{local}{n}@{domain}");
        n += 1;
    }
    email
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shelf_prices_look_like_shop_prices() {
        assert_eq!(shelf_price(1234.5), 1229.99);
        assert_eq!(shelf_price(57.2), 57.99);
        assert_eq!(shelf_price(3.0), 4.99);
    }

    #[test]
    fn emails_are_unique() {
        let mut rng = Rng::new(1);
        let mut seen = HashSet::new();
        let a = unique_email(&mut rng, &mut seen, "Zoë", "O'Brien", Some("Summit Labs"));
        let b = unique_email(&mut rng, &mut seen, "Zoë", "O'Brien", Some("Summit Labs"));
        assert_ne!(a, b);
        assert!(a.ends_with("@summitlabs.example"));
        assert!(a.is_ascii() && b.is_ascii());
    }
}
