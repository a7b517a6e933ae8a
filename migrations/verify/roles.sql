-- Verify pg_woocommerce:roles on pg
-- Exactly the three roles, none able to log in, bypass RLS or administer.
SELECT 1 / (count(*) = 3)::int
  FROM pg_roles
 WHERE rolname IN ('woo_owner', 'woo_app', 'woo_ai')
   AND NOT rolcanlogin AND NOT rolsuper AND NOT rolbypassrls AND NOT rolcreaterole AND NOT rolcreatedb;
