-- Email digests of notifications (20261209820000) for people who are away:
-- no page of the app open (the app calls touch_presence() when a page loads
-- and every minute while it is visible) for `away_seconds`. The worker fleet
-- claims due digests every minute (worker/notification-digest.ts) and sends
-- them; each carries a one-click unsubscribe link.
-- Protects the people emailed: at most one digest per person per
-- `digest_interval_seconds`, however many events (a flood of job
-- completions is one email); a digest is claimed by one worker at a time
-- (row locks, skip locked), and one claimed but never reported sent (a
-- crashed worker) is taken again with the same contents after its lease,
-- never built twice; emails go only for events the person left on 'email',
-- checked when the digest is built. The unsubscribe token is random, one
-- per person, and changes only their own settings.

create table private.notification_policy (
  id boolean primary key default true check (id),
  away_seconds integer not null default 600 check (away_seconds > 0),
  digest_interval_seconds integer not null default 600 check (digest_interval_seconds > 0),
  lease_seconds integer not null default 300 check (lease_seconds > 0),
  max_attempts integer not null default 5 check (max_attempts > 0)
);
insert into private.notification_policy default values;
alter table private.notification_policy enable row level security;
revoke all on private.notification_policy from public, anon, authenticated;
grant select, update on private.notification_policy to service_role;

-- One row per person the app has seen or notified.
create table private.notification_recipients (
  user_id uuid primary key references auth.users (id) on delete cascade,
  last_seen_at timestamptz,
  last_digest_at timestamptz,
  unsubscribe_token text not null unique
    default encode(extensions.gen_random_bytes(32), 'hex')
);
alter table private.notification_recipients enable row level security;
revoke all on private.notification_recipients from public, anon, authenticated;
grant select, insert, update, delete on private.notification_recipients to service_role;

create table private.notification_digests (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  lease_until timestamptz not null,
  attempts integer not null default 1,
  sent_at timestamptz,
  abandoned_at timestamptz
);
create index notification_digests_open_idx on private.notification_digests (lease_until) where sent_at is null and abandoned_at is null;
create index notification_digests_user_idx on private.notification_digests (user_id);
alter table private.notification_digests enable row level security;
revoke all on private.notification_digests from public, anon, authenticated;
grant select, insert, update, delete on private.notification_digests to service_role;

-- Which digest emailed a notification (null: not emailed).
alter table public.notifications add column digest_id uuid references private.notification_digests (id) on delete set null;
create index notifications_undigested_idx on public.notifications (user_id) where digest_id is null and read_at is null;
create index notifications_digest_idx on public.notifications (digest_id) where digest_id is not null;

-- Every notified person gets a recipient row (their unsubscribe token).
create function private.add_notification_recipient() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into private.notification_recipients (user_id) values (new.user_id) on conflict do nothing;
  return null;
end;
$$;
create trigger add_notification_recipient
  after insert on public.notifications
  for each row execute function private.add_notification_recipient();

-- The caller has a page of the app open now.
create function public.touch_presence() returns void
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := auth.uid();
begin
  if uid is null or not private.caller_session_is_live() then
    raise exception 'sign in first' using errcode = '42501';
  end if;
  insert into private.notification_recipients (user_id, last_seen_at) values (uid, now())
  on conflict (user_id) do update set last_seen_at = excluded.last_seen_at;
end;
$$;
revoke all on function public.touch_presence() from public, anon;
grant execute on function public.touch_presence() to authenticated;

-- What a digest says: its notifications, oldest first.
create function private.digest_contents(digest_id uuid) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
begin
  return coalesce((
    select jsonb_agg(jsonb_build_object('kind', n.kind, 'title', n.title, 'body', n.body, 'link', n.link, 'created_at', n.created_at)
                     order by n.created_at, n.id)
    from public.notifications n where n.digest_id = digest_contents.digest_id), '[]');
end;
$$;
revoke all on function private.digest_contents(uuid) from public;

-- Claims up to `batch` digests to send now: first those whose claim lapsed
-- (a worker died before reporting), then new ones for people who are away,
-- have unread notifications to email and had no digest within the interval.
-- Report each with worker.notification_digest_sent or _failed.
create function worker.claim_notification_digests(batch integer default 20)
returns table (digest_id uuid, user_id uuid, email text, display_name text, unsubscribe_token text, notifications jsonb)
language plpgsql security definer set search_path = ''
as $$
declare
  policy private.notification_policy;
  d private.notification_digests;
  r private.notification_recipients;
  claimed integer := 0;
  new_id uuid;
