-- Picovis demo shop: a small, modern online retailer selling electronics, home and hobby goods
-- through a web shop, a mobile app and a pop-up store. Amounts are US dollars with two decimals,
-- dates are ISO text (YYYY-MM-DD) and timestamps are shop local time (YYYY-MM-DD HH:MM:SS).
--
-- Picovis reads the comments back from sqlite_schema.sql: comment lines right after the
-- `CREATE TABLE name (` line describe the table, a trailing comment describes the column.
-- Keep every statement ending in a semicolon at the end of a line, and no semicolons in comments.

CREATE TABLE categories (
  -- Product categories shown in the shop navigation.
  id INTEGER PRIMARY KEY, -- Category id.
  name TEXT NOT NULL UNIQUE, -- Display name.
  description TEXT NOT NULL -- One-line description of what the category contains.
);

CREATE TABLE products (
  -- Everything the shop sells or has sold. A few best sellers carry much of the revenue.
  id INTEGER PRIMARY KEY, -- Product id.
  category_id INTEGER NOT NULL REFERENCES categories (id), -- Category of the product.
  sku TEXT NOT NULL UNIQUE, -- Stock keeping unit code such as AUD-001.
  name TEXT NOT NULL, -- Product name as shown in the shop.
  list_price REAL NOT NULL CHECK (list_price > 0), -- Current list price in USD before any discount.
  unit_cost REAL NOT NULL CHECK (unit_cost >= 0), -- Purchase cost of one unit for the shop in USD. Margin is list_price - unit_cost.
  launched_on TEXT NOT NULL, -- Date the product went on sale (YYYY-MM-DD), possibly before the first order in this database.
  discontinued INTEGER NOT NULL DEFAULT 0 CHECK (discontinued IN (0, 1)) -- 1 if the product is no longer sold, else 0.
);

CREATE TABLE customers (
  -- People and companies with an account at the shop. Some have never ordered.
  -- The shop opened when the data starts, so sign-ups jump during the launch month and then grow.
  id INTEGER PRIMARY KEY, -- Customer id, in sign-up order.
  name TEXT NOT NULL, -- Full name of the account holder.
  email TEXT NOT NULL UNIQUE, -- Login e-mail address, unique.
  company TEXT, -- Company name for business accounts, NULL for consumers.
  segment TEXT NOT NULL CHECK (segment IN ('consumer', 'small_business', 'enterprise')), -- Customer segment: consumer, small_business or enterprise.
  country TEXT NOT NULL CHECK (length(country) = 2), -- Billing country as an ISO 3166-1 alpha-2 code such as US, GB or DE.
  city TEXT, -- Billing city, NULL when the customer did not give one.
  signed_up_on TEXT NOT NULL, -- Date the account was created (YYYY-MM-DD).
  marketing_opt_in INTEGER NOT NULL CHECK (marketing_opt_in IN (0, 1)) -- 1 if the customer agreed to receive marketing e-mails, else 0.
);

CREATE TABLE orders (
  -- Orders placed in the web shop, the mobile app or the store. Revenue is in order_items.
  id INTEGER PRIMARY KEY, -- Order id, in order of placement.
  customer_id INTEGER NOT NULL REFERENCES customers (id), -- Customer who placed the order.
  ordered_at TEXT NOT NULL, -- When the order was placed (YYYY-MM-DD HH:MM:SS).
  status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded')), -- Fulfilment state: pending (not paid yet), paid, shipped, delivered, cancelled or refunded.
  channel TEXT NOT NULL CHECK (channel IN ('web', 'mobile', 'store')), -- Where the order was placed: web shop, mobile app or physical store.
  shipping_country TEXT NOT NULL CHECK (length(shipping_country) = 2), -- Delivery country as an ISO 3166-1 alpha-2 code, usually the customer country.
  discount_code TEXT -- Promotion code used at checkout such as WELCOME10, NULL if none.
);

