-- Token buckets are hot, short-lived state: losing them in a crash only refills every bucket, so they skip the
-- write-ahead log (no fsync per authenticated request).
ALTER TABLE rate_buckets SET UNLOGGED;
