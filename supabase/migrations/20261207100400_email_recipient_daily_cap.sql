-- At most 12 sharing and invitation emails per recipient per rolling day,
-- whoever sends them.
-- Protects the people emailed: one sender (or many) could mail the same
-- person a dozen times a minute (each job and each invite is its own
-- subject), each email carrying the sender's words. Past the cap the email is
-- not sent and the claim says so (`capped`, with when the next one may go);
-- the share or invite itself is saved all the same.
-- Replaces public.claim_email_sends (20261128200400_email_log.sql); its
-- other rules stay: one email per address and subject per hour, at most 100
-- per sender per rolling hour (then nothing is claimed).

create index email_log_recipient_sent_idx on private.email_log (recipient, sent_at);

-- Returns {allowed, limit, sent_last_hour, requested, retry_after, claims,
-- recent, capped, recipient_limit}: `claims` ({email, subject_id, id}) are
-- the emails to send now, logged as sent (release the ones that fail);
-- `recent` ({email, subject_id, last_sent_at}) were emailed about the same
-- subject within the hour and are skipped; `capped` ({email, subject_id,
-- sent_today, retry_after}) are skipped because their recipient has had
-- `recipient_limit` emails in the last day. When the sender's hourly limit
-- would be passed, nothing is claimed, `allowed` is false and `retry_after`
-- says when enough slots free up.
create or replace function public.claim_email_sends(sender_id uuid, kind text, items jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  limit_per_hour constant integer := 100;
  recipient_limit_per_day constant integer := 12;
  fresh jsonb;
  fresh_count integer;
  recent jsonb;
  capped jsonb;
  sent integer;
  slot_frees timestamptz;
  claims jsonb;
begin
  if claim_email_sends.sender_id is null or jsonb_typeof(claim_email_sends.items) is distinct from 'array' then
    raise exception 'sender_id and an items array are required' using errcode = '22023';
  end if;
  -- One sender's claims one at a time, so two requests cannot both pass the
  -- limit; one subject's, so two senders cannot both email an address about
  -- it; one recipient's, so two senders cannot both pass its daily cap.
  -- Always in this order, each kind sorted: no deadlock.
  perform pg_advisory_xact_lock(hashtextextended('foldwork.email_sender:' || claim_email_sends.sender_id::text, 0));
  perform pg_advisory_xact_lock(hashtextextended('foldwork.email_subject:' || s.subject_id, 0))
  from (select distinct a.subject_id from jsonb_to_recordset(claim_email_sends.items) as a(subject_id text) order by 1) s;
  perform pg_advisory_xact_lock(hashtextextended('foldwork.email_recipient:' || r.email, 0))
  from (select distinct a.email from jsonb_to_recordset(claim_email_sends.items) as a(email text) order by 1) r;
  delete from private.email_log l where l.sender_id = claim_email_sends.sender_id and l.sent_at < now() - interval '1 day';

  with wanted as (
    select distinct a.email, a.subject_id from jsonb_to_recordset(claim_email_sends.items) as a(email text, subject_id uuid)),
  checked as (
    select w.email, w.subject_id,
      (select max(l.sent_at) from private.email_log l
       where l.recipient = w.email and l.subject_id = w.subject_id and l.sent_at > now() - interval '1 hour') as last_sent_at
    from wanted w),
  -- The new emails, numbered per recipient after the ones it had today.
  counted as (
    select c.email, c.subject_id,
      day.sent_today + row_number() over (partition by c.email order by c.subject_id) as nth_today,
      day.sent_today, day.first_today
    from checked c
    cross join lateral (
      select count(*)::integer as sent_today, min(l.sent_at) as first_today from private.email_log l
      where l.recipient = c.email and l.sent_at > now() - interval '1 day') day
    where c.last_sent_at is null)
  select
    (select coalesce(jsonb_agg(jsonb_build_object('email', c.email, 'subject_id', c.subject_id, 'last_sent_at', c.last_sent_at)
                               order by c.email, c.subject_id), '[]')
     from checked c where c.last_sent_at is not null),
    (select coalesce(jsonb_agg(jsonb_build_object('email', n.email, 'subject_id', n.subject_id) order by n.email, n.subject_id), '[]')
     from counted n where n.nth_today <= recipient_limit_per_day),
    (select coalesce(jsonb_agg(jsonb_build_object('email', n.email, 'subject_id', n.subject_id, 'sent_today', n.sent_today,
                                                  'retry_after', n.first_today + interval '1 day')
                               order by n.email, n.subject_id), '[]')
     from counted n where n.nth_today > recipient_limit_per_day)
  into recent, fresh, capped;
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
      'retry_after', coalesce(slot_frees, now() + interval '1 hour'), 'claims', '[]'::jsonb, 'recent', recent,
      'capped', capped, 'recipient_limit', recipient_limit_per_day);
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
    'retry_after', null, 'claims', claims, 'recent', recent, 'capped', capped, 'recipient_limit', recipient_limit_per_day);
end;
$$;
