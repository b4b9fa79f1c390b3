-- Whose credentials an account holds: when its password was set and its
-- address confirmed, and whether its credentials are *proven*.
-- Protects invited access from account pre-registration: someone signs up
-- with another person's address and never confirms it; GoTrue keeps that
-- first password when the real owner later confirms the address (a sign-up,
-- a magic link or a confirmation link all do), so after the confirmation the
-- squatter's password works. Team invites and job shares therefore grant
-- access only to accounts whose credentials are proven:
--
--   proven = the address is confirmed, and no password chosen before that
--            confirmation still works (nor any session opened with one).
--
-- An account becomes proven one of two ways, and stays proven:
--  (a) by itself, when the address is confirmed in the same transaction in
--      which its password (if any) was set: Auth's admin API (createUser with
--      email_confirm), or a sign-up confirmed at once. Nobody held a password
--      before the confirmation. (With email confirmations off, anyone can
--      sign up with any address; that setting proves nothing.)
--  (b) in private.require_proven_credentials, called by the RPCs that grant
--      access: the caller signed in through an emailed link (proof of the
--      mailbox) and, in that same session, chose a new password (or the
--      account has none). Which session set the password is recorded when
--      the change commits: Auth ends every other session of the user in the
--      transaction that changes a password (GoTrue's UpdatePassword keeps
--      only the changer's), so the one live session left is the one that set
--      it; if more are left, nobody is credited. A session opened with the
--      squatter's password never qualifies, even after it changes the
--      password itself. The proof then ends every other session and its
--      refresh tokens.
-- Accounts that existed before this migration start unproven (their password
-- history is unknown): their owners prove them once, by (b).

create table private.account_credentials (
  user_id uuid primary key references auth.users (id) on delete cascade,
  -- When the current password was set; null: the account has no password.
  password_set_at timestamptz,
  -- The transactions that set the password and confirmed the address, for (a).
  password_xact xid8,
  confirmed_xact xid8,
  -- The session that set the current password (the only one live when the change committed), for (b).
  password_set_in_session uuid,
  proven_at timestamptz
);
comment on table private.account_credentials is
  'Kept by a trigger on auth.users; proven_at is set by (a) that trigger or (b) private.require_proven_credentials.';

alter table private.account_credentials enable row level security;
revoke all on private.account_credentials from public, anon, authenticated;
grant select on private.account_credentials to service_role;

create function private.track_account_credentials() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  xact xid8 := pg_current_xact_id();
  has_password boolean := coalesce(new.encrypted_password, '') <> '';
  password_changed boolean := case when tg_op = 'INSERT' then has_password
                                   else new.encrypted_password is distinct from old.encrypted_password end;
  newly_confirmed boolean := new.email_confirmed_at is not null and (tg_op = 'INSERT' or old.email_confirmed_at is null);
  creds private.account_credentials;
begin
  insert into private.account_credentials (user_id) values (new.id) on conflict (user_id) do nothing;
  update private.account_credentials c set
    password_set_at = case when not password_changed then c.password_set_at when has_password then clock_timestamp() end,
    password_xact = case when password_changed then xact else c.password_xact end,
    password_set_in_session = case when password_changed then null else c.password_set_in_session end,
    confirmed_xact = case when newly_confirmed then xact else c.confirmed_xact end
  where c.user_id = new.id
  returning * into creds;
  -- (a): confirmed in this transaction, and the password (if any) set in it too.
  if creds.proven_at is null and new.email_confirmed_at is not null and creds.confirmed_xact = xact
     and (creds.password_set_at is null or creds.password_xact = xact) then
    update private.account_credentials c set proven_at = clock_timestamp() where c.user_id = new.id;
  end if;
  return null;
end;
$$;

create trigger track_account_credentials
  after insert or update of encrypted_password, email_confirmed_at on auth.users
  for each row execute function private.track_account_credentials();

-- At the commit of a password change, after Auth has ended the other
-- sessions: the one live session left set the password (none or several:
-- nobody is credited).
create function private.note_password_session() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  live uuid[];
begin
  select array_agg(s.id) into live from auth.sessions s where s.user_id = new.id;
  update private.account_credentials c
  set password_set_in_session = case when cardinality(live) = 1 then live[1] end
  where c.user_id = new.id and c.password_xact = pg_current_xact_id();
  return null;
end;
$$;

create constraint trigger note_password_session
  after update of encrypted_password on auth.users
  deferrable initially deferred
  for each row when (old.encrypted_password is distinct from new.encrypted_password)
  execute function private.note_password_session();

-- Existing accounts: a password set at an unknown time counts as set before
-- any confirmation.
insert into private.account_credentials (user_id, password_set_at)
select u.id, case when coalesce(u.encrypted_password, '') <> '' then '-infinity'::timestamptz end
from auth.users u
on conflict (user_id) do nothing;

-- The caller's session (the access token's session_id claim), or null.
create function private.caller_session_id() returns uuid
language plpgsql stable set search_path = ''
as $$
declare
  raw text := auth.jwt() ->> 'session_id';
