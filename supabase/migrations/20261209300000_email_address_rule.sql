-- The one rule for an email address people give us (sharing a job, inviting
-- someone to a team), in SQL. It is the same rule, character for character,
-- as supabase/functions/_shared/emails.ts (EMAIL_PATTERN and the lengths),
-- which the edge functions and the web app's zod schema use;
-- tests/db/email-rule.test.ts proves the three agree on a table of tricky
-- addresses.
-- Protects: what the database stores and later emails is a bare address
-- that cannot break out of an SMTP envelope or a To header (no line breaks,
-- commas, angle brackets, quotes or spaces), and an address that the app
-- accepts is never refused by the database, nor the other way round.
-- Takes a trimmed, lower-cased address (callers normalise first); null in,
-- null out.
create function private.is_email_address(address text) returns boolean
language sql immutable strict parallel safe set search_path = ''
as $$
  select char_length(address) <= 254
     and position('@' in address) - 1 <= 64
     and address ~ '^[a-z0-9!#$%&''*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&''*+/=?^_`{|}~-]+)*@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$'
$$;

grant execute on function private.is_email_address(text) to anon, authenticated, service_role;
