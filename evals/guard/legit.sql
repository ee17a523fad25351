-- Picovis guard eval corpus: LEGITIMATE read-only queries.
--
-- Every case below must be ACCEPTED by the guard for each dialect it names,
-- and must then RUN successfully against the matching fixture
-- (fixture.postgres.sql / fixture.mysql.sql / fixture.sqlite.sql).
--
-- Format: a header line "-- case: <unique_snake_case_name>", optionally a
-- line "-- dialects: <subset of: postgres mysql sqlite>" (omitted = all
-- three), then the SQL text up to the next "-- case:" line. The SQL text may
-- contain comment lines of its own. A trailing ";" is part of some cases on
-- purpose: one statement followed by ";" is still exactly one statement.
--
-- "mysql" cases were validated on MariaDB 10.11 and, where the two differ,
-- use syntax that works on both MySQL 8 and MariaDB (no ->/->> JSON
-- operators, no LATERAL, no FILTER, no GROUPING SETS); the single exception is
-- the standalone VALUES case (MariaDB table value constructor syntax, noted
-- there). "sqlite" cases need SQLite 3.38+ (->> operator, iif).
--
-- Validation: every case ran against its fixture inside a read-only session
-- (PostgreSQL default_transaction_read_only=on, MariaDB SET SESSION
-- TRANSACTION READ ONLY, SQLite PRAGMA query_only=1); the mysql cases also ran
-- as server-side prepared statements (PREPARE/EXECUTE), as a binary-protocol
-- driver would send them.

-- case: revenue_by_status
SELECT status, COUNT(*) AS n_orders, SUM(total) AS revenue, AVG(total) AS avg_total
FROM orders
GROUP BY status
ORDER BY n_orders DESC, status;

-- case: top_customers_by_spend
SELECT c.id, c.name, c.country, COUNT(o.id) AS n_orders, SUM(o.total) AS spend
FROM customers c
JOIN orders o ON o.customer_id = c.id
WHERE o.status <> 'cancelled'
GROUP BY c.id, c.name, c.country
HAVING SUM(o.total) > 100
ORDER BY spend DESC
LIMIT 5

-- case: customers_without_orders_left_join
SELECT c.id, c.name
FROM customers c
LEFT JOIN orders o ON o.customer_id = c.id
WHERE o.id IS NULL
ORDER BY c.id

-- case: orders_with_unknown_customer
SELECT o.id, o.customer_id, o.total
FROM orders o
LEFT JOIN customers c ON c.id = o.customer_id
WHERE c.id IS NULL

-- case: product_revenue_from_items
SELECT p.id, p.name, p.category,
       SUM(oi.quantity) AS units,
       SUM(oi.quantity * oi.unit_price) AS revenue
FROM products p
JOIN order_items oi ON oi.product_id = p.id
JOIN orders o ON o.id = oi.order_id
WHERE o.status IN ('paid', 'shipped')
GROUP BY p.id, p.name, p.category
ORDER BY revenue DESC

-- case: min_max_avg_price_by_category
SELECT category, MIN(price) AS cheapest, MAX(price) AS priciest,
       AVG(price) AS avg_price, COUNT(*) AS n, COUNT(price) AS n_priced
FROM products
GROUP BY category
ORDER BY category

-- case: count_distinct_and_nulls
SELECT COUNT(*) AS n_events,
       COUNT(customer_id) AS n_with_customer,
       COUNT(DISTINCT customer_id) AS n_distinct_customers,
       SUM(CASE WHEN payload IS NULL THEN 1 ELSE 0 END) AS n_without_payload
FROM events

-- case: orders_between_dates
SELECT id, customer_id, ordered_at, total
FROM orders
WHERE ordered_at BETWEEN '2024-02-01 00:00:00' AND '2024-03-31 23:59:59'
  AND total IS NOT NULL
ORDER BY ordered_at

-- case: like_and_in_filters
SELECT id, name, plan
FROM customers
WHERE (name LIKE 'A%' OR name LIKE '%er%')
  AND plan IN ('pro', 'free', 'enterprise')
ORDER BY name

-- case: distinct_countries
SELECT DISTINCT country
FROM customers
WHERE country IS NOT NULL
ORDER BY country

-- case: limit_offset_paging
SELECT id, ordered_at, total
FROM orders
ORDER BY ordered_at DESC, id DESC
LIMIT 5 OFFSET 5

-- case: self_join_employee_manager
SELECT e.id, e.name AS employee, m.name AS manager
FROM employees e
LEFT JOIN employees m ON m.id = e.manager_id
ORDER BY e.id

