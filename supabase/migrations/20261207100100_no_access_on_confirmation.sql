-- Confirming an address no longer grants anything by itself.
-- Protects against account pre-registration: these triggers attached pending
-- job shares and accepted team invites the moment an address was confirmed,
-- while the password someone else chose before the confirmation still
-- worked. Pending shares now attach, and invites are accepted, only through
-- RPCs that require proven credentials (20261207100200).
-- Replaces the triggers of 20261128000500_sharing.sql and
-- 20261128200300_accept_invites_on_signup.sql.
drop trigger share_attach_on_signup on auth.users;
drop trigger share_attach_on_confirm on auth.users;
drop trigger team_invites_accept_on_signup on auth.users;
drop trigger team_invites_accept_on_confirm on auth.users;
drop function private.attach_pending_shares();
drop function private.accept_invites_of_invited_account();
