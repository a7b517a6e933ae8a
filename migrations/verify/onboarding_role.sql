-- Verify pg_woocommerce:onboarding_role on pg
SELECT 1 / count(*)::int FROM pg_roles
 WHERE rolname = 'woo_onboarding' AND NOT rolcanlogin AND NOT rolsuper AND NOT rolbypassrls AND NOT rolcreaterole;
