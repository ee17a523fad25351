//! Fixed vocabulary of the demo shop: categories, product names, people, places.

/// One product category and how to make up its products.
#[derive(Debug)]
pub(crate) struct CategorySpec {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    /// SKU prefix.
    pub(crate) sku: &'static str,
    /// Number of products in the category.
    pub(crate) products: usize,
    /// Typical list price range in USD for the base variant.
    pub(crate) price: (f64, f64),
    /// Product types; each is combined with a brand and a variant.
    pub(crate) nouns: &'static [&'static str],
}

/// The 12 categories, 150 products in all.
pub(crate) const CATEGORIES: [CategorySpec; 12] = [
    CategorySpec {
        name: "Audio",
        description: "Headphones, speakers and hi-fi.",
        sku: "AUD",
        products: 14,
        price: (19.0, 399.0),
        nouns: &[
            "Wireless Earbuds",
            "Over-Ear Headphones",
            "Bookshelf Speaker",
            "Soundbar",
            "Portable Speaker",
        ],
    },
    CategorySpec {
        name: "Laptops & Tablets",
        description: "Portable computers, tablets and e-readers.",
        sku: "LAP",
        products: 12,
        price: (149.0, 1899.0),
        nouns: &["Ultrabook 13", "Ultrabook 15", "Tablet 11", "E-Reader", "Chromebook"],
    },
    CategorySpec {
        name: "Phone Accessories",
        description: "Cables, chargers, cases and mounts.",
        sku: "PHA",
        products: 16,
        price: (7.0, 79.0),
        nouns: &["USB-C Cable", "Fast Charger", "Power Bank", "Phone Case", "Screen Protector", "Car Mount"],
    },
    CategorySpec {
        name: "Smart Home",
        description: "Connected plugs, lights, cameras and thermostats.",
        sku: "SMH",
        products: 12,
        price: (15.0, 279.0),
        nouns: &["Smart Plug", "Video Doorbell", "Smart Thermostat", "Indoor Camera", "Light Strip"],
    },
    CategorySpec {
        name: "Kitchen",
        description: "Cookware, knives and small appliances.",
        sku: "KIT",
        products: 12,
        price: (14.0, 449.0),
        nouns: &["Chef Knife", "Cast Iron Pan", "Blender", "Air Fryer", "Stand Mixer"],
    },
    CategorySpec {
        name: "Coffee & Tea",
        description: "Brewing gear and specialty beans.",
        sku: "COF",
        products: 12,
        price: (9.0, 799.0),
        nouns: &[
            "Espresso Machine",
            "Burr Grinder",
            "Pour-Over Kettle",
            "Single-Origin Beans",
            "French Press",
        ],
    },
    CategorySpec {
        name: "Home Office",
        description: "Desks, chairs and desk accessories.",
        sku: "OFF",
        products: 12,
        price: (15.0, 699.0),
        nouns: &["Standing Desk", "Ergonomic Chair", "Monitor Arm", "Desk Lamp", "Mechanical Keyboard"],
    },
    CategorySpec {
        name: "Outdoor",
        description: "Camping and hiking equipment.",
        sku: "OUT",
        products: 12,
        price: (12.0, 399.0),
        nouns: &["Trail Backpack", "Two-Person Tent", "Sleeping Bag", "Camp Stove", "Headlamp"],
    },
    CategorySpec {
        name: "Fitness",
        description: "Home training equipment and trackers.",
        sku: "FIT",
        products: 12,
        price: (10.0, 899.0),
        nouns: &["Yoga Mat", "Adjustable Dumbbells", "Fitness Tracker", "Foam Roller", "Smart Bike Trainer"],
    },
    CategorySpec {
        name: "Books",
        description: "Cookbooks, guides and gift books.",
        sku: "BOK",
        products: 12,
        price: (9.0, 55.0),
        nouns: &["Cookbook", "Field Guide", "Design Handbook", "Travel Atlas", "Programming Primer"],
    },
    CategorySpec {
        name: "Toys & Games",
        description: "Board games, puzzles and building kits.",
        sku: "TOY",
        products: 12,
        price: (12.0, 149.0),
        nouns: &["Board Game", "Jigsaw Puzzle", "Building Kit", "Card Game", "Robot Kit"],
    },
    CategorySpec {
        name: "Beauty & Care",
        description: "Skin care, grooming and personal care devices.",
        sku: "BEA",
        products: 12,
        price: (6.0, 229.0),
        nouns: &["Face Serum", "Electric Toothbrush", "Hair Dryer", "Shaving Kit", "Sunscreen SPF50"],
    },
];

