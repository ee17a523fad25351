//! A generated enterprise schema of 10,000 tables and questions over it, for the retrieval bench.
//!
//! 20 business areas × 25 entities × 20 aspects (the entity's base table plus 19 satellite tables such
//! as history, notes or monthly statistics). Big schemas look like this: the same entities repeated
//! across modules, so a name match alone is ambiguous and the area, the aspect and the wording matter.
//! Questions are written from templates with synonyms (a person says "bills", the table says
//! `invoices`), so keyword search cannot simply match names. Deterministic: the same seed gives the
//! same schema and questions.

/// (table word, singular, synonyms people use, what it is).
const ENTITIES: &[(&str, &str, &[&str], &str)] = &[
    ("accounts", "account", &["client accounts", "customer accounts"], "customer accounts that are billed"),
    ("contacts", "contact", &["contact persons", "points of contact"], "people we talk to at each account"),
    ("invoices", "invoice", &["bills", "charges billed"], "bills sent to customers"),
    ("payments", "payment", &["money received", "settlements"], "money received against invoices"),
    ("orders", "order", &["purchases", "sales orders"], "orders placed by customers"),
    ("products", "product", &["items for sale", "catalogue items"], "what is sold"),
    ("vendors", "vendor", &["suppliers", "providers"], "companies we buy from"),
    ("contracts", "contract", &["agreements", "signed deals"], "signed agreements with terms and values"),
    ("tickets", "ticket", &["support requests", "cases"], "requests raised for help"),
    ("assets", "asset", &["equipment", "owned hardware"], "physical things the company owns"),
    ("locations", "location", &["sites", "offices"], "places where the company operates"),
    ("employees", "employee", &["staff", "workers"], "people employed by the company"),
    ("projects", "project", &["initiatives", "programmes"], "pieces of work with a goal and a deadline"),
    ("tasks", "task", &["to-dos", "work items"], "units of work inside projects"),
    ("campaigns", "campaign", &["promotions", "marketing pushes"], "marketing efforts with a budget"),
    ("leads", "lead", &["prospects", "potential customers"], "people who may become customers"),
    ("shipments", "shipment", &["deliveries", "parcels sent"], "goods sent to a destination"),
    ("warehouses", "warehouse", &["depots", "storage facilities"], "buildings where stock is stored"),
    ("documents", "document", &["files", "paperwork"], "files stored for reference"),
    ("approvals", "approval", &["sign-offs", "authorisations"], "decisions that allow something to proceed"),
    ("budgets", "budget", &["spending plans", "allocations"], "planned amounts of money to spend"),
    ("devices", "device", &["phones and laptops", "endpoints"], "computers and phones in use"),
    ("sessions", "session", &["logins", "visits"], "periods when a user was active"),
    ("subscriptions", "subscription", &["recurring plans", "memberships"], "recurring paid plans"),
    ("refunds", "refund", &["money returned", "reimbursements"], "money paid back to customers"),
];

/// Which entity each base table refers to (a foreign key between base tables of the same area).
const PARENT: &[usize] =
    &[0, 0, 0, 2, 0, 6, 6, 0, 0, 10, 10, 10, 11, 12, 20, 14, 4, 10, 11, 11, 12, 11, 21, 0, 3];

