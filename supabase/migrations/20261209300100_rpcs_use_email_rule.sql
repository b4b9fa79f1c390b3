-- share_job and invite_team_member check addresses with the one rule,
-- private.is_email_address (20261209300000_email_address_rule.sql), instead
-- of their own looser pattern (anything@anything.anything, up to 255
-- characters), which let through addresses the edge functions refuse.
-- Protects: an address the database accepts is one the app and the edge
-- functions accept too, and the other way round. The bodies are otherwise
-- those of 20261207100300_no_account_existence_in_answers.sql (share_job)
-- and 20261128000800_team_rpcs.sql (invite_team_member).

create or replace function public.share_job(job_id uuid, email text) returns public.job_shares
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('share');
  job public.jobs := private.require_job(share_job.job_id, uid, 'share', false);
  address text := lower(btrim(share_job.email));
  new_share public.job_shares;
begin
  if address is null or not private.is_email_address(address) then
    raise exception 'not an email address: %', coalesce('"' || share_job.email || '"', 'nothing') using errcode = '22023';
  end if;
  insert into public.job_shares (job_id, email, invited_by)
  values (job.id, address, uid)
  on conflict on constraint job_shares_job_id_email_key do update set invited_by = excluded.invited_by
  returning * into new_share;
  return new_share;
end;
$$;

create or replace function public.invite_team_member(team_id uuid, email text, role text default 'member') returns public.team_invites
language plpgsql security definer set search_path = ''
as $$
#variable_conflict use_column
declare
  uid uuid := private.require_caller('invite people for');
  address text := lower(btrim(invite_team_member.email));
  invite public.team_invites;
begin
  perform private.require_team_manager(invite_team_member.team_id, uid);
  if address is null or not private.is_email_address(address) then
    raise exception 'not an email address: %', coalesce('"' || invite_team_member.email || '"', 'nothing') using errcode = '22023';
  end if;
  if invite_team_member.role is null or invite_team_member.role not in ('admin', 'member', 'viewer') then
    raise exception 'an invite is for the role admin, member or viewer, not %', coalesce('"' || invite_team_member.role || '"', 'nothing')
      using errcode = '22023';
  end if;
  if exists (select from public.team_members m join public.profiles p on p.id = m.user_id
             where m.team_id = invite_team_member.team_id and p.email = address) then
    raise exception '% is already a member of this team', address using errcode = 'P0001';
  end if;
  insert into public.team_invites (team_id, email, role, invited_by)
  values (invite_team_member.team_id, address, invite_team_member.role::public.team_role, uid)
  on conflict (team_id, email) where status = 'pending'
  do update set role = excluded.role, invited_by = excluded.invited_by, expires_at = now() + interval '7 days'
  returning * into invite;
  return invite;
end;
$$;
