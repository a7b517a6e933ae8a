-- pg_woocommerce 1.0 (frozen: never edit a released version; change the current script
-- sql/pg_woocommerce.sql and add an upgrade and a downgrade script).

\echo Use "CREATE EXTENSION pg_woocommerce" to load this file. \quit

CREATE SCHEMA woo;
COMMENT ON SCHEMA woo IS 'pg_woocommerce: functions for syncing WooCommerce stores';

-- E-mail hashing ------------------------------------------------------------

CREATE FUNCTION woo.normalize_email(email text) RETURNS text
    AS 'MODULE_PATHNAME', 'woo_normalize_email'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION woo.normalize_email(text) IS
    'Trims ASCII whitespace and ASCII-lower-cases an e-mail address; NULL when empty';

CREATE FUNCTION woo.normalize_email(email text, gmail_canonical boolean) RETURNS text
    AS 'MODULE_PATHNAME', 'woo_normalize_email'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION woo.normalize_email(text, boolean) IS
    'normalize_email, plus (when true) the gmail.com canonical form: no dots, no +tag, googlemail.com -> gmail.com';

CREATE FUNCTION woo.hash_email(email text) RETURNS text
    AS 'MODULE_PATHNAME', 'woo_hash_email'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION woo.hash_email(text) IS
    'Lowercase hex SHA-256 of the UTF-8 bytes of woo.normalize_email(email); NULL when empty';

CREATE FUNCTION woo.hash_email(email text, gmail_canonical boolean) RETURNS text
    AS 'MODULE_PATHNAME', 'woo_hash_email'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION woo.hash_email(text, boolean) IS
    'Lowercase hex SHA-256 of the UTF-8 bytes of woo.normalize_email(email, gmail_canonical); NULL when empty';
