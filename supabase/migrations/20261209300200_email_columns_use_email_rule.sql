-- The address columns of job_shares and team_invites hold to the one rule
-- (private.is_email_address, 20261209300000_email_address_rule.sql) instead
-- of their own patterns ('^[^@\s]+@[^@\s]+$' and '%_@_%'), still trimmed and
-- lower-case. NOT VALID: rows written under the older, looser rules stay
-- (an invite or share already made is not taken away); every new or changed
-- row is checked.
-- Protects: nothing but a bare, well-formed address reaches the tables the
-- sharing and invitation emails are sent from, whichever path writes them.
alter table public.job_shares drop constraint job_shares_email_check;
alter table public.job_shares add constraint job_shares_email_is_address
  check (email = lower(btrim(email)) and private.is_email_address(email)) not valid;

alter table public.team_invites drop constraint team_invites_email_check;
alter table public.team_invites add constraint team_invites_email_is_address
  check (email = lower(btrim(email)) and private.is_email_address(email)) not valid;
