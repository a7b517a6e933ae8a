-- woo.hash_email: SHA-256 of the normalised address, hex; the documented examples.
SELECT woo.hash_email('Alice@Example.com') = woo.hash_email('  alice@example.com ') AS same_after_trim_and_case;
SELECT woo.hash_email('alice@example.com') = encode(sha256('alice@example.com'), 'hex') AS is_sha256_hex;
SELECT length(woo.hash_email('alice@example.com')) AS hex_length;
SELECT woo.hash_email(NULL) IS NULL AS null_in_null_out;
SELECT woo.hash_email('') AS empty;