/// (prefix, words people use for the area, what it covers). People name an area by the words its tables'
/// comments use (a schema documents its modules); they name entities by paraphrases the schema does not
/// contain, which only a model of meaning can match.
const AREAS: &[(&str, &[&str], &str)] = &[
    ("billing", &["billing", "accounts receivable"], "the billing and accounts receivable system"),
    ("shipping", &["shipping", "logistics"], "the shipping and logistics platform"),
    ("inventory", &["inventory", "stock control"], "stock control and inventory management"),
    ("hr", &["human resources", "people team"], "the human resources system of the people team"),
    ("crm", &["sales CRM", "customer relationship"], "the sales CRM for customer relationship management"),
    ("marketing", &["marketing", "growth team"], "the marketing platform of the growth team"),
    ("helpdesk", &["helpdesk", "customer service"], "the helpdesk for customer service"),
    ("finance", &["finance", "accounting"], "the finance and accounting ledger"),
    ("factory", &["manufacturing", "production plant"], "the manufacturing system of the production plant"),
    ("procure", &["procurement", "purchasing"], "the procurement and purchasing tool"),
    ("webshop", &["online shop", "e-commerce store"], "the online shop, our e-commerce store"),
    ("identity", &["single sign-on", "identity provider"], "the identity provider for single sign-on"),
    ("cms", &["content management", "website content"], "the content management system for website content"),
    ("lms", &["training platform", "learning system"], "the learning system, our employee training platform"),
    ("fleet", &["vehicle fleet", "fleet management"], "fleet management for the vehicle fleet"),
    ("clinic", &["clinic", "patient care"], "the clinic's patient care system"),
    ("property", &["real estate", "facilities management"], "facilities management for real estate"),
    ("events", &["event management", "conferences"], "event management for conferences"),
    ("legal", &["legal department", "compliance"], "the legal department's compliance tracker"),
    ("energy", &["energy metering", "utilities"], "utilities and energy metering"),
];

/// (table suffix, what the table holds, how people ask for it). The first is the entity itself.
const ASPECTS: &[(&str, &str, &str)] = &[
    ("", "one row per {e}", "list of {syn}"),
    ("history", "every change to a {e}, with old and new values", "how {syn} changed over time"),
    ("notes", "free-text notes written about a {e}", "notes people wrote on {syn}"),
    ("tags", "labels attached to a {e}", "labels attached to {syn}"),
    ("attachments", "files uploaded to a {e}", "files uploaded for {syn}"),
    ("audit_log", "who viewed or edited a {e} and when", "who looked at or edited {syn}"),
    ("daily_stats", "per-day counts and totals for each {e}", "daily figures for {syn}"),
    ("monthly_stats", "per-month counts and totals for each {e}", "monthly totals of {syn}"),
    ("archive", "{e} rows removed from the live table, kept for records", "old archived {syn}"),
    ("import_errors", "rows that failed to import for a {e}, with the error", "failed imports of {syn}"),
    ("exports", "exports of {e} data sent to other systems", "data exports of {syn}"),
    ("links", "relations between one {e} and another", "how {syn} relate to each other"),
    ("versions", "numbered revisions of a {e}", "earlier revisions of {syn}"),
    ("settings", "configuration flags for a {e}", "configuration of {syn}"),
    ("comments", "discussion threads on a {e}", "discussions about {syn}"),
    ("ratings", "star scores people gave a {e}", "scores given to {syn}"),
    ("alerts", "threshold breaches raised for a {e}", "alarms raised for {syn}"),
    ("forecasts", "predicted future values for a {e}", "predictions for {syn}"),
    ("owners", "people responsible for a {e}", "who is responsible for {syn}"),
    ("translations", "texts of a {e} in other languages", "other-language versions of {syn}"),
];

/// Deterministic SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The table for area `a`, entity `e`, aspect `s`.
pub fn table_name(a: usize, e: usize, s: usize) -> String {
    let base = format!("{}_{}", AREAS[a].0, ENTITIES[e].0);
    if s == 0 { base } else { format!("{base}_{}", ASPECTS[s].0) }
}

