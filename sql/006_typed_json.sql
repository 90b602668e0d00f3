-- Stored JSON becomes snake_case everywhere and a failed job stores a domain failure, not an HTTP problem document.

-- Provider checkpoints were written camelCase (`jobID`, `pollURL`); they are now `job_id`, `poll_url`.
UPDATE jobs
SET provider_checkpoint = (provider_checkpoint - 'jobID' - 'pollURL')
    || jsonb_build_object('job_id', provider_checkpoint -> 'jobID')
    || CASE WHEN provider_checkpoint ? 'pollURL' THEN jsonb_build_object('poll_url', provider_checkpoint -> 'pollURL')
            ELSE '{}'::jsonb END
WHERE provider_checkpoint ? 'jobID';

-- Job errors were problem documents (`status`, `title`, `detail`, provider-level `code`); they are now
-- `{code, message, retryable, failovers?}` with the public failure codes.
UPDATE jobs
SET error = jsonb_strip_nulls(jsonb_build_object(
        'code', mapped.code,
        'message', COALESCE(error ->> 'detail', error ->> 'title', ''),
        'retryable', mapped.code IN ('provider_unavailable', 'invalid_output', 'mock_failure', 'worker_lost', 'internal_error'),
        'failovers', CASE WHEN error ? 'failovers' THEN jsonb_build_array(error -> 'failovers') END))
FROM (
    SELECT id, CASE error ->> 'code'
            WHEN 'content_policy' THEN 'content_blocked'
            WHEN 'invalid_request' THEN 'invalid_input'
            WHEN 'unsupported_feature' THEN 'invalid_input'
            WHEN 'validation_failed' THEN 'invalid_input'
            WHEN 'auth_failed' THEN 'provider_auth'
            WHEN 'model_retired' THEN 'provider_auth'
            WHEN 'invalid_output' THEN 'invalid_output'
            WHEN 'mock_failure' THEN 'mock_failure'
            WHEN 'worker_lost' THEN 'worker_lost'
            WHEN 'canceled' THEN 'canceled'
            WHEN 'unsupported_job' THEN 'unsupported_job'
            WHEN 'internal_error' THEN 'internal_error'
            ELSE 'provider_unavailable' END AS code
    FROM jobs WHERE error ? 'status'
) AS mapped
WHERE jobs.id = mapped.id;