begin
  if raw ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return raw::uuid;
  end if;
  return null;
end;
$$;

-- Where an account stands, seen from one of its sessions:
--   'unconfirmed'      the address is not confirmed;
--   'proven'           proven already;
--   'provable'         (b) holds for this session: proving records it;
--   'choose_password'  this session came from an emailed link, but the
--                      password predates it: choose a new one here;
--   'email_link'       this session did not come from an emailed link (or is
--                      gone): sign in with one first.
create function private.credential_state(p_uid uuid, p_session_id uuid) returns text
language plpgsql stable security definer set search_path = ''
as $$
declare
  confirmed boolean;
  creds private.account_credentials;
  by_email_link boolean;
begin
  select u.email_confirmed_at is not null into confirmed from auth.users u where u.id = p_uid;
  if not coalesce(confirmed, false) then
    return 'unconfirmed';
  end if;
  select * into creds from private.account_credentials c where c.user_id = p_uid;
  if not found then
    creds.password_set_at := '-infinity';
  elsif creds.proven_at is not null then
    return 'proven';
  end if;
  -- GoTrue's authentication methods (amr) of sessions opened by an emailed link or code.
  select exists (select from auth.mfa_amr_claims a where a.session_id = s.id
                 and a.authentication_method in ('otp', 'magiclink', 'email/signup', 'invite', 'recovery', 'email_change'))
  into by_email_link
  from auth.sessions s where s.id = p_session_id and s.user_id = p_uid;
  if not coalesce(by_email_link, false) then
    return 'email_link';
  end if;
  if creds.password_set_at is null or creds.password_set_in_session = p_session_id then
    return 'provable';
  end if;
  return 'choose_password';
end;
$$;

-- Raises unless the caller's credentials are proven; records proof (b) and
-- ends the caller's other sessions when this session provides it. `action`
-- completes the messages ("... before you <action>").
create function private.require_proven_credentials(action text) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := auth.uid();
  sid uuid := private.caller_session_id();
  state text;
begin
  if uid is null then
    raise exception 'sign in to %', action using errcode = '42501';
  end if;
  if sid is not null and not exists (select from auth.sessions s where s.id = sid and s.user_id = uid) then
    raise exception 'your session has ended (you signed out, or the password was changed): sign in again to %', action
      using errcode = '42501';
  end if;
  state := private.credential_state(uid, sid);
  case state
    when 'proven' then
      return;
    when 'provable' then
      update private.account_credentials c set proven_at = clock_timestamp() where c.user_id = uid;
      -- Sign-ins from before the proof (perhaps with someone else's password) end now.
      delete from auth.refresh_tokens t where t.user_id = uid::text and t.session_id is distinct from sid;
      delete from auth.sessions s where s.user_id = uid and s.id is distinct from sid;
      return;
    when 'choose_password' then
      raise exception 'choose a new password before you %: a password chosen before your address was confirmed may not be yours, so it has to stop working', action
        using errcode = '42501', hint = 'Set a new password in this session (the one you opened from the emailed link), then try again.';
    when 'email_link' then
      raise exception 'sign in with a link emailed to you, then choose a new password, before you %: that proves the address is yours and ends any sign-in someone else opened with it', action
        using errcode = '42501', hint = 'Ask for a sign-in link on the sign-in page.';
    else
      raise exception 'confirm your email address before you %', action using errcode = '42501';
  end case;
end;
$$;
