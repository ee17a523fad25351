-- Picovis evaluation fixture: a SaaS product-analytics database ("saas" suite, evals/cases/saas.toml).
--
-- A B2B analytics product sold by subscription: plans, customer accounts (companies) and their users,
-- subscriptions with trials, plan changes and cancellations, invoices with their lines and payments,
-- product usage (sessions and events per feature), A/B experiments, support conversations and NPS
-- survey responses. Data runs from 2024-11-01 to 2026-10-31 (the eval tells the agent today is
-- 2026-11-15).
--
-- The data is generated, and the same on every run: there is no random() anywhere. Every "random" choice
-- is derived from md5() of a row number and a salt (helper function _fx_h / _fx_u below), so the gold
-- answers of the eval cases never change. Timestamps are generated in UTC.
--
-- Usage (re-runnable: it drops and recreates its own tables in schema public):
--   createdb picovis_eval_saas
--   psql -d picovis_eval_saas -v ON_ERROR_STOP=1 -f evals/saas/schema.sql
--
-- The script is plain SQL (no psql meta-commands, no semicolons inside comments or strings) so that it
-- can also be sent as one batch by a database driver. Helper objects whose names start with _fx_ are
-- dropped at the end.

SET TIME ZONE 'UTC';
SET client_min_messages = warning;
SET jit = off;

DROP TABLE IF EXISTS
  nps_responses, support_conversations, experiment_assignments, experiments, events, sessions, features,
  payments, invoice_lines, invoices, subscription_changes, subscriptions, users, accounts,
  referral_sources, plans,
  _fx_account_seed, _fx_user_seed, _fx_invoice_seed
  CASCADE;
DROP FUNCTION IF EXISTS _fx_h(text);
DROP FUNCTION IF EXISTS _fx_u(text);

-- _fx_h: a stable 32-bit hash (0 .. 4294967295) of a text key. _fx_u: the same scaled to [0, 1).
CREATE FUNCTION _fx_h(text) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS 'SELECT (''x'' || substr(md5($1), 1, 8))::bit(32)::bigint';
CREATE FUNCTION _fx_u(text) RETURNS double precision LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS 'SELECT ((''x'' || substr(md5($1), 1, 8))::bit(32)::bigint)::double precision / 4294967296.0';

-- ---------------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------------

CREATE TABLE plans (
  id            integer PRIMARY KEY,
  code          text NOT NULL UNIQUE,
  name          text NOT NULL,
  tier          text NOT NULL CHECK (tier IN ('starter', 'team', 'business', 'enterprise')),
  monthly_price numeric(12,2) NOT NULL,
  annual_price  numeric(12,2) NOT NULL,
  seat_limit    integer,
  is_public     boolean NOT NULL,
  is_active     boolean NOT NULL,
  launched_on   date NOT NULL,
  retired_on    date
);

CREATE TABLE referral_sources (
  id         integer PRIMARY KEY,
  name       text NOT NULL UNIQUE,
  channel    text NOT NULL CHECK (channel IN ('organic', 'paid', 'partner', 'referral', 'review_site', 'event')),
  is_paid    boolean NOT NULL,
  created_on date NOT NULL
);

CREATE TABLE accounts (
  id                 integer PRIMARY KEY,
  name               text NOT NULL UNIQUE,
  domain             text NOT NULL UNIQUE,
  industry           text NOT NULL,
  country_code       char(2) NOT NULL,
  employee_band      text NOT NULL CHECK (employee_band IN ('1-10', '11-50', '51-200', '201-1000', '1000+')),
  referral_source_id integer REFERENCES referral_sources (id),
  utm_source         text,
  utm_medium         text,
  utm_campaign       text,
  signed_up_at       timestamptz NOT NULL
);

CREATE TABLE users (
  id               integer PRIMARY KEY,
  account_id       integer NOT NULL REFERENCES accounts (id),
  email            text NOT NULL UNIQUE,
  full_name        text NOT NULL,
  role             text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  job_title        text,
  marketing_opt_in boolean NOT NULL,
  created_at       timestamptz NOT NULL,
  last_login_at    timestamptz,
  deactivated_at   timestamptz
);
CREATE INDEX users_account_id_idx ON users (account_id);

CREATE TABLE subscriptions (
  id               integer PRIMARY KEY,
  account_id       integer NOT NULL REFERENCES accounts (id),
  plan_id          integer NOT NULL REFERENCES plans (id),
  status           text NOT NULL CHECK (status IN ('trialing', 'active', 'past_due', 'canceled')),
  billing_interval text NOT NULL CHECK (billing_interval IN ('month', 'year')),
  addon_seats      integer NOT NULL DEFAULT 0,
  mrr              numeric(12,2) NOT NULL,
  started_at       timestamptz NOT NULL,
  trial_ends_at    timestamptz NOT NULL,
  converted_at     timestamptz,
  canceled_at      timestamptz,
  churn_reason     text
);
CREATE INDEX subscriptions_account_id_idx ON subscriptions (account_id);

CREATE TABLE subscription_changes (
  id              integer PRIMARY KEY,
  subscription_id integer NOT NULL REFERENCES subscriptions (id),
  changed_at      timestamptz NOT NULL,
  change_type     text NOT NULL CHECK (change_type IN ('upgrade', 'downgrade')),
  from_plan_id    integer NOT NULL REFERENCES plans (id),
  to_plan_id      integer NOT NULL REFERENCES plans (id),
  mrr_before      numeric(12,2) NOT NULL,
  mrr_after       numeric(12,2) NOT NULL
);

CREATE TABLE invoices (
  id              integer PRIMARY KEY,
  invoice_number  text NOT NULL UNIQUE,
  account_id      integer NOT NULL REFERENCES accounts (id),
  subscription_id integer NOT NULL REFERENCES subscriptions (id),
  billing_reason  text NOT NULL CHECK (billing_reason IN ('subscription_create', 'subscription_cycle')),
  status          text NOT NULL CHECK (status IN ('draft', 'open', 'paid', 'void', 'uncollectible')),
  issued_on       date NOT NULL,
  due_on          date NOT NULL,
  period_start    date NOT NULL,
  period_end      date NOT NULL,
  total           numeric(12,2) NOT NULL,
  paid_at         timestamptz
);
CREATE INDEX invoices_account_id_idx ON invoices (account_id);

CREATE TABLE invoice_lines (
  id          integer PRIMARY KEY,
  invoice_id  integer NOT NULL REFERENCES invoices (id),
  line_type   text NOT NULL CHECK (line_type IN ('plan', 'addon_seats', 'discount')),
  plan_id     integer REFERENCES plans (id),
  description text NOT NULL,
  quantity    integer NOT NULL,
  unit_amount numeric(12,2) NOT NULL,
  amount      numeric(12,2) NOT NULL
);
CREATE INDEX invoice_lines_invoice_id_idx ON invoice_lines (invoice_id);

CREATE TABLE payments (
  id           integer PRIMARY KEY,
  invoice_id   integer NOT NULL REFERENCES invoices (id),
  attempted_at timestamptz NOT NULL,
  amount       numeric(12,2) NOT NULL,
  method       text NOT NULL CHECK (method IN ('card', 'ach', 'wire', 'paypal')),
  status       text NOT NULL CHECK (status IN ('succeeded', 'failed')),
  failure_code text
);
CREATE INDEX payments_invoice_id_idx ON payments (invoice_id);

CREATE TABLE features (
  id          integer PRIMARY KEY,
  key         text NOT NULL UNIQUE,
  name        text NOT NULL,
  category    text NOT NULL CHECK (category IN ('core', 'collaboration', 'integrations', 'ai', 'admin')),
  min_tier    text NOT NULL CHECK (min_tier IN ('starter', 'team', 'business', 'enterprise')),
  is_beta     boolean NOT NULL,
  released_on date NOT NULL
);

