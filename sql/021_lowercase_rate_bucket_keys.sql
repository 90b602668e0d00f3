-- Rate-limit bucket keys name their user in the lowercase RFC 9562 form (`api:user:<uuid>`, `generate:user:<uuid>`),
-- as the API and the rest of the database do; the service used to write Foundation's uppercase form. Existing buckets
-- are renamed, so no user's bucket starts over full on upgrade (one whose lowercase twin exists already is dropped).
UPDATE rate_buckets AS b SET key = lower(b.key)
WHERE b.key <> lower(b.key)
    AND NOT EXISTS (SELECT 1 FROM rate_buckets AS l WHERE l.key = lower(b.key));
DELETE FROM rate_buckets WHERE key <> lower(key);
