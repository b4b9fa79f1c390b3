-- Notifications: rows for one person each, written only by the database's
-- triggers (20261209820100), read in the app's bell, live over the person's
-- private topic `user:<id>`, and emailed as digests (20261209820200).
-- Protects: a notification is readable only by its recipient (RLS, tokens of
-- ended sessions refused) and marked read only by them
-- (mark_notifications_read); no client inserts, changes or deletes one; only
-- the recipient can join their topic, and only the database writes to it.
-- Each person chooses per event (set_notification_preferences) whether it
-- reaches them in the app, in the app and by email, or not at all.

-- The events, mirrored by src/lib/notifications/kinds.ts (a db test checks
-- they agree).
create function private.notification_kinds() returns text[]
language plpgsql immutable set search_path = ''
as $$
begin
  return array['job_completed', 'job_failed', 'job_timeout', 'job_shared', 'team_invite', 'credits_low'];
end;
$$;

create function private.notification_kind_is_known(kind text) returns boolean
language plpgsql immutable set search_path = ''
as $$
begin
  return kind = any (private.notification_kinds());
end;
$$;
grant execute on function private.notification_kinds(), private.notification_kind_is_known(text) to authenticated, service_role;

create table public.notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  kind text not null check (private.notification_kind_is_known(kind)),
  -- What happened, in words (names written by people are kept as text; the
  -- app and the email escape them).
  title text not null check (char_length(title) between 1 and 300),
  body text check (char_length(body) <= 1000),
  -- A path on the web app (never a full URL).
  link text check (link like '/%'),
  team_id uuid references public.teams (id) on delete cascade,
  created_at timestamptz not null default now(),
  read_at timestamptz
);
create index notifications_user_created_idx on public.notifications (user_id, created_at desc);
create index notifications_user_unread_idx on public.notifications (user_id) where read_at is null;
create index notifications_team_id_idx on public.notifications (team_id) where team_id is not null;

alter table public.notifications enable row level security;
revoke all on public.notifications from public, anon, authenticated;
-- Clients read; they mark read through mark_notifications_read() below.
grant select on public.notifications to authenticated;
grant select, insert, update, delete on public.notifications to service_role;

create policy "People can view their own notifications" on public.notifications
  for select to authenticated
  using (user_id = (select auth.uid()) and (select private.caller_session_is_live()));

-- Per person and event: 'email' (in the app, and by email while away: the
-- default), 'in_app' (only in the app) or 'off'.
create table public.notification_preferences (
  user_id uuid not null references auth.users (id) on delete cascade,
  kind text not null check (private.notification_kind_is_known(kind)),
  delivery text not null check (delivery in ('email', 'in_app', 'off')),
  updated_at timestamptz not null default now(),
  primary key (user_id, kind)
);

alter table public.notification_preferences enable row level security;
revoke all on public.notification_preferences from public, anon, authenticated;
-- Clients read; they change them through set_notification_preferences() below.
grant select on public.notification_preferences to authenticated;
grant select, insert, update, delete on public.notification_preferences to service_role;

create policy "People can view their own notification settings" on public.notification_preferences
  for select to authenticated
  using (user_id = (select auth.uid()) and (select private.caller_session_is_live()));

create function private.notification_delivery(user_id uuid, kind text) returns text
language plpgsql stable security definer set search_path = ''
as $$
begin
  return coalesce(
    (select p.delivery from public.notification_preferences p
     where p.user_id = notification_delivery.user_id and p.kind = notification_delivery.kind),
    'email');
end;
$$;
revoke all on function private.notification_delivery(uuid, text) from public;

-- A person's topic: `user:<id>` (the id as uuids print).
create function private.user_topic_id(topic text) returns uuid
language plpgsql immutable set search_path = ''
as $$
declare
  parts text[] := regexp_match(topic, '^user:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$');
begin
  if parts is null then
    return null;
  end if;
  return parts[1]::uuid;
end;
$$;
revoke all on function private.user_topic_id(text) from public;
grant execute on function private.user_topic_id(text) to anon, authenticated, service_role;

create policy "People can follow their own topic" on realtime.messages
  for select to authenticated
  using (extension = 'broadcast'
         and private.user_topic_id((select realtime.topic())) = (select auth.uid())
         and (select private.caller_session_is_live()));

-- Writes one notification when the person wants this event (the triggers'
-- one way in) and sends it to their topic.
create function private.notify_person(user_id uuid, kind text, title text, body text, link text, team_id uuid) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  n public.notifications;
begin
  if user_id is null or private.notification_delivery(user_id, kind) = 'off' then
    return;
  end if;
  insert into public.notifications (user_id, kind, title, body, link, team_id)
  values (notify_person.user_id, notify_person.kind, left(notify_person.title, 300), left(notify_person.body, 1000),
          notify_person.link, notify_person.team_id)
  returning * into n;
  perform realtime.send(jsonb_build_object('notification', to_jsonb(n)), 'notification_added', 'user:' || n.user_id::text, true);
end;
$$;
revoke all on function private.notify_person(uuid, text, text, text, text, uuid) from public;

-- Sets the caller's delivery for the events named in `preferences`
-- ({"job_completed": "off", ...}); returns all of theirs, defaults filled in.
create function public.set_notification_preferences(preferences jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := auth.uid();
  entry record;
begin
  if uid is null or not private.caller_session_is_live() then
    raise exception 'sign in to change your notification settings' using errcode = '42501';
  end if;
  if jsonb_typeof(preferences) is distinct from 'object' then
    raise exception 'give the settings as an object of event: delivery' using errcode = '22023';
  end if;
  for entry in select e.key, e.value from jsonb_each(preferences) e loop
    if not private.notification_kind_is_known(entry.key) then
      raise exception 'unknown event "%": the events are %', entry.key, array_to_string(private.notification_kinds(), ', ') using errcode = '22023';
    end if;
    if jsonb_typeof(entry.value) is distinct from 'string' or entry.value #>> '{}' not in ('email', 'in_app', 'off') then
      raise exception 'the delivery of % is email, in_app or off, not %', entry.key, entry.value using errcode = '22023';
    end if;
  end loop;
  insert into public.notification_preferences (user_id, kind, delivery, updated_at)
  select uid, e.key, e.value #>> '{}', now() from jsonb_each(preferences) e
  on conflict on constraint notification_preferences_pkey do update set delivery = excluded.delivery, updated_at = excluded.updated_at;
  return (select jsonb_object_agg(k.kind, private.notification_delivery(uid, k.kind))
          from unnest(private.notification_kinds()) as k (kind));
end;
$$;
revoke all on function public.set_notification_preferences(jsonb) from public, anon;
grant execute on function public.set_notification_preferences(jsonb) to authenticated;

-- Marks the caller's notifications read (`ids`, or all when null); other
-- tabs of the same person hear it on their topic. Returns how many changed.
create function public.mark_notifications_read(ids uuid[] default null) returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := auth.uid();
  changed integer;
begin
  if uid is null or not private.caller_session_is_live() then
    raise exception 'sign in to mark notifications read' using errcode = '42501';
  end if;
  update public.notifications n set read_at = now()
  where n.user_id = uid and n.read_at is null and (mark_notifications_read.ids is null or n.id = any (mark_notifications_read.ids));
  get diagnostics changed = row_count;
  if changed > 0 then
    perform realtime.send(jsonb_build_object('ids', mark_notifications_read.ids), 'notifications_read', 'user:' || uid::text, true);
  end if;
  return changed;
end;
$$;
revoke all on function public.mark_notifications_read(uuid[]) from public, anon;
grant execute on function public.mark_notifications_read(uuid[]) to authenticated;
