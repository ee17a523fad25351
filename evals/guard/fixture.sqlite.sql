-- Picovis guard eval fixture: SQLite (3.38+ for the ->> operator in legit.sql).
-- Creates the tables that evals/guard/legit.sql reads and the canary that
-- evals/guard/bypass.sql targets, in a fresh empty database file.
-- Nothing is dropped here.
-- Type notes: timestamps are stored as ISO-8601 text ('YYYY-MM-DD HH:MM:SS'),
-- which is what SQLite's date functions read; JSON is stored as TEXT guarded
-- by json_valid(). There is no sequence (guard_seq is PostgreSQL-only).
-- The same logical tables and rows exist in fixture.postgres.sql and
-- fixture.mysql.sql.

CREATE TABLE guard_canary (
  id INTEGER PRIMARY KEY,
  note TEXT
);

CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  country CHAR(2),
  signup_date DATE NOT NULL,
  plan VARCHAR(20)
);

CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  category VARCHAR(40),
  price NUMERIC(10,2),
  attrs TEXT CHECK (attrs IS NULL OR json_valid(attrs))
);

CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL,
  ordered_at TIMESTAMP NOT NULL,
  status VARCHAR(20) NOT NULL,
  total NUMERIC(12,2)
);

CREATE TABLE order_items (
  order_id INTEGER NOT NULL,
  product_id INTEGER NOT NULL,
  quantity INTEGER NOT NULL,
  unit_price NUMERIC(10,2),
  PRIMARY KEY (order_id, product_id)
);

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER,
  kind VARCHAR(20) NOT NULL,
  at TIMESTAMP NOT NULL,
  payload TEXT CHECK (payload IS NULL OR json_valid(payload))
);

CREATE TABLE employees (
  id INTEGER PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  manager_id INTEGER
);

CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE INDEX events_customer_at_idx ON events (customer_id, at);

INSERT INTO guard_canary (id, note) VALUES
  (1, 'canary alpha: must survive every bypass attempt'),
  (2, 'canary bravo'),
  (3, NULL);

INSERT INTO customers (id, name, country, signup_date, plan) VALUES
  (1, 'Ada Lovelace', 'GB', '2023-01-15', 'pro'),
  (2, 'Grace Hopper', 'US', '2023-02-03', 'enterprise'),
  (3, 'Alan Turing', 'GB', '2023-03-21', 'free'),
  (4, 'Edsger Dijkstra', 'NL', '2023-04-10', 'pro'),
  (5, 'Barbara Liskov', 'US', '2023-05-05', 'pro'),
  (6, 'Donald Knuth', 'US', '2023-06-30', 'free'),
  (7, 'Margaret Hamilton', 'US', '2023-08-12', NULL),
  (8, 'Niklaus Wirth', 'CH', '2023-09-01', 'enterprise'),
  (9, 'Frances Allen', NULL, '2023-10-19', 'free'),
  (10, 'Ken Thompson', 'US', '2024-01-07', 'pro'),
  (11, 'Radia Perlman', 'US', '2024-02-14', NULL),
  (12, 'Tim Berners-Lee', 'GB', '2024-03-03', 'free'),
  (13, 'Pat O''Neill', 'IE', '2024-04-22', 'pro'),
  (14, 'Dormant Account', 'DE', '2024-05-30', 'free');

INSERT INTO products (id, name, category, price, attrs) VALUES
  (1, 'Mechanical Keyboard', 'hardware', 129.00, '{"color": "black", "tags": ["input", "usb"], "dims": {"w": 44, "h": 4}}'),
  (2, 'Ergonomic Mouse', 'hardware', 59.90, '{"color": "grey", "tags": ["input", "wireless"], "dims": {"w": 7, "h": 4}}'),
  (3, '4K Monitor', 'hardware', 399.00, '{"color": "black", "tags": ["display"], "dims": {"w": 61, "h": 36}}'),
  (4, 'USB-C Hub', 'accessories', 39.50, '{"color": "silver", "tags": ["usb"]}'),
  (5, 'Laptop Stand', 'accessories', 45.00, '{"color": "silver", "tags": []}'),
  (6, 'Noise-Cancelling Headphones', 'audio', 249.00, '{"color": "black", "tags": ["wireless", "audio"]}'),
  (7, 'Webcam', 'hardware', 89.00, '{"tags": ["video", "usb"]}'),
  (8, 'IDE License', 'software', 199.00, '{"seats": 1, "tags": ["license"]}'),
  (9, 'Cloud Credits', 'software', 100.00, NULL),
  (10, 'Cable Pack', NULL, 12.99, '{"color": "mixed", "tags": ["usb"]}'),
  (11, 'Discontinued Gadget', 'hardware', NULL, '{}');

