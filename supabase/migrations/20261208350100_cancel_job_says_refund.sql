-- cancel_job's timeline entry says what became of the credits: refunded
-- (the job had not started, or waited in retry) or not (it was running, and
-- the compute is spent). The refund itself is the database's rule
-- (private.job_change_refunds, 20261208350000); this only words it.
-- Protects: nothing new; who may cancel is as in 20261128000600_job_rpcs.sql
-- (members of the job's team who are not viewers; a finished job cannot be
-- cancelled).

create or replace function public.cancel_job(job_id uuid) returns public.jobs
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('cancel');
  job public.jobs := private.require_job(cancel_job.job_id, uid, 'cancel', false);
  who text;
  credits text;
begin
  if public.job_status_is_terminal(job.status) then
    raise exception 'this job is already % and cannot be cancelled', job.status using errcode = 'P0001';
  end if;
  who := coalesce((select p.display_name from public.profiles p where p.id = uid), 'a team member');
  credits := job.credits_charged || case job.credits_charged when 1 then ' credit' else ' credits' end;
  return private.set_job_status(job.id, 'cancelled', 'Cancelled by ' || who || case
    when job.credits_charged = 0 then ''
    when job.status = 'retry' then format(' while it waited to run again: its %s were refunded', credits)
    when private.job_change_refunds(job.status, 'cancelled') then format(' before it started: its %s were refunded', credits)
    else format(' while it ran: its %s are not refunded (the compute was spent)', credits)
  end);
end;
$$;