CREATE TABLE order_items (
  -- Order lines. The revenue of a line is quantity * unit_price, of an order the sum over its lines.
  id INTEGER PRIMARY KEY, -- Order line id.
  order_id INTEGER NOT NULL REFERENCES orders (id), -- Order the line belongs to.
  product_id INTEGER NOT NULL REFERENCES products (id), -- Product sold. Each product appears at most once per order.
  quantity INTEGER NOT NULL CHECK (quantity > 0), -- Number of units.
  unit_price REAL NOT NULL CHECK (unit_price >= 0) -- Price charged per unit in USD after discounts, usually the list price.
);

CREATE TABLE payments (
  -- Payment attempts. Every order past pending has one or two, for example a declined card and a successful retry, or a gift card plus a card.
  id INTEGER PRIMARY KEY, -- Payment id.
  order_id INTEGER NOT NULL REFERENCES orders (id), -- Order being paid.
  method TEXT NOT NULL CHECK (method IN ('card', 'paypal', 'bank_transfer', 'gift_card')), -- Payment method: card, paypal, bank_transfer or gift_card.
  amount REAL NOT NULL CHECK (amount > 0), -- Amount in USD.
  paid_at TEXT NOT NULL, -- When the payment was made or attempted (YYYY-MM-DD HH:MM:SS).
  status TEXT NOT NULL CHECK (status IN ('succeeded', 'failed', 'refunded')) -- succeeded, failed (declined, no money moved) or refunded (money later returned).
);

CREATE TABLE support_tickets (
  -- Customer service tickets. Most refunded orders have one.
  id INTEGER PRIMARY KEY, -- Ticket id, in order of opening.
  customer_id INTEGER NOT NULL REFERENCES customers (id), -- Customer who opened the ticket.
  order_id INTEGER REFERENCES orders (id), -- Order the ticket is about, NULL for general questions.
  subject TEXT NOT NULL, -- Subject line written by the customer.
  category TEXT NOT NULL CHECK (category IN ('shipping', 'refund', 'product_defect', 'billing', 'account', 'other')), -- Topic set by the support agent.
  priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')), -- Priority: low, normal, high or urgent.
  opened_at TEXT NOT NULL, -- When the ticket was opened (YYYY-MM-DD HH:MM:SS).
  closed_at TEXT, -- When the ticket was resolved (YYYY-MM-DD HH:MM:SS), NULL while it is still open.
  satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5) -- Survey score from 1 (very unhappy) to 5 (very happy), NULL if not answered or still open.
);

CREATE TABLE web_events (
  -- Sampled click stream of the web shop and the app: one in ten purchase sessions plus a sample of browsing sessions.
  -- Event types form a funnel: page_view, product_view, add_to_cart, checkout, purchase.
  id INTEGER PRIMARY KEY, -- Event id.
  session_id TEXT NOT NULL, -- Browser or app session, 16 hex digits.
  customer_id INTEGER REFERENCES customers (id), -- Logged-in customer, NULL for anonymous visitors.
  event_type TEXT NOT NULL CHECK (event_type IN ('page_view', 'product_view', 'add_to_cart', 'checkout', 'purchase')), -- What happened: page_view, product_view, add_to_cart, checkout or purchase.
  product_id INTEGER REFERENCES products (id), -- Product viewed or added to the cart, NULL for other event types.
  occurred_at TEXT NOT NULL, -- When it happened (YYYY-MM-DD HH:MM:SS). A purchase event has the ordered_at of its order.
  device TEXT NOT NULL CHECK (device IN ('desktop', 'mobile', 'tablet')), -- Device class: desktop, mobile or tablet.
  referrer TEXT -- Traffic source of the session such as google or newsletter, NULL for direct visits.
);

CREATE INDEX products_category ON products (category_id);
CREATE INDEX customers_country ON customers (country);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE INDEX orders_ordered_at ON orders (ordered_at);
CREATE UNIQUE INDEX order_items_order_product ON order_items (order_id, product_id);
CREATE INDEX order_items_product ON order_items (product_id);
CREATE INDEX payments_order ON payments (order_id);
CREATE INDEX support_tickets_customer ON support_tickets (customer_id);
CREATE INDEX support_tickets_order ON support_tickets (order_id);
CREATE INDEX web_events_session ON web_events (session_id);
CREATE INDEX web_events_customer ON web_events (customer_id);
CREATE INDEX web_events_occurred_at ON web_events (occurred_at);