INSERT INTO orders (id, customer_id, ordered_at, status, total) VALUES
  (1, 1, '2024-01-05 09:12:00', 'shipped', 188.90),
  (2, 2, '2024-01-09 14:30:00', 'shipped', 399.00),
  (3, 1, '2024-01-21 18:45:10', 'paid', 39.50),
  (4, 3, '2024-01-28 08:00:00', 'cancelled', 249.00),
  (5, 4, '2024-02-02 11:11:11', 'shipped', 258.00),
  (6, 5, '2024-02-10 20:05:00', 'shipped', 84.50),
  (7, 2, '2024-02-14 07:30:00', 'refunded', 89.00),
  (8, 6, '2024-02-20 16:20:00', 'shipped', 199.00),
  (9, 7, '2024-03-01 10:00:00', 'paid', 25.98),
  (10, 1, '2024-03-03 12:00:00', 'shipped', 448.00),
  (11, 8, '2024-03-15 09:45:00', 'shipped', 498.00),
  (12, 10, '2024-03-18 13:13:13', 'pending', NULL),
  (13, 2, '2024-03-30 22:10:00', 'shipped', 100.00),
  (14, 11, '2024-04-02 08:30:00', 'paid', 59.90),
  (15, 5, '2024-04-11 17:00:00', 'shipped', 129.00),
  (16, 12, '2024-04-19 19:19:19', 'cancelled', 12.99),
  (17, 3, '2024-04-25 06:55:00', 'shipped', 388.50),
  (18, 13, '2024-05-01 15:00:00', 'paid', 45.00),
  (19, 4, '2024-05-09 10:30:00', 'shipped', 597.00),
  (20, 99, '2024-05-12 11:00:00', 'pending', 10.00),
  (21, 1, '2024-05-20 09:00:00', 'pending', NULL),
  (22, 6, '2024-06-01 12:34:56', 'shipped', 159.80),
  (23, 10, '2024-06-07 18:00:00', 'refunded', 249.00),
  (24, 2, '2024-06-15 08:08:08', 'paid', 318.00),
  (25, 9, '2024-06-28 23:59:59', 'shipped', 200.00);

INSERT INTO order_items (order_id, product_id, quantity, unit_price) VALUES
  (1, 1, 1, 129.00),
  (1, 2, 1, 59.90),
  (2, 3, 1, 399.00),
  (3, 4, 1, 39.50),
  (4, 6, 1, 249.00),
  (5, 1, 2, 129.00),
  (6, 4, 1, 39.50),
  (6, 5, 1, 45.00),
  (7, 7, 1, 89.00),
  (8, 8, 1, 199.00),
  (9, 10, 2, 12.99),
  (10, 3, 1, 399.00),
  (10, 5, 1, 45.00),
  (10, 4, 1, 4.00),
  (11, 6, 2, 249.00),
  (12, 8, 1, NULL),
  (13, 9, 1, 100.00),
  (14, 2, 1, 59.90),
  (15, 1, 1, 129.00),
  (16, 10, 1, 12.99),
  (17, 3, 1, 349.00),
  (17, 4, 1, 39.50),
  (18, 5, 1, 45.00),
  (19, 8, 3, 199.00),
  (20, 10, 1, 10.00),
  (21, 11, 1, NULL),
  (22, 2, 2, 59.90),
  (22, 9, 1, 40.00),
  (23, 6, 1, 249.00),
  (24, 7, 2, 89.00),
  (24, 9, 1, 140.00),
  (25, 9, 2, 100.00);

INSERT INTO events (id, customer_id, kind, at, payload) VALUES
  (1, 1, 'login', '2024-01-05 09:00:00', '{"device": "desktop", "ip": "198.51.100.7"}'),
  (2, 1, 'page_view', '2024-01-05 09:02:30', '{"page": "/pricing", "ms": 120}'),
  (3, 1, 'purchase', '2024-01-05 09:12:00', '{"order_id": 1, "items": [1, 2]}'),
  (4, 2, 'login', '2024-01-09 14:20:00', '{"device": "mobile"}'),
  (5, 2, 'purchase', '2024-01-09 14:30:00', '{"order_id": 2, "items": [3]}'),
  (6, NULL, 'page_view', '2024-01-10 03:03:03', '{"page": "/", "ms": 45}'),
  (7, 3, 'login', '2024-01-28 07:50:00', '{"device": "desktop"}'),
  (8, 3, 'error', '2024-01-28 07:59:00', '{"code": 502, "page": "/checkout"}'),
  (9, 4, 'page_view', '2024-02-02 11:00:00', '{"page": "/products/1", "ms": 310}'),
  (10, 4, 'purchase', '2024-02-02 11:11:11', '{"order_id": 5, "items": [1]}'),
  (11, 5, 'login', '2024-02-10 20:00:00', NULL),
  (12, 6, 'page_view', '2024-02-20 16:00:00', '{"page": "/pricing", "ms": 98}'),
  (13, 7, 'logout', '2024-03-01 10:30:00', '{}'),
  (14, 1, 'page_view', '2024-03-03 11:55:00', '{"page": "/products/3", "ms": 150}'),
  (15, 8, 'login', '2024-03-15 09:40:00', '{"device": "tablet"}'),
  (16, NULL, 'error', '2024-03-20 00:00:01', '{"code": 404, "page": "/old"}'),
  (17, 10, 'page_view', '2024-03-18 13:00:00', '{"page": "/pricing", "ms": 210}'),
  (18, 11, 'login', '2024-04-02 08:25:00', '{"device": "mobile"}'),
  (19, 12, 'page_view', '2024-04-19 19:00:00', '{"page": "/products/10", "ms": 75}'),
  (20, 13, 'purchase', '2024-05-01 15:00:00', '{"order_id": 18, "items": [5]}'),
  (21, 2, 'page_view', '2024-06-15 08:00:00', '{"page": "/products/7", "ms": 60}'),
  (22, 9, 'login', '2024-06-28 23:50:00', '{"device": "desktop"}'),
  (23, 9, 'purchase', '2024-06-28 23:59:59', '{"order_id": 25, "items": [9]}'),
  (24, 14, 'logout', '2024-06-30 12:00:00', NULL);

INSERT INTO employees (id, name, manager_id) VALUES
  (1, 'Eve Executive', NULL),
  (2, 'Carl CTO', 1),
  (3, 'Fiona CFO', 1),
  (4, 'Erin Eng Manager', 2),
  (5, 'Oscar Ops Lead', 2),
  (6, 'Alice Accountant', 3),
  (7, 'Bob Backend', 4),
  (8, 'Fred Frontend', 4),
  (9, 'Paula Payroll', 6),
  (10, 'Ian Intern', 9);