/// Every table's DDL in the form the SQLite connector reads comments from.
pub fn ddl() -> Vec<String> {
    let mut statements = Vec::with_capacity(AREAS.len() * ENTITIES.len() * ASPECTS.len());
    for (a, (_, _, area)) in AREAS.iter().enumerate() {
        for (e, (_, singular, _, what)) in ENTITIES.iter().enumerate() {
            for (s, (_, holds, _)) in ASPECTS.iter().enumerate() {
                let name = table_name(a, e, s);
                let holds = holds.replace("{e}", singular);
                let mut columns = vec!["  id INTEGER PRIMARY KEY, -- Row id.".to_string()];
                if s == 0 {
                    let parent = PARENT[e];
                    if parent != e {
                        let (_, parent_singular, _, _) = ENTITIES[parent];
                        columns.push(format!(
                            "  {parent_singular}_id INTEGER REFERENCES {} (id), -- The {parent_singular} this {singular} belongs to.",
                            table_name(a, parent, 0)
                        ));
                    }
                    columns.push(format!("  name TEXT NOT NULL, -- Name of the {singular}."));
                    columns.push("  status TEXT NOT NULL, -- Lifecycle state.".to_string());
                    columns.push("  amount REAL, -- Value in USD where it applies.".to_string());
                } else {
                    columns.push(format!(
                        "  {singular}_id INTEGER NOT NULL REFERENCES {} (id), -- The {singular}.",
                        table_name(a, e, 0)
                    ));
                    columns.push("  value TEXT, -- The recorded value.".to_string());
                    columns.push("  user_name TEXT, -- Who recorded it.".to_string());
                }
                columns.push("  created_at TEXT NOT NULL -- When the row was written.".to_string());
                statements.push(format!(
                    "CREATE TABLE {name} (\n  -- {} in {area}: {what}; {holds}.\n{}\n);",
                    capitalise(singular),
                    columns.join("\n")
                ));
            }
        }
    }
    statements
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// `count` questions with the tables that answer them: a third about one satellite table, a third
/// about an entity's own rows, a third joining an entity to its parent.
pub fn questions(count: usize, seed: u64) -> Vec<(String, Vec<String>)> {
    let mut rng = Rng(seed);
    let mut out = Vec::with_capacity(count);
    for n in 0..count {
        let a = rng.below(AREAS.len());
        let e = rng.below(ENTITIES.len());
        let (_, area_words, _) = AREAS[a];
        let area = area_words[rng.below(area_words.len())];
        let (_, _, synonyms, _) = ENTITIES[e];
        let syn = synonyms[rng.below(synonyms.len())];
        match n % 3 {
            0 => {
                let s = 1 + rng.below(ASPECTS.len() - 1);
                let ask = ASPECTS[s].2.replace("{syn}", syn);
                out.push((format!("Show {ask} in {area}"), vec![table_name(a, e, s)]));
            }
            1 => {
                let ask = [
                    "How many {syn} are there in {area}?",
                    "What is the total amount of {syn} by status in {area}?",
                ][rng.below(2)];
                let question = ask.replace("{syn}", syn).replace("{area}", area);
                out.push((question, vec![table_name(a, e, 0)]));
            }
            _ => {
                let parent = PARENT[e];
                let (_, _, parent_synonyms, _) = ENTITIES[parent];
                let parent_syn = parent_synonyms[rng.below(parent_synonyms.len())];
                if parent == e {
                    out.push((
                        format!("Which {syn} in {area} have the largest amount?"),
                        vec![table_name(a, e, 0)],
                    ));
                } else {
                    out.push((
                        format!("Total amount of {syn} for each of the {parent_syn} in {area}"),
                        vec![table_name(a, e, 0), table_name(a, parent, 0)],
                    ));
                }
            }
        }
    }
    out
}

/// Tables changed for the incremental re-index: one column added to each of `count` tables spread over
/// the schema.
pub fn changes(count: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            let (a, e, s) = (i % AREAS.len(), (i * 7) % ENTITIES.len(), (i * 3) % ASPECTS.len());
            format!("ALTER TABLE {} ADD COLUMN reviewed_at TEXT", table_name(a, e, s))
        })
        .collect()
}

/// How many tables [`ddl`] creates.
pub fn table_count() -> usize {
    AREAS.len() * ENTITIES.len() * ASPECTS.len()
}