begin
  select * into policy from private.notification_policy;
  for d in
    select * from private.notification_digests x
    where x.sent_at is null and x.abandoned_at is null and x.lease_until < now()
    order by x.lease_until limit batch
    for update skip locked
  loop
    if d.attempts >= policy.max_attempts then
      update private.notification_digests x set abandoned_at = now() where x.id = d.id;
      continue;
    end if;
    update private.notification_digests x set lease_until = now() + make_interval(secs => policy.lease_seconds), attempts = x.attempts + 1
    where x.id = d.id;
    claimed := claimed + 1;
    return query
      select d.id, d.user_id, u.email::text, p.display_name, rr.unsubscribe_token, private.digest_contents(d.id)
      from auth.users u
      join private.notification_recipients rr on rr.user_id = u.id
      left join public.profiles p on p.id = u.id
      where u.id = d.user_id;
  end loop;

  for r in
    select * from private.notification_recipients x
    where coalesce(x.last_seen_at, '-infinity') < now() - make_interval(secs => policy.away_seconds)
      and coalesce(x.last_digest_at, '-infinity') < now() - make_interval(secs => policy.digest_interval_seconds)
      and exists (select from public.notifications n
                  where n.user_id = x.user_id and n.digest_id is null and n.read_at is null
                    and private.notification_delivery(n.user_id, n.kind) = 'email')
    order by x.last_digest_at nulls first
    limit greatest(batch - claimed, 0)
    for update skip locked
  loop
    insert into private.notification_digests (user_id, lease_until)
    values (r.user_id, now() + make_interval(secs => policy.lease_seconds))
    returning id into new_id;
    update public.notifications n set digest_id = new_id
    where n.user_id = r.user_id and n.digest_id is null and n.read_at is null
      and private.notification_delivery(n.user_id, n.kind) = 'email';
    update private.notification_recipients x set last_digest_at = now() where x.user_id = r.user_id;
    return query
      select new_id, r.user_id, u.email::text, p.display_name, r.unsubscribe_token, private.digest_contents(new_id)
      from auth.users u left join public.profiles p on p.id = u.id
      where u.id = r.user_id;
  end loop;
end;
$$;

create function worker.notification_digest_sent(digest_id uuid) returns boolean
language plpgsql security definer set search_path = ''
as $$
begin
  update private.notification_digests d set sent_at = now() where d.id = notification_digest_sent.digest_id and d.sent_at is null;
  return found;
end;
$$;

-- A send that failed: tried again on the next pass (`permanent`: the address
-- was refused; not again).
create function worker.notification_digest_failed(digest_id uuid, permanent boolean) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  update private.notification_digests d
  set lease_until = now(), abandoned_at = case when permanent then now() end
  where d.id = notification_digest_failed.digest_id and d.sent_at is null;
end;
$$;

revoke all on function worker.claim_notification_digests(integer), worker.notification_digest_sent(uuid),
  worker.notification_digest_failed(uuid, boolean) from public, anon, authenticated;
grant execute on function worker.claim_notification_digests(integer), worker.notification_digest_sent(uuid),
  worker.notification_digest_failed(uuid, boolean) to service_role;

-- The one-click unsubscribe (no sign-in: the token is the proof): email off
-- for `kind`, or for every event when `kind` is 'all'. Events that were on
-- 'email' stay in the app. Returns {kinds: the events changed}. An unknown
-- token changes nothing and says the link is not valid.
create function public.unsubscribe_notifications(token text, kind text) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  person uuid;
  kinds text[];
begin
  if token is null or token !~ '^[0-9a-f]{64}$' then
    raise exception 'this unsubscribe link is not valid: open the link from the email again, or change your settings in the app'
      using errcode = '22023';
  end if;
  select r.user_id into person from private.notification_recipients r where r.unsubscribe_token = unsubscribe_notifications.token;
  if person is null then
    raise exception 'this unsubscribe link is not valid: open the link from the email again, or change your settings in the app'
      using errcode = '22023';
  end if;
  if unsubscribe_notifications.kind = 'all' then
    kinds := private.notification_kinds();
  elsif private.notification_kind_is_known(unsubscribe_notifications.kind) then
    kinds := array[unsubscribe_notifications.kind];
  else
    raise exception 'unknown event "%": unsubscribe from one event or from all', coalesce(unsubscribe_notifications.kind, '')
      using errcode = '22023';
  end if;
  insert into public.notification_preferences (user_id, kind, delivery, updated_at)
  select person, k.k, 'in_app', now() from unnest(kinds) as k (k)
  on conflict on constraint notification_preferences_pkey do update set delivery = 'in_app', updated_at = now()
  where public.notification_preferences.delivery = 'email';
  return jsonb_build_object('kinds', to_jsonb(kinds));
end;
$$;
revoke all on function public.unsubscribe_notifications(text, text) from public;
grant execute on function public.unsubscribe_notifications(text, text) to anon, authenticated, service_role;