/// Splits one of the comma-separated word lists below.
pub(crate) fn words(list: &'static str) -> Vec<&'static str> {
    list.split(',').collect()
}

/// House and partner brands.
pub(crate) const BRANDS: &str =
    "Nordlys,Kestrel,Aurora,Vanta,Lumen,Halden,Ostara,Brightwell,Tern,Solvik,Marlow,Quill";

/// Product variants: name suffix and price factor.
pub(crate) const VARIANTS: [(&str, f64); 4] = [("", 1.0), (" Pro", 1.35), (" Mini", 0.7), (" Max", 1.6)];

/// Given names, international mix.
pub(crate) const FIRST_NAMES: &str = "Emma,Liam,Olivia,Noah,Ava,Lucas,Mia,Leon,Sofia,Elias,Chloé,Hugo,\
    Zoë,Mateo,Isla,Oscar,Freya,Jonas,Léa,Arthur,Maja,Finn,Alba,Nils,Giulia,Marco,Lucía,José,Hanna,Søren,Ingrid,\
    Łukasz,Zofia,Yuki,Haruto,Aiko,Priya,Arjun,Amara,Kwame,Fatima,Omar,Grace,Ethan,Chloe,\
    Jack,Ruby,Oliver,Charlotte,James,Amelia,Henry,Nora,Samuel,Layla,Daniel";

/// Family names, international mix.
pub(crate) const LAST_NAMES: &str = "Smith,Johnson,Williams,Brown,Garcia,Miller,Davis,Martin,Müller,\
    Schmidt,Schneider,Fischer,Weber,Dubois,Moreau,Laurent,Lefèvre,Rossi,Russo,Bianchi,Fernández,López,\
    Martínez,Jansen,de Vries,Bakker,Andersson,Johansson,Nilsson,Kowalski,Nowak,Wiśniewski,\
    Tanaka,Suzuki,Sato,Patel,Singh,Nguyen,Chen,Wang,Kim,Taylor,Wilson,Thompson,White,Clarke,\
    Walker,Wright,Hughes,Evans,O'Brien,Murphy,Campbell,Novak,Horvat,Silva";

/// Company names are `{word} {kind}`.
pub(crate) const COMPANY_WORDS: &str = "Northwind,Bluefield,Summit,Brightline,Redwood,Harbor,Ironbridge,\
    Silverleaf,Oakmont,Clearwater,Foxglove,Greystone,Juniper,Keystone,Lakeside,Meridian,Pinecrest,Riverbend,\
    Stonegate,Westbrook";

/// Second word of company names.
pub(crate) const COMPANY_KINDS: &str =
    "Trading,Labs,Studio,Logistics,Partners,Systems,Design,Consulting,Works,Group";

/// Consumer e-mail domains (reserved example domains).
pub(crate) const MAIL_DOMAINS: [&str; 4] = ["example.com", "example.net", "example.org", "mail.example"];

/// A country customers live in.
#[derive(Debug)]
pub(crate) struct CountrySpec {
    /// ISO 3166-1 alpha-2 code.
    pub(crate) code: &'static str,
    /// Share of customers.
    pub(crate) weight: f64,
    /// Cities and their share within the country.
    pub(crate) cities: &'static [(&'static str, f64)],
}