-- case: derived_table_join
SELECT c.name, s.spend, s.n_orders
FROM (
  SELECT customer_id, SUM(total) AS spend, COUNT(*) AS n_orders
  FROM orders
  GROUP BY customer_id
) s
JOIN customers c ON c.id = s.customer_id
WHERE s.n_orders >= 2
ORDER BY s.spend DESC

-- case: pivot_with_case_sums
SELECT customer_id,
       SUM(CASE WHEN status = 'shipped' THEN 1 ELSE 0 END) AS shipped,
       SUM(CASE WHEN status = 'paid' THEN 1 ELSE 0 END) AS paid,
       SUM(CASE WHEN status IN ('cancelled', 'refunded') THEN 1 ELSE 0 END) AS lost
FROM orders
GROUP BY customer_id
ORDER BY customer_id

-- case: case_buckets
SELECT id, total,
       CASE
         WHEN total IS NULL THEN 'unknown'
         WHEN total >= 300 THEN 'large'
         WHEN total >= 100 THEN 'medium'
         ELSE 'small'
       END AS bucket
FROM orders
ORDER BY id

-- case: simple_case_form
SELECT status,
       CASE status WHEN 'shipped' THEN 'done' WHEN 'paid' THEN 'in progress' ELSE 'other' END AS phase
FROM orders
GROUP BY status

-- case: coalesce_nullif
SELECT id,
       COALESCE(plan, 'none') AS plan_or_none,
       COALESCE(country, '??') AS country_or_unknown,
       NULLIF(country, 'US') AS non_us_country,
       COALESCE(NULLIF(plan, 'free'), 'unpaid') AS paid_plan
FROM customers
ORDER BY id

-- case: cross_join_category_status_matrix
SELECT cat.category, st.status, COUNT(oi.order_id) AS n_lines
FROM (SELECT DISTINCT category FROM products WHERE category IS NOT NULL) cat
CROSS JOIN (SELECT DISTINCT status FROM orders) st
LEFT JOIN products p ON p.category = cat.category
LEFT JOIN order_items oi ON oi.product_id = p.id
  AND oi.order_id IN (SELECT id FROM orders o WHERE o.status = st.status)
GROUP BY cat.category, st.status
ORDER BY cat.category, st.status

-- case: exists_shipped_orders
SELECT c.id, c.name
FROM customers c
WHERE EXISTS (
  SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.status = 'shipped'
)
ORDER BY c.id

-- case: not_exists_any_order
SELECT c.id, c.name, c.signup_date
FROM customers c
WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)

-- case: in_subquery_bulk_products
SELECT id, name
FROM products
WHERE id IN (SELECT product_id FROM order_items WHERE quantity > 1)
ORDER BY id

-- case: not_in_subquery_never_sold
SELECT id, name
FROM products
WHERE id NOT IN (
  SELECT oi.product_id
  FROM order_items oi
  JOIN orders o ON o.id = oi.order_id
  WHERE o.status = 'shipped' AND oi.product_id IS NOT NULL
)

-- case: scalar_subquery_in_select_list
SELECT c.id, c.name,
       (SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id) AS n_orders,
       (SELECT MAX(o.ordered_at) FROM orders o WHERE o.customer_id = c.id) AS last_order_at
FROM customers c
ORDER BY c.id

-- case: correlated_above_customer_average
SELECT o.id, o.customer_id, o.total
FROM orders o
WHERE o.total > (
  SELECT AVG(o2.total) FROM orders o2 WHERE o2.customer_id = o.customer_id
)
ORDER BY o.customer_id, o.id

-- case: all_comparison_subquery
-- dialects: postgres mysql
SELECT id, name, price
FROM products
WHERE price > ALL (SELECT unit_price FROM order_items WHERE order_id = 1)

-- case: union_distinct_active_customers
SELECT customer_id FROM orders
UNION
SELECT customer_id FROM events WHERE customer_id IS NOT NULL
ORDER BY customer_id

-- case: union_all_labelled
SELECT 'order' AS source, id, customer_id FROM orders WHERE status = 'pending'
UNION ALL
SELECT 'event' AS source, id, customer_id FROM events WHERE kind = 'error'

-- case: intersect_ordering_and_active
SELECT customer_id FROM orders
INTERSECT
SELECT customer_id FROM events

-- case: except_browsed_but_never_ordered
SELECT customer_id FROM events WHERE customer_id IS NOT NULL
EXCEPT
SELECT customer_id FROM orders

-- case: row_number_latest_order_per_customer
WITH ranked AS (
  SELECT o.*, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY ordered_at DESC, id DESC) AS rn
  FROM orders o
)
SELECT id, customer_id, ordered_at, total
FROM ranked
WHERE rn = 1
ORDER BY customer_id

