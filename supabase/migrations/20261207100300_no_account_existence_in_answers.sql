-- Sharing and inviting answer the same for every address, whether or not it
-- belongs to an account.
-- Protects against account probing: share_job attached a share to a
-- confirmed account at once and returned its user_id (no email needed, no
-- limit), and the invite RPCs returned `has_account`. Now a share always
-- starts pending (user_id null) and attaches when its recipient claims it
-- with proven credentials (public.claim_pending_access), and invites say
-- nothing about accounts. Which email to send (a "shared with you" link or a
-- sign-up invitation) is looked up by the edge functions with the service
-- role (public.emails_with_accounts), never answered to the caller.
-- Replaces public.share_job (20261128000600_job_rpcs.sql) and
-- private.team_invite_json (20261128200200_team_invite_rpcs.sql), which
-- invite_team_members and resend_team_invite use.

create or replace function public.share_job(job_id uuid, email text) returns public.job_shares
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('share');
  job public.jobs := private.require_job(share_job.job_id, uid, 'share', false);
  address text := lower(btrim(share_job.email));
  new_share public.job_shares;
begin
  if address is null or address !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' or char_length(address) > 255 then
    raise exception 'not an email address: %', coalesce('"' || share_job.email || '"', 'nothing') using errcode = '22023';
  end if;
  insert into public.job_shares (job_id, email, invited_by)
  values (job.id, address, uid)
  on conflict on constraint job_shares_job_id_email_key do update set invited_by = excluded.invited_by
  returning * into new_share;
  return new_share;
end;
$$;

create or replace function private.team_invite_json(invite public.team_invites) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
begin
  return jsonb_build_object(
    'id', invite.id,
    'team_id', invite.team_id,
    'email', invite.email,
    'role', invite.role,
    'status', invite.status,
    'expires_at', invite.expires_at);
end;
$$;

-- For the edge functions (service role): which of `emails` belong to a
-- confirmed account, so each person gets the right email.
create function public.emails_with_accounts(emails text[]) returns text[]
language plpgsql stable security definer set search_path = ''
as $$
begin
  return coalesce((
    select array_agg(distinct p.email order by p.email)
    from public.profiles p join auth.users u on u.id = p.id
    where p.email = any (select lower(btrim(e)) from unnest(emails_with_accounts.emails) e)
      and u.email_confirmed_at is not null), '{}');
end;
$$;

revoke all on function public.emails_with_accounts(text[]) from public, anon, authenticated;
grant execute on function public.emails_with_accounts(text[]) to service_role;