/// Countries with skewed customer shares.
pub(crate) const COUNTRIES: [CountrySpec; 12] = [
    CountrySpec {
        code: "US",
        weight: 28.0,
        cities: &[
            ("New York", 5.0),
            ("Los Angeles", 4.0),
            ("Chicago", 3.0),
            ("Austin", 2.0),
            ("Seattle", 2.0),
        ],
    },
    CountrySpec {
        code: "GB",
        weight: 14.0,
        cities: &[("London", 6.0), ("Manchester", 2.0), ("Bristol", 1.5), ("Edinburgh", 1.5), ("Leeds", 1.0)],
    },
    CountrySpec {
        code: "DE",
        weight: 12.0,
        cities: &[("Berlin", 4.0), ("Munich", 3.0), ("Hamburg", 2.5), ("Cologne", 2.0), ("Leipzig", 1.0)],
    },
    CountrySpec {
        code: "FR",
        weight: 9.0,
        cities: &[("Paris", 6.0), ("Lyon", 2.0), ("Marseille", 1.5), ("Toulouse", 1.0), ("Nantes", 1.0)],
    },
    CountrySpec {
        code: "CA",
        weight: 7.0,
        cities: &[("Toronto", 4.0), ("Montreal", 2.5), ("Vancouver", 2.5), ("Calgary", 1.0)],
    },
    CountrySpec {
        code: "NL",
        weight: 6.0,
        cities: &[("Amsterdam", 4.0), ("Rotterdam", 2.0), ("Utrecht", 1.5), ("Eindhoven", 1.0)],
    },
    CountrySpec {
        code: "ES",
        weight: 5.0,
        cities: &[("Madrid", 4.0), ("Barcelona", 3.5), ("Valencia", 1.5), ("Seville", 1.0)],
    },
    CountrySpec {
        code: "IT",
        weight: 5.0,
        cities: &[("Milan", 4.0), ("Rome", 3.5), ("Turin", 1.5), ("Bologna", 1.0)],
    },
    CountrySpec {
        code: "SE",
        weight: 4.0,
        cities: &[("Stockholm", 5.0), ("Gothenburg", 2.0), ("Malmö", 1.5)],
    },
    CountrySpec {
        code: "AU",
        weight: 4.0,
        cities: &[("Sydney", 4.5), ("Melbourne", 4.0), ("Brisbane", 1.5), ("Perth", 1.0)],
    },
    CountrySpec {
        code: "PL",
        weight: 3.0,
        cities: &[("Warsaw", 4.0), ("Kraków", 2.5), ("Wrocław", 1.5), ("Gdańsk", 1.0)],
    },
    CountrySpec {
        code: "JP",
        weight: 3.0,
        cities: &[("Tokyo", 6.0), ("Osaka", 2.5), ("Yokohama", 1.5), ("Fukuoka", 1.0)],
    },
];

/// Traffic sources of web sessions; `None` is a direct visit.
pub(crate) const REFERRERS: [(Option<&str>, f64); 8] = [
    (None, 42.0),
    (Some("google"), 26.0),
    (Some("newsletter"), 9.0),
    (Some("instagram"), 8.0),
    (Some("partner_blog"), 5.0),
    (Some("tiktok"), 4.0),
    (Some("bing"), 3.0),
    (Some("facebook"), 3.0),
];

/// Support ticket subjects per category.
pub(crate) fn ticket_subjects(category: &str) -> &'static [&'static str] {
    match category {
        "shipping" => &[
            "Where is my order?",
            "Parcel marked delivered but not received",
            "Delivery is late",
            "Wrong delivery address",
            "Package arrived damaged",
        ],
        "refund" => {
            &["Refund request", "Item not as described", "Return label needed", "Still waiting for my refund"]
        }
        "product_defect" => &[
            "Stopped working after a week",
            "Does not turn on",
            "Missing parts in the box",
            "Battery drains very fast",
            "Broken on arrival",
        ],
        "billing" => &[
            "Charged twice",
            "Payment declined but money taken",
            "Need an invoice with VAT number",
            "Discount code not applied",
        ],
        "account" => {
            &["Cannot log in", "Change my e-mail address", "Delete my account", "Password reset not arriving"]
        }
        _ => &[
            "Question about a product",
            "Stock availability",
            "Gift wrapping options",
            "Feedback on the shop",
        ],
    }
}

/// Lower-case ASCII slug for e-mail addresses: letters and digits only, common accents folded.
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'á' | 'à' | 'â' | 'ä' | 'å' | 'ã' => out.push('a'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'í' | 'ì' | 'î' | 'ï' => out.push('i'),
            'ó' | 'ò' | 'ô' | 'ö' | 'ø' | 'õ' => out.push('o'),
            'ú' | 'ù' | 'û' | 'ü' => out.push('u'),
            'ñ' | 'ń' => out.push('n'),
            'ç' | 'ć' => out.push('c'),
            'ł' => out.push('l'),
            'ś' => out.push('s'),
            'ß' => out.push_str("ss"),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_adds_up() {
        assert_eq!(CATEGORIES.iter().map(|c| c.products).sum::<usize>(), 150);
        for category in &CATEGORIES {
            assert!(category.products <= category.nouns.len() * VARIANTS.len(), "{}", category.name);
            assert!(category.price.0 > 0.0 && category.price.0 < category.price.1);
        }
        assert_eq!(slug("Łukasz Wiśniewski"), "lukaszwisniewski");
        assert_eq!(slug("O'Brien"), "obrien");
        assert_eq!(slug("de Vries"), "devries");
        for list in [BRANDS, FIRST_NAMES, LAST_NAMES, COMPANY_WORDS, COMPANY_KINDS] {
            assert!(words(list).iter().all(|w| !w.is_empty() && w.trim() == *w), "{list}");
        }
        assert_eq!(words(FIRST_NAMES).len(), 56);
    }
}