-- case: rank_dense_rank_by_price
SELECT id, name, category, price,
       RANK() OVER (PARTITION BY category ORDER BY price DESC) AS price_rank,
       DENSE_RANK() OVER (ORDER BY price DESC) AS global_dense_rank
FROM products
WHERE price IS NOT NULL
ORDER BY category, price_rank

-- case: lag_lead_between_orders
SELECT customer_id, id, ordered_at, total,
       LAG(ordered_at) OVER (PARTITION BY customer_id ORDER BY ordered_at) AS previous_order_at,
       COALESCE(LEAD(total) OVER (PARTITION BY customer_id ORDER BY ordered_at), 0) AS next_total
FROM orders
ORDER BY customer_id, ordered_at

-- case: running_total_rows_frame
SELECT id, ordered_at, total,
       SUM(total) OVER (ORDER BY ordered_at, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running_revenue
FROM orders
WHERE status <> 'cancelled'
ORDER BY ordered_at, id

-- case: moving_average_three_orders
SELECT id, ordered_at, total,
       AVG(total) OVER (ORDER BY ordered_at ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS moving_avg_3
FROM orders
ORDER BY ordered_at

-- case: per_customer_running_sum_and_count
SELECT customer_id, id, total,
       SUM(total) OVER (PARTITION BY customer_id ORDER BY ordered_at ROWS UNBOUNDED PRECEDING) AS customer_running,
       COUNT(*) OVER (PARTITION BY customer_id) AS customer_orders
FROM orders
ORDER BY customer_id, ordered_at

-- case: ntile_percent_rank_cume_dist
SELECT id, total,
       NTILE(4) OVER (ORDER BY total) AS quartile,
       PERCENT_RANK() OVER (ORDER BY total) AS pct_rank,
       CUME_DIST() OVER (ORDER BY total) AS cume
FROM orders
WHERE total IS NOT NULL

-- case: first_last_value_full_frame
SELECT DISTINCT category,
       FIRST_VALUE(name) OVER w AS cheapest_product,
       LAST_VALUE(name) OVER w AS priciest_product
FROM products
WHERE price IS NOT NULL AND category IS NOT NULL
WINDOW w AS (PARTITION BY category ORDER BY price ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)

-- case: share_of_total_window
SELECT status, COUNT(*) AS n,
       ROUND(100.0 * COUNT(*) / SUM(COUNT(*)) OVER (), 2) AS pct_of_orders
FROM orders
GROUP BY status
ORDER BY n DESC

-- case: top_two_products_per_category
SELECT category, name, price
FROM (
  SELECT category, name, price,
         ROW_NUMBER() OVER (PARTITION BY category ORDER BY price DESC) AS rn
  FROM products
  WHERE category IS NOT NULL
) t
WHERE rn <= 2
ORDER BY category, rn

-- case: nested_ctes_chain
WITH paid AS (
  SELECT * FROM orders WHERE status IN ('paid', 'shipped')
),
per_customer AS (
  SELECT customer_id, COUNT(*) AS n, SUM(total) AS spend FROM paid GROUP BY customer_id
),
ranked AS (
  SELECT pc.*, RANK() OVER (ORDER BY spend DESC) AS spend_rank FROM per_customer pc
)
SELECT r.spend_rank, c.name, r.n, r.spend
FROM ranked r
JOIN customers c ON c.id = r.customer_id
WHERE r.spend_rank <= 5
ORDER BY r.spend_rank

-- case: cte_inside_derived_table
SELECT t.kind, t.n
FROM (
  WITH k AS (SELECT kind, COUNT(*) AS n FROM events GROUP BY kind)
  SELECT kind, n FROM k WHERE n > 1
) t
ORDER BY t.n DESC

-- case: cte_with_column_list
WITH monthly_status (status, n) AS (
  SELECT status, COUNT(*) FROM orders GROUP BY status
)
SELECT status, n FROM monthly_status ORDER BY n DESC

-- case: recursive_cte_org_chart
WITH RECURSIVE chain AS (
  SELECT id, name, manager_id, 0 AS depth
  FROM employees
  WHERE manager_id IS NULL
  UNION ALL
  SELECT e.id, e.name, e.manager_id, c.depth + 1
  FROM employees e
  JOIN chain c ON e.manager_id = c.id
)
SELECT id, name, manager_id, depth FROM chain ORDER BY depth, id

-- case: recursive_cte_management_line_of_intern
WITH RECURSIVE up AS (
  SELECT id, name, manager_id, 1 AS level FROM employees WHERE id = 10
  UNION ALL
  SELECT m.id, m.name, m.manager_id, up.level + 1
  FROM employees m
  JOIN up ON m.id = up.manager_id
)
SELECT level, name FROM up ORDER BY level

-- case: recursive_cte_number_series_join
WITH RECURSIVE n (i) AS (
  SELECT 1
  UNION ALL
  SELECT i + 1 FROM n WHERE i < 12
)
SELECT n.i AS customer_id, COUNT(o.id) AS n_orders
FROM n
LEFT JOIN orders o ON o.customer_id = n.i
GROUP BY n.i
ORDER BY n.i

-- case: recursive_cte_subordinate_counts
WITH RECURSIVE reports (boss_id, emp_id) AS (
  SELECT manager_id, id FROM employees WHERE manager_id IS NOT NULL
  UNION ALL
  SELECT r.boss_id, e.id
  FROM reports r
  JOIN employees e ON e.manager_id = r.emp_id
)
SELECT b.name, COUNT(*) AS n_reports
FROM reports r
JOIN employees b ON b.id = r.boss_id
GROUP BY b.name
ORDER BY n_reports DESC, b.name

-- case: scary_words_in_string_literal
SELECT 'DROP TABLE x; DELETE FROM guard_canary; --' AS s

-- case: scary_words_in_line_comment
-- DROP TABLE guard_canary; DELETE FROM guard_canary;
-- SELECT pg_sleep(10); SELECT SLEEP(10); COMMIT;
SELECT COUNT(*) AS canary_rows FROM guard_canary

-- case: scary_words_in_block_comment
SELECT /* ; DELETE FROM guard_canary; TRUNCATE orders; */ id, note
FROM guard_canary /* INTO OUTFILE '/tmp/x' FOR UPDATE */
ORDER BY id;

-- case: trailing_comment_after_semicolon
SELECT id FROM guard_canary ORDER BY id; -- ; DROP TABLE guard_canary

-- case: denylisted_function_names_inside_strings
SELECT 'pg_sleep(10)' AS a, 'SLEEP(10)' AS b, 'load_extension(''x'')' AS c,
       'nextval(''guard_seq'')' AS d

-- case: doubled_quote_escapes_and_semicolons
SELECT 'it''s; fine' AS a, 'a -- b /* c */ d' AS b, '' AS empty_string, ';' AS just_semicolon

-- case: denylisted_names_as_column_aliases
SELECT id AS nextval, note AS pg_sleep, id AS sleep FROM guard_canary ORDER BY id

-- case: customer_name_with_apostrophe
SELECT id, name FROM customers WHERE name = 'Pat O''Neill'

-- case: string_functions_basic
SELECT id,
       UPPER(name) AS upper_name,
       LOWER(name) AS lower_name,
       LENGTH(name) AS name_length,
       SUBSTR(name, 1, 3) AS prefix,
       REPLACE(name, ' ', '_') AS slug,
       TRIM('  padded  ') AS trimmed
FROM customers
ORDER BY id

-- case: explain_simple_select
EXPLAIN SELECT c.name, SUM(o.total)
FROM customers c JOIN orders o ON o.customer_id = c.id
GROUP BY c.name

-- case: explain_cte_select
EXPLAIN WITH big AS (SELECT * FROM orders WHERE total > 100) SELECT COUNT(*) FROM big

-- case: quoted_identifiers_ansi_double_quotes
-- dialects: postgres sqlite
SELECT "c"."name" AS "Customer Name", "c"."plan" AS "weird ""quoted"" alias"
FROM "customers" AS "c"
WHERE "c"."id" < 5
ORDER BY "c"."id"

-- case: quoted_identifiers_backticks
-- dialects: mysql sqlite
SELECT `c`.`name` AS `Customer Name`, `o`.`total` AS `order total; DROP`
FROM `customers` AS `c`
JOIN `orders` AS `o` ON `o`.`customer_id` = `c`.`id`
ORDER BY `o`.`total` DESC
LIMIT 3

-- case: quoted_identifiers_square_brackets
-- dialects: sqlite
SELECT [name], [price] AS [price in EUR]
FROM [products]
WHERE [price] > 100

-- case: pg_percentile_cont_median_by_status
-- dialects: postgres
SELECT status,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY total) AS median_total,
       percentile_disc(0.9) WITHIN GROUP (ORDER BY total) AS p90_total
FROM orders
GROUP BY status
ORDER BY status

-- case: pg_mode_within_group
-- dialects: postgres
SELECT mode() WITHIN GROUP (ORDER BY kind) AS most_common_event_kind FROM events

-- case: pg_lateral_top_two_orders
-- dialects: postgres
SELECT c.name, o.id, o.total
FROM customers c
CROSS JOIN LATERAL (
  SELECT id, total FROM orders
  WHERE orders.customer_id = c.id AND total IS NOT NULL
  ORDER BY total DESC
  LIMIT 2
) o
ORDER BY c.name, o.total DESC

-- case: pg_left_join_lateral_last_event
-- dialects: postgres
SELECT c.id, c.name, e.kind AS last_event_kind, e.at AS last_event_at
FROM customers c
LEFT JOIN LATERAL (
  SELECT kind, at FROM events WHERE events.customer_id = c.id ORDER BY at DESC LIMIT 1
) e ON true
ORDER BY c.id

-- case: pg_jsonb_arrow_operators
-- dialects: postgres
SELECT id, name,
       attrs->>'color' AS color,
       attrs->'dims'->>'w' AS width_text,
       (attrs->'dims'->>'h')::int AS height,
       attrs #>> '{dims,w}' AS width_via_path
FROM products
WHERE attrs ? 'color' IS NOT FALSE
ORDER BY id

-- case: pg_jsonb_array_elements_lateral
-- dialects: postgres
SELECT t.tag, COUNT(*) AS n_products
FROM products p
CROSS JOIN LATERAL jsonb_array_elements_text(p.attrs->'tags') AS t(tag)
GROUP BY t.tag
ORDER BY n_products DESC, t.tag

-- case: pg_jsonb_array_elements_select_list
-- dialects: postgres
SELECT id, jsonb_array_elements(attrs->'tags') AS tag
FROM products
WHERE jsonb_typeof(attrs->'tags') = 'array'

-- case: pg_jsonb_containment
-- dialects: postgres
SELECT id, name FROM products WHERE attrs @> '{"color": "black"}'::jsonb

-- case: pg_json_payload_fields
-- dialects: postgres
SELECT kind, payload->>'page' AS page, AVG((payload->>'ms')::int) AS avg_ms, COUNT(*) AS n
FROM events
WHERE payload->>'page' IS NOT NULL
GROUP BY kind, payload->>'page'
ORDER BY n DESC

-- case: pg_grouping_sets
-- dialects: postgres
SELECT country, plan, COUNT(*) AS n
FROM customers
GROUP BY GROUPING SETS ((country, plan), (country), ())
ORDER BY country NULLS LAST, plan NULLS LAST

-- case: pg_rollup_with_grouping
-- dialects: postgres
SELECT date_trunc('month', ordered_at) AS month, status, SUM(total) AS revenue,
       GROUPING(date_trunc('month', ordered_at), status) AS grouping_level
FROM orders
GROUP BY ROLLUP (date_trunc('month', ordered_at), status)
ORDER BY month NULLS LAST, status NULLS LAST

-- case: pg_cube
-- dialects: postgres
SELECT category, (price >= 100) AS premium, COUNT(*) AS n
FROM products
GROUP BY CUBE (category, (price >= 100))

-- case: pg_filter_clause
-- dialects: postgres sqlite
SELECT customer_id,
       COUNT(*) AS n_orders,
       COUNT(*) FILTER (WHERE status = 'shipped') AS n_shipped,
       SUM(total) FILTER (WHERE status IN ('cancelled', 'refunded')) AS lost_revenue
FROM orders
GROUP BY customer_id
ORDER BY customer_id

-- case: pg_date_trunc_extract
-- dialects: postgres
SELECT date_trunc('month', ordered_at) AS month,
       EXTRACT(YEAR FROM ordered_at) AS yr,
       EXTRACT(DOW FROM ordered_at) AS dow,
       COUNT(*) AS n
FROM orders
GROUP BY 1, 2, 3
ORDER BY 1, 3

-- case: pg_date_arithmetic
-- dialects: postgres
SELECT o.id, ordered_at,
       ordered_at + interval '30 days' AS return_deadline,
       ordered_at::date - c.signup_date AS days_since_signup,
       age(ordered_at, c.signup_date::timestamp) AS account_age,
       current_date - c.signup_date AS days_as_customer
FROM orders o
JOIN customers c ON c.id = o.customer_id
WHERE ordered_at >= timestamp '2024-03-01' - interval '1 month'

-- case: pg_generate_series_calendar
-- dialects: postgres
SELECT g.month::date AS month, COUNT(o.id) AS n_orders
FROM generate_series(timestamp '2024-01-01', timestamp '2024-07-01', interval '1 month') AS g(month)
LEFT JOIN orders o ON date_trunc('month', o.ordered_at) = g.month
GROUP BY g.month
ORDER BY g.month

-- case: pg_range_frame_interval
-- dialects: postgres
SELECT id, ordered_at, total,
       SUM(total) OVER (ORDER BY ordered_at RANGE BETWEEN INTERVAL '30 days' PRECEDING AND CURRENT ROW) AS trailing_30d
FROM orders
ORDER BY ordered_at

-- case: pg_distinct_on_latest_event
-- dialects: postgres
SELECT DISTINCT ON (customer_id) customer_id, kind, at
FROM events
WHERE customer_id IS NOT NULL
ORDER BY customer_id, at DESC

-- case: pg_values_list
-- dialects: postgres sqlite
VALUES (1, 'one'), (2, 'two'), (3, 'three')

-- case: pg_values_derived_table_with_aliases
-- dialects: postgres
SELECT c.name, v.region
FROM customers c
JOIN (VALUES ('GB', 'Europe'), ('NL', 'Europe'), ('US', 'Americas')) AS v(code, region)
  ON v.code = c.country
ORDER BY c.name

-- case: pg_string_agg_and_array_agg
-- dialects: postgres
SELECT country,
       string_agg(name, ', ' ORDER BY name) AS names,
       array_agg(id ORDER BY id) AS ids
FROM customers
GROUP BY country
ORDER BY country NULLS FIRST

-- case: pg_string_functions
-- dialects: postgres
SELECT name,
       split_part(name, ' ', 1) AS first_name,
       regexp_replace(name, '[aeiou]', '*', 'g') AS masked,
       initcap(lower(name)) AS title_case,
       left(name, 3) || '...' AS teaser,
       format('%s (%s)', name, coalesce(country, '?')) AS label
FROM customers
WHERE name ILIKE '%a%' OR name ~ '^[A-F]'

-- case: pg_casts_and_unnest
-- dialects: postgres
SELECT x, x::text AS as_text, (x * 1.5)::numeric(6,2) AS scaled
FROM unnest(ARRAY[1, 2, 3]) AS u(x)

-- case: pg_fetch_first_and_nulls_last
-- dialects: postgres
SELECT id, total FROM orders ORDER BY total DESC NULLS LAST FETCH FIRST 3 ROWS ONLY

-- case: pg_cte_materialized_hints
-- dialects: postgres
WITH big AS MATERIALIZED (SELECT * FROM orders WHERE total > 100),
     small AS NOT MATERIALIZED (SELECT * FROM orders WHERE total <= 100)
SELECT (SELECT COUNT(*) FROM big) AS n_big, (SELECT COUNT(*) FROM small) AS n_small

-- case: pg_intersect_all_except_all
-- dialects: postgres
(SELECT customer_id FROM orders INTERSECT ALL SELECT customer_id FROM events)
EXCEPT ALL
SELECT id FROM customers WHERE plan = 'enterprise'

-- case: pg_bool_aggregates
-- dialects: postgres
SELECT customer_id, bool_or(status = 'refunded') AS ever_refunded, bool_and(total > 50) AS always_big
FROM orders
GROUP BY customer_id
ORDER BY customer_id

-- case: pg_dollar_quoted_scary_literal
-- dialects: postgres
SELECT $$DROP TABLE guard_canary; -- it's only text$$ AS a, $tag$ SELECT pg_sleep(10); $$ $tag$ AS b

-- case: pg_escape_string_literal
-- dialects: postgres
SELECT E'line one\nline two; DELETE FROM guard_canary' AS multi_line, E'it\'s quoted' AS escaped

-- case: pg_nested_block_comment
-- dialects: postgres
SELECT /* outer /* inner; DROP TABLE guard_canary; */ still a comment */ COUNT(*) AS n FROM orders

-- case: pg_information_schema_columns
-- dialects: postgres
SELECT table_name, column_name, data_type
FROM information_schema.columns
WHERE table_schema = current_schema()
ORDER BY table_name, ordinal_position

-- case: pg_current_setting_read
-- dialects: postgres
SELECT current_setting('statement_timeout') AS statement_timeout,
       current_setting('transaction_read_only') AS read_only

-- case: pg_explain_analyze_select
-- dialects: postgres
EXPLAIN ANALYZE SELECT status, COUNT(*) FROM orders GROUP BY status

-- case: pg_explain_options_json
-- dialects: postgres
EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
SELECT c.country, SUM(o.total)
FROM orders o JOIN customers c ON c.id = o.customer_id
GROUP BY c.country

-- case: pg_explain_verbose_costs_off
-- dialects: postgres
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM events WHERE customer_id = 1

-- case: pg_show_statement_timeout
-- dialects: postgres
SHOW statement_timeout

-- case: pg_show_search_path
-- dialects: postgres
SHOW search_path;

-- case: pg_show_transaction_read_only
-- dialects: postgres
SHOW transaction_read_only

-- case: mysql_json_extract
-- dialects: mysql
SELECT id, name,
       JSON_UNQUOTE(JSON_EXTRACT(attrs, '$.color')) AS color,
       JSON_EXTRACT(attrs, '$.dims.w') AS width,
       JSON_LENGTH(attrs, '$.tags') AS n_tags
FROM products
WHERE JSON_EXTRACT(attrs, '$.color') IS NOT NULL
ORDER BY id

-- case: mysql_json_value_and_contains
-- dialects: mysql
SELECT id, name, JSON_VALUE(attrs, '$.color') AS color
FROM products
WHERE JSON_CONTAINS(JSON_EXTRACT(attrs, '$.tags'), '"usb"')

-- case: mysql_json_payload_group
-- dialects: mysql
SELECT JSON_UNQUOTE(JSON_EXTRACT(payload, '$.page')) AS page,
       COUNT(*) AS n,
       AVG(JSON_EXTRACT(payload, '$.ms')) AS avg_ms
FROM events
WHERE JSON_EXTRACT(payload, '$.page') IS NOT NULL
GROUP BY JSON_UNQUOTE(JSON_EXTRACT(payload, '$.page'))
ORDER BY n DESC

-- case: mysql_json_table_tags
-- dialects: mysql
SELECT jt.tag, COUNT(*) AS n_products
FROM products p,
     JSON_TABLE(p.attrs, '$.tags[*]' COLUMNS (tag VARCHAR(40) PATH '$')) AS jt
GROUP BY jt.tag
ORDER BY n_products DESC, jt.tag

-- case: mysql_with_rollup
-- dialects: mysql
SELECT country, plan, COUNT(*) AS n
FROM customers
GROUP BY country, plan WITH ROLLUP

-- case: mysql_date_functions
-- dialects: mysql
SELECT DATE_FORMAT(ordered_at, '%Y-%m') AS month,
       EXTRACT(YEAR FROM ordered_at) AS yr,
       DAYOFWEEK(MIN(ordered_at)) AS first_dow,
       COUNT(*) AS n
FROM orders
GROUP BY DATE_FORMAT(ordered_at, '%Y-%m'), EXTRACT(YEAR FROM ordered_at)
ORDER BY month

-- case: mysql_date_arithmetic
-- dialects: mysql
SELECT o.id, o.ordered_at,
       o.ordered_at + INTERVAL 30 DAY AS return_deadline,
       DATE_SUB(o.ordered_at, INTERVAL 1 WEEK) AS week_before,
       DATEDIFF(o.ordered_at, c.signup_date) AS days_since_signup,
       TIMESTAMPDIFF(MONTH, c.signup_date, o.ordered_at) AS months_since_signup
FROM orders o
JOIN customers c ON c.id = o.customer_id
WHERE o.ordered_at >= CURDATE() - INTERVAL 10 YEAR

-- case: mysql_group_concat_and_concat
-- dialects: mysql
SELECT country,
       GROUP_CONCAT(name ORDER BY name SEPARATOR ', ') AS names,
       CONCAT('n=', COUNT(*)) AS label,
       CONCAT_WS('/', MIN(plan), MAX(plan)) AS plan_range
FROM customers
GROUP BY country
ORDER BY country

-- case: mysql_string_functions
-- dialects: mysql
SELECT name,
       SUBSTRING_INDEX(name, ' ', 1) AS first_name,
       LPAD(id, 5, '0') AS padded_id,
       LOCATE('a', name) AS first_a,
       IF(name REGEXP '^[A-F]', 'early', 'late') AS alphabet_half,
       IFNULL(plan, 'none') AS plan
FROM customers

-- case: mysql_backslash_escaped_string
-- dialects: mysql
SELECT 'it\'s; fine -- really' AS a, "double \"quoted\" string; DROP" AS b

-- case: mysql_hash_comment
-- dialects: mysql
SELECT COUNT(*) AS n # DROP TABLE guard_canary; trailing hash comment
FROM orders

-- case: mysql_limit_comma_form
-- dialects: mysql sqlite
SELECT id, total FROM orders ORDER BY id LIMIT 5, 10

-- case: mysql_values_table_value_constructor
-- dialects: mysql
-- MariaDB 10.3+ syntax; MySQL 8 spells this VALUES ROW(1, 'one'), ...
VALUES (1, 'one'), (2, 'two'), (3, 'three')

-- case: cte_over_values_with_column_list
WITH regions (code, region) AS (
  VALUES ('GB', 'Europe'), ('NL', 'Europe'), ('US', 'Americas')
)
SELECT r.region, COUNT(*) AS n_customers
FROM customers c
JOIN regions r ON r.code = c.country
GROUP BY r.region
ORDER BY r.region

-- case: mysql_select_from_dual
-- dialects: mysql
SELECT 1 + 1 AS two, DATABASE() IS NOT NULL AS has_db FROM DUAL

-- case: mysql_information_schema_columns
-- dialects: mysql
SELECT table_name, column_name, data_type
FROM information_schema.columns
WHERE table_schema = DATABASE()
ORDER BY table_name, ordinal_position

-- case: mysql_explain_format_json
-- dialects: mysql
EXPLAIN FORMAT=JSON SELECT * FROM orders WHERE customer_id = 1

-- case: mysql_show_tables
-- dialects: mysql
SHOW TABLES

-- case: mysql_show_columns
-- dialects: mysql
SHOW COLUMNS FROM orders

-- case: mysql_show_variables_like
-- dialects: mysql
SHOW VARIABLES LIKE 'max_allowed_packet'

-- case: mysql_show_create_table
-- dialects: mysql
SHOW CREATE TABLE customers

-- case: mysql_describe_table
-- dialects: mysql
DESCRIBE orders

-- case: mysql_desc_table_short
-- dialects: mysql
DESC products;

-- case: sqlite_json_extract
-- dialects: sqlite
SELECT id, name,
       json_extract(attrs, '$.color') AS color,
       json_extract(attrs, '$.dims.w') AS width,
       json_array_length(attrs, '$.tags') AS n_tags
FROM products
WHERE json_extract(attrs, '$.color') IS NOT NULL
ORDER BY id

-- case: sqlite_json_arrow_operators
-- dialects: sqlite
SELECT id, payload ->> '$.page' AS page, payload -> '$.ms' AS ms_json
FROM events
WHERE payload ->> '$.page' IS NOT NULL

-- case: sqlite_json_each_table_function
-- dialects: sqlite
SELECT t.value AS tag, COUNT(*) AS n_products
FROM products p, json_each(p.attrs, '$.tags') AS t
GROUP BY t.value
ORDER BY n_products DESC, tag

-- case: sqlite_date_functions
-- dialects: sqlite
SELECT strftime('%Y-%m', ordered_at) AS month,
       COUNT(*) AS n,
       MIN(date(ordered_at, '+30 days')) AS first_return_deadline,
       ROUND(AVG(julianday(ordered_at) - julianday('2024-01-01')), 1) AS avg_day_of_period
FROM orders
GROUP BY strftime('%Y-%m', ordered_at)
ORDER BY month

-- case: sqlite_date_diff_from_signup
-- dialects: sqlite
SELECT o.id,
       CAST(julianday(o.ordered_at) - julianday(c.signup_date) AS INTEGER) AS days_since_signup,
       date('now') >= date(o.ordered_at) AS in_past
FROM orders o
JOIN customers c ON c.id = o.customer_id

-- case: sqlite_group_concat_and_string_functions
-- dialects: sqlite
SELECT country,
       group_concat(name, ', ') AS names,
       COUNT(*) AS n,
       instr(MIN(name), 'a') AS first_a_in_first_name,
       printf('%05d', MIN(id)) AS padded_min_id,
       iif(COUNT(*) > 2, 'big', 'small') AS size
FROM customers
GROUP BY country
ORDER BY country

-- case: sqlite_glob_and_nulls_last
-- dialects: sqlite
SELECT id, name, price FROM products WHERE name GLOB '*o*' ORDER BY price DESC NULLS LAST

-- case: sqlite_values_as_derived_table
-- dialects: sqlite
SELECT c.name, v.column2 AS region
FROM customers c
JOIN (VALUES ('GB', 'Europe'), ('NL', 'Europe'), ('US', 'Americas')) AS v ON v.column1 = c.country
ORDER BY c.name

-- case: sqlite_master_tables
-- dialects: sqlite
SELECT name, type FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name

-- case: sqlite_pragma_table_info_function
-- dialects: sqlite
SELECT name, type, pk FROM pragma_table_info('orders') ORDER BY cid

-- case: sqlite_explain_query_plan
-- dialects: sqlite
EXPLAIN QUERY PLAN SELECT * FROM orders WHERE customer_id = 1 ORDER BY ordered_at