CREATE TABLE sessions (
  id          integer PRIMARY KEY,
  user_id     integer NOT NULL REFERENCES users (id),
  started_at  timestamptz NOT NULL,
  ended_at    timestamptz,
  device      text NOT NULL CHECK (device IN ('desktop', 'mobile', 'tablet')),
  app_version text NOT NULL
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

CREATE TABLE events (
  id          bigint PRIMARY KEY,
  user_id     integer NOT NULL REFERENCES users (id),
  session_id  integer NOT NULL REFERENCES sessions (id),
  event_name  text NOT NULL,
  feature_id  integer REFERENCES features (id),
  occurred_at timestamptz NOT NULL,
  properties  jsonb
);
CREATE INDEX events_user_id_idx ON events (user_id);
CREATE INDEX events_occurred_at_idx ON events (occurred_at);

CREATE TABLE experiments (
  id             integer PRIMARY KEY,
  key            text NOT NULL UNIQUE,
  name           text NOT NULL,
  hypothesis     text NOT NULL,
  primary_metric text NOT NULL,
  status         text NOT NULL CHECK (status IN ('draft', 'running', 'completed', 'stopped')),
  started_at     timestamptz,
  ended_at       timestamptz
);

CREATE TABLE experiment_assignments (
  id            integer PRIMARY KEY,
  experiment_id integer NOT NULL REFERENCES experiments (id),
  account_id    integer NOT NULL REFERENCES accounts (id),
  variant       text NOT NULL,
  assigned_at   timestamptz NOT NULL,
  converted_at  timestamptz,
  UNIQUE (experiment_id, account_id)
);

CREATE TABLE support_conversations (
  id                integer PRIMARY KEY,
  account_id        integer NOT NULL REFERENCES accounts (id),
  user_id           integer REFERENCES users (id),
  channel           text NOT NULL CHECK (channel IN ('chat', 'email', 'phone')),
  topic             text NOT NULL CHECK (topic IN ('billing', 'bug', 'how_to', 'feature_request', 'account_access')),
  priority          text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  opened_at         timestamptz NOT NULL,
  first_response_at timestamptz,
  closed_at         timestamptz,
  csat_score        smallint CHECK (csat_score BETWEEN 1 AND 5)
);
CREATE INDEX support_conversations_account_id_idx ON support_conversations (account_id);

CREATE TABLE nps_responses (
  id             integer PRIMARY KEY,
  user_id        integer NOT NULL REFERENCES users (id),
  score          smallint NOT NULL CHECK (score BETWEEN 0 AND 10),
  comment        text,
  survey_channel text NOT NULL CHECK (survey_channel IN ('in_app', 'email')),
  responded_at   timestamptz NOT NULL
);

-- ---------------------------------------------------------------------------------------------------
-- Reference data
-- ---------------------------------------------------------------------------------------------------

INSERT INTO plans VALUES
  (1, 'starter',    'Starter',      'starter',     49.00,   490.00,    5, true,  true,  '2023-01-01', NULL),
  (2, 'pro_legacy', 'Pro (legacy)', 'team',        99.00,   990.00,   15, false, false, '2023-01-01', '2025-03-01'),
  (3, 'team',       'Team',         'team',       149.00,  1490.00,   25, true,  true,  '2025-03-01', NULL),
  (4, 'business',   'Business',     'business',   499.00,  4990.00,  100, true,  true,  '2023-01-01', NULL),
  (5, 'enterprise', 'Enterprise',   'enterprise', 1500.00, 15000.00, NULL, false, true, '2023-06-01', NULL);

INSERT INTO referral_sources VALUES
  (1, 'Google search',        'organic',     false, '2023-01-01'),
  (2, 'Google Ads',           'paid',        true,  '2023-03-01'),
  (3, 'LinkedIn Ads',         'paid',        true,  '2024-02-01'),
  (4, 'Product Hunt',         'organic',     false, '2024-09-10'),
  (5, 'G2',                   'review_site', false, '2023-05-01'),
  (6, 'Customer referral',    'referral',    false, '2023-01-01'),
  (7, 'Northbeam Consulting', 'partner',     false, '2024-06-01'),
  (8, 'SaaStr Annual',        'event',       true,  '2025-01-15');

INSERT INTO features VALUES
  ( 1, 'dashboards',         'Dashboards',         'core',          'starter',    false, '2023-01-01'),
  ( 2, 'reports',            'Reports',            'core',          'starter',    false, '2023-01-01'),
  ( 3, 'exports',            'CSV and PDF export', 'core',          'starter',    false, '2023-01-01'),
  ( 4, 'sql_editor',         'SQL editor',         'core',          'starter',    false, '2023-06-01'),
  ( 5, 'alerts',             'Alerts',             'core',          'team',       false, '2024-02-01'),
  ( 6, 'integrations',       'Integrations',       'integrations',  'starter',    false, '2023-01-01'),
  ( 7, 'team_invites',       'Team invites',       'collaboration', 'starter',    false, '2023-01-01'),
  ( 8, 'scheduled_reports',  'Scheduled reports',  'collaboration', 'team',       false, '2024-09-01'),
  ( 9, 'api_access',         'API access',         'integrations',  'business',   false, '2024-01-15'),
  (10, 'ai_assistant',       'AI assistant',       'ai',            'team',       true,  '2026-03-01'),
  (11, 'sso',                'Single sign-on',     'admin',         'enterprise', false, '2024-05-01'),
  (12, 'embedded_analytics', 'Embedded analytics', 'integrations',  'business',   false, '2025-09-15'),
  (13, 'audit_log',          'Audit log',          'admin',         'enterprise', true,  '2026-09-01');

INSERT INTO experiments VALUES
  (1, 'pricing_page_v2', 'Pricing page redesign',
      'A simpler pricing page with a plan comparison table makes more trials convert to paid.',
      'Trial converted to a paid subscription', 'completed',
      '2025-06-01 00:00:00+00', '2025-09-01 00:00:00+00'),
  (2, 'onboarding_checklist', 'Onboarding checklist',
      'A checklist in the first session gets more new accounts to create their first report in the first week.',
      'First report created within 7 days of signup', 'completed',
      '2025-10-01 00:00:00+00', '2026-01-01 00:00:00+00'),
  (3, 'annual_discount_banner', 'Annual billing discount banner',
      'Showing the annual discount during checkout moves more new customers to annual billing.',
      'Converted to paid on annual billing', 'completed',
      '2026-02-01 00:00:00+00', '2026-05-01 00:00:00+00'),
  (4, 'ai_assistant_nudge', 'AI assistant nudge',
      'A prompt on empty dashboards gets more new accounts to try the AI assistant.',
      'Asked the AI assistant a question after assignment', 'running',
      '2026-06-15 00:00:00+00', NULL),
  (5, 'trial_length_21d', '21-day trial',
      'A 21-day trial instead of 14 days raises trial conversion for larger companies.',
      'Trial converted to a paid subscription', 'draft',
      NULL, NULL);

-- ---------------------------------------------------------------------------------------------------
-- Accounts: hidden per-account traits first (dropped at the end), then the visible rows
-- ---------------------------------------------------------------------------------------------------

CREATE TABLE _fx_account_seed AS
WITH raw AS (
  SELECT g AS seed,
         CASE WHEN _fx_u(g || ':mix') < 0.35 THEN _fx_u(g || ':d1')
              ELSE greatest(_fx_u(g || ':d1'), _fx_u(g || ':d2')) END AS pos
  FROM generate_series(1, 600) AS g
), timed AS (
  SELECT seed,
         timestamptz '2024-11-01 00:00:00+00'
           + floor(pos * 730) * interval '1 day'
           + (7 * 3600 + floor(_fx_u(seed || ':sec') * 13 * 3600)) * interval '1 second' AS signed_up_at
  FROM raw
), numbered AS (
  SELECT row_number() OVER (ORDER BY signed_up_at, seed)::int AS id, signed_up_at FROM timed
), base AS (
  SELECT n.id, n.signed_up_at,
    (ARRAY['software', 'fintech', 'healthcare', 'education', 'retail', 'media', 'manufacturing', 'nonprofit'])
      [1 + _fx_h(n.id || ':industry') % 8] AS industry,
    CASE WHEN _fx_u(n.id || ':country') < 0.35 THEN 'US' WHEN _fx_u(n.id || ':country') < 0.47 THEN 'GB'
         WHEN _fx_u(n.id || ':country') < 0.57 THEN 'DE' WHEN _fx_u(n.id || ':country') < 0.64 THEN 'FR'
         WHEN _fx_u(n.id || ':country') < 0.72 THEN 'CA' WHEN _fx_u(n.id || ':country') < 0.78 THEN 'AU'
         WHEN _fx_u(n.id || ':country') < 0.84 THEN 'NL' WHEN _fx_u(n.id || ':country') < 0.88 THEN 'SE'
         WHEN _fx_u(n.id || ':country') < 0.95 THEN 'IN' ELSE 'BR' END AS country_code,
    CASE WHEN _fx_u(n.id || ':band') < 0.30 THEN '1-10' WHEN _fx_u(n.id || ':band') < 0.65 THEN '11-50'
         WHEN _fx_u(n.id || ':band') < 0.85 THEN '51-200' WHEN _fx_u(n.id || ':band') < 0.96 THEN '201-1000'
         ELSE '1000+' END AS employee_band,
    CASE WHEN _fx_u(n.id || ':ref') < 0.18 THEN NULL
         WHEN _fx_u(n.id || ':ref2') < 0.25 THEN 1 WHEN _fx_u(n.id || ':ref2') < 0.43 THEN 2
         WHEN _fx_u(n.id || ':ref2') < 0.55 THEN 3 WHEN _fx_u(n.id || ':ref2') < 0.63 THEN 4
         WHEN _fx_u(n.id || ':ref2') < 0.73 THEN 5 WHEN _fx_u(n.id || ':ref2') < 0.87 THEN 6
         WHEN _fx_u(n.id || ':ref2') < 0.93 THEN 7 ELSE 8 END AS referral_source_id,
    _fx_u(n.id || ':sub') >= 0.05 AS has_sub,
    n.signed_up_at + (5 + _fx_h(n.id || ':trialstart') % 115) * interval '1 minute' AS trial_start,
    CASE WHEN n.signed_up_at >= '2025-06-01 00:00:00+00' AND n.signed_up_at < '2025-09-01 00:00:00+00'
         THEN (ARRAY['control', 'treatment'])[1 + _fx_h(n.id || ':exp1') % 2] END AS exp1_variant,
    CASE WHEN n.signed_up_at >= '2025-10-01 00:00:00+00' AND n.signed_up_at < '2026-01-01 00:00:00+00'
         THEN (ARRAY['control', 'checklist'])[1 + _fx_h(n.id || ':exp2') % 2] END AS exp2_variant,
    CASE WHEN n.signed_up_at >= '2026-02-01 00:00:00+00' AND n.signed_up_at < '2026-05-01 00:00:00+00'
         THEN (ARRAY['control', 'banner_10', 'banner_20'])[1 + _fx_h(n.id || ':exp3') % 3] END AS exp3_variant,
    CASE WHEN n.signed_up_at >= '2026-06-15 00:00:00+00'
         THEN (ARRAY['control', 'treatment'])[1 + _fx_h(n.id || ':exp4') % 2] END AS exp4_variant,
    _fx_u(n.id || ':eng') AS eng
  FROM numbered n
), step2 AS (
  SELECT b.*,
    b.trial_start + interval '14 days' AS trial_end,
    b.has_sub AND _fx_u(b.id || ':act') < CASE b.exp2_variant WHEN 'checklist' THEN 0.76 WHEN 'control' THEN 0.55 ELSE 0.62 END
      AS activated,
    CASE
      WHEN b.employee_band = '1-10' THEN
        CASE WHEN _fx_u(b.id || ':plan') < 0.70 THEN 1 WHEN _fx_u(b.id || ':plan') < 0.95 THEN 3 ELSE 4 END
      WHEN b.employee_band = '11-50' THEN
        CASE WHEN _fx_u(b.id || ':plan') < 0.40 THEN 1 WHEN _fx_u(b.id || ':plan') < 0.85 THEN 3 ELSE 4 END
      WHEN b.employee_band = '51-200' THEN
        CASE WHEN _fx_u(b.id || ':plan') < 0.15 THEN 1 WHEN _fx_u(b.id || ':plan') < 0.65 THEN 3
             WHEN _fx_u(b.id || ':plan') < 0.95 THEN 4 ELSE 5 END
      WHEN b.employee_band = '201-1000' THEN
        CASE WHEN _fx_u(b.id || ':plan') < 0.35 THEN 3 WHEN _fx_u(b.id || ':plan') < 0.80 THEN 4 ELSE 5 END
      ELSE
        CASE WHEN _fx_u(b.id || ':plan') < 0.10 THEN 3 WHEN _fx_u(b.id || ':plan') < 0.50 THEN 4 ELSE 5 END
    END AS plan_pick
  FROM base b
), step3 AS (
  SELECT s.*,
    CASE WHEN s.plan_pick = 3 AND s.signed_up_at < '2025-03-01 00:00:00+00' THEN 2 ELSE s.plan_pick END AS init_plan,
    s.has_sub AND s.trial_end >= '2026-11-01 00:00:00+00' AS trialing,
    s.has_sub AND s.trial_end < '2026-11-01 00:00:00+00'
      AND _fx_u(s.id || ':conv') < CASE WHEN s.activated THEN 0.64 ELSE 0.17 END
                                   + CASE WHEN s.exp1_variant = 'treatment' THEN 0.10 ELSE 0 END AS converted
  FROM step2 s
), step4 AS (
  SELECT s.*,
    CASE WHEN _fx_u(s.id || ':bill') <
              CASE s.init_plan WHEN 1 THEN 0.12 WHEN 2 THEN 0.18 WHEN 3 THEN 0.20 WHEN 4 THEN 0.35 ELSE 0.60 END
              + CASE s.exp3_variant WHEN 'banner_10' THEN 0.10 WHEN 'banner_20' THEN 0.20 ELSE 0 END
         THEN 'year' ELSE 'month' END AS billing_interval,
    CASE WHEN s.init_plan >= 2 AND _fx_u(s.id || ':addon') < 0.18 THEN 5 * (1 + _fx_h(s.id || ':addonn') % 4)::int
         ELSE 0 END AS addon_seats,
    _fx_u(s.id || ':coupon') < 0.12 AS coupon,
    CASE WHEN s.converted THEN s.trial_end END AS converted_at,
    _fx_u(s.id || ':invol') < 0.15 AS involuntary
  FROM step3 s
), step5 AS (
  SELECT s.*,
    CASE
      WHEN NOT s.converted THEN NULL
      WHEN s.billing_interval = 'month' THEN
        s.converted_at
        + floor(ln(1 - _fx_u(s.id || ':churn')) / ln(1 - (0.02 + 0.05 * (1 - s.eng)))) * interval '1 month'
        + CASE WHEN s.involuntary THEN interval '15 days'
               ELSE (1 + _fx_h(s.id || ':churnday') % 27) * interval '1 day' END
        + (_fx_h(s.id || ':churnsec') % 36000) * interval '1 second'
      ELSE
        s.converted_at
        + 12 * (1 + floor(ln(1 - _fx_u(s.id || ':churn')) / ln(1 - 0.22))) * interval '1 month'
        - (3 + _fx_h(s.id || ':churnday') % 25) * interval '1 day'
        + (_fx_h(s.id || ':churnsec') % 36000) * interval '1 second'
    END AS churn_at
  FROM step4 s
), step6 AS (
  SELECT s.*,
    CASE WHEN s.churn_at < '2026-11-01 00:00:00+00' THEN s.churn_at END AS paid_canceled_at
  FROM step5 s
)
SELECT s.*,
  s.converted AND s.paid_canceled_at IS NULL AND _fx_u(s.id || ':pastdue') < 0.06 AS past_due,
  CASE
    WHEN NOT s.converted OR s.paid_canceled_at IS NULL THEN NULL
    WHEN s.billing_interval = 'month' AND s.involuntary THEN 'payment_failed'
    WHEN _fx_u(s.id || ':reason') < 0.27 THEN NULL
    WHEN _fx_u(s.id || ':reason2') < 0.30 THEN 'too_expensive'
    WHEN _fx_u(s.id || ':reason2') < 0.50 THEN 'missing_features'
    WHEN _fx_u(s.id || ':reason2') < 0.67 THEN 'switched_competitor'
    WHEN _fx_u(s.id || ':reason2') < 0.85 THEN 'no_longer_needed'
    WHEN _fx_u(s.id || ':reason2') < 0.93 THEN 'poor_support'
    ELSE 'company_closed'
  END AS paid_churn_reason,
  least(
    CASE
      WHEN NOT s.has_sub THEN s.signed_up_at + (1 + _fx_h(s.id || ':nosubend') % 5) * interval '1 day'
      WHEN s.trialing THEN timestamptz '2026-10-31 22:00:00+00'
      WHEN NOT s.converted THEN s.trial_end + (_fx_h(s.id || ':lapseend') % 6) * interval '1 day'
      ELSE coalesce(s.paid_canceled_at, timestamptz '2026-10-31 22:00:00+00')
    END,
    timestamptz '2026-10-31 22:00:00+00') AS usage_end,
  CASE WHEN s.billing_interval = 'year' AND s.init_plan >= 4 THEN
         CASE WHEN _fx_u(s.id || ':paym') < 0.50 THEN 'wire' WHEN _fx_u(s.id || ':paym') < 0.75 THEN 'ach' ELSE 'card' END
       ELSE
         CASE WHEN _fx_u(s.id || ':paym') < 0.75 THEN 'card' WHEN _fx_u(s.id || ':paym') < 0.85 THEN 'paypal' ELSE 'ach' END
  END AS pay_method
FROM step6 s;

-- Plan changes (at most two per paid subscription), kept on the seed rows.
ALTER TABLE _fx_account_seed
  ADD COLUMN chg1_at timestamptz, ADD COLUMN plan1 integer,
  ADD COLUMN chg2_at timestamptz, ADD COLUMN plan2 integer;

UPDATE _fx_account_seed s SET
  chg1_at = s.converted_at + (0.1 + 0.8 * _fx_u(s.id || ':chg1at'))
            * (coalesce(s.paid_canceled_at, timestamptz '2026-10-31 12:00:00+00') - s.converted_at)
WHERE s.converted
  AND coalesce(s.paid_canceled_at, timestamptz '2026-10-31 12:00:00+00') - s.converted_at > interval '45 days'
  AND _fx_u(s.id || ':chg1') < 0.32;

UPDATE _fx_account_seed s SET
  plan1 = CASE
    WHEN (_fx_u(s.id || ':chg1dir') < 0.72 AND s.init_plan <> 5) OR s.init_plan = 1 THEN
      CASE s.init_plan WHEN 1 THEN 3 WHEN 2 THEN 3 WHEN 3 THEN 4 WHEN 4 THEN 5 END
    ELSE CASE s.init_plan WHEN 2 THEN 1 WHEN 3 THEN 1 WHEN 4 THEN 3 WHEN 5 THEN 4 END
  END
WHERE s.chg1_at IS NOT NULL;
UPDATE _fx_account_seed SET plan1 = 2 WHERE plan1 = 3 AND chg1_at < '2025-03-01 00:00:00+00';

UPDATE _fx_account_seed s SET
  chg2_at = s.chg1_at + (0.1 + 0.8 * _fx_u(s.id || ':chg2at'))
            * (coalesce(s.paid_canceled_at, timestamptz '2026-10-31 12:00:00+00') - s.chg1_at)
WHERE s.chg1_at IS NOT NULL
  AND coalesce(s.paid_canceled_at, timestamptz '2026-10-31 12:00:00+00') - s.chg1_at > interval '45 days'
  AND _fx_u(s.id || ':chg2') < 0.25;

UPDATE _fx_account_seed s SET
  plan2 = CASE
    WHEN (_fx_u(s.id || ':chg2dir') < 0.65 AND s.plan1 <> 5) OR s.plan1 = 1 THEN
      CASE s.plan1 WHEN 1 THEN 3 WHEN 2 THEN 3 WHEN 3 THEN 4 WHEN 4 THEN 5 END
    ELSE CASE s.plan1 WHEN 2 THEN 1 WHEN 3 THEN 1 WHEN 4 THEN 3 WHEN 5 THEN 4 END
  END
WHERE s.chg2_at IS NOT NULL;
UPDATE _fx_account_seed SET plan2 = 2 WHERE plan2 = 3 AND chg2_at < '2025-03-01 00:00:00+00';

-- Company names: 30 prefixes x 25 suffixes, each pair used at most once.
INSERT INTO accounts (id, name, domain, industry, country_code, employee_band, referral_source_id,
                      utm_source, utm_medium, utm_campaign, signed_up_at)
WITH named AS (
  SELECT s.*, (row_number() OVER (ORDER BY md5(s.id || ':name')) - 1)::int AS k FROM _fx_account_seed s
), names AS (
  SELECT n.*,
    (ARRAY['Acme', 'Bluefin', 'Brightline', 'Cedar', 'Cobalt', 'Copperleaf', 'Driftwood', 'Ember', 'Fathom',
           'Fernhill', 'Granite', 'Harbor', 'Helix', 'Ironwood', 'Juniper', 'Keystone', 'Lumen', 'Maple',
           'Meridian', 'Northwind', 'Oakridge', 'Orbit', 'Pinecrest', 'Quarry', 'Redwood', 'Sable', 'Summit',
           'Tidewater', 'Vantage', 'Willow'])[1 + n.k % 30] AS prefix,
    (ARRAY['Analytics', 'Labs', 'Systems', 'Health', 'Logistics', 'Studio', 'Partners', 'Foods', 'Robotics',
           'Media', 'Energy', 'Capital', 'Works', 'Learning', 'Networks', 'Cloud', 'Ventures', 'Bio', 'Digital',
           'Software', 'Retail', 'Security', 'Mobility', 'Finance', 'Group'])[1 + ((n.k % 30) + n.k / 30) % 25] AS suffix,
    _fx_u(n.id || ':utm') AS uu
  FROM named n
)
SELECT id, prefix || ' ' || suffix,
  lower(prefix || suffix) || CASE WHEN country_code IN ('US', 'IN', 'BR') THEN '.com' WHEN country_code = 'GB' THEN '.co.uk'
                                   ELSE '.' || lower(country_code) END,
  industry, country_code, employee_band, referral_source_id,
  CASE referral_source_id
    WHEN 2 THEN CASE WHEN uu < 0.85 THEN 'google' END
    WHEN 3 THEN CASE WHEN uu < 0.90 THEN 'linkedin' END
    WHEN 4 THEN 'producthunt'
    WHEN 5 THEN 'g2'
    WHEN 7 THEN 'northbeam'
    ELSE CASE WHEN referral_source_id IS NULL AND uu < 0.30 THEN 'newsletter' END
  END,
  CASE referral_source_id
    WHEN 2 THEN CASE WHEN uu < 0.85 THEN 'cpc' END
    WHEN 3 THEN CASE WHEN uu < 0.90 THEN 'paid_social' END
    WHEN 4 THEN 'referral'
    WHEN 5 THEN 'review'
    WHEN 7 THEN 'partner'
    ELSE CASE WHEN referral_source_id IS NULL AND uu < 0.30 THEN 'email' END
  END,
  CASE referral_source_id
    WHEN 2 THEN CASE WHEN uu < 0.85 THEN (ARRAY['brand_search', 'competitor_terms', 'generic_bi_tools'])[1 + _fx_h(id || ':camp') % 3] END
    WHEN 3 THEN CASE WHEN uu < 0.90 THEN (ARRAY['cfo_persona', 'data_team_persona'])[1 + _fx_h(id || ':camp') % 2] END
    WHEN 7 THEN 'partner_program'
    ELSE CASE WHEN referral_source_id IS NULL AND uu < 0.30 THEN 'monthly_digest' END
  END,
  signed_up_at
FROM names
ORDER BY id;

-- ---------------------------------------------------------------------------------------------------
-- Subscriptions and plan changes
-- ---------------------------------------------------------------------------------------------------

INSERT INTO subscriptions (id, account_id, plan_id, status, billing_interval, addon_seats, mrr, started_at,
                           trial_ends_at, converted_at, canceled_at, churn_reason)
SELECT row_number() OVER (ORDER BY s.trial_start, s.id)::int, s.id,
  coalesce(s.plan2, s.plan1, s.init_plan),
  CASE WHEN s.trialing THEN 'trialing' WHEN NOT s.converted THEN 'canceled'
       WHEN s.paid_canceled_at IS NOT NULL THEN 'canceled' WHEN s.past_due THEN 'past_due' ELSE 'active' END,
  s.billing_interval,
  CASE WHEN s.converted THEN s.addon_seats ELSE 0 END,
  CASE WHEN NOT s.converted THEN 0
       WHEN s.billing_interval = 'month' THEN p.monthly_price + 12.00 * s.addon_seats
       ELSE round(p.annual_price / 12, 2) + 10.00 * s.addon_seats END,
  s.trial_start, s.trial_end, s.converted_at,
  CASE WHEN s.converted THEN s.paid_canceled_at WHEN NOT s.trialing THEN s.trial_end END,
  CASE WHEN s.converted THEN s.paid_churn_reason WHEN NOT s.trialing THEN 'trial_expired' END
FROM _fx_account_seed s
JOIN plans p ON p.id = coalesce(s.plan2, s.plan1, s.init_plan)
WHERE s.has_sub;

INSERT INTO subscription_changes (id, subscription_id, changed_at, change_type, from_plan_id, to_plan_id, mrr_before, mrr_after)
WITH ch AS (
  SELECT s.id AS account_id, s.chg1_at AS changed_at, s.init_plan AS from_plan, s.plan1 AS to_plan,
         s.billing_interval, s.addon_seats
  FROM _fx_account_seed s WHERE s.chg1_at IS NOT NULL
  UNION ALL
  SELECT s.id, s.chg2_at, s.plan1, s.plan2, s.billing_interval, s.addon_seats
  FROM _fx_account_seed s WHERE s.chg2_at IS NOT NULL
)
SELECT row_number() OVER (ORDER BY ch.changed_at, ch.account_id)::int, sub.id, ch.changed_at,
  CASE WHEN pt.monthly_price > pf.monthly_price THEN 'upgrade' ELSE 'downgrade' END,
  ch.from_plan, ch.to_plan,
  CASE WHEN ch.billing_interval = 'month' THEN pf.monthly_price + 12.00 * ch.addon_seats
       ELSE round(pf.annual_price / 12, 2) + 10.00 * ch.addon_seats END,
  CASE WHEN ch.billing_interval = 'month' THEN pt.monthly_price + 12.00 * ch.addon_seats
       ELSE round(pt.annual_price / 12, 2) + 10.00 * ch.addon_seats END
FROM ch
JOIN subscriptions sub ON sub.account_id = ch.account_id
JOIN plans pf ON pf.id = ch.from_plan
JOIN plans pt ON pt.id = ch.to_plan;

-- ---------------------------------------------------------------------------------------------------
-- Invoices, invoice lines and payments
-- ---------------------------------------------------------------------------------------------------

CREATE TABLE _fx_invoice_seed AS
WITH periods AS (
  SELECT s.id AS account_id, k, s.converted_at + k * interval '1 month' AS issued_at
  FROM _fx_account_seed s, generate_series(0, 24) AS k
  WHERE s.converted AND s.billing_interval = 'month'
    AND s.converted_at + k * interval '1 month' < coalesce(s.paid_canceled_at, timestamptz '2026-11-01 00:00:00+00')
    AND s.converted_at + k * interval '1 month' < timestamptz '2026-11-01 00:00:00+00'
  UNION ALL
  SELECT s.id, k, s.converted_at + k * interval '1 month'
  FROM _fx_account_seed s, generate_series(0, 24, 12) AS k
  WHERE s.converted AND s.billing_interval = 'year'
    AND s.converted_at + k * interval '1 month' < coalesce(s.paid_canceled_at, timestamptz '2026-11-01 00:00:00+00')
    AND s.converted_at + k * interval '1 month' < timestamptz '2026-11-01 00:00:00+00'
), priced AS (
  SELECT pr.*, s.billing_interval, s.addon_seats, s.coupon, s.pay_method, s.past_due, s.paid_churn_reason,
    CASE WHEN s.chg2_at <= pr.issued_at THEN s.plan2 WHEN s.chg1_at <= pr.issued_at THEN s.plan1 ELSE s.init_plan END
      AS plan_id,
    pr.k = max(pr.k) OVER (PARTITION BY pr.account_id) AS is_last,
    pr.account_id || ':' || pr.k AS key
  FROM periods pr JOIN _fx_account_seed s ON s.id = pr.account_id
), amounts AS (
  SELECT pc.*, p.name AS plan_name,
    CASE WHEN pc.billing_interval = 'month' THEN p.monthly_price ELSE p.annual_price END AS plan_amount,
    CASE WHEN pc.billing_interval = 'month' THEN 12.00 ELSE 120.00 END AS seat_price,
    CASE WHEN pc.coupon AND ((pc.billing_interval = 'month' AND pc.k < 3) OR pc.k = 0)
         THEN -round(0.20 * CASE WHEN pc.billing_interval = 'month' THEN p.monthly_price ELSE p.annual_price END, 2)
         ELSE 0 END AS discount
  FROM priced pc JOIN plans p ON p.id = pc.plan_id
), outcome AS (
  SELECT a.*,
    a.plan_amount + a.seat_price * a.addon_seats + a.discount AS total,
    CASE
      WHEN a.is_last AND a.past_due THEN 'open'
      WHEN a.is_last AND a.paid_churn_reason = 'payment_failed' THEN 'uncollectible'
      ELSE 'normal'
    END AS kind,
    a.pay_method IN ('card', 'paypal') AND _fx_u(a.key || ':fail') < 0.06 AS first_fails,
    CASE a.pay_method
      WHEN 'ach'  THEN (2 + _fx_h(a.key || ':delay') % 4) * interval '1 day'
      WHEN 'wire' THEN (5 + _fx_h(a.key || ':delay') % 21) * interval '1 day'
      ELSE (1 + _fx_h(a.key || ':delay') % 30) * interval '1 minute'
    END AS pay_delay
  FROM amounts a
)
SELECT o.*,
  CASE WHEN o.first_fails THEN interval '3 days' ELSE interval '0' END + o.pay_delay AS success_after,
  _fx_u(o.key || ':void') < 0.02 AS has_void_twin
FROM outcome o;

INSERT INTO invoices (id, invoice_number, account_id, subscription_id, billing_reason, status, issued_on, due_on,
                      period_start, period_end, total, paid_at)
WITH rows AS (
  SELECT f.key, false AS is_void, f.issued_at, f.account_id, f.k, f.billing_interval, f.total, f.pay_method,
    CASE WHEN f.kind = 'open' THEN 'open' WHEN f.kind = 'uncollectible' THEN 'uncollectible'
         WHEN f.issued_at + f.success_after >= timestamptz '2026-11-01 00:00:00+00' THEN 'open'
         ELSE 'paid' END AS status,
    CASE WHEN f.kind = 'normal' AND f.issued_at + f.success_after < timestamptz '2026-11-01 00:00:00+00'
         THEN f.issued_at + f.success_after END AS paid_at
  FROM _fx_invoice_seed f
  UNION ALL
  SELECT f.key || ':void', true, f.issued_at - interval '2 hours', f.account_id, f.k, f.billing_interval, f.total,
    f.pay_method, 'void', NULL
  FROM _fx_invoice_seed f WHERE f.has_void_twin
), numbered AS (
  SELECT r.*, row_number() OVER (ORDER BY r.issued_at, r.account_id)::int AS id FROM rows r
)
SELECT n.id,
  'INV-' || to_char(n.issued_at, 'YYYY') || '-' || lpad(n.id::text, 5, '0'),
  n.account_id, sub.id,
  CASE WHEN n.k = 0 THEN 'subscription_create' ELSE 'subscription_cycle' END,
  n.status,
  n.issued_at::date,
  n.issued_at::date + CASE WHEN n.pay_method IN ('card', 'paypal') THEN 0 ELSE 30 END,
  n.issued_at::date,
  (n.issued_at + CASE WHEN n.billing_interval = 'month' THEN interval '1 month' ELSE interval '1 year' END)::date - 1,
  n.total, n.paid_at
FROM numbered n JOIN subscriptions sub ON sub.account_id = n.account_id
ORDER BY n.id;

ALTER TABLE _fx_invoice_seed ADD COLUMN invoice_id integer, ADD COLUMN void_invoice_id integer;
UPDATE _fx_invoice_seed f SET invoice_id = i.id
FROM invoices i
WHERE i.account_id = f.account_id AND i.status <> 'void' AND i.issued_on = f.issued_at::date;
UPDATE _fx_invoice_seed f SET void_invoice_id = i.id
FROM invoices i
WHERE f.has_void_twin AND i.account_id = f.account_id AND i.status = 'void' AND i.issued_on = (f.issued_at - interval '2 hours')::date;

INSERT INTO invoice_lines (id, invoice_id, line_type, plan_id, description, quantity, unit_amount, amount)
WITH x AS (
  SELECT f.*, t.inv_id
  FROM _fx_invoice_seed f CROSS JOIN LATERAL unnest(ARRAY[f.invoice_id, f.void_invoice_id]) AS t (inv_id)
  WHERE t.inv_id IS NOT NULL
), lines AS (
  SELECT x.inv_id AS invoice_id, 1 AS pos, 'plan' AS line_type, x.plan_id,
         x.plan_name || ' plan, ' || CASE WHEN x.billing_interval = 'month' THEN 'monthly' ELSE 'annual' END AS description,
         1 AS quantity, x.plan_amount AS unit_amount, x.plan_amount AS amount
  FROM x
  UNION ALL
  SELECT x.inv_id, 2, 'addon_seats', NULL, 'Additional seats', x.addon_seats, x.seat_price, x.seat_price * x.addon_seats
  FROM x WHERE x.addon_seats > 0
  UNION ALL
  SELECT x.inv_id, 3, 'discount', NULL, 'Coupon WELCOME20 (20% off the plan)', 1, x.discount, x.discount
  FROM x WHERE x.discount <> 0
)
SELECT row_number() OVER (ORDER BY l.invoice_id, l.pos)::int, l.invoice_id, l.line_type, l.plan_id, l.description,
       l.quantity, l.unit_amount, l.amount
FROM lines l
ORDER BY 1;

INSERT INTO payments (id, invoice_id, attempted_at, amount, method, status, failure_code)
WITH attempts AS (
  -- a failed first attempt on a card or PayPal invoice that was then paid (or is still open)
  SELECT f.invoice_id, f.issued_at + interval '1 minute' AS attempted_at, f.total, f.pay_method, 'failed' AS status,
         (ARRAY['card_declined', 'insufficient_funds', 'expired_card'])[1 + _fx_h(f.key || ':code') % 3] AS failure_code
  FROM _fx_invoice_seed f WHERE f.kind = 'normal' AND f.first_fails
  UNION ALL
  -- the successful payment
  SELECT f.invoice_id, f.issued_at + f.success_after, f.total, f.pay_method, 'succeeded', NULL
  FROM _fx_invoice_seed f
  WHERE f.kind = 'normal' AND f.issued_at + f.success_after < timestamptz '2026-11-01 00:00:00+00'
  UNION ALL
  -- dunning on past-due and uncollectible invoices: retries after 0, 3 and 7 days
  SELECT f.invoice_id, f.issued_at + r * interval '1 day' + interval '1 minute', f.total, f.pay_method, 'failed',
         (ARRAY['card_declined', 'insufficient_funds', 'expired_card'])[1 + _fx_h(f.key || ':code') % 3]
  FROM _fx_invoice_seed f, unnest(ARRAY[0, 3, 7]) AS r
  WHERE f.kind IN ('open', 'uncollectible')
    AND f.issued_at + r * interval '1 day' + interval '1 minute' < timestamptz '2026-11-01 00:00:00+00'
)
SELECT row_number() OVER (ORDER BY a.attempted_at, a.invoice_id)::int, a.invoice_id, a.attempted_at, a.total,
       a.pay_method, a.status, a.failure_code
FROM attempts a
WHERE a.attempted_at < timestamptz '2026-11-01 00:00:00+00'
ORDER BY 1;

-- ---------------------------------------------------------------------------------------------------
-- Users
-- ---------------------------------------------------------------------------------------------------

CREATE TABLE _fx_user_seed AS
WITH counts AS (
  SELECT s.*,
    CASE s.employee_band
      WHEN '1-10' THEN 1 + _fx_h(s.id || ':nu') % 6
      WHEN '11-50' THEN 3 + _fx_h(s.id || ':nu') % 10
      WHEN '51-200' THEN 5 + _fx_h(s.id || ':nu') % 16
      WHEN '201-1000' THEN 8 + _fx_h(s.id || ':nu') % 25
      ELSE 12 + _fx_h(s.id || ':nu') % 36
    END AS n_full
  FROM _fx_account_seed s
), sized AS (
  SELECT c.*, CASE WHEN c.converted OR c.trialing THEN c.n_full ELSE least(c.n_full, 1 + _fx_h(c.id || ':nu2') % 3) END
    AS n_users
  FROM counts c
), raw AS (
  SELECT z.id AS account_id, k, z.signed_up_at, z.usage_end, z.eng, z.activated, z.exp4_variant,
    z.signed_up_at AS acct_signed_up_at,
    CASE WHEN k = 1 THEN z.signed_up_at
         ELSE date_trunc('second', z.signed_up_at + interval '10 minutes'
              + (z.usage_end - z.signed_up_at) * 0.85 * power(_fx_u(z.id || ':' || k || ':created'), 2)) END AS created_at,
    _fx_u(z.id || ':' || k || ':uf') AS uf,
    k > 1 AND _fx_u(z.id || ':' || k || ':never') < 0.10 AS never_logged_in,
    (ARRAY['Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Elijah', 'Sophia', 'James', 'Isabella', 'Lucas', 'Mia', 'Mateo',
           'Amelia', 'Henry', 'Harper', 'Leo', 'Evelyn', 'Jack', 'Aria', 'Omar', 'Priya', 'Arjun', 'Chen', 'Mei',
           'Sofia', 'Lukas', 'Hannah', 'Jonas', 'Chloe', 'Hugo', 'Freya', 'Oscar', 'Ingrid', 'Lars', 'Camila', 'Diego',
           'Fatima', 'Yusuf', 'Grace', 'Daniel'])[1 + _fx_h(z.id || ':' || k || ':first') % 40] AS first_name,
    (ARRAY['Smith', 'Johnson', 'Williams', 'Brown', 'Garcia', 'Miller', 'Davis', 'Martinez', 'Lopez', 'Wilson',
           'Anderson', 'Taylor', 'Thomas', 'Moore', 'Jackson', 'Martin', 'Lee', 'Thompson', 'White', 'Harris',
           'Clark', 'Lewis', 'Walker', 'Young', 'King', 'Wright', 'Patel', 'Singh', 'Kumar', 'Muller', 'Schmidt',
           'Dubois', 'Laurent', 'Jansen', 'de Vries', 'Nilsson', 'Eriksson', 'Silva', 'Santos', 'Nguyen'])
      [1 + _fx_h(z.id || ':' || k || ':last') % 40] AS last_name
  FROM sized z, generate_series(1, z.n_users) AS k
), deact AS (
  SELECT r.*,
    CASE WHEN r.k > 1 AND NOT r.never_logged_in AND _fx_u(r.account_id || ':' || r.k || ':deact') < 0.07
              AND r.usage_end - r.created_at > interval '3 days'
         THEN date_trunc('second', r.created_at + interval '1 day'
              + (r.usage_end - r.created_at - interval '1 day') * _fx_u(r.account_id || ':' || r.k || ':deactat')) END
      AS deactivated_at
  FROM raw r
)
SELECT row_number() OVER (ORDER BY d.created_at, d.account_id, d.k)::int AS id, d.*,
  least(coalesce(d.deactivated_at, d.usage_end), d.usage_end) AS user_end,
  row_number() OVER (PARTITION BY d.account_id, d.first_name, d.last_name ORDER BY d.k) AS name_dup
FROM deact d;

INSERT INTO users (id, account_id, email, full_name, role, job_title, marketing_opt_in, created_at, last_login_at, deactivated_at)
SELECT u.id, u.account_id,
  lower(replace(u.first_name, ' ', '') || '.' || replace(u.last_name, ' ', ''))
    || CASE WHEN u.name_dup > 1 THEN u.name_dup::text ELSE '' END || '@' || a.domain,
  u.first_name || ' ' || u.last_name,
  CASE WHEN u.k = 1 THEN 'owner' WHEN u.k = 2 THEN 'admin'
       WHEN _fx_u(u.account_id || ':' || u.k || ':role') < 0.12 THEN 'admin'
       WHEN _fx_u(u.account_id || ':' || u.k || ':role') < 0.78 THEN 'member' ELSE 'viewer' END,
  CASE WHEN _fx_u(u.account_id || ':' || u.k || ':title') < 0.42 THEN NULL
       ELSE (ARRAY['Head of Data', 'Data Analyst', 'Product Manager', 'Software Engineer', 'CFO', 'Operations Lead',
                   'Marketing Manager', 'CEO', 'Finance Analyst', 'Customer Success Manager'])
            [1 + _fx_h(u.account_id || ':' || u.k || ':title2') % 10] END,
  _fx_u(u.account_id || ':' || u.k || ':optin') < 0.40,
  u.created_at, NULL, u.deactivated_at
FROM _fx_user_seed u JOIN accounts a ON a.id = u.account_id
ORDER BY u.id;

-- ---------------------------------------------------------------------------------------------------
-- Sessions and events
-- ---------------------------------------------------------------------------------------------------

INSERT INTO sessions (id, user_id, started_at, ended_at, device, app_version)
WITH n AS (
  SELECT u.*,
    CASE WHEN u.never_logged_in THEN 0
         ELSE greatest(1, least(70, round(extract(epoch FROM u.user_end - u.created_at) / 86400.0 / 7.0
                                          * (0.06 + 0.9 * u.eng * u.uf)
                                          + CASE WHEN u.usage_end - u.acct_signed_up_at < interval '30 days' THEN 2 ELSE 0 END)))::int
    END AS n_sessions
  FROM _fx_user_seed u
), s0 AS (
  SELECT n.id AS user_id, j, n.n_sessions,
    CASE WHEN j = 1 THEN n.created_at
         ELSE date_trunc('second', n.created_at + (n.user_end - n.created_at) * ((j - 1 + _fx_u(n.id || ':' || j || ':st')) / n.n_sessions)) END
      AS started_at,
    (3 + _fx_h(n.id || ':' || j || ':dur') % 90) * interval '1 minute' AS raw_duration,
    _fx_u(n.id || ':' || j || ':dev') AS udev
  FROM n, generate_series(1, n.n_sessions) AS j
), s AS (
  -- sessions end by 23:59:59 of the day they start, so a session and its events fall on one day
  SELECT s0.*, least(s0.raw_duration, date_trunc('day', s0.started_at) + interval '86399 seconds' - s0.started_at) AS duration
  FROM s0
)
SELECT row_number() OVER (ORDER BY s.started_at, s.user_id)::int, s.user_id, s.started_at,
  CASE WHEN _fx_u(s.user_id || ':' || s.j || ':noend') < 0.015 THEN NULL ELSE s.started_at + s.duration END,
  CASE WHEN s.udev < 0.70 THEN 'desktop' WHEN s.udev < 0.92 THEN 'mobile' ELSE 'tablet' END,
  CASE WHEN s.started_at < '2025-04-01 00:00:00+00' THEN '3.4'
       WHEN s.started_at < '2025-10-01 00:00:00+00' THEN '3.5'
       WHEN s.started_at < '2026-03-01 00:00:00+00' THEN '4.0'
       WHEN s.started_at < '2026-08-01 00:00:00+00' THEN '4.1' ELSE '4.2' END
FROM s
ORDER BY 1;

UPDATE users u SET last_login_at = x.last_start
FROM (SELECT user_id, max(started_at) AS last_start FROM sessions GROUP BY user_id) x
WHERE x.user_id = u.id;

INSERT INTO events (id, user_id, session_id, event_name, feature_id, occurred_at, properties)
WITH sess AS (
  SELECT s.id AS session_id, s.user_id, s.started_at,
    coalesce(s.ended_at, least(s.started_at + interval '20 minutes', date_trunc('day', s.started_at) + interval '86399 seconds'))
      - s.started_at AS duration,
    row_number() OVER (PARTITION BY s.user_id ORDER BY s.started_at) AS nth,
    u.k, u.activated, u.acct_signed_up_at, u.exp4_variant
  FROM sessions s JOIN _fx_user_seed u ON u.id = s.user_id
), ev AS (
  SELECT x.*, i, n_events,
    x.started_at + x.duration * (i::double precision / (n_events + 1)) AS occurred_at,
    _fx_h(x.session_id || ':' || i || ':ev') % 100 AS r
  FROM (SELECT sess.*, (1 + _fx_h(sess.session_id || ':ne') % 4)::int AS n_events FROM sess) x,
       generate_series(1, x.n_events) AS i
), named AS (
  SELECT e.*,
    CASE WHEN e.k = 1 AND e.nth = 1 AND i = 1 AND e.activated THEN 'report_created'
         WHEN e.r < 28 THEN 'dashboard_viewed'
         WHEN e.r < 40 THEN 'report_created'
         WHEN e.r < 50 THEN 'report_exported'
         WHEN e.r < 63 THEN 'sql_query_run'
         WHEN e.r < 68 THEN 'alert_created'
         WHEN e.r < 71 THEN 'integration_connected'
         WHEN e.r < 74 THEN 'teammate_invited'
         WHEN e.r < 79 THEN 'report_scheduled'
         WHEN e.r < 81 THEN 'api_key_created'
         WHEN e.r < 92 THEN 'ai_question_asked'
         WHEN e.r < 95 THEN 'upgrade_clicked'
         WHEN e.r < 96 THEN 'sso_configured'
         ELSE 'embed_created'
    END AS raw_name
  FROM ev e
), fixed AS (
  SELECT nm.*,
    CASE
      WHEN nm.raw_name = 'report_created' AND NOT (nm.k = 1 AND nm.nth = 1 AND nm.i = 1)
           AND NOT nm.activated AND nm.occurred_at < nm.acct_signed_up_at + interval '14 days' THEN 'dashboard_viewed'
      WHEN nm.raw_name = 'ai_question_asked' AND nm.occurred_at < '2026-03-01 00:00:00+00' THEN 'dashboard_viewed'
      WHEN nm.raw_name = 'ai_question_asked' AND coalesce(nm.exp4_variant, '') <> 'treatment'
           AND _fx_u(nm.session_id || ':' || nm.i || ':ai') < 0.45 THEN 'dashboard_viewed'
      WHEN nm.raw_name = 'dashboard_viewed' AND nm.exp4_variant = 'treatment' AND nm.occurred_at >= '2026-03-01 00:00:00+00'
           AND _fx_u(nm.session_id || ':' || nm.i || ':ai') < 0.25 THEN 'ai_question_asked'
      WHEN nm.raw_name = 'embed_created' AND nm.occurred_at < '2025-09-15 00:00:00+00' THEN 'report_exported'
      ELSE nm.raw_name
    END AS event_name
  FROM named nm
), all_events AS (
  SELECT f.user_id, f.session_id, f.event_name, f.occurred_at,
    CASE f.event_name
      WHEN 'report_exported' THEN jsonb_build_object('format', (ARRAY['csv', 'pdf', 'xlsx', 'csv'])[1 + _fx_h(f.session_id || ':' || f.i || ':fmt') % 4])
      WHEN 'integration_connected' THEN jsonb_build_object('integration',
        (ARRAY['slack', 'snowflake', 'bigquery', 'hubspot', 'salesforce', 'postgres'])[1 + _fx_h(f.session_id || ':' || f.i || ':int') % 6])
    END AS properties
  FROM fixed f
  UNION ALL
  SELECT sess.user_id, sess.session_id, 'user_signed_up', sess.started_at, NULL
  FROM sess WHERE sess.nth = 1
)
SELECT row_number() OVER (ORDER BY ae.occurred_at, ae.user_id, ae.event_name), ae.user_id, ae.session_id, ae.event_name,
  CASE ae.event_name
    WHEN 'dashboard_viewed' THEN 1 WHEN 'report_created' THEN 2 WHEN 'report_exported' THEN 3 WHEN 'sql_query_run' THEN 4
    WHEN 'alert_created' THEN 5 WHEN 'integration_connected' THEN 6 WHEN 'teammate_invited' THEN 7
    WHEN 'report_scheduled' THEN 8 WHEN 'api_key_created' THEN 9 WHEN 'ai_question_asked' THEN 10
    WHEN 'sso_configured' THEN 11 WHEN 'embed_created' THEN 12
  END,
  ae.occurred_at, ae.properties
FROM all_events ae
ORDER BY 1;

-- ---------------------------------------------------------------------------------------------------
-- Experiments
-- ---------------------------------------------------------------------------------------------------

INSERT INTO experiment_assignments (id, experiment_id, account_id, variant, assigned_at, converted_at)
WITH a AS (
  SELECT 1 AS experiment_id, s.id AS account_id, s.exp1_variant AS variant, s.signed_up_at FROM _fx_account_seed s WHERE s.exp1_variant IS NOT NULL
  UNION ALL
  SELECT 2, s.id, s.exp2_variant, s.signed_up_at FROM _fx_account_seed s WHERE s.exp2_variant IS NOT NULL
  UNION ALL
  SELECT 3, s.id, s.exp3_variant, s.signed_up_at FROM _fx_account_seed s WHERE s.exp3_variant IS NOT NULL
  UNION ALL
  SELECT 4, s.id, s.exp4_variant, s.signed_up_at FROM _fx_account_seed s WHERE s.exp4_variant IS NOT NULL
), conv AS (
  SELECT a.*, a.signed_up_at + interval '30 seconds' AS assigned_at,
    CASE a.experiment_id
      WHEN 1 THEN (SELECT sub.converted_at FROM subscriptions sub WHERE sub.account_id = a.account_id)
      WHEN 2 THEN (SELECT min(e.occurred_at) FROM events e JOIN users u ON u.id = e.user_id
                   WHERE u.account_id = a.account_id AND e.event_name = 'report_created'
                     AND e.occurred_at < a.signed_up_at + interval '7 days')
      WHEN 3 THEN (SELECT sub.converted_at FROM subscriptions sub WHERE sub.account_id = a.account_id AND sub.billing_interval = 'year')
      WHEN 4 THEN (SELECT min(e.occurred_at) FROM events e JOIN users u ON u.id = e.user_id
                   WHERE u.account_id = a.account_id AND e.event_name = 'ai_question_asked'
                     AND e.occurred_at >= a.signed_up_at + interval '30 seconds')
    END AS converted_at
  FROM a
)
SELECT row_number() OVER (ORDER BY c.experiment_id, c.assigned_at, c.account_id)::int, c.experiment_id, c.account_id,
       c.variant, c.assigned_at, c.converted_at
FROM conv c
ORDER BY 1;

-- ---------------------------------------------------------------------------------------------------
-- Support conversations and NPS
-- ---------------------------------------------------------------------------------------------------

INSERT INTO support_conversations (id, account_id, user_id, channel, topic, priority, opened_at, first_response_at,
                                   closed_at, csat_score)
WITH src AS (
  SELECT u.id AS user_id, u.account_id, u.created_at, u.user_end,
    CASE WHEN _fx_u(u.id || ':sup') < 0.22 THEN 1 WHEN _fx_u(u.id || ':sup') < 0.29 THEN 2
         WHEN _fx_u(u.id || ':sup') < 0.32 THEN 3 ELSE 0 END AS n
  FROM _fx_user_seed u WHERE NOT u.never_logged_in
), c AS (
  SELECT src.*, j, src.user_id || ':' || j AS key,
    src.created_at + (src.user_end - src.created_at) * _fx_u(src.user_id || ':' || j || ':open') AS opened_at,
    _fx_u(src.user_id || ':' || j || ':ch') AS uch
  FROM src, generate_series(1, src.n) AS j
), c2 AS (
  SELECT c.*,
    CASE WHEN c.uch < 0.50 THEN 'chat' WHEN c.uch < 0.88 THEN 'email' ELSE 'phone' END AS channel,
    CASE WHEN _fx_u(c.key || ':noresp') < 0.03 THEN NULL
         WHEN c.uch < 0.50 THEN c.opened_at + (1 + _fx_h(c.key || ':resp') % 20) * interval '1 minute'
         WHEN c.uch < 0.88 THEN c.opened_at + (30 + _fx_h(c.key || ':resp') % 1410) * interval '1 minute'
         ELSE c.opened_at + (_fx_h(c.key || ':resp') % 3) * interval '1 minute' END AS resp
  FROM c
), c3 AS (
  SELECT c2.*,
    CASE WHEN c2.resp IS NULL OR c2.resp >= '2026-11-01 00:00:00+00' THEN NULL ELSE c2.resp END AS first_response_at,
    CASE WHEN c2.resp IS NULL OR _fx_u(c2.key || ':stayopen') < 0.04 THEN NULL
         WHEN c2.channel = 'chat' THEN c2.resp + (5 + _fx_h(c2.key || ':close') % 115) * interval '1 minute'
         WHEN c2.channel = 'email' THEN c2.resp + (1 + _fx_h(c2.key || ':close') % 96) * interval '1 hour'
         ELSE c2.resp + (5 + _fx_h(c2.key || ':close') % 35) * interval '1 minute' END AS close_at
  FROM c2
)
SELECT row_number() OVER (ORDER BY c3.opened_at, c3.key)::int, c3.account_id,
  CASE WHEN _fx_u(c3.key || ':anon') < 0.08 THEN NULL ELSE c3.user_id END,
  c3.channel,
  CASE WHEN _fx_u(c3.key || ':topic') < 0.18 THEN 'billing' WHEN _fx_u(c3.key || ':topic') < 0.43 THEN 'bug'
       WHEN _fx_u(c3.key || ':topic') < 0.75 THEN 'how_to' WHEN _fx_u(c3.key || ':topic') < 0.90 THEN 'feature_request'
       ELSE 'account_access' END,
  CASE WHEN _fx_u(c3.key || ':prio') < 0.25 THEN 'low' WHEN _fx_u(c3.key || ':prio') < 0.75 THEN 'normal'
       WHEN _fx_u(c3.key || ':prio') < 0.93 THEN 'high' ELSE 'urgent' END,
  c3.opened_at, c3.first_response_at,
  CASE WHEN c3.close_at < '2026-11-01 00:00:00+00' THEN c3.close_at END,
  CASE WHEN c3.close_at < '2026-11-01 00:00:00+00' AND _fx_u(c3.key || ':csat') < 0.45 THEN
    CASE WHEN _fx_u(c3.key || ':csat2') < 0.45 THEN 5 WHEN _fx_u(c3.key || ':csat2') < 0.75 THEN 4
         WHEN _fx_u(c3.key || ':csat2') < 0.87 THEN 3 WHEN _fx_u(c3.key || ':csat2') < 0.94 THEN 2 ELSE 1 END
  END
FROM c3
ORDER BY 1;

INSERT INTO nps_responses (id, user_id, score, comment, survey_channel, responded_at)
WITH src AS (
  SELECT u.id AS user_id, u.created_at, u.user_end, u.eng,
    CASE WHEN _fx_u(u.id || ':nps') < 0.30 THEN 1 WHEN _fx_u(u.id || ':nps') < 0.42 THEN 2 ELSE 0 END AS n
  FROM _fx_user_seed u
  WHERE NOT u.never_logged_in AND u.user_end - u.created_at > interval '45 days'
), r AS (
  SELECT src.*, j, src.user_id || ':' || j AS key,
    src.created_at + interval '30 days' + (src.user_end - src.created_at - interval '30 days') * _fx_u(src.user_id || ':' || j || ':at')
      AS responded_at,
    _fx_u(src.user_id || ':' || j || ':score') AS us
  FROM src, generate_series(1, src.n) AS j
), scored AS (
  SELECT r.*,
    CASE WHEN r.us < 0.38 - 0.25 * r.eng THEN (ARRAY[0, 1, 2, 3, 4, 5, 5, 6, 6, 6])[1 + _fx_h(r.key || ':d') % 10]
         WHEN r.us < 0.68 - 0.25 * r.eng THEN (ARRAY[7, 8, 8])[1 + _fx_h(r.key || ':p') % 3]
         ELSE (ARRAY[9, 10, 10])[1 + _fx_h(r.key || ':p') % 3] END AS score
  FROM r
)
SELECT row_number() OVER (ORDER BY s.responded_at, s.key)::int, s.user_id, s.score,
  CASE WHEN _fx_u(s.key || ':comment') < 0.60 THEN NULL
       WHEN s.score <= 6 THEN (ARRAY['Dashboards are slow to load.', 'Too expensive for what we use.',
                                     'Missing the integrations we need.', 'Support took days to answer.',
                                     'The SQL editor keeps losing my work.'])[1 + _fx_h(s.key || ':c') % 5]
       WHEN s.score <= 8 THEN (ARRAY['Good, but the exports could be better.', 'Solid product, a few rough edges.',
                                     'Works well once set up.', 'Would like more chart types.'])[1 + _fx_h(s.key || ':c') % 4]
       ELSE (ARRAY['Love the scheduled reports!', 'Our whole team lives in it.', 'Best BI tool we have tried.',
                   'The AI assistant saves me hours.', 'Great support and great product.'])[1 + _fx_h(s.key || ':c') % 5]
  END,
  CASE WHEN _fx_u(s.key || ':chan') < 0.65 THEN 'in_app' ELSE 'email' END,
  s.responded_at
FROM scored s
ORDER BY 1;

-- ---------------------------------------------------------------------------------------------------
-- Helpers away
-- ---------------------------------------------------------------------------------------------------

DROP TABLE _fx_account_seed, _fx_user_seed, _fx_invoice_seed;
DROP FUNCTION _fx_h(text);
DROP FUNCTION _fx_u(text);

-- ---------------------------------------------------------------------------------------------------
-- Comments (Picovis reads these)
-- ---------------------------------------------------------------------------------------------------

COMMENT ON TABLE plans IS 'Subscription plans (price list). Prices in USD, flat per account.';
COMMENT ON COLUMN plans.code IS 'Stable plan code used by billing, e.g. starter, team, business.';
COMMENT ON COLUMN plans.name IS 'Plan name shown to customers.';
COMMENT ON COLUMN plans.tier IS 'Tier of the plan: starter, team, business or enterprise. The legacy Pro plan is team tier.';
COMMENT ON COLUMN plans.monthly_price IS 'Price per month in USD when billed monthly.';
COMMENT ON COLUMN plans.annual_price IS 'Price per year in USD when billed annually (about two months free).';
COMMENT ON COLUMN plans.seat_limit IS 'Seats included in the plan. NULL means unlimited.';
COMMENT ON COLUMN plans.is_public IS 'Listed on the public pricing page (false for Enterprise, sold by sales, and for retired plans).';
COMMENT ON COLUMN plans.is_active IS 'Still sold to new customers. Existing customers may stay on inactive (retired) plans.';
COMMENT ON COLUMN plans.launched_on IS 'Date the plan became available.';
COMMENT ON COLUMN plans.retired_on IS 'Date the plan stopped being sold. NULL while it is still sold.';

COMMENT ON TABLE referral_sources IS 'Acquisition sources: where a customer account first heard of the product.';
COMMENT ON COLUMN referral_sources.name IS 'Source name, e.g. Google Ads, G2, Customer referral.';
COMMENT ON COLUMN referral_sources.channel IS 'Marketing channel: organic, paid, partner, referral, review_site or event.';
COMMENT ON COLUMN referral_sources.is_paid IS 'True when the source costs marketing budget.';
COMMENT ON COLUMN referral_sources.created_on IS 'Date the source started being tracked.';

COMMENT ON TABLE accounts IS 'Customer accounts: one row per company (organisation, workspace) that signed up, paying or not (trials and lapsed trials included). Paying customers are accounts whose subscription is active or past_due.';
COMMENT ON COLUMN accounts.name IS 'Company name.';
COMMENT ON COLUMN accounts.domain IS 'Company web domain, also the domain of its users e-mail addresses.';
COMMENT ON COLUMN accounts.industry IS 'Industry of the company, e.g. software, fintech, healthcare.';
COMMENT ON COLUMN accounts.country_code IS 'Country of the company, ISO 3166-1 alpha-2 code (US, GB, DE ...).';
COMMENT ON COLUMN accounts.employee_band IS 'Company size by number of employees: 1-10, 11-50, 51-200, 201-1000 or 1000+.';
COMMENT ON COLUMN accounts.referral_source_id IS 'How the account found us. NULL when unknown.';
COMMENT ON COLUMN accounts.utm_source IS 'utm_source of the signup visit, e.g. google, linkedin, g2. NULL when the signup carried no UTM tags.';
COMMENT ON COLUMN accounts.utm_medium IS 'utm_medium of the signup visit, e.g. cpc, paid_social, email. NULL when untagged.';
COMMENT ON COLUMN accounts.utm_campaign IS 'utm_campaign of the signup visit. NULL when untagged.';
COMMENT ON COLUMN accounts.signed_up_at IS 'When the account was created (signup time of its first user).';

COMMENT ON TABLE users IS 'People who use the product. Each user belongs to one account (company).';
COMMENT ON COLUMN users.account_id IS 'Account (company) the user belongs to.';
COMMENT ON COLUMN users.email IS 'Work e-mail address, unique.';
COMMENT ON COLUMN users.full_name IS 'First and last name.';
COMMENT ON COLUMN users.role IS 'Role in the account: owner (the user who signed the account up), admin, member or viewer.';
COMMENT ON COLUMN users.job_title IS 'Self-reported job title. NULL when not filled in.';
COMMENT ON COLUMN users.marketing_opt_in IS 'Agreed to receive marketing e-mail.';
COMMENT ON COLUMN users.created_at IS 'When the user was created (signed up or was invited).';
COMMENT ON COLUMN users.last_login_at IS 'Start of the users most recent session. NULL for invited users who never logged in.';
COMMENT ON COLUMN users.deactivated_at IS 'When an admin removed the user from the account. NULL for users still in the account.';

COMMENT ON TABLE subscriptions IS 'One subscription per account that started a trial. Every subscription starts with a 14-day free trial and either converts to paid or lapses. Plan changes are in subscription_changes, billing in invoices.';
COMMENT ON COLUMN subscriptions.account_id IS 'Account that owns the subscription.';
COMMENT ON COLUMN subscriptions.plan_id IS 'Current plan (the plan at cancellation for canceled subscriptions, the trial plan for trials).';
COMMENT ON COLUMN subscriptions.status IS 'trialing (in the free trial), active (paying), past_due (paying, but the latest invoice is unpaid. Still a customer and still counted in MRR), canceled (trial lapsed or paid subscription canceled).';
COMMENT ON COLUMN subscriptions.billing_interval IS 'month or year.';
COMMENT ON COLUMN subscriptions.addon_seats IS 'Extra seats bought on top of the plan (12 USD per seat per month, 120 USD per seat per year).';
COMMENT ON COLUMN subscriptions.mrr IS 'Monthly recurring revenue of the subscription in USD: plan price per month (annual price / 12 for yearly billing) plus add-on seats, before temporary coupons. 0 for trials and for trials that lapsed. Canceled paid subscriptions keep the MRR they had when they canceled. Current MRR counts active and past_due subscriptions.';
COMMENT ON COLUMN subscriptions.started_at IS 'When the subscription (and its free trial) started.';
COMMENT ON COLUMN subscriptions.trial_ends_at IS 'End of the 14-day free trial.';
COMMENT ON COLUMN subscriptions.converted_at IS 'When the trial converted to paid (the first invoice). NULL if the subscription never became paid.';
COMMENT ON COLUMN subscriptions.canceled_at IS 'When the subscription was canceled: the trial end for lapsed trials, the cancellation time for paid subscriptions (churn). NULL while trialing, active or past_due.';
COMMENT ON COLUMN subscriptions.churn_reason IS 'Why a paid subscription was canceled: too_expensive, missing_features, switched_competitor, no_longer_needed, poor_support, company_closed or payment_failed. trial_expired for trials that lapsed without converting. NULL when not canceled or when the customer gave no reason.';

COMMENT ON TABLE subscription_changes IS 'Plan changes (upgrades and downgrades) of paid subscriptions over time. The plan before the first change is the plan the subscription started on.';
COMMENT ON COLUMN subscription_changes.subscription_id IS 'Subscription whose plan changed.';
COMMENT ON COLUMN subscription_changes.changed_at IS 'When the change took effect.';
COMMENT ON COLUMN subscription_changes.change_type IS 'upgrade (to a more expensive plan) or downgrade.';
COMMENT ON COLUMN subscription_changes.from_plan_id IS 'Plan before the change.';
COMMENT ON COLUMN subscription_changes.to_plan_id IS 'Plan after the change.';
COMMENT ON COLUMN subscription_changes.mrr_before IS 'MRR of the subscription before the change, USD.';
COMMENT ON COLUMN subscription_changes.mrr_after IS 'MRR of the subscription after the change, USD.';

COMMENT ON TABLE invoices IS 'Invoices billed to accounts for their subscription, one per billing period. Revenue for a period is the total of the paid invoices issued in it (by issued_on).';
COMMENT ON COLUMN invoices.invoice_number IS 'Human-readable invoice number.';
COMMENT ON COLUMN invoices.account_id IS 'Account billed.';
COMMENT ON COLUMN invoices.subscription_id IS 'Subscription the invoice bills.';
COMMENT ON COLUMN invoices.billing_reason IS 'subscription_create for the first invoice after the trial, subscription_cycle for renewals.';
COMMENT ON COLUMN invoices.status IS 'draft, open (issued, not paid yet), paid, void (issued in error and cancelled, never to be paid) or uncollectible (payment given up on).';
COMMENT ON COLUMN invoices.issued_on IS 'Date the invoice was issued (start of the billed period).';
COMMENT ON COLUMN invoices.due_on IS 'Date payment is due.';
COMMENT ON COLUMN invoices.period_start IS 'First day of the billed service period.';
COMMENT ON COLUMN invoices.period_end IS 'Last day of the billed service period.';
COMMENT ON COLUMN invoices.total IS 'Amount due in USD: the sum of the invoice lines (discounts included). Prices are tax-inclusive.';
COMMENT ON COLUMN invoices.paid_at IS 'When the invoice was paid. NULL unless status is paid.';

COMMENT ON TABLE invoice_lines IS 'Line items of invoices: the plan, add-on seats and coupon discounts.';
COMMENT ON COLUMN invoice_lines.invoice_id IS 'Invoice the line belongs to.';
COMMENT ON COLUMN invoice_lines.line_type IS 'plan, addon_seats or discount.';
COMMENT ON COLUMN invoice_lines.plan_id IS 'Plan billed, on plan lines only. NULL on other lines.';
COMMENT ON COLUMN invoice_lines.description IS 'Text printed on the invoice.';
COMMENT ON COLUMN invoice_lines.quantity IS 'Quantity (number of seats on addon_seats lines, else 1).';
COMMENT ON COLUMN invoice_lines.unit_amount IS 'Price per unit in USD. Negative on discount lines.';
COMMENT ON COLUMN invoice_lines.amount IS 'quantity times unit_amount, USD. Negative on discount lines.';

COMMENT ON TABLE payments IS 'Payment attempts on invoices, successful or failed (card declines are retried).';
COMMENT ON COLUMN payments.invoice_id IS 'Invoice being paid.';
COMMENT ON COLUMN payments.attempted_at IS 'When the payment was attempted.';
COMMENT ON COLUMN payments.amount IS 'Amount attempted in USD (the invoice total).';
COMMENT ON COLUMN payments.method IS 'Payment method: card, ach (bank debit), wire (bank transfer) or paypal.';
COMMENT ON COLUMN payments.status IS 'succeeded or failed.';
COMMENT ON COLUMN payments.failure_code IS 'Why a failed attempt failed: card_declined, insufficient_funds or expired_card. NULL on successful payments.';

COMMENT ON TABLE features IS 'Product features whose usage is tracked in events.';
COMMENT ON COLUMN features.key IS 'Stable feature key, e.g. dashboards, sql_editor, ai_assistant.';
COMMENT ON COLUMN features.name IS 'Feature name shown in the product.';
COMMENT ON COLUMN features.category IS 'core, collaboration, integrations, ai or admin.';
COMMENT ON COLUMN features.min_tier IS 'Lowest plan tier that includes the feature.';
COMMENT ON COLUMN features.is_beta IS 'Still in beta.';
COMMENT ON COLUMN features.released_on IS 'Date the feature was released.';

COMMENT ON TABLE sessions IS 'Product sessions (logins): one row each time a user opens the web or mobile app. A user is active on a day when they have a session that day.';
COMMENT ON COLUMN sessions.user_id IS 'User who had the session.';
COMMENT ON COLUMN sessions.started_at IS 'Session start.';
COMMENT ON COLUMN sessions.ended_at IS 'Session end. NULL when the client never reported the end (closed tab, crash).';
COMMENT ON COLUMN sessions.device IS 'desktop, mobile or tablet.';
COMMENT ON COLUMN sessions.app_version IS 'Version of the app, e.g. 4.2.';

COMMENT ON TABLE events IS 'Product analytics events: one row per tracked user action. Every event happens inside a session.';
COMMENT ON COLUMN events.user_id IS 'User who did the action.';
COMMENT ON COLUMN events.session_id IS 'Session the event happened in.';
COMMENT ON COLUMN events.event_name IS 'Action, e.g. user_signed_up (first session of a user), dashboard_viewed, report_created (the activation event), report_exported, sql_query_run, alert_created, integration_connected, teammate_invited, report_scheduled, api_key_created, ai_question_asked, upgrade_clicked, sso_configured, embed_created.';
COMMENT ON COLUMN events.feature_id IS 'Feature the action used. NULL for events not tied to a feature (user_signed_up, upgrade_clicked).';
COMMENT ON COLUMN events.occurred_at IS 'When the action happened.';
COMMENT ON COLUMN events.properties IS 'Event properties as JSON, e.g. {"format": "pdf"} on report_exported, {"integration": "slack"} on integration_connected. NULL on other events.';

COMMENT ON TABLE experiments IS 'A/B tests run on new accounts.';
COMMENT ON COLUMN experiments.key IS 'Experiment key used in code.';
COMMENT ON COLUMN experiments.name IS 'Experiment name.';
COMMENT ON COLUMN experiments.hypothesis IS 'What the experiment tests.';
COMMENT ON COLUMN experiments.primary_metric IS 'What counts as a conversion for this experiment (see experiment_assignments.converted_at).';
COMMENT ON COLUMN experiments.status IS 'draft, running, completed or stopped.';
COMMENT ON COLUMN experiments.started_at IS 'Start of the experiment. NULL for drafts.';
COMMENT ON COLUMN experiments.ended_at IS 'End of the experiment (exclusive). NULL while running or not started.';

COMMENT ON TABLE experiment_assignments IS 'Which variant of an experiment each account got. Accounts are assigned when they sign up during the experiment.';
COMMENT ON COLUMN experiment_assignments.experiment_id IS 'Experiment.';
COMMENT ON COLUMN experiment_assignments.account_id IS 'Account assigned.';
COMMENT ON COLUMN experiment_assignments.variant IS 'Variant shown: control, or the name of a treatment variant (treatment, checklist, banner_10, banner_20).';
COMMENT ON COLUMN experiment_assignments.assigned_at IS 'When the account was assigned.';
COMMENT ON COLUMN experiment_assignments.converted_at IS 'When the account reached the experiments primary metric. NULL if it did not (yet).';

COMMENT ON TABLE support_conversations IS 'Customer support conversations (tickets) opened by accounts through chat, e-mail or phone.';
COMMENT ON COLUMN support_conversations.account_id IS 'Account the conversation is about.';
COMMENT ON COLUMN support_conversations.user_id IS 'User who opened the conversation. NULL when it came from an address not matched to a user.';
COMMENT ON COLUMN support_conversations.channel IS 'chat, email or phone.';
COMMENT ON COLUMN support_conversations.topic IS 'billing, bug, how_to, feature_request or account_access.';
COMMENT ON COLUMN support_conversations.priority IS 'low, normal, high or urgent.';
COMMENT ON COLUMN support_conversations.opened_at IS 'When the conversation was opened.';
COMMENT ON COLUMN support_conversations.first_response_at IS 'First reply from a support agent. NULL when nobody has replied yet.';
COMMENT ON COLUMN support_conversations.closed_at IS 'When the conversation was closed. NULL while it is still open.';
COMMENT ON COLUMN support_conversations.csat_score IS 'Customer satisfaction rating 1 (bad) to 5 (great) given after closing. NULL when the customer did not rate.';

COMMENT ON TABLE nps_responses IS 'Net Promoter Score survey answers from users. Promoters score 9-10, passives 7-8, detractors 0-6. NPS = % promoters - % detractors.';
COMMENT ON COLUMN nps_responses.user_id IS 'User who answered.';
COMMENT ON COLUMN nps_responses.score IS 'How likely the user is to recommend the product, 0 to 10.';
COMMENT ON COLUMN nps_responses.comment IS 'Free-text comment. NULL when the user left none.';
COMMENT ON COLUMN nps_responses.survey_channel IS 'Where the survey was answered: in_app or email.';
COMMENT ON COLUMN nps_responses.responded_at IS 'When the answer was submitted.';

ANALYZE;
