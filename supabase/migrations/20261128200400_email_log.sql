-- The emails the platform sends on a user's behalf (job shares, sign-up and
-- team invitations), kept for an hour or so.
-- Protects the people emailed: at most one email per address about one job or
-- team invite per hour, however often the sender clicks, and at most
-- EMAIL_LIMIT_PER_HOUR (100) such emails per sender per rolling hour, so an
-- account cannot be used to spam. Only the service role (the edge functions,
-- after they have checked the caller) reads or writes the log.

create table private.email_log (
  id uuid primary key default gen_random_uuid(),
  sender_id uuid not null references auth.users (id) on delete cascade,
  recipient text not null check (recipient = lower(btrim(recipient)) and char_length(recipient) <= 254),
  kind text not null check (kind in ('job_share', 'team_invite')),
  -- The job or team invite the email is about.
  subject_id uuid not null,
  sent_at timestamptz not null default now()
);
create index email_log_sender_idx on private.email_log (sender_id, sent_at);
create index email_log_recipient_idx on private.email_log (recipient, subject_id, sent_at);

alter table private.email_log enable row level security;
revoke all on private.email_log from public, anon, authenticated;
grant select, insert, delete on private.email_log to service_role;

-- Claims the right to send `kind` emails for `sender_id`, one per item
-- ({email, subject_id}: the address and the job or team invite it is about).
-- Returns {allowed, limit, sent_last_hour, requested, retry_after, claims,
-- recent}: `claims` ({email, subject_id, id}) are the emails to send now,
-- logged as sent (release the ones that fail); `recent` ({email, subject_id,
-- last_sent_at}) were emailed about the same subject within the hour and are
-- skipped. When the sender's hourly limit would be passed, nothing is claimed,
-- `allowed` is false and `retry_after` says when enough slots free up.
create function public.claim_email_sends(sender_id uuid, kind text, items jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  limit_per_hour constant integer := 100;
  fresh jsonb;
  fresh_count integer;
  recent jsonb;
  sent integer;
  slot_frees timestamptz;
  claims jsonb;
begin
  if claim_email_sends.sender_id is null or jsonb_typeof(claim_email_sends.items) is distinct from 'array' then
    raise exception 'sender_id and an items array are required' using errcode = '22023';
  end if;
  -- One sender's claims one at a time, so two requests cannot both pass the
  -- limit; and one subject's, so two senders cannot both email an address
  -- about it (subjects locked in one order: no deadlock).
  perform pg_advisory_xact_lock(hashtextextended('foldwork.email_sender:' || claim_email_sends.sender_id::text, 0));
  perform pg_advisory_xact_lock(hashtextextended('foldwork.email_subject:' || s.subject_id, 0))
  from (select distinct a.subject_id from jsonb_to_recordset(claim_email_sends.items) as a(subject_id text) order by 1) s;
  delete from private.email_log l where l.sender_id = claim_email_sends.sender_id and l.sent_at < now() - interval '1 day';

  -- Each distinct (address, subject), with the last time it was emailed within the hour.
  with wanted as (
    select distinct a.email, a.subject_id from jsonb_to_recordset(claim_email_sends.items) as a(email text, subject_id uuid)),
  checked as (
    select w.email, w.subject_id,
      (select max(l.sent_at) from private.email_log l
       where l.recipient = w.email and l.subject_id = w.subject_id and l.sent_at > now() - interval '1 hour') as last_sent_at
    from wanted w)
  select
    coalesce(jsonb_agg(jsonb_build_object('email', c.email, 'subject_id', c.subject_id, 'last_sent_at', c.last_sent_at)
                       order by c.email) filter (where c.last_sent_at is not null), '[]'),
    coalesce(jsonb_agg(jsonb_build_object('email', c.email, 'subject_id', c.subject_id)
                       order by c.email) filter (where c.last_sent_at is null), '[]')
  into recent, fresh
  from checked c;
  fresh_count := jsonb_array_length(fresh);

  select count(*) into sent from private.email_log l
  where l.sender_id = claim_email_sends.sender_id and l.sent_at > now() - interval '1 hour';
  if sent + fresh_count > limit_per_hour then
    -- When enough of the sender's emails have left the window for this batch to fit.
    select l.sent_at + interval '1 hour' into slot_frees from private.email_log l
    where l.sender_id = claim_email_sends.sender_id and l.sent_at > now() - interval '1 hour'
    order by l.sent_at
    offset greatest(sent + fresh_count - limit_per_hour - 1, 0) limit 1;
    return jsonb_build_object('allowed', false, 'limit', limit_per_hour, 'sent_last_hour', sent, 'requested', fresh_count,
      'retry_after', coalesce(slot_frees, now() + interval '1 hour'), 'claims', '[]'::jsonb, 'recent', recent);
  end if;

  with logged as (
    insert into private.email_log (sender_id, recipient, kind, subject_id)
    select claim_email_sends.sender_id, f.email, claim_email_sends.kind, f.subject_id
    from jsonb_to_recordset(fresh) as f(email text, subject_id uuid)
    returning id, recipient, subject_id)
  select coalesce(jsonb_agg(jsonb_build_object('email', logged.recipient, 'subject_id', logged.subject_id, 'id', logged.id)
                            order by logged.recipient), '[]')
  into claims from logged;
  return jsonb_build_object('allowed', true, 'limit', limit_per_hour, 'sent_last_hour', sent + fresh_count, 'requested', fresh_count,
    'retry_after', null, 'claims', claims, 'recent', recent);
end;
$$;

-- Forgets claims whose email could not be delivered, so a retry sends it.
create function public.release_email_sends(claim_ids uuid[]) returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  released integer;
begin
  delete from private.email_log l where l.id = any (release_email_sends.claim_ids);
  get diagnostics released = row_count;
  return released;
end;
$$;

revoke all on function public.claim_email_sends(uuid, text, jsonb), public.release_email_sends(uuid[]) from public, anon, authenticated;
grant execute on function public.claim_email_sends(uuid, text, jsonb), public.release_email_sends(uuid[]) to service_role;
